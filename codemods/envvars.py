"""Shared helpers for the env-var codemods: the EnvVar record, naming rules, secrets.

The codemods `env_reads`, `hardcoded_env` and `sentry_init` turn the ways a
legacy settings module reads its configuration into Model W's
`env.get(name, default=..., build_default=..., is_yaml=...)` calls
(model-w.md parts 4, 5.2 and 11). They all describe what they did in
`context.scratch` (libcst's per-file scratch dict, returned by
`run_codemod(...).scratch`). That is the contract the settings step builds
`.env`, `.env-template` and the report from:

`scratch["modelw_env_vars"]`: list of dicts, one per variable (merged by name)::

    {
      "name": "EMAIL_PORT",            # the Model W variable name
      "old_names": ["SMTP_PORT"],      # legacy names it replaces ([] if same)
      "setting": "EMAIL_PORT",         # setting it feeds, or None
      "default": 587,                  # Python literal default, or None
      "default_code": "587",           # source text of the default, or None
      "has_default": True,             # False: required (see build_default)
      "is_yaml": True,                 # bool/int/float/list/dict values
      "required": False,               # == not has_default
      "secret": False,                 # a credential (by name or by value)
      "local_value": "2525",           # value for the local .env, as written
                                       # in .env (YAML form when is_yaml), or None
      "comment": "...",                # short purpose, old -> new note
      "group": "email",                # django|database|cache|email|storage|
                                       # sentry|celery|app
      "line": 12,                      # line in the legacy module
      "preset_owned": False,           # read by the preset itself (additive key)
      "build_default": None,           # Python value emitted as build_default
                                       # (additive key), or None
    }

    Preset-owned variables (DEBUG, SECRET_KEY, DATABASE_URL, REDIS_URL, ...)
    are recorded with the preset's signature (`default`, `is_yaml`) and with
    `preset_owned: True`; their `local_value` is the legacy value when it
    differs from the preset's default.

`scratch["modelw_preset_owned"]`: list of `{"setting", "old_names", "line",
"env_var"}` for module-level assignments of preset-owned settings
(`SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", ...)`, `DATABASES = {...}`,
`DATABASES["default"][...] = ...`, a Redis `CACHES` or broker...). The
settings step deletes them. `hardcoded_env` leaves them as they are;
`env_reads` only rewrites the reads inside them so the module stays valid
(preset variables with exactly the preset's signature, e.g.
`SECRET_KEY = env.get("SECRET_KEY", build_default="xxx")`; `DB_*` parts as
plain `env.get` calls without records of their own: they are folded into
DATABASE_URL's `old_names`). `env_var` (additive key) is the preset variable
that replaces the setting. One setting may appear several times (one entry
per assignment line).

`scratch["modelw_secrets"]`: list of secret literal values moved out of the
code (the engine refuses to commit a blob containing one). Only values worth
guarding are listed: judged a credential (by name, or by detect-secrets'
plugins), at least 8 characters, not a placeholder (`change-me`,
`...example...`), and not also used as a literal elsewhere in the module (a
dev password equal to the database name would otherwise block every commit
that mentions the project). `local_value` still carries every value.

`scratch["database_engine"]`: `{"engine": "sqlite3"|"mysql"|..., "name": str
or None, "line": int}` when the legacy DATABASES is not PostgreSQL (a blocker
for the settings step: Model W needs PostgreSQL, model-w.md 12.1).

`scratch["modelw_sentry_options"]` (sentry_init only): list of `{"line",
"options": {kwarg: source}, "literals": {kwarg: value}, "traces_sample_rate":
float or None}`, one per removed `sentry_sdk.init(...)` call.

Run on its own output, a codemod changes nothing, and `env_reads` records the
`env.get(...)` calls it finds again (without `old_names`), so the records
survive a re-run on a migrated branch.

Naming rules (`env_name_for`): a legacy name that is (after dropping a
`DJANGO_` prefix) one of the preset's variables keeps the preset's name and
signature; a read that is the whole value of a settings assignment takes the
setting's name (`CORS_ALLOWED_ORIGINS = ...CORS_ORIGINS...` reads
`CORS_ALLOWED_ORIGINS`, model-w.md 10.2); anything else keeps its name
without the `DJANGO_` prefix.

The preset's own variables and signatures below mirror model-w.md 4 and 5.2
(2024.10.0; unchanged in 2026.7). Each function that needs them takes the
target `release` (default "2024.10"); the signatures come from its knowledge JSON.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

import libcst as cst
import yaml

#: Marks "no value" where None is a meaningful default.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

GROUPS = ("django", "database", "cache", "email", "storage", "sentry", "celery", "app")


@dataclass(frozen=True)
class PresetVar:
    """One env var the preset reads, with its exact `env.get` signature."""

    name: str
    group: str
    comment: str
    default: Any = MISSING
    build_default: Any = MISSING
    is_yaml: bool = False
    #: False: the preset reads it only in some modes, or with a default that
    #: depends on context; the settings never call env.get on it.
    readable: bool = True


DUMMY_DATABASE_URL = "postgresql://dum:dum@localhost/dummy"

#: How the tool presents each preset variable it maps legacy reads to:
#: (group, comment, readable). The signature (default, build default, YAML)
#: comes from the knowledge JSON of the target release (`preset_vars`).
PRESET_VAR_DOCS: dict[str, tuple[str, str, bool]] = {
    "DEBUG": ("django", "Debug mode (yes/no)", True),
    "SECRET_KEY": ("django", "Django secret key", True),
    "BASE_URL": ("django", "Public URL of the site", True),
    "TIME_ZONE": ("django", "Time zone", True),
    "ENVIRONMENT": ("django", "Environment name (Redis prefixes, Sentry)", False),
    "DATABASE_URL": ("database", "PostgreSQL database URL", True),
    "POOL_DB_CONNECTIONS": ("database", "Keep DB connections open", True),
    "REDIS_URL": ("cache", "Redis URL (cache, Celery)", True),
    "SENTRY_DSN": ("sentry", "Sentry DSN", True),
    "EMAIL_MODE": ("email", "console, mailjet or mandrill", True),
    "MAILJET_API_KEY_PUBLIC": ("email", "Mailjet public key", False),
    "MAILJET_API_KEY_PRIVATE": ("email", "Mailjet private key", False),
    "MANDRILL_API_KEY": ("email", "Mandrill API key", False),
    "MAILJET_API_TOKEN": ("email", "Mailjet SMS token", False),
    "SMS_MODE": ("email", "console or mailjet", True),
    "AWS_ACCESS_KEY_ID": ("storage", "S3 access key", True),
    "AWS_SECRET_ACCESS_KEY": ("storage", "S3 secret key", True),
    "AWS_STORAGE_BUCKET_NAME": ("storage", "S3 bucket", True),
    "AWS_S3_CUSTOM_DOMAIN": ("storage", "CDN domain of the bucket", True),
    "STORAGES_MODE": ("storage", "s3 or do", True),
    "DO_REGION": ("storage", "DigitalOcean Spaces region", True),
    "STORAGE_MAKE_FILES_PUBLIC": ("storage", "Serve uploaded files publicly", True),
}

DEFAULT_RELEASE = "2024.10"


@cache
def preset_vars(release: str = DEFAULT_RELEASE) -> dict[str, PresetVar]:
    """The preset variables of one release, their `env.get` signature from its knowledge JSON.

    ENVIRONMENT's build default only applies when its context-dependent default
    does not; it is never read with env.get by the settings (readable=False).
    Cached: treat the result as read-only.
    """
    from model_w.migrate.knowledge import load_release

    known = load_release(release)["env_vars"]
    out: dict[str, PresetVar] = {}
    for name, (group, comment, readable) in PRESET_VAR_DOCS.items():
        data = known.get(name)
        if data is None:
            continue
        out[name] = PresetVar(
            name,
            group,
            comment,
            default=data.get("default") if data.get("has_default") else MISSING,
            build_default=(data.get("build_default") if data.get("has_build_default") else MISSING),
            is_yaml=bool(data.get("is_yaml")),
            readable=readable,
        )
    return out


#: The variables of DEFAULT_RELEASE; codemods given a `release` use `preset_vars(release)`.
PRESET_VARS: dict[str, PresetVar] = preset_vars()

#: Settings the preset sets from its own variables: setting -> env var.
PRESET_OWNED_SETTINGS: dict[str, str] = {
    "SECRET_KEY": "SECRET_KEY",
    "DEBUG": "DEBUG",
    "BASE_URL": "BASE_URL",
    "TIME_ZONE": "TIME_ZONE",
    "DATABASES": "DATABASE_URL",
    "CACHES": "REDIS_URL",
    "CELERY_BROKER_URL": "REDIS_URL",
    "BROKER_URL": "REDIS_URL",
    "SENTRY_DSN": "SENTRY_DSN",
    "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
    "AWS_STORAGE_BUCKET_NAME": "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_CUSTOM_DOMAIN": "AWS_S3_CUSTOM_DOMAIN",
    "MAILJET_API_KEY_PUBLIC": "MAILJET_API_KEY_PUBLIC",
    "MAILJET_API_KEY_PRIVATE": "MAILJET_API_KEY_PRIVATE",
    "MANDRILL_API_KEY": "MANDRILL_API_KEY",
    "MAILJET_API_TOKEN": "MAILJET_API_TOKEN",
}

#: Settings that only belong to the preset when they point at Redis.
REDIS_ONLY_SETTINGS = frozenset({"CACHES", "CELERY_BROKER_URL", "BROKER_URL"})

#: Legacy aliases of preset variables (besides the DJANGO_ prefix).
PRESET_ALIASES = {
    "DJANGO_SECRET": "SECRET_KEY",
    "SENTRY_URL": "SENTRY_DSN",
    "DJANGO_SENTRY_DSN": "SENTRY_DSN",
    "DJANGO_DATABASE_URL": "DATABASE_URL",
}

#: Variables of the system or the platform: never converted.
SYSTEM_VARS = frozenset(
    {
        "DJANGO_SETTINGS_MODULE",
        "HOME",
        "USER",
        "PATH",
        "PWD",
        "HOSTNAME",
        "BUILD_MODE",
        "NO_ENV_CHECK",
        "PYTEST_CURRENT_TEST",
        "DOTENV_IGNORE_PATH",
    }
)

_CREDENTIAL_NAME = re.compile(
    r"(^|_)(SECRET|PASSWORD|PASSWD|PASS|TOKEN|DSN|CREDENTIALS?|PRIVATE_KEY|API_KEY|APIKEY|"
    r"ACCESS_KEY|SECRET_KEY|AUTH_KEY|KEY)($|_)",
)
_NOT_CREDENTIAL = re.compile(
    r"(KEY_PREFIX|KEY_FUNCTION|_KEY_NAME|KEY_FIELD|HEADER|_KEYS?_PATH|_FILE)$"
)


def strip_django_prefix(name: str) -> str:
    return name[len("DJANGO_") :] if name.startswith("DJANGO_") and len(name) > 7 else name


def preset_var_for(name: str, release: str = DEFAULT_RELEASE) -> PresetVar | None:
    """The preset variable a legacy name stands for, if any."""
    known = preset_vars(release)
    if name in PRESET_ALIASES:
        return known.get(PRESET_ALIASES[name])
    return known.get(strip_django_prefix(name))


def is_setting_name(name: str | None) -> bool:
    return bool(name) and re.fullmatch(r"[A-Z][A-Z0-9_]*", name or "") is not None


def env_name_for(old_name: str, setting: str | None, release: str = DEFAULT_RELEASE) -> str:
    """The Model W name of a legacy variable (see the module docstring)."""
    preset = preset_var_for(old_name, release)
    if preset is not None:
        return preset.name
    if setting and is_setting_name(setting):
        return setting
    return strip_django_prefix(old_name)


def is_credential_name(name: str | None) -> bool:
    if not name:
        return False
    upper = name.upper()
    if _NOT_CREDENTIAL.search(upper):
        return False
    return _CREDENTIAL_NAME.search(upper) is not None


def group_for(name: str) -> str:
    upper = name.upper()
    if upper in PRESET_VAR_DOCS:  # the same group in every release
        return PRESET_VAR_DOCS[upper][0]
    rules = (
        ("sentry", ("SENTRY",)),
        ("celery", ("CELERY", "BROKER")),
        ("database", ("DATABASE", "DB_", "POSTGRES", "PG", "MYSQL")),
        ("cache", ("REDIS", "CACHE", "MEMCACHE")),
        ("email", ("EMAIL", "SMTP", "MAIL", "SMS")),
        ("storage", ("AWS_", "S3", "STORAGE", "BUCKET", "MEDIA_", "STATIC_")),
        (
            "django",
            ("ALLOWED_HOSTS", "CSRF", "CORS", "SESSION", "SECURE_", "DEBUG", "ADMINS", "LANGUAGE"),
        ),
    )
    for group, needles in rules:
        if any(upper.startswith(n) or f"_{n}" in upper or n in upper for n in needles):
            return group
    return "app"


# --- secrets -----------------------------------------------------------------

_IGNORED_PLUGINS = frozenset({"IPPublicDetector"})


@lru_cache(maxsize=4096)
def _secret_types(line: str) -> tuple[str, ...]:
    from detect_secrets.core import scan
    from detect_secrets.settings import default_settings

    found: list[str] = []
    with default_settings():
        filters = list(scan.get_filters_with_parameter("secret"))
        for plugin in scan.get_plugins():
            if type(plugin).__name__ in _IGNORED_PLUGINS:
                continue
            for secret in plugin.analyze_line(filename="settings.py", line=line, line_number=1):
                value = secret.secret_value
                if any(
                    scan.call_function_with_arguments(
                        f, secret=value, plugin=plugin, line=line, filename="settings.py"
                    )
                    for f in filters
                ):
                    continue
                found.append(secret.type)
    return tuple(sorted(set(found)))


def secret_kinds(value: str, name: str | None = None) -> tuple[str, ...]:
    """What detect-secrets' plugins see in `NAME = "value"` (empty: nothing).

    With a name, the keyword plugin judges the name too; without one, only
    the value heuristics (high entropy, known key formats) apply.
    """
    if not isinstance(value, str) or not value.strip():
        return ()
    literal = json.dumps(value, ensure_ascii=False)
    return _secret_types(f"{name or 'value'} = {literal}")


def looks_like_secret(value: Any, name: str | None = None) -> bool:
    """A credential: by its name (`*_KEY`, `*_PASSWORD`...) or by its value."""
    if not isinstance(value, str) or not value:
        return False
    if name and is_credential_name(name):
        return True
    return bool(secret_kinds(value))


_PLACEHOLDER = re.compile(
    r"change[-_ ]?me|changeme|^x+$|example|dummy|placeholder|replace[-_ ]?(me|this|with)|"
    r"your[-_ ]|^secret$|^password$|not[-_ ]?secret|insecure[-_ ]?(key|secret)?$",
    re.IGNORECASE,
)


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node and every node below it, depth first."""
    yield node
    for child in node.children:
        yield from walk(child)


