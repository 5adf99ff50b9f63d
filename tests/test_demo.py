"""The README's first command: `modelw migrate --demo` on the bundled legacy project."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import git


def run_demo(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    env = {**os.environ, "TMPDIR": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "60"}
    result = subprocess.run(
        [sys.executable, "-m", "model_w.migrate", "migrate", "--demo", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    match = re.search(r"The demo repository is at (\S+)\.", result.stdout)
    assert match, result.stdout + result.stderr
    return result, Path(match.group(1))


def test_demo_previews_a_real_migration_and_writes_nothing(tmp_path):
    result, repo = run_demo(tmp_path)
    assert result.returncode == 0, result.stderr
    assert repo.is_relative_to(tmp_path)
    assert "Dry run:" in result.stdout and "diff --git" in result.stdout
    assert git(repo, "log", "--format=%s").splitlines() == ["Legacy project (modelw-migrate demo)"]
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / "api").exists()


def test_demo_with_yes_migrates_on_a_branch(tmp_path):
    result, repo = run_demo(tmp_path, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/migrate"
    assert (repo / "api" / "manage.py").is_file()
    assert len(git(repo, "log", "--format=%s", "main..HEAD").splitlines()) >= 5
