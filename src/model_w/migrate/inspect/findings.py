"""Findings: what a person should know or decide, with a stable code each.

Codes (level): settings-parse-error (blocker), no-settings-module (blocker),
settings-module-not-found (blocker), non-postgres-database (blocker),
unknown-database (warning), unknown-env-helper (warning), hardcoded-secret
(warning), name-clash (warning), local-settings-not-committed (info),
settings-sources-differ (info), multiple-django-projects (info),
manage-py-symlink (info).
"""

from __future__ import annotations

from model_w.migrate.facts import EnvHelper, Finding, SettingsModule
from model_w.migrate.inspect.clashes import Clash
from model_w.migrate.inspect.projects import ManagePy
from model_w.migrate.inspect.secrets_scan import HardcodedSecret
from model_w.migrate.inspect.services import Backend
from model_w.migrate.inspect.settings_sources import SettingsSource
from model_w.migrate.inspect.source import RepoView, dirname

POSTGRES = ("postgresql", "postgis")


def project_findings(found: list[ManagePy], chosen: ManagePy) -> list[Finding]:
    result: list[Finding] = []
    others = sorted({m.real for m in found if m.real != chosen.path})
    if others:
        result.append(
            Finding(
                "info",
                "multiple-django-projects",
                f"several Django projects; inspecting '{dirname(chosen.path) or '.'}', not "
                + ", ".join(f"'{dirname(p) or '.'}'" for p in others),
                chosen.path,
            )
        )
    for item in found:
        if item.is_symlink:
            result.append(
                Finding(
                    "info",
                    "manage-py-symlink",
                    f"{item.path} is a symlink to {item.real}; keep it working",
                    item.path,
                )
            )
    return result


def settings_findings(
    view: RepoView,
    sources: list[SettingsSource],
    default: str | None,
    modules: list[SettingsModule],
    missing: list[tuple[str, str, str]],
    import_root: str,
) -> list[Finding]:
    result: list[Finding] = []
    if default is None:
        result.append(
            Finding(
                "blocker",
                "no-settings-module",
                "no default DJANGO_SETTINGS_MODULE in manage.py, wsgi.py, asgi.py, pytest/tox config,"
                " pyproject or .env; say which module holds the settings",
            )
        )
    values = list(dict.fromkeys(s.value for s in sources))
    if len(values) > 1:
        result.append(
            Finding(
                "info",
                "settings-sources-differ",
                "DJANGO_SETTINGS_MODULE defaults differ: "
                + ", ".join(f"'{s.value}' ({s.path}:{s.line})" for s in sources),
                sources[0].path,
                sources[0].line,
            )
        )
    for module in modules:
        if module.parse_error:
            path, _, rest = module.parse_error.partition(":")
            line = int(rest.split(":", 1)[0]) if rest.split(":", 1)[0].isdigit() else 0
            result.append(
                Finding(
                    "blocker",
                    "settings-parse-error",
                    f"settings do not parse: {module.parse_error}",
                    path,
                    line,
                )
            )
    for name, kind, importer in missing:
        last = name.rpartition(".")[2]
        if kind == "local":
            folder = dirname(importer)
            examples = [
                f
                for f in view.files
                if dirname(f) == folder
                and f.rsplit("/", 1)[-1].startswith(last)
                and f.rsplit("/", 1)[-1] != f"{last}.py"
            ]
            hint = f"; {examples[0]} is committed as an example" if examples else ""
            result.append(
                Finding(
                    "info",
                    "local-settings-not-committed",
                    f"'{name}' overrides settings on each machine but is not committed{hint}",
                    importer,
                )
            )
            continue
        where = next((s for s in sources if s.value == name), None)
        path = importer or (where.path if where else "")
        line = 0 if importer else (where.line if where else 0)
        result.append(
            Finding(
                "blocker",
                "settings-module-not-found",
                f"settings module '{name}' is not in the repository (import root '{import_root or '.'}')",
                path,
                line,
            )
        )
    return result


def database_findings(databases: list[Backend]) -> list[Finding]:
    result: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for db in databases:
        if (db.name, db.path) in seen or db.name in POSTGRES:
            continue
        seen.add((db.name, db.path))
        if db.name == "unknown":
            result.append(
                Finding(
                    "warning",
                    "unknown-database",
                    "the database engine is chosen at run time (URL without a default); Model W needs PostgreSQL",
                    db.path,
                    db.line,
                )
            )
        else:
            result.append(
                Finding(
                    "blocker",
                    "non-postgres-database",
                    f"the project uses a '{db.name}' database; Model W supports PostgreSQL only:"
                    " plan the data migration",
                    db.path,
                    db.line,
                )
            )
    return result


def helper_findings(helpers: list[EnvHelper]) -> list[Finding]:
    return [
        Finding(
            "warning",
            "unknown-env-helper",
            f"'{h.name}' reads the environment in a way that cannot be inlined"
            f" ({len(h.call_sites)} call site{'s' if len(h.call_sites) != 1 else ''}); decide how to port it",
            h.path,
            h.line,
        )
        for h in helpers
        if not h.plain
    ]


def secret_findings(secrets: list[HardcodedSecret]) -> list[Finding]:
    return [
        Finding(
            "warning",
            "hardcoded-secret",
            f"'{s.name}' is a secret written in the settings",
            s.path,
            s.line,
        )
        for s in secrets
    ]


def clash_findings(clashes: list[Clash]) -> list[Finding]:
    return [
        Finding(
            "warning", "name-clash", f"'{c.name}' is needed by Model W's layout: {c.why}", c.path
        )
        for c in clashes
    ]