def repeated_strings(node: cst.CSTNode) -> set[str]:
    """String values written more than once below `node` (see `worth_guarding`)."""
    counts = Counter(
        n.evaluated_value
        for n in walk(node)
        if isinstance(n, cst.SimpleString) and isinstance(n.evaluated_value, str)
    )
    return {value for value, count in counts.items() if count > 1}


def worth_guarding(value: Any, other_literals: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a secret value should block commits (see the module docstring)."""
    return (
        isinstance(value, str)
        and len(value) >= 8
        and value not in other_literals
        and not _PLACEHOLDER.search(value)
    )


# --- values --------------------------------------------------------------------

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "f", ""})


def to_bool(value: Any) -> Any:
    """strtobool-like conversion of a legacy default; MISSING when unknown."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    return MISSING


def convert_default(kind: str, value: Any) -> Any:
    """A legacy default converted to the Python value of `kind`; MISSING when unknown."""
    if value is None or value is MISSING:
        return value
    try:
        if kind == "str":
            return value
        if kind == "bool":
            return to_bool(value)
        if kind == "int":
            return int(value) if not isinstance(value, bool) else int(value)
        if kind == "float":
            return float(value)
        if kind == "list":
            if isinstance(value, (list, tuple)):
                return list(value)
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            return MISSING
        if kind == "dict":
            if isinstance(value, dict):
                return value
            if isinstance(value, str):
                if not value.strip():
                    return {}
                if "=" in value and not value.lstrip().startswith("{"):
                    return dict(item.split("=", 1) for item in value.split(",") if item)
                return json.loads(value)
            return MISSING
        if kind == "yaml":
            if isinstance(value, str):
                try:
                    return ast.literal_eval(value)
                except (ValueError, SyntaxError):
                    return json.loads(value)
            return value
    except (ValueError, TypeError, json.JSONDecodeError):
        return MISSING
    return MISSING


def dotenv_text(value: Any, is_yaml: bool) -> str | None:
    """How a Python value is written in a .env file."""
    if value is None or value is MISSING:
        return None
    if is_yaml:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple):
            value = list(value)
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
        return text.removesuffix("...").strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def py_code(value: Any) -> str:
    """Source text of a Python literal, double-quoted like ruff format writes it."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_code(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(py_code(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_code(k)}: {py_code(v)}" for k, v in value.items()) + "}"
    return repr(value)


def literal_of(module: cst.Module, node: cst.CSTNode | None) -> Any:
    """The Python value of a literal expression; MISSING when not a literal."""
    if node is None:
        return MISSING
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    try:
        return ast.literal_eval(module.code_for_node(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return MISSING


DATABASE_URL_PARTS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


def complete_database_parts(values: dict[str, Any]) -> bool:
    """True when every DATABASES["default"] part a URL needs is a known value
    (MISSING marks a part that is not a literal)."""
    return all(values.get(key) is not MISSING for key in DATABASE_URL_PARTS)


def url_from_database_parts(engine: str, values: dict[str, Any]) -> str | None:
    """The DATABASE_URL of complete DATABASES["default"] parts; None if not Postgres."""
    return compose_database_url(engine, *(values.get(key) for key in DATABASE_URL_PARTS))


def compose_database_url(
    engine: str,
    name: Any,
    user: Any = None,
    password: Any = None,
    host: Any = None,
    port: Any = None,
) -> str | None:
    """`postgres://user:pass@host:port/name` from DATABASES parts; None if not Postgres."""
    if "postgis" in engine:
        scheme = "postgis"
    elif "postgres" in engine or "psqlextra" in engine or "psycopg" in engine:
        scheme = "postgres"
    else:
        return None
    if not isinstance(name, str) or not name:
        return None
    auth = ""
    if user:
        auth = quote(str(user), safe="")
        if password:
            auth += ":" + quote(str(password), safe="")
        auth += "@"
    netloc = str(host) if host else "localhost"
    if port not in (None, "", 5432, "5432"):
        netloc += f":{port}"
    return f"{scheme}://{auth}{netloc}/{quote(name, safe='')}"


def engine_short(engine: str) -> str:
    return engine.rsplit(".", 1)[-1] if engine else ""


# --- records -------------------------------------------------------------------


@dataclass
class EnvVar:
    """One variable a codemod produced; `to_dict()` is the scratch record."""

    name: str
    old_names: list[str] = field(default_factory=list)
    setting: str | None = None
    default: Any = None
    default_code: str | None = None
    has_default: bool = False
    is_yaml: bool = False
    secret: bool = False
    local_value: str | None = None
    comment: str = ""
    group: str = "app"
    line: int = 0
    preset_owned: bool = False
    build_default: Any = None

    @property
    def required(self) -> bool:
        return not self.has_default

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["required"] = self.required
        if data["default"] is MISSING:
            data["default"] = None
        return data


def preset_record(
    name: str,
    *,
    old_names: list[str] | tuple[str, ...] = (),
    setting: str | None = None,
    legacy_value: Any = MISSING,
    line: int = 0,
    comment: str = "",
    release: str = DEFAULT_RELEASE,
) -> EnvVar:
    """The record of a preset variable; `legacy_value` becomes the local value if it differs."""
    preset = preset_vars(release)[name]
    local = None
    if legacy_value is not MISSING and legacy_value is not None:
        if preset.default is MISSING or legacy_value != preset.default:
            local = dotenv_text(legacy_value, preset.is_yaml)
    default = None if preset.default is MISSING else preset.default
    return EnvVar(
        name=name,
        old_names=[n for n in old_names if n != name],
        setting=setting,
        default=default,
        default_code=None if preset.default is MISSING else py_code(preset.default),
        has_default=preset.default is not MISSING,
        is_yaml=preset.is_yaml,
        secret=is_credential_name(name),
        local_value=local,
        comment=comment or preset.comment,
        group=preset.group,
        line=line,
        preset_owned=True,
        build_default=None if preset.build_default is MISSING else preset.build_default,
    )


def record_env_var(scratch: dict[str, Any], var: EnvVar) -> None:
    """Add a record, merging with an earlier one of the same name."""
    items: list[dict[str, Any]] = scratch.setdefault("modelw_env_vars", [])
    new = var.to_dict()
    for item in items:
        if item["name"] == new["name"]:
            for old in new["old_names"]:
                if old not in item["old_names"]:
                    item["old_names"].append(old)
            for key in ("setting", "local_value", "default_code", "build_default"):
                if item.get(key) is None and new.get(key) is not None:
                    item[key] = new[key]
            item["secret"] = item["secret"] or new["secret"]
            if not item.get("comment"):
                item["comment"] = new["comment"]
            return
    items.append(new)


def record_preset_owned(
    scratch: dict[str, Any], setting: str, old_names: list[str], line: int, env_var: str
) -> None:
    items: list[dict[str, Any]] = scratch.setdefault("modelw_preset_owned", [])
    for item in items:
        if item["setting"] == setting and item["line"] == line:
            for old in old_names:
                if old not in item["old_names"]:
                    item["old_names"].append(old)
            return
    items.append(
        {"setting": setting, "old_names": list(old_names), "line": line, "env_var": env_var}
    )


def record_secret(scratch: dict[str, Any], value: str) -> None:
    items: list[str] = scratch.setdefault("modelw_secrets", [])
    if value not in items:
        items.append(value)


# --- code ----------------------------------------------------------------------


def env_get(
    name: str,
    *,
    default: Any = MISSING,
    default_code: str | None = None,
    build_default: Any = MISSING,
    is_yaml: bool = False,
) -> cst.BaseExpression:
    """`env.get("NAME", default=..., build_default=..., is_yaml=True)`."""
    parts = [json.dumps(name)]
    if default_code is not None:
        parts.append(f"default={default_code}")
    elif default is not MISSING:
        parts.append(f"default={py_code(default)}")
    if build_default is not MISSING:
        parts.append(f"build_default={py_code(build_default)}")
    if is_yaml:
        parts.append("is_yaml=True")
    return cst.parse_expression(f"env.get({', '.join(parts)})")


def preset_env_get(name: str, release: str = DEFAULT_RELEASE) -> cst.BaseExpression:
    """`env.get` with exactly the preset's signature (model-w.md 5.2) in `release`."""
    preset = preset_vars(release)[name]
    return env_get(
        name,
        default=preset.default,
        build_default=preset.build_default,
        is_yaml=preset.is_yaml,
    )


