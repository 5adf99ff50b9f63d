"""Services the project uses: databases, caches, Celery, channels, storages,
Sentry, email, DRF, wagtail.

Database and cache backends are read from the settings' syntax trees
(ENGINE/BACKEND literals, defaults of env reads, the default URL of
dj-database-url / django-environ, else the URL in a committed .env example),
so a database chosen at run time is still named. Flags also count the
declared dependencies, since a package in requirements is meant to be used.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from model_w.migrate.facts import Services, SettingsModule
from model_w.migrate.inspect.env_reads import _top_statements
from model_w.migrate.inspect.settings_values import SettingsValues
from model_w.migrate.inspect.source import (
    RepoView,
    assigned_name,
    dotted_name,
    keyword,
    str_const,
)

ENGINE_NAMES = {
    "postgresql": "postgresql",
    "postgresql_psycopg2": "postgresql",
    "postgis": "postgis",
    "sqlite3": "sqlite",
    "spatialite": "spatialite",
    "mysql": "mysql",
    "oracle": "oracle",
}
URL_SCHEMES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "psql": "postgresql",
    "postgis": "postgis",
    "sqlite": "sqlite",
    "spatialite": "spatialite",
    "mysql": "mysql",
    "mysql2": "mysql",
    "mysqlgis": "mysql",
    "oracle": "oracle",
}
CACHE_SCHEMES = {
    "redis": "django_redis.cache.RedisCache",
    "rediss": "django_redis.cache.RedisCache",
    "rediscache": "django_redis.cache.RedisCache",
    "locmemcache": "django.core.cache.backends.locmem.LocMemCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummycache": "django.core.cache.backends.dummy.DummyCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "dbcache": "django.core.cache.backends.db.DatabaseCache",
    "db": "django.core.cache.backends.db.DatabaseCache",
    "filecache": "django.core.cache.backends.filebased.FileBasedCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "memcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "pymemcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "pylibmc": "django.core.cache.backends.memcached.PyLibMCCache",
}
ENV_EXAMPLES = (
    ".env.example",
    ".env.sample",
    ".env-dist",
    ".env.dist",
    ".env-template",
    ".env.template",
    ".env",
)
URL_READERS = ("config", "parse", "db", "db_url", "dj_db_url", "cache", "cache_url", "dj_cache_url")


@dataclass
class Backend:
    name: str
    path: str
    line: int


def engine_name(engine: str) -> str:
    return ENGINE_NAMES.get(engine.rpartition(".")[2], engine)


def _leftmost_str(node: ast.AST | None) -> str | None:
    while isinstance(node, ast.BinOp):
        node = node.left
    if isinstance(node, ast.JoinedStr) and node.values:
        return str_const(node.values[0])
    return str_const(node)


def _example_url(view: RepoView, folders: list[str], variable: str) -> str | None:
    pattern = re.compile(
        rf"^\s*#?\s*(?:export\s+)?{variable}\s*=\s*['\"]?([a-z0-9+]+)://", re.MULTILINE
    )
    for folder in folders:
        for name in ENV_EXAMPLES:
            path = f"{folder}/{name}" if folder else name
            if view.exists_locally(path):
                match = pattern.search(view.text_or_none(path) or "")
                if match:
                    return match.group(1)
    return None


def _scheme(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    return url.split("://", 1)[0].split("+", 1)[0].lower()


def _backends_in(
    view: RepoView,
    module: SettingsModule,
    tree: ast.Module,
    setting: str,
    key: str,
    url_var: str,
    folders: list[str],
) -> list[Backend]:
    found: list[Backend] = []
    for stmt, leaf in _top_statements(tree.body):
        if not leaf or assigned_name(stmt) != setting:
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if str_const(k) == key:
                        value = str_const(v)
                        if value is None and isinstance(v, ast.Call):
                            value = next(
                                (str_const(a) for a in reversed(v.args) if str_const(a)), None
                            )
                            value = value or str_const(keyword(v, "default"))
                        if value:
                            found.append(Backend(value, module.path, v.lineno))
            elif isinstance(node, ast.Call):
                last = (dotted_name(node.func) or "").rpartition(".")[2]
                cast = keyword(node, "cast")
                is_url_cast = cast is not None and (dotted_name(cast) or "").endswith(
                    ("db_url", "parse")
                )
                if last not in URL_READERS and not is_url_cast:
                    continue
                if (
                    last == "config"
                    and not is_url_cast
                    and "dj_database_url" not in (dotted_name(node.func) or "")
                ):
                    continue
                url = _leftmost_str(keyword(node, "default"))
                if url is None and last == "parse" and node.args:
                    url = _leftmost_str(node.args[0])
                scheme = _scheme(url) or _example_url(view, folders, url_var)
                if scheme:
                    found.append(Backend(f"url:{scheme}", module.path, node.lineno))
                else:
                    found.append(Backend("unknown", module.path, node.lineno))
    return found


def find_databases(
    view: RepoView, modules: list[SettingsModule], folders: list[str]
) -> list[Backend]:
    result: list[Backend] = []
    for module in modules:
        tree = view.parsed(module.path) if not module.parse_error else None
        if tree is None:
            continue
        for item in _backends_in(
            view, module, tree, "DATABASES", "ENGINE", "DATABASE_URL", folders
        ):
            if item.name.startswith("url:"):
                item.name = URL_SCHEMES.get(item.name[4:], item.name[4:])
            elif item.name != "unknown":
                item.name = engine_name(item.name)
            result.append(item)
    return result


def find_caches(view: RepoView, modules: list[SettingsModule], folders: list[str]) -> list[Backend]:
    result: list[Backend] = []
    for module in modules:
        tree = view.parsed(module.path) if not module.parse_error else None
        if tree is None:
            continue
        for item in _backends_in(view, module, tree, "CACHES", "BACKEND", "CACHE_URL", folders):
            if item.name.startswith("url:"):
                item.name = CACHE_SCHEMES.get(item.name[4:], item.name[4:])
            result.append(item)
    return result


def _imports(view: RepoView, modules: list[SettingsModule]) -> set[str]:
    names: set[str] = set()
    for module in modules:
        tree = view.parsed(module.path) if not module.parse_error else None
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def _has_celery_app(view: RepoView, prefix: str) -> bool:
    for path in view.files:
        if path.startswith(prefix) and path.rsplit("/", 1)[-1] == "celery.py":
            tree = view.parsed(path)
            if tree and any(
                isinstance(n, ast.Call) and (dotted_name(n.func) or "").endswith("Celery")
                for n in ast.walk(tree)
            ):
                return True
    return False


def inspect_services(
    view: RepoView,
    modules: list[SettingsModule],
    values: SettingsValues,
    apps: list[str],
    packages: set[str],
    project_dir: str,
) -> tuple[Services, list[Backend]]:
    folders = list(dict.fromkeys([project_dir, ""]))
    databases = find_databases(view, modules, folders)
    caches = find_caches(view, modules, folders)
    imports = _imports(view, modules)
    names = {n for ns in [values.primary, *values.per_module.values()] for n in ns.values}
    strings = {
        v.value
        for ns in [values.primary, *values.per_module.values()]
        for v in ns.values.values()
        if isinstance(v.value, str)
    }
    storages_used = any("storages.backends" in s for s in strings) or any(
        "storages.backends" in repr(ns.get("STORAGES"))
        for ns in [values.primary, *values.per_module.values()]
    )
    prefix = project_dir + "/" if project_dir else ""
    services = Services(
        database_engines=list(dict.fromkeys(d.name for d in databases)),
        cache_backends=list(dict.fromkeys(c.name for c in caches)),
        celery=(
            "celery" in packages
            or any(n.startswith("CELERY_") or n == "BROKER_URL" for n in names)
            or any(a.startswith("django_celery") for a in apps)
            or _has_celery_app(view, prefix)
        ),
        channels="channels" in apps or "channels" in packages or "daphne" in apps,
        storages="storages" in apps or "django-storages" in packages or storages_used,
        sentry=any(i.split(".")[0] in ("sentry_sdk", "raven") for i in imports)
        or "sentry-sdk" in packages
        or "raven" in packages,
        email_backend=values.string("EMAIL_BACKEND"),
        drf="rest_framework" in apps or "djangorestframework" in packages,
        wagtail=any(a == "wagtail" or a.startswith("wagtail.") for a in apps)
        or "wagtail" in packages,
    )
    return services, databases
