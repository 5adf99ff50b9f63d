"""Evaluate the installed `modelw-preset-django` and print what it does, as JSON.

Runs INSIDE a venv that has the preset (see `regen_knowledge.py`, which
starts it); it imports nothing from modelw-migrate. Every hook of
`ModelWDjango` is called for real, one at a time, against a throw-away
context (the settings module's globals) and a fresh `EnvManager`, under a
controlled `os.environ` and several constructor configurations:

- which settings each `pre_`/`post_` hook yields, and their values;
- which env vars it reads, with the exact `get()` signature
  (default, build_default, is_yaml) taken from `EnvManager.get_signatures`;
- which apps it injects with which priority (`_install_app` is watched);
- under which `enable_*` flags and env values each appears (the flags are
  switched one and two at a time, the env through named scenarios);
- which env vars and constructor arguments each value depends on (each is
  perturbed in turn and the values compared);
- what a `post_` hook does to a value the settings set inside the block
  (overwrites, extends, merges, or leaves it alone);
- Django's and DRF's global defaults for the same names.

Output: one JSON document on stdout. Values that JSON cannot hold exactly
(tuples, paths, classes, objects) are converted and flagged with their
Python `repr`.
"""

from __future__ import annotations

import copy
import importlib.metadata as metadata
import inspect
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

BASE_DIR = "/srv/project"

# Reference run: every required variable set, to plausible values.
REF_ENV = {
    "SECRET_KEY": "example-secret-key",
    "DATABASE_URL": "postgres://app:app-password@db.example.com:5432/app",
    "BASE_URL": "https://app.example.com",
    "ENVIRONMENT": "production",
    "AWS_ACCESS_KEY_ID": "example-key-id",
    "AWS_SECRET_ACCESS_KEY": "example-secret-access-key",
    "AWS_STORAGE_BUCKET_NAME": "example-bucket",
    "STORAGE_MAKE_FILES_PUBLIC": "no",
}

# A second value for every variable the preset may read: a setting whose
# value changes when one variable changes depends on it.
ALT_VALUES = {
    "SECRET_KEY": "other-secret-key",
    "DATABASE_URL": "postgres://other:pw@other.example.com:6543/other",
    "BASE_URL": "https://other.example.com",
    "ENVIRONMENT": "staging",
    "DEBUG": "yes",
    "REDIS_URL": "redis://other-redis:6380/2",
    "POOL_DB_CONNECTIONS": "yes",
    "DB_CONN_HEALTH_CHECKS": "no",
    "TIME_ZONE": "Asia/Tokyo",
    "EMAIL_MODE": "mailjet",
    "SMS_MODE": "mailjet",
    "STORAGES_MODE": "do",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials",
    "AWS_ACCESS_KEY_ID": "other-key-id",
    "AWS_SECRET_ACCESS_KEY": "other-secret-access-key",
    "AWS_STORAGE_BUCKET_NAME": "other-bucket",
    "STORAGE_MAKE_FILES_PUBLIC": "yes",
    "AWS_S3_CUSTOM_DOMAIN": "cdn.example.com",
    "DO_REGION": "fra1",
    "AWS_S3_ENDPOINT_URL": "https://s3.other.example.com",
    "IM_SACKED_IF_I_USE_THIS_FOR_NON_PERFORMANCE_TESTING": "http:",
    "MAILJET_API_KEY_PUBLIC": "mj-public",
    "MAILJET_API_KEY_PRIVATE": "mj-private",
    "MANDRILL_API_KEY": "mandrill-key",
    "MAILJET_API_TOKEN": "mj-token",
    "HOME": "/home/alice",
    "USER": "alice",
}

