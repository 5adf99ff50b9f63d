"""Run a project's `manage.py` in a subprocess with a clean environment.

The environment is built from scratch, never inherited wholesale: a test
must not see this machine's DJANGO_SETTINGS_MODULE, DATABASE_URL, VIRTUAL_ENV
or PYTHONPATH. HOME is a fresh temp dir outside /home, so the preset does not
guess ENVIRONMENT from `$USER` (model-w.md part 4): a missing ENVIRONMENT
fails as it would in production.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

# Inherited when set: what a subprocess needs to find binaries, certificates
# and pip's configuration, nothing Django or Model W reads.
PASSTHROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "TMPDIR")

_HOME: str | None = None


def _neutral_home() -> str:
    """A temp dir outside /home, made once per process."""
    global _HOME
    if _HOME is None or not os.path.isdir(_HOME):
        parent = tempfile.gettempdir()
        if parent.startswith("/home/"):
            parent = "/tmp"
        _HOME = tempfile.mkdtemp(prefix="modelw-home-", dir=parent)
    return _HOME


def clean_env(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """A minimal environment plus `env` (a None value removes a key)."""
    result = {k: os.environ[k] for k in PASSTHROUGH if k in os.environ}
    result.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    result["HOME"] = _neutral_home()
    result["PYTHONDONTWRITEBYTECODE"] = "1"
    result["PYTHONUNBUFFERED"] = "1"
    for key, value in (env or {}).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = str(value)
    return result


def run_manage(
    python: str | os.PathLike[str],
    project_dir: str | os.PathLike[str],
    *args: str,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 300,
    check: bool = False,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python manage.py *args` in `project_dir`; returns the CompletedProcess.

    With `check=True` a non-zero exit raises AssertionError showing the
    command, stdout and stderr, which reads better in a test failure than
    CalledProcessError.
    """
    project = Path(project_dir)
    if not (project / "manage.py").is_file():
        raise FileNotFoundError(f"no manage.py in {project}")
    command = [str(python), "manage.py", *args]
    result = subprocess.run(
        command,
        cwd=project,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(command[1:])}` in {project} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result
