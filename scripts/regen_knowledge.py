#!/usr/bin/env python
"""Regenerate the per-release knowledge files by evaluating the real preset.

    python scripts/regen_knowledge.py                 # 2024.10
    python scripts/regen_knowledge.py 2025.7 2026.7   # those (need Python 3.13)
    python scripts/regen_knowledge.py --all --check   # compare, write nothing

For each release it builds (or reuses) the cached venv of
`tests/infra/venv.py`, runs `knowledge_probe.py` inside it (which calls every
`pre_`/`post_` hook of `ModelWDjango` for real), turns the raw evaluation into
the documented schema (docs/knowledge.md) and merges the hand-written
`knowledge_overlay.json` for what evaluation cannot tell. Writes
`src/model_w/migrate/knowledge/<release>.json`.

2026.7 needs Python 3.14, which these machines do not have: its venv is a
stand-in on Python 3.13 with the release's own dependency pins (its preset
code has nothing 3.14-only). The file says so in `generated.stand_in`.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KNOWLEDGE = ROOT / "src" / "model_w" / "migrate" / "knowledge"
PROBE = HERE / "knowledge_probe.py"
OVERLAY = HERE / "knowledge_overlay.json"
SCHEMA_VERSION = 1
DEFAULT_RELEASES = ["2024.10"]
ALL_RELEASES = ["2024.10", "2025.7", "2026.7"]


def probe(python: str | Path) -> dict[str, Any]:
    """Run the probe in a venv's python; its raw JSON."""
    result = subprocess.run(
        [str(python), str(PROBE)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C.UTF-8"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"knowledge probe failed in {python}:\n{result.stderr}")
    return json.loads(result.stdout)


def index_entry(release: str) -> dict[str, Any]:
    data = json.loads((KNOWLEDGE / "index.json").read_text(encoding="utf-8"))
    for entry in data["releases"]:
        if entry["release"] == release:
            return entry
    raise KeyError(release)


def load_overlay(release: str) -> dict[str, Any]:
    data = json.loads(OVERLAY.read_text(encoding="utf-8"))
    merged: dict[str, Any] = {}
    for part in (data.get("common", {}), data.get(release, {})):
        for section, content in part.items():
            if isinstance(content, dict):
                target = merged.setdefault(section, {})
                for name, fields in content.items():
                    if isinstance(fields, dict):
                        target.setdefault(name, {}).update(fields)
                    else:
                        target[name] = fields
            else:
                merged[section] = content
    return merged


def _when(flags: list[str], flags_off: list[str], scenario: str | None) -> str:
    parts = [" or ".join(f.split("|")) if "|" in f else f for f in flags]
    parts = [f"({p})" if " or " in p else p for p in parts]
    parts += [f"not {f}" for f in flags_off]
    if scenario:
        parts.append(scenario)
    return " and ".join(parts) if parts else "always"


def _flag_list(flags: list[str]) -> list[str]:
    """Flags that must all be on (an 'a|b' alternative is none of them alone)."""
    return [f for f in flags if "|" not in f and f != "?"]


def build_release(release: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The knowledge of one release from the probe's raw evaluation."""
    overlay = load_overlay(release)
    entry = index_entry(release)
    ctor_flags = set(raw["flags"])

    settings: dict[str, Any] = {}
    for name, item in raw["settings"].items():
        hooks = item["hooks"]
        phases = {h.split("_", 1)[0] for h in hooks}
        post_hooks = [h for h in hooks if h.startswith("post_")]
        depends = bool(item["env_vars"]) or bool(
            [a for a in item["ctor_args"] if a not in ctor_flags]
        )
        exact = item["exact"]
        setting: dict[str, Any] = {
            "hook": hooks[0],
            "hooks": hooks,
            "phase": "both" if len(phases) == 2 else phases.pop(),
            "kind": "dynamic" if depends else "constant",
            "value": item["pre_value"] if item["pre_value"] != "<absent>" else item["value"],
            "exact": exact,
        }
        if not exact:
            setting["repr"] = item["repr"]
        if post_hooks:
            setting["after_post"] = item["after_post"]
        if item["env_vars"]:
            setting["build_value"] = item["build_value"]
        setting.update(
            {
                "env_vars": item["env_vars"],
                "ctor_args": item["ctor_args"],
                "flags": _flag_list(item["flags"]),
                "when": _when(item["flags"], item["flags_off"], item["scenario"]),
                "post_forced": bool(post_hooks),
                "post_effect": item["post_effect"],
            }
        )
        if item["absent_in"]:
            setting["unset_when"] = item["absent_in"]
        setting.update(overlay.get("settings", {}).get(name, {}))
        settings[name] = setting

    env_vars: dict[str, Any] = {}
    for name, item in raw["env_vars"].items():
        feeds = sorted(k for k, s in raw["settings"].items() if name in s["env_vars"])
        var = {
            "is_yaml": item["is_yaml"],
            "required": not item["has_default"],
            "has_default": item["has_default"],
            "default": item["default"] if item["has_default"] else None,
            "has_build_default": item["has_build_default"],
            "build_default": item["build_default"] if item["has_build_default"] else None,
            "via": "get",
            "read_by": item["hooks"],
            "flags": _flag_list(item["flags"]),
            "when": _when(item["flags"], item["flags_off"], None),
            "settings": feeds,
        }
        var.update(overlay.get("env_vars", {}).get(name, {}))
        env_vars[name] = var
    for name, var in overlay.get("extra_env_vars", {}).items():
        env_vars.setdefault(name, var)

    constructor: dict[str, Any] = {}
    for name, item in raw["constructor"].items():
        constructor[name] = {
            "default": item["default"],
            "annotation": item["annotation"],
            "is_flag": name in ctor_flags,
            "auto_detected_here": raw["auto_detected"].get(name),
            **overlay.get("constructor", {}).get(name, {}),
        }

    injected = [
        {
            "app": app["app"],
            "priority": app["priority"],
            "hook": app["hook"],
            "when": _when(app["flags"], [], None),
            "flags": _flag_list(app["flags"]),
        }
        for app in raw["injected_apps"]
    ]

    post_forced = sorted(n for n, s in settings.items() if s["post_forced"])
    django_defaults = raw["django_defaults"]
    return {
        "schema": SCHEMA_VERSION,
        "release": release,
        "generated": {
            "by": "scripts/regen_knowledge.py",
            "preset_version": raw["preset_version"],
            "python": raw["python"],
            "django": raw["django"],
            "drf": raw["drf"],
            "env_manager": raw["env_manager"],
            "stand_in": entry.get("stand_in"),
        },
        "distribution": {
            "name": "modelw-preset-django",
            "version": raw["preset_version"],
            "requires_python": raw["requires_python"],
            "pin": entry["pin"],
        },
        "hooks": raw["hook_order"],
        "settings": dict(sorted(settings.items())),
        "env_vars": dict(sorted(env_vars.items())),
        "injected_apps": injected,
        "constructor": constructor,
        "requires": {k: _ordered(k, v) for k, v in raw["requires"].items()},
        "extras": {
            extra: {k: _ordered(k, v) for k, v in pkgs.items()}
            for extra, pkgs in raw["extras"].items()
        },
        "brings": sorted(raw["brings"]),
        "post_forced": post_forced,
        "order_sensitive_apps": overlay.get("order_sensitive_apps", []),
        "django_defaults": django_defaults,
        "django_defaults_repr": {
            k: v
            for k, v in raw["django_defaults_repr"].items()
            if _literal(v) != django_defaults.get(k)
        },
        "drf_defaults": raw["drf_defaults"],
        "notes": overlay.get("notes", []),
    }


def _ordered(name: str, requirement: dict[str, Any]) -> dict[str, Any]:
    """Lower bounds first ('>=4.2,<4.3') and a PEP 508 requirement string."""
    parts = [p for p in requirement["specifier"].split(",") if p]
    parts.sort(key=lambda p: (not p.startswith((">", "~", "=")), p))
    specifier = ",".join(parts)
    extras = f"[{','.join(requirement['extras'])}]" if requirement["extras"] else ""
    return {**requirement, "specifier": specifier, "requirement": f"{name}{extras}{specifier}"}


def _literal(text: str) -> Any:
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def cross_releases(all_data: dict[str, dict[str, Any]]) -> None:
    """Fill `constructor[flag].releases`: which known releases have the flag."""
    order = [r for r in ALL_RELEASES if r in all_data]
    for data in all_data.values():
        for name, item in data["constructor"].items():
            item["releases"] = [r for r in order if name in all_data[r]["constructor"]]


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def shipped(release: str) -> dict[str, Any] | None:
    path = KNOWLEDGE / f"{release}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def regenerate(release: str, python: str | Path | None = None) -> dict[str, Any]:
    """Fresh knowledge of `release` (cross-release fields from the shipped files)."""
    if python is None:
        sys.path.insert(0, str(ROOT))
        from tests.infra.venv import preset_venv

        python = preset_venv(release)
    data = build_release(release, probe(python))
    others = {r: shipped(r) for r in ALL_RELEASES if r != release}
    everything = {r: d for r, d in others.items() if d is not None}
    everything[release] = data
    cross_releases(everything)
    return data


def diff(release: str, fresh: dict[str, Any]) -> str:
    current = shipped(release)
    old = dump(current).splitlines() if current else []
    return "\n".join(
        difflib.unified_diff(
            old,
            dump(fresh).splitlines(),
            f"shipped/{release}.json",
            f"fresh/{release}.json",
            lineterm="",
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("releases", nargs="*", help=f"default: {' '.join(DEFAULT_RELEASES)}")
    parser.add_argument("--all", action="store_true", help="every release")
    parser.add_argument("--check", action="store_true", help="show differences, write nothing")
    parser.add_argument("--python", help="use this python (with the preset) instead of the venv")
    args = parser.parse_args(argv)
    releases = ALL_RELEASES if args.all else (args.releases or DEFAULT_RELEASES)
    status = 0
    for release in releases:
        fresh = regenerate(release, args.python)
        text = diff(release, fresh)
        if args.check:
            if text:
                print(text)
                status = 1
            else:
                print(f"{release}: up to date")
            continue
        (KNOWLEDGE / f"{release}.json").write_text(dump(fresh), encoding="utf-8")
        print(f"{release}: written ({'changed' if text else 'unchanged'})")
    return status


if __name__ == "__main__":
    sys.exit(main())
