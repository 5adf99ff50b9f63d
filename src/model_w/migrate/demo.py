"""`modelw migrate --demo`: a bundled legacy project in a temp dir, as a git repo."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

DEMO_IDENTITY = ["-c", "user.name=Legacy Dev", "-c", "user.email=legacy@example.com"]


def demo_source() -> Path:
    return Path(str(resources.files("model_w.migrate").joinpath("demo_project")))


def make_demo_repo(parent: Path | None = None) -> Path:
    """Copy the demo project into a new temp folder and commit it on `main`."""
    base = Path(tempfile.mkdtemp(prefix="modelw-demo-", dir=parent))
    target = base / "legacy-shop"
    shutil.copytree(demo_source(), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    def git(*args: str) -> None:
        subprocess.run(["git", *DEMO_IDENTITY, *args], cwd=target, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git(
        "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "Legacy project (modelw-migrate demo)"
    )
    return target
