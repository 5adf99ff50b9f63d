"""Virtualenvs with the real `modelw-preset-django`, built once and cached.

`preset_venv("2024.10")` returns the path of a venv's `python` that has
`modelw-preset-django[celery,health,gunicorn,storages]==2024.10.*` and the
third-party apps our fixtures use. The venv lives in the cache dir
(`$MODELW_TEST_CACHE`, default `~/.cache/modelw-migrate-tests/`) under a key
made of the release, the interpreter's version and a hash of the requirement
list, so it is reused across test sessions and CI runs on the same machine,
and rebuilt by itself when the list changes.

Building is guarded by an exclusive `fcntl.flock` on `<key>.lock`: several
pytest-xdist workers asking at once wait for the first one, then reuse its
venv. A venv counts as built only once its `.modelw-ready.json` marker is
written (last), so a build interrupted half-way is thrown away and redone.

Nothing here imports pytest at module level: `scripts/regen_knowledge.py`
uses the same venvs.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = ".modelw-ready.json"

# Third-party apps and libraries the legacy fixtures import from their
# settings; the preset's own dependencies come with it.
FIXTURE_PACKAGES = (
    "django-cors-headers",
    "django-storages",
    "boto3",
    "django-environ",
    "python-decouple",
    "dj-database-url",
    "django-split-settings",
    "sentry-sdk",
    "celery",
    "django-celery-results",
    "redis",
    "whitenoise",
    "djangorestframework",
    "environs",
    "Pillow",
)


@dataclass(frozen=True)
class PresetSpec:
    release: str
    python: str  # "3.11"
    preset: str  # the pip requirement of the preset itself
    skip_if_no_python: bool  # pytest.skip (not fail) when the interpreter is missing
    pip_options: tuple[str, ...] = ()
    note: str = ""

    def requirements(self) -> list[str]:
        return [self.preset, *FIXTURE_PACKAGES]


PRESETS: dict[str, PresetSpec] = {
    "2024.10": PresetSpec(
        release="2024.10",
        python="3.11",
        preset="modelw-preset-django[celery,health,gunicorn,storages]==2024.10.*",
        skip_if_no_python=False,
    ),
    # 2025.7 has no gunicorn extra and no database driver by default.
    "2025.7": PresetSpec(
        release="2025.7",
        python="3.13",
        preset="modelw-preset-django[celery,health,storages,psycopg2]==2025.7.*",
        skip_if_no_python=True,
    ),
    # 2026.7 needs Python 3.14, which is not on our machines. Its preset code
    # runs on 3.13 (nothing 3.14-only in it), so this stand-in lets
    # scripts/regen_knowledge.py evaluate the real hooks with the release's
    # own dependency pins (Django 6.0). Not a supported install.
    "2026.7": PresetSpec(
        release="2026.7",
        python="3.13",
        preset="modelw-preset-django[celery,health,storages,psycopg2]==2026.7.*",
        skip_if_no_python=True,
        pip_options=("--ignore-requires-python",),
        note="stand-in on Python 3.13; the release needs 3.14",
    ),
}


_BUILT: dict[str, Path] = {}


class InterpreterMissing(RuntimeError):
    """No interpreter of the version a release needs is installed."""


def cache_dir() -> Path:
    """The shared cache dir, created if needed."""
    root = os.environ.get("MODELW_TEST_CACHE") or "~/.cache/modelw-migrate-tests"
    path = Path(root).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pyenv_root() -> Path | None:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    if shutil.which("pyenv"):
        try:
            out = subprocess.run(
                ["pyenv", "root"], capture_output=True, text=True, timeout=30, check=True
            )
            return Path(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    default = Path("~/.pyenv").expanduser()
    return default if default.is_dir() else None


def _patch_level(path: str) -> int:
    version = Path(path).parents[1].name  # .../versions/3.13.0/bin/python
    try:
        return int(version.split(".")[2])
    except (IndexError, ValueError):
        return -1


def find_python(version: str) -> str | None:
    """An interpreter of `version` ("3.11"): this one, pyenv's, or on PATH."""
    wanted = tuple(int(p) for p in version.split("."))
    if sys.version_info[:2] == wanted:
        return sys.executable
    root = _pyenv_root()
    if root is not None:
        found = [
            p
            for p in glob.glob(str(root / "versions" / f"{version}.*" / "bin" / "python"))
            if os.access(p, os.X_OK)
        ]
        if found:
            return max(found, key=_patch_level)
    return shutil.which(f"python{version}")