class ReleaseVars:
    """Mixin for codemods: the preset variables of the target `release`.

    `self.preset_vars` replaces PRESET_VARS, and the `preset_record`,
    `env_name_for` and `preset_env_get` methods pass the release along.
    """

    release: str = DEFAULT_RELEASE

    def use_release(self, release: str | None) -> None:
        self.release = release or DEFAULT_RELEASE
        self.preset_vars = preset_vars(self.release)

    def preset_record(self, name: str, **kwargs: Any) -> EnvVar:
        return preset_record(name, release=self.release, **kwargs)

    def env_name_for(self, old_name: str, setting: str | None) -> str:
        return env_name_for(old_name, setting, self.release)

    def preset_env_get(self, name: str) -> cst.BaseExpression:
        return preset_env_get(name, self.release)


def add_release_arg(arg_parser: Any) -> None:
    """`--release` for a codemod run alone through libcst.tool."""
    arg_parser.add_argument(
        "--release",
        default=DEFAULT_RELEASE,
        help=f"Model W release whose preset variables to use (default {DEFAULT_RELEASE})",
    )


#: Build defaults of URL variables parsed into a settings dict, valid for their parser.
URL_BUILD_DEFAULTS = {
    "cache": "locmemcache://",
    "email": "consolemail://",
    "db": "postgresql://dum:dum@localhost/dummy",
}


