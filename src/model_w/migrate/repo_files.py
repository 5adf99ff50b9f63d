"""Which files of a repository the tool looks at.

Inside a git work tree: the tracked files plus the untracked ones git does
not ignore (`git ls-files --cached --others --exclude-standard`), so
`.gitignore` is respected exactly as git reads it. Outside git: a walk that
applies the root `.gitignore` with pathspec. In both cases dependency,
virtualenv and build folders are never entered, even when committed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        "bower_components",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".nuxt",
        ".output",
        ".svelte-kit",
        ".next",
        ".vite",
        "site-packages",
        "dist",
        "build",
        ".idea",
        ".vscode",
        ".hg",
        ".svn",
    }
)


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file() or (folder / "bin" / "activate").is_file()


def is_skipped(rel_path: str, root: Path | None = None) -> bool:
    """True when a path lies in a folder the tool never enters."""
    parts = rel_path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part in SKIPPED_DIRS:
            return True
        if (
            root is not None
            and "env" in part.lower()
            and _is_virtualenv(root.joinpath(*parts[: index + 1]))
        ):
            return True
    return False


def list_files(root: Path, include_skipped: bool = False) -> list[str]:
    """Repository-relative POSIX paths of the files the tool may read.

    With include_skipped, files under dependency and build folders that git
    tracks are listed too: moving a folder must move all of its files.
    """
    from model_w.migrate.gitops import worktree_files

    root = Path(root)
    listed = worktree_files(root)
    if listed is None:
        return _walk(root, include_skipped)
    files = []
    seen = set()
    base = str(root)
    for rel in listed:
        if rel in seen or (not include_skipped and is_skipped(rel, root)):
            continue
        seen.add(rel)
        try:  # one lstat: a regular file or a symlink (even a broken one)
            mode = os.lstat(os.path.join(base, rel)).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            files.append(rel)
    return sorted(files)


def _walk(root: Path, include_skipped: bool = False) -> list[str]:
    import pathspec

    patterns: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        patterns = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        current = Path(dirpath)
        rel_dir = current.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        kept = []
        for name in dirnames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if name == ".git" or spec.match_file(rel + "/"):
                continue
            if not include_skipped and (name in SKIPPED_DIRS or _is_virtualenv(current / name)):
                continue
            kept.append(name)
        dirnames[:] = sorted(kept)
        for name in filenames:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not spec.match_file(rel):
                files.append(rel)
    return sorted(files)