def _python_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.strip()


def cached_build(key: str, build: Callable[[Path], dict[str, Any]]) -> Path:
    """The folder `<cache>/<key>`, built by `build(folder)` unless already there.

    `build` fills the (empty) folder and returns facts to keep in the marker.
    Safe when several processes ask at once: one builds, the others wait on
    the lock and reuse its result.
    """
    root = cache_dir()
    dest = root / key
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (dest / MARKER).is_file():
                return dest
            if dest.exists():
                shutil.rmtree(dest)  # left by an interrupted build
            dest.mkdir(parents=True)
            started = time.monotonic()
            try:
                facts = build(dest)
            except BaseException:
                shutil.rmtree(dest, ignore_errors=True)
                raise
            facts = {
                **facts,
                "key": key,
                "built_in_seconds": round(time.monotonic() - started, 1),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (dest / MARKER).write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
            return dest
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pip_install(python: Path, requirements: list[str], log: Path, extra: list[str]) -> None:
    command = [
        str(python),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        *extra,
        *requirements,
    ]
    with open(log, "a", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        raise RuntimeError(
            f"pip install failed for {' '.join(requirements)} (full log: {log}):\n"
            + "\n".join(tail)
        )


def build_venv(
    key: str,
    python: str,
    requirements: list[str],
    *,
    pip_options: list[str] | None = None,
    then: list[tuple[list[str], list[str]]] | None = None,
) -> Path:
    """A cached venv made with `python` holding `requirements`; returns its python.

    `then` lists further `(requirements, pip options)` installs, e.g. a
    `--no-deps` install on top of the first.
    """

    def build(dest: Path) -> dict[str, Any]:
        log = dest.parent / f"{dest.name}.log"
        log.write_text("", encoding="utf-8")
        subprocess.run([python, "-m", "venv", str(dest)], check=True, timeout=300)
        venv_python = dest / "bin" / "python"
        _pip_install(venv_python, requirements, log, pip_options or [])
        for more, options in then or []:
            _pip_install(venv_python, more, log, options)
        frozen = subprocess.run(
            [str(venv_python), "-m", "pip", "freeze", "--disable-pip-version-check"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.split()
        return {
            "python": _python_version(python),
            "requirements": requirements,
            "then": then or [],
            "freeze": frozen,
        }

    return cached_build(key, build) / "bin" / "python"


def venv_key(name: str, python_version: str, requirements: list[str]) -> str:
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:10]
    return f"venvs/{name}-py{python_version}-{digest}"


def preset_venv(release: str = "2024.10") -> Path:
    """Path of the python of a venv with the preset of `release` (built once).

    Raises `pytest.skip` only when the release's interpreter is missing and
    the release is an optional one (2025.7 needs Python 3.13); any other
    problem is an error.
    """
    try:
        spec = PRESETS[release]
    except KeyError:
        raise ValueError(
            f"no preset venv recipe for Model W {release}; known: {', '.join(PRESETS)}"
        ) from None
    python = find_python(spec.python)
    if python is None:
        message = (
            f"Model W {release} needs Python {spec.python}, and none was found "
            f"(looked at this interpreter, `pyenv root`/versions/{spec.python}.*/bin/python "
            f"and python{spec.python} on PATH); this release is tested only where its"
            " interpreter is installed"
        )
        if spec.skip_if_no_python:
            import pytest

            pytest.skip(message)
        raise InterpreterMissing(message)
    version = _python_version(python)
    requirements = spec.requirements()
    key = venv_key(f"preset-{release}", version, [*spec.pip_options, *requirements])
    if key not in _BUILT:
        _BUILT[key] = build_venv(key, python, requirements, pip_options=list(spec.pip_options))
    return _BUILT[key]


def venv_facts(python: Path) -> dict[str, Any]:
    """What the marker of the venv holding `python` recorded (build time, freeze)."""
    marker = Path(python).parent.parent / MARKER
    return json.loads(marker.read_text(encoding="utf-8"))
