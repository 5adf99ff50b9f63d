"""Run one of our codemods alone through libcst's own CLI, as a user would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_libcst_cli(tmp_path: Path, command: str, source: str, *args: str) -> str:
    """Write `source` to a settings.py, run `libcst.tool codemod COMMAND` on it with
    the repository's .libcst.codemod.yaml, and return the file's new text."""
    target = tmp_path / "settings.py"
    target.write_text(source)
    workdir = tmp_path / "repo"
    workdir.mkdir()
    shutil.copy(REPO / ".libcst.codemod.yaml", workdir / ".libcst.codemod.yaml")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "--jobs=1",
            "--no-format",
            command,
            *args,
            str(target),
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return target.read_text()