# Named env scenarios that open branches the reference run does not take.
SCENARIOS: dict[str, dict[str, str]] = {
    "EMAIL_MODE=mailjet": {
        "EMAIL_MODE": "mailjet",
        "MAILJET_API_KEY_PUBLIC": "mj-public",
        "MAILJET_API_KEY_PRIVATE": "mj-private",
    },
    "EMAIL_MODE=mandrill": {"EMAIL_MODE": "mandrill", "MANDRILL_API_KEY": "mandrill-key"},
    "SMS_MODE=mailjet": {"SMS_MODE": "mailjet", "MAILJET_API_TOKEN": "mj-token"},
    "STORAGES_MODE=do": {"STORAGES_MODE": "do"},
    "STORAGE_MAKE_FILES_PUBLIC=yes": {
        "STORAGE_MAKE_FILES_PUBLIC": "yes",
        "AWS_S3_CUSTOM_DOMAIN": "cdn.example.com",
    },
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI set": {
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials"
    },
    "DATABASE_URL empty": {"DATABASE_URL": ""},
    "HOME under /home, no ENVIRONMENT": {"HOME": "/home/alice", "USER": "alice"},
}
SCENARIO_UNSET = {"HOME under /home, no ENVIRONMENT": ["ENVIRONMENT"]}

# Alternative constructor values, to find which settings each argument feeds.
CTOR_ALT = {
    "sentry_sample_rate": 0.25,
    "base_dir": "/srv/elsewhere",
    "default_time_zone": "America/New_York",
    "url_prefix": "/api",
    "conn_max_age_when_pooled": 600,
    "celery_task_track_started": False,
    "celery_task_time_limit": 60,
}

LANGUAGES = [("en", "English"), ("fr", "French")]


# --------------------------------------------------------------------------
# JSON conversion