def build_default_for(kind: str, name: str) -> Any:
    """A harmless value for the Docker build (collectstatic) of a required variable.

    `kind` is the value's type, or for a URL parsed into a dict (django-environ's
    `env.cache()`, `env.email_url()`, `env.db()`) the parser: its build default
    must parse (`https://example.com` is no cache URL).
    """
    if kind in URL_BUILD_DEFAULTS:
        return URL_BUILD_DEFAULTS[kind]
    if kind == "bool":
        return False
    if kind == "int":
        return 0
    if kind == "float":
        return 0.0
    if kind == "list":
        return []
    if kind in ("dict", "yaml"):
        return {}
    if name.endswith("_URL") or name.endswith("_URI"):
        return "https://example.com"
    return "xxx"


def todo_comment(text: str) -> cst.EmptyLine:
    return cst.EmptyLine(comment=cst.Comment(f"# TODO(modelw): {text}"))


def has_todo(node: cst.FunctionDef | cst.SimpleStatementLine | cst.BaseCompoundStatement) -> bool:
    return any(
        line.comment is not None and line.comment.value.startswith("# TODO(modelw):")
        for line in getattr(node, "leading_lines", ())
    )


def pass_line() -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Pass()])


def body_is_empty(block: cst.BaseSuite) -> bool:
    if isinstance(block, cst.IndentedBlock):
        return len(block.body) == 0
    if isinstance(block, cst.SimpleStatementSuite):
        return len(block.body) == 0
    return False


