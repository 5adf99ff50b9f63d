"""Facts: what is true of a repository, found by reading files only.

Plain dataclasses so that `modelw inspect --json` is a stable, documented
schema (documented field by field in docs/inspect-schema.md). Every path is
POSIX and relative to the repository root; "" is the root itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

FACTS_SCHEMA_VERSION = 1


@dataclass
class Location:
    path: str
    line: int = 0


@dataclass
class Finding:
    """Something the tool noticed that a person should know or decide.

    level: "blocker" (the migration cannot be complete without a human),
    "warning" (behaviour may change), "info".
    code: a stable identifier such as "sqlite-database" or "unknown-env-helper".
    """

    level: str
    code: str
    message: str
    path: str = ""
    line: int = 0


@dataclass
class GitFacts:
    is_repo: bool = False
    bare: bool = False
    root: str = ""  # absolute path of the work tree
    branch: str | None = None  # None when detached or not a repo
    detached: bool = False
    head: str | None = None  # commit sha, None on an unborn branch
    dirty: list[str] = field(default_factory=list)  # `git status --porcelain` lines
    migration_branches: list[str] = field(default_factory=list)  # modelw/*


@dataclass
class SettingsModule:
    """One settings module and how it chains to others.

    role: "single", "base", "dev", "production", "test", "local", "fragment"
    or "unknown". star_imports: dotted names this module star-imports;
    includes: django-split-settings include() arguments (paths as written);
    local_override: it imports local_settings/local in a try/except or after
    an existence check.
    """

    module: str
    path: str
    role: str = "unknown"
    star_imports: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    local_override: bool = False
    parse_error: str | None = None


@dataclass
class App:
    name: str  # as written in INSTALLED_APPS
    label: str  # AppConfig.label or last dotted part
    path: str = ""  # folder of the app in the repo, "" for third-party


@dataclass
class DjangoFacts:
    manage_py: str  # repo-relative path of the real manage.py
    project_dir: str  # folder holding manage.py ("" for the root)
    import_root: str  # folder that is on sys.path for the project's modules
    settings_module: str | None = None
    settings_module_sources: list[Location] = field(default_factory=list)
    settings: list[SettingsModule] = field(default_factory=list)
    root_urlconf: str | None = None
    wsgi_application: str | None = None
    asgi_application: str | None = None
    auth_user_model: str | None = None
    project_package: str | None = None  # package holding settings/urls/wsgi
    project_apps: list[App] = field(default_factory=list)
    third_party_apps: list[str] = field(default_factory=list)


@dataclass
class EnvRead:
    """One place where settings read the environment."""

    path: str
    line: int
    style: str  # os.environ, os.getenv, django-environ, environs, decouple, dj-database-url, dotenv, helper
    variable: str | None = None
    setting: str | None = None
    helper: str | None = None


@dataclass
class EnvHelper:
    """A project function that wraps an env read (envbool, envint, ...)."""

    name: str
    path: str
    line: int
    plain: bool  # body is a plain env read the codemod can inline
    call_sites: list[Location] = field(default_factory=list)


@dataclass
class EnvFacts:
    styles: list[str] = field(default_factory=list)  # "hardcoded" when nothing reads env
    reads: list[EnvRead] = field(default_factory=list)
    helpers: list[EnvHelper] = field(default_factory=list)


@dataclass
class Services:
    database_engines: list[str] = field(default_factory=list)
    cache_backends: list[str] = field(default_factory=list)
    celery: bool = False
    channels: bool = False
    storages: bool = False  # django-storages / S3
    sentry: bool = False
    email_backend: str | None = None
    drf: bool = False
    wagtail: bool = False


@dataclass
class Versions:
    django: str | None = None  # specifier as found, e.g. "==3.2.18" or ">=4.2,<5"
    django_min: str | None = None  # lowest version the specifier allows, e.g. "3.2"
    python: str | None = None  # e.g. "3.9"
    sources: list[Location] = field(default_factory=list)


@dataclass
class DependencyFile:
    path: str
    kind: str  # requirements, pipfile, setup.py, setup.cfg, poetry, pep621, uv
    includes: list[str] = field(default_factory=list)  # -r / -c targets, repo-relative
    packages: list[str] = field(default_factory=list)  # normalised distribution names


@dataclass
class Frontend:
    path: str  # folder holding package.json
    kind: str  # "ui", "asset-pipeline" or "tooling"
    framework: str | None = None  # nuxt2, nuxt3, vue, react, svelte, sveltekit, angular
    bundler: str | None = None  # webpack, vite, gulp, vue-cli, parcel, rollup
    outputs_into: str | None = None  # repo-relative folder the build writes into (Django static)


@dataclass
class InfraFacts:
    dockerfiles: list[str] = field(default_factory=list)
    compose_files: list[str] = field(default_factory=list)
    ci_files: list[str] = field(default_factory=list)
    procfiles: list[str] = field(default_factory=list)
    other: list[str] = field(
        default_factory=list
    )  # Makefile, heroku.yml, .pre-commit-config.yaml ...


@dataclass
class ModelWState:
    on_modelw: bool = False  # settings already use the preset, api/ layout in place
    signs: list[str] = field(default_factory=list)


@dataclass
class Facts:
    root: str  # absolute path given by the user (work tree root)
    git: GitFacts = field(default_factory=GitFacts)
    manage_py_files: list[str] = field(default_factory=list)
    django: DjangoFacts | None = None
    env: EnvFacts = field(default_factory=EnvFacts)
    services: Services = field(default_factory=Services)
    versions: Versions = field(default_factory=Versions)
    dependency_files: list[DependencyFile] = field(default_factory=list)
    frontends: list[Frontend] = field(default_factory=list)
    infra: InfraFacts = field(default_factory=InfraFacts)
    modelw: ModelWState = field(default_factory=ModelWState)
    name_clashes: list[str] = field(default_factory=list)  # e.g. "api" app, "front" module
    findings: list[Finding] = field(default_factory=list)
    schema_version: int = FACTS_SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        return _from_dict(cls, data)

    def findings_of(self, level: str) -> list[Finding]:
        return [f for f in self.findings if f.level == level]


def _from_dict(kind: Any, data: Any) -> Any:
    """Rebuild nested dataclasses from `asdict` output."""
    import typing

    if data is None:
        return None
    hints = typing.get_type_hints(kind)
    values = {}
    for f in fields(kind):
        if f.name not in data:
            continue
        values[f.name] = _coerce(hints[f.name], data[f.name])
    return kind(**values)


def _coerce(hint: Any, value: Any) -> Any:
    import types
    import typing

    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _coerce(args[0], value)
    if origin is list:
        (inner,) = typing.get_args(hint)
        return [_coerce(inner, v) for v in value]
    if is_dataclass(hint):
        return _from_dict(hint, value)
    return value
