"""Git facts: is it a repository, which branch, is it dirty.

Read with the `git` command (read-only subcommands, `--no-optional-locks`
so that not even the index stat cache is rewritten).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from model_w.migrate.facts import GitFacts


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "--no-optional-locks", *args],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
    )


def inspect_git(path: Path) -> GitFacts:
    """GitFacts of the repository holding `path`; GitFacts(is_repo=False) outside git."""
    path = Path(path)
    if not path.is_dir():
        return GitFacts()
    try:
        bare = _git(path, "rev-parse", "--is-bare-repository")
    except FileNotFoundError:  # git is not installed
        return GitFacts()
    if bare.returncode != 0:
        return GitFacts()
    if bare.stdout.strip() == "true":
        return GitFacts(is_repo=True, bare=True, root=str(path.resolve()))
    inside = _git(path, "rev-parse", "--is-inside-work-tree")
    if inside.stdout.strip() != "true":  # inside a .git folder
        return GitFacts(is_repo=True, bare=True, root=str(path.resolve()))
    facts = GitFacts(is_repo=True)
    facts.root = _git(path, "rev-parse", "--show-toplevel").stdout.strip()
    branch = _git(path, "symbolic-ref", "--short", "-q", "HEAD")
    facts.branch = (branch.stdout.strip() or None) if branch.returncode == 0 else None
    head = _git(path, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    facts.head = (head.stdout.strip() or None) if head.returncode == 0 else None
    facts.detached = facts.branch is None
    status = _git(path, "status", "--porcelain", "--untracked-files=all")
    facts.dirty = [line for line in status.stdout.splitlines() if line.strip()]
    refs = _git(path, "for-each-ref", "--format=%(refname:short)", "refs/heads/modelw/")
    facts.migration_branches = sorted(
        line.strip() for line in refs.stdout.splitlines() if line.strip()
    )
    return facts