def tidy_module_start(original: cst.Module, updated: cst.Module) -> cst.Module:
    """Drop the blank lines left at the top when the module's first statements went."""
    if not updated.body or not original.body or updated is original:
        return updated
    if updated.body[0].deep_equals(original.body[0]) or any(
        line.comment is not None for line in updated.header
    ):
        return updated
    first = updated.body[0]
    lines = list(getattr(first, "leading_lines", ()))
    while lines and lines[0].comment is None:
        lines.pop(0)
    if len(lines) == len(getattr(first, "leading_lines", ())):
        return updated
    return updated.with_changes(body=[first.with_changes(leading_lines=lines), *updated.body[1:]])


class StatementDropper:
    """Remove statements but keep the blank line that separated them from the next one.

    libcst's `RemoveFromParent` drops a statement with its leading lines, which
    glues the code after an `import` block to it. A codemod marks statements
    with `mark(node)` in `on_leave` and calls `body(...)` from `leave_Module`
    and `leave_IndentedBlock`.
    """

    def __init__(self) -> None:
        self._marked: dict[int, cst.CSTNode] = {}

    def mark(self, node: cst.CSTNode) -> cst.CSTNode:
        self._marked[id(node)] = node
        return node

    def body(self, statements: Any, module_level: bool) -> list[Any]:
        out: list[Any] = []
        carry = False
        for stmt in statements:
            if id(stmt) in self._marked and self._marked[id(stmt)] is stmt:
                carry = carry or any(
                    line.comment is None for line in getattr(stmt, "leading_lines", ())
                )
                continue
            if carry and out:
                lines = list(getattr(stmt, "leading_lines", ()))
                if not lines or lines[0].comment is not None:
                    stmt = stmt.with_changes(leading_lines=[cst.EmptyLine(), *lines])
            elif carry and not out and module_level:
                lines = list(getattr(stmt, "leading_lines", ()))
                while lines and lines[0].comment is None:
                    lines.pop(0)
                stmt = stmt.with_changes(leading_lines=lines)
            carry = False
            out.append(stmt)
        return out


