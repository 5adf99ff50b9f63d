"""Evaluate settings safely, without importing the project, and compare them
with what a Model W release's preset sets.

Nothing here runs project code: a settings expression is evaluated only when
it is made of literals, of names bound to literals earlier in the module, and
of a few well-known pure forms (`os.path.join`, `BASE_DIR / "x"`, env reads
whose default is a literal). Whatever else is "unknown" and the callers keep
it verbatim. See model-w.md parts 3 and 11 for the comparisons made.

`PresetFacts` is a thin view over `knowledge.load_release(...)`: the values
the preset sets, the apps it injects and the flags its constructor takes.
The per-release JSON is the source of truth; `_BUILTIN` holds the few values
of preset 2024.10.0 this module needs when that JSON is missing a key (read
from the preset's source, `model_w/preset/django/__init__.py`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import libcst as cst


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class PathValue:
    """A path relative to a named folder (BASE_DIR), e.g. BASE_DIR / "templates"."""

    base: str
    parts: tuple[str, ...] = ()

    def join(self, *more: str) -> PathValue:
        return PathValue(self.base, self.parts + tuple(p for p in more if p))


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def literal(node: cst.BaseExpression) -> Any:
    """The value of a pure literal expression, else UNKNOWN."""
    try:
        return ast.literal_eval(code_of(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNKNOWN


def normalise(value: Any) -> Any:
    """Lists and tuples compare equal (Django accepts either)."""
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def same(a: Any, b: Any) -> bool:
    if a is UNKNOWN or b is UNKNOWN:
        return False
    return normalise(a) == normalise(b)


# -- evaluation with env reads replaced by their defaults --------------------
ENV_READ_FUNCS = {"os.environ.get", "os.getenv", "environ.get", "getenv", "env.get"}


@dataclass
class Evaluator:
    """Evaluates settings expressions the way the legacy module would with an
    empty environment: an env read gives its default (UNKNOWN without one).

    `names` holds values of module-level names seen so far; `base_dirs` the
    names that hold the project folder (BASE_DIR and friends).
    """

    names: dict[str, Any] = field(default_factory=dict)
    env_reads: list[str] = field(default_factory=list)

    def eval(self, node: cst.BaseExpression) -> Any:
        try:
            tree = ast.parse(code_of(node).strip(), mode="eval").body
        except SyntaxError:
            return UNKNOWN
        try:
            return self._ev(tree)
        except Exception:  # noqa: BLE001 - anything odd is simply unknown
            return UNKNOWN

    def _ev(self, node: ast.AST) -> Any:  # noqa: C901 - a flat dispatcher
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self._ev(elt.value)
                    if inner is UNKNOWN:
                        return UNKNOWN
                    items.extend(inner)
                    continue
                value = self._ev(elt)
                if value is UNKNOWN:
                    return UNKNOWN
                items.append(value)
            if isinstance(node, ast.Tuple):
                return tuple(items)
            return items if isinstance(node, ast.List) else set(items)
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=False):
                if key is None:
                    inner = self._ev(value)
                    if not isinstance(inner, dict):
                        return UNKNOWN
                    out.update(inner)
                    continue
                k, v = self._ev(key), self._ev(value)
                if k is UNKNOWN:
                    return UNKNOWN
                out[k] = v  # a value may stay UNKNOWN: callers look per key
            return out
        if isinstance(node, ast.Name):
            return self.names.get(node.id, UNKNOWN)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            value = self._ev(node.operand)
            if value is UNKNOWN:
                return UNKNOWN
            return -value if isinstance(node.op, ast.USub) else not value
        if isinstance(node, ast.BinOp):
            left, right = self._ev(node.left), self._ev(node.right)
            if (
                isinstance(node.op, ast.Div)
                and isinstance(left, PathValue)
                and isinstance(right, str)
            ):
                return left.join(*right.split("/"))
            if left is UNKNOWN or right is UNKNOWN or isinstance(left, PathValue):
                return UNKNOWN
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Mult):
                return left * right
            return UNKNOWN
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self._ev(node.left), self._ev(node.comparators[0])
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            op = node.ops[0]
            if isinstance(op, ast.Eq):
                return left == right
            if isinstance(op, ast.NotEq):
                return left != right
            if isinstance(op, ast.In):
                return left in right
            if isinstance(op, ast.NotIn):
                return left not in right
            return UNKNOWN
        if isinstance(node, ast.BoolOp):
            values = [self._ev(v) for v in node.values]
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            result = values[0]
            for v in values[1:]:
                result = (result and v) if isinstance(node.op, ast.And) else (result or v)
            return result
        if isinstance(node, ast.Subscript):
            target = dotted(node.value)
            if target in ("os.environ", "environ"):
                self.env_reads.append(self._ev(node.slice))
                return UNKNOWN
            container = self._ev(node.value)
            key = self._ev(node.slice)
            if container is UNKNOWN or key is UNKNOWN:
                return UNKNOWN
            return container[key]
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return UNKNOWN
        return UNKNOWN

    def _call(self, node: ast.Call) -> Any:
        func = dotted(node.func)
        args = node.args
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        if func in ENV_READ_FUNCS or func.endswith(".environ.get"):
            if not args:
                return UNKNOWN
            name = self._ev(args[0])
            if isinstance(name, str):
                self.env_reads.append(name)
            default = args[1] if len(args) > 1 else kwargs.get("default")
            if default is None:
                return None if func != "env.get" else UNKNOWN
            return self._ev(default)
        if func in ("os.path.join", "path.join"):
            values = [self._ev(a) for a in args]
            if (
                values
                and isinstance(values[0], PathValue)
                and all(isinstance(v, str) for v in values[1:])
            ):
                return values[0].join(*values[1:])
            if all(isinstance(v, str) for v in values):
                import posixpath

                return posixpath.join(*values)
            return UNKNOWN
        if func in ("int", "float", "bool", "str") and len(args) == 1:
            value = self._ev(args[0])
            if value is UNKNOWN:
                return UNKNOWN
            return {"int": int, "float": float, "bool": bool, "str": str}[func](value)
        if isinstance(node.func, ast.Attribute) and node.func.attr in (
            "split",
            "lower",
            "upper",
            "strip",
        ):
            target = self._ev(node.func.value)
            if not isinstance(target, str):
                return UNKNOWN
            values = [self._ev(a) for a in args]
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            return getattr(target, node.func.attr)(*values)
        return UNKNOWN


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def cst_dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = cst_dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


# -- base dir formulas -------------------------------------------------------
def base_dir_levels(node: cst.BaseExpression) -> int | None:
    """How many folders above the settings file a BASE_DIR formula points.

    `Path(__file__).resolve().parent.parent` -> 2 (the file's folder is 1);
    `os.path.dirname(os.path.dirname(os.path.abspath(__file__)))` -> 2.
    None when the expression is not such a formula.
    """
    text = code_of(node)
    if "__file__" not in text:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _levels(tree)


def _levels(node: ast.AST) -> int | None:
    if isinstance(node, ast.Name) and node.id == "__file__":
        return 0
    if isinstance(node, ast.Attribute):
        inner = _levels(node.value)
        if inner is None:
            return None
        if node.attr == "parent":
            return inner + 1
        return None
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "parents"
    ):
        inner = _levels(node.value.value)
        if inner is None or not isinstance(node.slice, ast.Constant):
            return None
        return inner + node.slice.value + 1
    if isinstance(node, ast.Call):
        func = dotted(node.func)
        if func.endswith("dirname") and node.args:
            inner = _levels(node.args[0])
            return None if inner is None else inner + 1
        if (
            func
            in (
                "Path",
                "pathlib.Path",
                "os.path.abspath",
                "os.path.realpath",
                "abspath",
                "realpath",
            )
            and node.args
        ):
            return _levels(node.args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
            return _levels(node.func.value)
    return None


# -- what the preset sets ----------------------------------------------------
SESSION = "rest_framework.authentication.SessionAuthentication"
BASIC = "rest_framework.authentication.BasicAuthentication"

_BUILTIN: dict[str, Any] = {
    "settings": {
        "ALLOWED_HOSTS": ["*"],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_I18N": True,
        "USE_L10N": True,
        "USE_TZ": True,
        "LOGGING_CONFIG": None,
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        ],
        "STATICFILES_FINDERS": [
            "django.contrib.staticfiles.finders.FileSystemFinder",
            "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        ],
        "STATICFILES_DIRS": [],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.debug",
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": [SESSION],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_PAGINATION_CLASS": "model_w.preset.django.drf.LimitedPageNumberPagination",
            "PAGE_SIZE": 60,
        },
        "WAILER_EMAIL_TYPES": {},
        "WAILER_SMS_TYPES": {},
        "CELERY_RESULT_BACKEND": "django-db",
        "CELERY_RESULT_EXTENDED": True,
        "CELERY_BEAT_SCHEDULER": "celery.beat.Scheduler",
        "CELERY_TASK_TRACK_STARTED": True,
        "CELERY_TASK_TIME_LIMIT": 3600,
        "CELERY_TASK_REMOTE_TRACEBACKS": True,
        "CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS": True,
        "AWS_S3_FILE_OVERWRITE": False,
    },
    # apps the preset's post_ hooks inject, with the flag that gates them
    "injected_apps": {
        "channels": ("enable_channels", 10),
        "daphne": ("enable_channels", 10),
        "django.contrib.admin": (None, 60),
        "django.contrib.auth": (None, 60),
        "django.contrib.contenttypes": (None, 60),
        "django.contrib.messages": (None, 60),
        "django.contrib.sessions": (None, 60),
        "django.contrib.staticfiles": (None, 60),
        "wagtail.contrib.forms": ("enable_wagtail", 70),
        "wagtail.contrib.redirects": ("enable_wagtail", 70),
        "wagtail.embeds": ("enable_wagtail", 71),
        "wagtail.sites": ("enable_wagtail", 71),
        "wagtail.users": ("enable_wagtail", 71),
        "wagtail.snippets": ("enable_wagtail", 71),
        "wagtail.documents": ("enable_wagtail", 71),
        "wagtail.images": ("enable_wagtail", 71),
        "wagtail.search": ("enable_wagtail", 71),
        "wagtail.admin": ("enable_wagtail", 71),
        "wagtail": ("enable_wagtail", 72),
        "modelcluster": ("enable_wagtail", 73),
        "taggit": ("enable_wagtail", 73),
        "django_celery_results": ("enable_celery", 80),
        "rest_framework": (None, 80),
        "rest_framework_gis": (None, 80),
        "wailer": (None, 80),
        "health_check": ("enable_health_check", 80),
        "health_check.db": ("enable_health_check", 81),
        "health_check.cache": ("enable_health_check", 81),
        "health_check.contrib.migrations": ("enable_health_check", 82),
        "health_check.contrib.psutil": ("enable_health_check", 82),
        "health_check.contrib.celery_ping": ("enable_health_check", 82),
        "model_w.preset.django.env_helper": (None, 90),
    },
    "constructor_flags": [
        "enable_cache",
        "enable_celery",
        "enable_channels",
        "enable_wagtail",
        "enable_storages",
        "enable_health_check",
    ],
    "post_forced": [
        "EMAIL_BACKEND",
        "SMS_BACKEND",
        "LANGUAGE_CODE",
        "STATICFILES_STORAGE",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
    ],
    "drf_defaults": {
        "DEFAULT_AUTHENTICATION_CLASSES": [SESSION, BASIC],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "DEFAULT_PAGINATION_CLASS": None,
        "PAGE_SIZE": None,
    },
    "django_defaults": {
        "TIME_ZONE": "America/Chicago",
        "LANGUAGE_CODE": "en-us",
        "USE_TZ": False,
        "USE_I18N": True,
        "USE_L10N": True,
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "ALLOWED_HOSTS": [],
        "SECURE_PROXY_SSL_HEADER": None,
        "USE_X_FORWARDED_HOST": False,
        "LOGGING_CONFIG": "logging.config.dictConfig",
        "STATICFILES_DIRS": [],
        "STATICFILES_FINDERS": [
            "django.contrib.staticfiles.finders.FileSystemFinder",
            "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        ],
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    },
}

# 2026.7 adds three constructor flags (model-w.md 2.6).
_FLAGS_2026 = ["enable_cursors", "enable_security", "enable_ninja"]


@dataclass
class PresetFacts:
    release: str
    settings: dict[str, Any]
    injected_apps: dict[str, tuple[str | None, int]]
    constructor_flags: list[str]
    post_forced: list[str]
    drf_defaults: dict[str, Any]
    django_defaults: dict[str, Any]
    #: the preset sets STORAGES (2025.7+), not STATICFILES_STORAGE; None: unknown
    storages_dict: bool | None = None
    #: Django of the release ("5.2"); "" when unknown
    django_version: str = ""

    @property
    def uses_storages_dict(self) -> bool:
        """2025.7+ configures STORAGES; 2024.10 the older *_STORAGE settings."""
        if self.storages_dict is not None:
            return self.storages_dict
        return _release_tuple(self.release) >= (2026,)

    @property
    def django_major(self) -> int:
        """Major version of the release's Django (4 when unknown)."""
        version = _release_tuple(self.django_version)
        return version[0] if version else 4

    def injected_for(self, flags: dict[str, bool]) -> set[str]:
        result = set()
        for app, (flag, _prio) in self.injected_apps.items():
            if flag is None or flags.get(flag, False):
                if app == "health_check.contrib.celery_ping" and not flags.get("enable_celery"):
                    continue
                if app == "daphne" and self.uses_storages_dict:
                    continue
                result.add(app)
        return result

    def all_injectable(self) -> set[str]:
        return set(self.injected_apps)


def _release_tuple(release: str) -> tuple[int, ...]:
    out = []
    for piece in release.split("."):
        if piece.isdigit():
            out.append(int(piece))
    return tuple(out)


def _settings_map(raw: Any) -> dict[str, Any]:
    """Accepts {name: value} or {name: {"value": ...}} or a list of dicts with name/value."""
    result: dict[str, Any] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            if (
                isinstance(value, dict)
                and "value" in value
                and set(value) & {"hook", "env", "env_vars", "value"}
            ):
                result[name] = value["value"]
            else:
                result[name] = value
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and "name" in item and "value" in item:
                result[item["name"]] = item["value"]
    return result


def preset_facts(release: str = "2024.10") -> PresetFacts:
    """What the preset of a release sets; knowledge JSON first, built-ins as a fallback."""
    data: dict[str, Any] = {}
    try:
        from model_w.migrate.knowledge import load_release

        data = load_release(release)
    except (KeyError, ImportError, FileNotFoundError, ValueError):
        data = {}
    settings = dict(_BUILTIN["settings"])
    for name, value in _settings_map(data.get("settings")).items():
        if name in settings and _comparable(value):
            settings[name] = value
    injected = dict(_BUILTIN["injected_apps"])
    raw_apps = data.get("injected_apps")
    if isinstance(raw_apps, dict):
        for app, info in raw_apps.items():
            prio = info.get("priority") if isinstance(info, dict) else info
            flag = info.get("flag") if isinstance(info, dict) else None
            if isinstance(prio, int):
                injected[app] = (flag if flag else injected.get(app, (None, prio))[0], prio)
    elif isinstance(raw_apps, list):
        # the knowledge JSON: [{app, priority, flags, ...}], what the release really injects
        injected = {}
        for info in raw_apps:
            if isinstance(info, dict) and isinstance(info.get("priority"), int):
                gates = info.get("flags") or []
                injected[info["app"]] = (gates[0] if gates else None, info["priority"])
    flags = list(_BUILTIN["constructor_flags"])
    constructor = data.get("constructor")
    if isinstance(constructor, dict) and constructor:
        # the release's own flags: only those its constructor accepts
        names = [
            name
            for name, info in constructor.items()
            if isinstance(info, dict)
            and info.get("is_flag")
            and release in (info.get("releases") or [release])
        ]
        flags = [f for f in flags if f in names] + [
            n for n in names if n not in flags and n != "enable_postgis"
        ]
    else:
        raw_flags = data.get("constructor_flags")
        names = []
        if isinstance(raw_flags, dict):
            names = list(raw_flags)
        elif isinstance(raw_flags, list):
            names = [f["name"] if isinstance(f, dict) else str(f) for f in raw_flags]
        for name in names:
            if name.startswith("enable_") and name != "enable_postgis" and name not in flags:
                flags.append(name)
        if _release_tuple(release) >= (2026,):
            for name in _FLAGS_2026:
                if name not in flags:
                    flags.append(name)
    post_forced = list(_BUILTIN["post_forced"])
    for name in data.get("post_forced") or []:
        if isinstance(name, str) and name not in post_forced:
            post_forced.append(name)
    drf = dict(_BUILTIN["drf_defaults"])
    drf.update({k: v for k, v in (data.get("drf_defaults") or {}).items() if k in drf})
    django = dict(_BUILTIN["django_defaults"])
    django.update({k: v for k, v in (data.get("django_defaults") or {}).items() if k in django})
    raw_settings = data.get("settings")
    storages_dict = None
    if isinstance(raw_settings, dict) and raw_settings:
        storages_dict = "STORAGES" in raw_settings and "STATICFILES_STORAGE" not in raw_settings
    return PresetFacts(
        release,
        settings,
        injected,
        flags,
        post_forced,
        drf,
        django,
        storages_dict=storages_dict,
        django_version=str(data.get("django") or ""),
    )


def _comparable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, list, tuple, dict, type(None)))