def qualname(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def to_json(value: Any) -> tuple[Any, bool]:
    """(JSON value, exact) where exact is False if conversion lost something."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value, True
    if isinstance(value, list):
        items = [to_json(v) for v in value]
        return [i[0] for i in items], all(i[1] for i in items)
    if isinstance(value, tuple):
        items = [to_json(v) for v in value]
        return [i[0] for i in items], False
    if isinstance(value, dict):
        out, exact = {}, True
        for k, v in value.items():
            jv, ok = to_json(v)
            out[str(k)] = jv
            exact = exact and ok and isinstance(k, str)
        return out, exact
    if isinstance(value, Path):
        return str(value), False
    if inspect.isclass(value):
        return qualname(value), False
    if repr(value) == "no_default":
        return "<no_default>", False
    return f"<{type(value).__module__}.{type(value).__qualname__}>", False


def stable_repr(value: Any) -> str:
    """repr without memory addresses, so two evaluations compare equal."""
    import re

    return re.sub(r" object at 0x[0-9a-fA-F]+", "", repr(value))


def jsonable(value: Any) -> Any:
    return to_json(value)[0]


def comparable(value: Any) -> str:
    """A stable text form used to compare values across runs."""
    return json.dumps(to_json(value)[0], sort_keys=True) + "|" + repr(type(value))


# --------------------------------------------------------------------------
# Running hooks


class Run:
    """One evaluation of every hook: pre hooks, the block, post hooks."""

    def __init__(self, preset_cls, kwargs, environ, block=None, unset=()):
        from model_w.env_manager import EnvManager
        from model_w.env_manager._utils import loose_call

        self.hooks: dict[str, dict[str, Any]] = {}
        self.installs: list[tuple[str, int, str]] = []
        self.error: str | None = None
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update({k: v for k, v in environ.items() if k not in unset})
        try:
            preset = preset_cls(
                base_dir=kwargs.get("base_dir", BASE_DIR), **_without(kwargs, "base_dir")
            )
            original_install = preset._install_app
            current = {"hook": ""}

            def watched(context, app, priority=100):
                if app not in {x.name for x in preset.injected_install}:
                    self.installs.append((app, priority, current["hook"]))
                yield from original_install(context, app, priority)

            preset._install_app = watched
            context: dict[str, Any] = {"__name__": "settings"}
            names = list(preset.get_x_functions("pre"))
            for name in names:
                self._call(loose_call, EnvManager, preset, name, context, current)
            context["LANGUAGES"] = list(LANGUAGES)
            if block:
                block(context)
            self.block_context = copy.deepcopy(
                {k: v for k, v in context.items() if k.isupper() and k != "USED_ENV_VARS"}
            )
            for name in preset.get_x_functions("post"):
                self._call(loose_call, EnvManager, preset, name, context, current)
            self.context = context
        except Exception as exc:  # noqa: BLE001 - recorded, not hidden
            self.error = f"{type(exc).__name__}: {exc}"
            self.context = {}
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _call(self, loose_call, env_cls, preset, name, context, current):
        env = env_cls(dotenv_path=False, locals_to_change=context)
        current["hook"] = name
        yields: dict[str, Any] = {}
        for key, value in loose_call(getattr(preset, name), env=env, context=context) or []:
            context[key] = value
            yields[key] = copy.copy(value) if isinstance(value, (list, dict)) else value
        self.hooks[name] = {
            "yields": yields,
            "signatures": dict(env.get_signatures),
            "missing": sorted(env.missing),
        }

    def setting_values(self) -> dict[str, Any]:
        """Final value of every name some hook yielded."""
        names = {k for h in self.hooks.values() for k in h["yields"]}
        return {k: self.context[k] for k in names if k in self.context}

    def yielders(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for hook, data in self.hooks.items():
            for k in data["yields"]:
                out.setdefault(k, []).append(hook)
        return out

    def reads(self) -> dict[str, dict[str, Any]]:
        """env var -> {signature, hooks}"""
        out: dict[str, dict[str, Any]] = {}
        for hook, data in self.hooks.items():
            for var, sig in data["signatures"].items():
                entry = out.setdefault(var, {"signature": sig, "hooks": []})
                entry["hooks"].append(hook)
        return out


def _without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}


# --------------------------------------------------------------------------


def constructor_params(preset_cls) -> dict[str, dict[str, Any]]:
    out = {}
    for name, param in inspect.signature(preset_cls.__init__).parameters.items():
        if name == "self":
            continue
        annotation = param.annotation
        if not isinstance(annotation, str):
            annotation = inspect.formatannotation(annotation)
        out[name] = {
            "default": jsonable(param.default),
            "annotation": annotation.replace("typing.", ""),
            "keyword_only": param.kind is inspect.Parameter.KEYWORD_ONLY,
        }
    return out


def condition_text(flags: list[str], negated: list[str] = (), env: str | None = None) -> str:
    parts = [*flags, *(f"not {f}" for f in negated)]
    if env:
        parts.append(env)
    return " and ".join(parts) if parts else "always"


def main() -> None:
    from django.conf import settings as django_settings

    # Auto-detection imports optional apps; newer django-health-check reads
    # settings at import time. Empty settings are enough for that.
    django_settings.configure()
    from model_w.preset.django import ModelWDjango

    ctor = constructor_params(ModelWDjango)
    flags = [n for n in ctor if n.startswith("enable_")]
    off = {f: False for f in flags}
    all_on = {f: True for f in flags}
    # Ninja replaces DRF: keep DRF on in the reference run. PostGIS is an
    # opt-in that changes build defaults: its effect is seen in its own runs.
    for flag in ("enable_ninja", "enable_postgis"):
        if flag in all_on:
            all_on[flag] = False

    # 1. Flag conditions: all off, one on, two on.
    configs: list[tuple[str, ...]] = [()]
    configs += [(f,) for f in flags]
    configs += list(itertools.combinations(flags, 2))
    runs = {}
    for combo in configs:
        kwargs = {**off, **{f: True for f in combo}}
        runs[combo] = Run(ModelWDjango, kwargs, REF_ENV)

    def presence(get_names) -> dict[str, tuple[list[str], list[str]]]:
        """name -> (flags that must be on, flags that must be off)"""
        base = get_names(runs[()])
        result: dict[str, tuple[list[str], list[str]]] = {}
        every = set().union(*(get_names(r) for r in runs.values()))
        for name in every:
            if name in base:
                negated = [f for f in flags if name not in get_names(runs[(f,)])]
                result[name] = ([], negated)
                continue
            singles = [f for f in flags if name in get_names(runs[(f,)])]
            if singles:
                result[name] = (singles[:1] if len(singles) == 1 else singles, [])
                if len(singles) > 1:
                    result[name] = (["|".join(singles)], [])
                continue
            pairs = [c for c in configs if len(c) == 2 and name in get_names(runs[c])]
            result[name] = (list(pairs[0]) if pairs else ["?"], [])
        return result

    setting_presence = presence(lambda r: set(r.setting_values()))
    app_presence = presence(lambda r: {a for a, _, _ in r.installs})
    read_presence = presence(lambda r: set(r.reads()))

    # 2. Reference run (all on) and env scenarios.
    ref = Run(ModelWDjango, all_on, REF_ENV)
    if ref.error:
        raise SystemExit(f"reference run failed: {ref.error}")
    build = Run(ModelWDjango, all_on, {"BUILD_MODE": "yes"})
    default_ctor = Run(ModelWDjango, {}, REF_ENV)  # auto-detection as installed
    scenario_runs = {
        name: Run(ModelWDjango, all_on, {**REF_ENV, **env}, unset=SCENARIO_UNSET.get(name, ()))
        for name, env in SCENARIOS.items()
    }

    ref_values = ref.setting_values()
    values: dict[str, Any] = dict(ref_values)
    seen_in: dict[str, str | None] = {k: None for k in ref_values}
    first_run: dict[str, Run] = {k: ref for k in ref_values}
    hooks_of: dict[str, list[str]] = ref.yielders()
    for name, run in scenario_runs.items():
        for k, v in run.setting_values().items():
            if k not in values:
                values[k] = v
                seen_in[k] = name
                first_run[k] = run
            for hook in run.yielders().get(k, []):
                if hook not in hooks_of.setdefault(k, []):
                    hooks_of[k].append(hook)
    for run in runs.values():
        for k, v in run.setting_values().items():
            if k not in values:
                values[k] = v
                seen_in[k] = None
                first_run[k] = run
                hooks_of.setdefault(k, run.yielders().get(k, []))

    def block_value(k: str) -> Any:
        """What the settings see inside the block (pre hooks only)."""
        return first_run[k].block_context.get(k, "<absent>")

    def after_post(k: str) -> Any:
        """The value after post hooks, with only the flags the setting needs."""
        needed = [f for f in setting_presence.get(k, ([], []))[0] if f in flags]
        combo = tuple(f for f in flags if f in needed)
        run = runs.get(combo) if seen_in.get(k) is None else first_run[k]
        if run is None or k not in run.context:
            run = first_run[k]
        return run.context.get(k)

    absent_in = {
        k: [n for n, r in scenario_runs.items() if k in ref_values and k not in r.setting_values()]
        for k in values
    }

    # 3. Which env vars each value depends on.
    all_reads: dict[str, dict[str, Any]] = {}
    for run in [runs[()], ref, *scenario_runs.values(), *runs.values()]:
        for var, data in run.reads().items():
            entry = all_reads.setdefault(var, {"signature": data["signature"], "hooks": []})
            for hook in data["hooks"]:
                if hook not in entry["hooks"]:
                    entry["hooks"].append(hook)
    depends_env: dict[str, list[str]] = {k: [] for k in values}
    for var in sorted(all_reads):
        if var not in ALT_VALUES:
            continue
        for name, base in [(None, ref), *scenario_runs.items()]:
            env = {**REF_ENV, **(SCENARIOS.get(name, {}) if name else {})}
            if var in env and env[var] == ALT_VALUES[var]:
                continue
            alt = Run(
                ModelWDjango,
                all_on,
                {**env, var: ALT_VALUES[var]},
                unset=[u for u in SCENARIO_UNSET.get(name or "", ()) if u != var],
            )
            base_values = base.setting_values()
            alt_values = alt.setting_values()
            for k in values:
                if comparable(base_values.get(k, "<absent>")) != comparable(
                    alt_values.get(k, "<absent>")
                ):
                    if var not in depends_env[k]:
                        depends_env[k].append(var)

    # 4. Which constructor arguments each value depends on.
    depends_ctor: dict[str, list[str]] = {k: [] for k in values}
    pooled = {**REF_ENV, "POOL_DB_CONNECTIONS": "yes"}
    base_pooled = Run(ModelWDjango, all_on, pooled).setting_values()
    for arg, alt in CTOR_ALT.items():
        if arg not in ctor:
            continue
        changed = Run(ModelWDjango, {**all_on, arg: alt}, pooled).setting_values()
        for k in values:
            if comparable(base_pooled.get(k)) != comparable(changed.get(k)):
                depends_ctor[k].append(arg)
    for flag in flags:
        for combo, run in runs.items():
            if flag in combo and len(combo) == 1:
                for k, v in run.setting_values().items():
                    base_v = runs[()].setting_values().get(k)
                    if k in runs[()].setting_values() and comparable(base_v) != comparable(v):
                        if flag not in depends_ctor[k]:
                            depends_ctor[k].append(flag)

    # 5. What post hooks do to a value set inside the block.
    post_effect: dict[str, str] = {}
    for k, hooks in hooks_of.items():
        if not any(h.startswith("post_") for h in hooks):
            continue
        scenario = seen_in.get(k)
        env = {**REF_ENV, **(SCENARIOS[scenario] if scenario else {})}
        current = ref.block_context.get(k)
        if isinstance(current, list) or k in ("INSTALLED_APPS", "MIDDLEWARE"):
            user: Any = [*(current or []), "user.thing"]
            if k == "INSTALLED_APPS":
                user = ["user_app"]
        elif isinstance(current, dict) or k in ("CELERY_BROKER_TRANSPORT_OPTIONS", "STORAGES"):
            user = {**(current or {}), "user_key": "user"}
        else:
            user = "user-value"

        def block(context, k=k, user=user):
            context[k] = copy.deepcopy(user)

        result = Run(ModelWDjango, all_on, env, block=block)
        final = result.context.get(k)
        if result.error:
            post_effect[k] = f"raises: {result.error}"
        elif comparable(final) == comparable(user):
            post_effect[k] = "keeps_if_set"
        elif (
            isinstance(final, list)
            and "user.thing" in final
            or (isinstance(final, list) and "user_app" in final)
        ):
            post_effect[k] = "extends"
        elif isinstance(final, dict) and final.get("user_key") == "user":
            post_effect[k] = "merges"
        else:
            post_effect[k] = "overwrites"

    # 6. Django and DRF defaults for the same names.
    from django.conf import global_settings

    django_defaults = {}
    for k in sorted(values):
        if hasattr(global_settings, k):
            django_defaults[k] = getattr(global_settings, k)
    for extra in (
        "LOGGING",
        "LANGUAGE_CODE",
        "STORAGES",
        "STATICFILES_STORAGE",
        "DEFAULT_FILE_STORAGE",
    ):
        if hasattr(global_settings, extra):
            django_defaults[extra] = getattr(global_settings, extra)
    try:
        from rest_framework.settings import DEFAULTS as drf_defaults_src

        drf_defaults = dict(drf_defaults_src)
    except Exception:  # noqa: BLE001
        drf_defaults = {}

    # 7. Dependencies from the installed distribution.
    dist = metadata.distribution("modelw-preset-django")
    Requirement = requirement_class()

    requires: dict[str, Any] = {}
    extras: dict[str, dict[str, Any]] = {}
    for line in dist.requires or []:
        req = Requirement(line)
        entry = {
            "specifier": str(req.specifier),
            "extras": sorted(req.extras),
            "requirement": line.split(";")[0].strip(),
        }
        name = canonical(req.name)
        if req.marker is None:
            requires[name] = entry
        else:
            for extra in dist.metadata.get_all("Provides-Extra") or []:
                if req.marker.evaluate({"extra": extra}):
                    extras.setdefault(extra, {})[name] = entry

    print(
        json.dumps(
            {
                "preset_version": dist.version,
                "requires_python": dist.metadata.get("Requires-Python"),
                "python": ".".join(str(p) for p in sys.version_info[:3]),
                "django": metadata.version("django"),
                "drf": safe_version("djangorestframework"),
                "env_manager": safe_version("modelw-env-manager"),
                "constructor": ctor,
                "flags": flags,
                "hook_order": {
                    "pre": list(ModelWDjango.get_x_functions(ModelWDjango, "pre")),
                    "post": list(ModelWDjango.get_x_functions(ModelWDjango, "post")),
                },
                "settings": {
                    k: {
                        "hooks": hooks_of.get(k, []),
                        "pre_value": jsonable(block_value(k)),
                        "value": to_json(values[k])[0],
                        "exact": to_json(values[k])[1],
                        "repr": stable_repr(values[k]),
                        "after_post": jsonable(after_post(k)),
                        "build_value": jsonable(build.context.get(k, "<absent>")),
                        "flags": setting_presence.get(k, ([], []))[0],
                        "flags_off": setting_presence.get(k, ([], []))[1],
                        "scenario": seen_in.get(k),
                        "absent_in": absent_in.get(k, []),
                        "env_vars": depends_env.get(k, []),
                        "ctor_args": depends_ctor.get(k, []),
                        "post_effect": post_effect.get(k),
                    }
                    for k in sorted(values)
                },
                "env_vars": {
                    var: {
                        "default": jsonable(data["signature"][0]),
                        "has_default": repr(data["signature"][0]) != "no_default",
                        "build_default": jsonable(data["signature"][1]),
                        "has_build_default": repr(data["signature"][1]) != "no_default",
                        "is_yaml": bool(data["signature"][2]),
                        "hooks": data["hooks"],
                        "flags": read_presence.get(var, ([], []))[0],
                        "flags_off": read_presence.get(var, ([], []))[1],
                    }
                    for var, data in sorted(all_reads.items())
                },
                "injected_apps": [
                    {
                        "app": app,
                        "priority": prio,
                        "hook": hook,
                        "flags": app_presence.get(app, ([], []))[0],
                    }
                    for app, prio, hook in _all_installs(runs, ref)
                ],
                "final": {
                    "INSTALLED_APPS": ref.context.get("INSTALLED_APPS"),
                    "MIDDLEWARE": ref.context.get("MIDDLEWARE"),
                },
                "auto_detected": {f: getattr(_auto(ModelWDjango), f) for f in flags},
                "default_ctor_installed_apps": default_ctor.context.get("INSTALLED_APPS"),
                "django_defaults": {k: jsonable(v) for k, v in django_defaults.items()},
                "django_defaults_repr": {k: stable_repr(v) for k, v in django_defaults.items()},
                "drf_defaults": {k: jsonable(v) for k, v in sorted(drf_defaults.items())},
                "requires": dict(sorted(requires.items())),
                "extras": {k: dict(sorted(v.items())) for k, v in sorted(extras.items())},
                "brings": brings(),
            },
            indent=1,
            sort_keys=False,
        )
    )


def _auto(preset_cls):
    return preset_cls(base_dir=BASE_DIR)


def _all_installs(runs, ref):
    seen: dict[str, tuple[str, int, str]] = {}
    for run in [ref, *runs.values()]:
        for app, prio, hook in run.installs:
            seen.setdefault(app, (app, prio, hook))
    return sorted(seen.values(), key=lambda x: (x[1], x[0]))


def requirement_class():
    try:
        from packaging.requirements import Requirement
    except ImportError:  # every venv has pip, which vendors packaging
        from pip._vendor.packaging.requirements import Requirement
    return Requirement


def canonical(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def safe_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def brings() -> dict[str, str]:
    """Every distribution the preset installs without extras (transitively)."""
    Requirement = requirement_class()

    seen: dict[str, str] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [("modelw-preset-django", frozenset())]
    while todo:
        name, wanted_extras = todo.pop()
        if (canonical(name), wanted_extras) in done:
            continue
        done.add((canonical(name), wanted_extras))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[canonical(name)] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None:
                envs = [{"extra": e} for e in wanted_extras] or [{"extra": ""}]
                if not any(req.marker.evaluate(e) for e in envs):
                    continue
            todo.append((req.name, frozenset(req.extras)))
    seen.pop("modelw-preset-django", None)
    return dict(sorted(seen.items()))


if __name__ == "__main__":
    main()