def schedule_unused_imports(context: Any, scope: Any, nodes: list[cst.CSTNode]) -> None:
    """Schedule the imports the removed or replaced `nodes` used, for removal if unused.

    The same as calling `RemoveImportsVisitor.remove_unused_import_by_node` on
    each node, in one cheap pass: that helper builds a matcher visitor per
    call. `scope` is the module's global scope (ScopeProvider).
    """
    from libcst.codemod.visitors import RemoveImportsVisitor
    from libcst.helpers import get_absolute_module_from_package_for_import
    from libcst.metadata import ImportAssignment

    if scope is None:
        return
    names: set[str] = set()
    for node in nodes:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name):
                names.add(current.value)
            stack.extend(current.children)
    for name in sorted(names):
        if name not in scope:
            continue
        for assignment in scope.assignments[name]:
            if not isinstance(assignment, ImportAssignment):
                continue
            statement = assignment.node
            aliases = statement.names
            if isinstance(aliases, cst.ImportStar):
                continue
            for alias in aliases:
                bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                if bound != name:
                    continue
                if isinstance(statement, cst.Import):
                    RemoveImportsVisitor.remove_unused_import(
                        context, alias.evaluated_name, asname=alias.evaluated_alias
                    )
                else:
                    module = get_absolute_module_from_package_for_import(
                        context.full_package_name, statement
                    )
                    if module is None:
                        continue
                    RemoveImportsVisitor.remove_unused_import(
                        context, module, obj=alias.evaluated_name, asname=alias.evaluated_alias
                    )
