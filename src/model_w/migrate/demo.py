"""`modelw migrate --demo`: a bundled legacy project in a temp dir, as a git repo."""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

from model_w.migrate import gitops


def demo_source() -> Path:
    return Path(str(resources.files("model_w.migrate").joinpath("demo_project")))


def make_demo_repo(parent: Path | None = None) -> Path:
    """Copy the demo project into a new temp folder and commit it on `main`."""
    base = Path(tempfile.mkdtemp(prefix="modelw-demo-", dir=parent))
    target = base / "legacy-shop"
    shutil.copytree(demo_source(), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    gitops.init_with_commit(target, "Legacy project (modelw-migrate demo)")
    return target
