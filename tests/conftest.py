"""Shared test helpers: real git repositories made from fixtures.

`make_repo("classic")` copies tests/fixtures/classic into a temp dir, makes
it a git repository with a few commits (so history exists before the
migration) and returns its path. Expensive shared things (the preset venv,
the PostgreSQL server) live in tests/infra and are built once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# The real preset in a venv and a real PostgreSQL server, built once per session.
pytest_plugins = ["tests.infra.fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Legacy Dev",
    "GIT_AUTHOR_EMAIL": "legacy@example.com",
    "GIT_COMMITTER_NAME": "Legacy Dev",
    "GIT_COMMITTER_EMAIL": "legacy@example.com",
}


def git(repo: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def init_repo(path: Path, branch: str = "main") -> Path:
    """Turn a folder into a git repository with its content committed in a few commits.

    Python files are committed first, the rest second, then a small edit to
    a README if present: so `git log --follow` has history to show.
    """
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "Legacy Dev")
    git(path, "config", "user.email", "legacy@example.com")
    git(path, "config", "commit.gpgsign", "false")
    py_files = [p.relative_to(path).as_posix() for p in path.rglob("*.py") if ".git" not in p.parts]
    if py_files:
        git(path, "add", "--", *py_files)
        git(path, "commit", "-q", "-m", "Initial Django code")
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", "Add project files")
    return path


def copy_fixture(name: str, dest: Path) -> Path:
    src = FIXTURES / name
    if not src.is_dir():
        raise AssertionError(f"no fixture named {name}")
    shutil.copytree(src, dest, symlinks=True)
    return dest


def snapshot_tree(path: Path) -> dict[str, bytes]:
    """Every file under path (including .git) with its bytes, to compare byte for byte."""
    result = {}
    for p in sorted(path.rglob("*")):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(path).as_posix()
            if rel.startswith(".git/") and (
                rel.endswith("index") or "/logs/" in rel or rel.endswith("FETCH_HEAD")
            ):
                # git rewrites its index stat cache on read-only commands
                continue
            result[rel] = p.read_bytes()
    return result


@pytest.fixture
def make_repo(tmp_path: Path):
    """Factory: make_repo("classic") -> Path of a fresh git repo of that fixture."""
    counter = {"n": 0}

    def factory(name: str, branch: str = "main") -> Path:
        counter["n"] += 1
        dest = tmp_path / f"{name}-{counter['n']}"
        copy_fixture(name, dest)
        return init_repo(dest, branch)

    return factory
