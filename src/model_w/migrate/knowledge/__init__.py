"""Per-release knowledge of Model W, as data.

Each release has one JSON file (`<release>.json`) describing what its
`modelw-preset-django` does: every setting it sets (hook, value or rule, env
vars, whether a `post_` hook forces it), every env var it reads, the apps it
injects, its constructor flags, its dependencies, and Django's and DRF's
defaults to compare against. `index.json` lists the releases oldest first
with their Python and Django versions, preset pin, Docker base image and
front template. The files are produced by `scripts/regen_knowledge.py`
from the real preset; the schema is documented in docs/knowledge.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any


@cache
def _index() -> dict[str, Any]:
    text = resources.files(__name__).joinpath("index.json").read_text(encoding="utf-8")
    return json.loads(text)


def available_releases() -> list[str]:
    """Release names, oldest first."""
    return [r["release"] for r in _index()["releases"]]


@cache
def load_release(release: str) -> dict[str, Any]:
    """The knowledge of one release: its index entry merged with `<release>.json`.

    At least `python`, `django`, `pin`, `docker_base`, `front_template`;
    with the JSON file also `settings`, `env_vars`, `injected_apps`,
    `constructor`, `requires`, `extras`, `post_forced`, `django_defaults`,
    `drf_defaults` (docs/knowledge.md). Treat the result as read-only: it
    is cached and shared.
    """
    for entry in _index()["releases"]:
        if entry["release"] == release:
            detail = resources.files(__name__).joinpath(f"{release}.json")
            data = dict(entry)
            if detail.is_file():
                data.update(json.loads(detail.read_text(encoding="utf-8")))
            return data
    known = ", ".join(available_releases())
    raise KeyError(f"unknown Model W release {release!r} (known: {known})")


def injected_apps(release: str, flags: Iterable[str] = ()) -> list[str]:
    """Apps the preset injects when the given `enable_*` flags are on, by priority.

    Apps whose condition needs a flag not given are left out (an alternative
    such as "enable_cache or enable_celery" counts as on when one is given).
    """
    on = set(flags)
    data = load_release(release)
    chosen = [a for a in data["injected_apps"] if _holds(a["when"], on)]
    return [a["app"] for a in sorted(chosen, key=lambda a: (a["priority"], a["app"]))]


def preset_settings(release: str, flags: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Settings the preset sets; with `flags`, only those whose condition holds.

    Settings that only appear under an env value (e.g. "EMAIL_MODE=mailjet")
    are kept: they are still preset-owned names.
    """
    settings = load_release(release)["settings"]
    if flags is None:
        return dict(settings)
    on = set(flags)
    return {k: v for k, v in settings.items() if _holds(v["when"], on)}


def _holds(when: str, on: set[str]) -> bool:
    """Evaluate a `when` string ("always", "enable_x and (enable_a or enable_b)",
    "not enable_ninja", "EMAIL_MODE=mailjet") for flags only: env terms hold."""
    if when == "always":
        return True
    for term in when.split(" and "):
        term = term.strip().strip("()")
        if term.startswith("not "):
            if term[4:] in on:
                return False
        elif term.startswith("enable_"):
            if not any(alt.strip() in on for alt in term.split(" or ")):
                return False
    return True
