"""Everything that talks to git, and nothing else does.

The branch the user was on is never modified: every commit goes on the
migration branch. The original branch is remembered in
`.git/modelw-migrate/<branch>.json` (inside .git, never committed) so that
`--abort` can go back to it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from model_w.migrate.errors import UserError
from model_w.migrate.facts import GitFacts

TRAILER = "Modelw-Step"
FALLBACK_IDENTITY = ("modelw-migrate", "modelw-migrate@localhost")


class GitError(Exception):
    pass


@dataclass
class Repo:
    root: Path

    def git(self, *args: str, check: bool = True, input: str | None = None) -> str:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        result = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, env=env, input=input
        )
        if check and result.returncode != 0:
            raise GitError(
                f"git {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}"
            )
        return result.stdout

    @property
    def git_dir(self) -> Path:
        return Path(self.git("rev-parse", "--absolute-git-dir").strip())


def open_repo(path: Path) -> Repo:
    """The work tree containing `path`, or a one-line UserError."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such directory", "pass the folder of your Django project")
    if not path.is_dir():
        raise UserError(f"{path}: not a directory", "pass the folder of your Django project")
    probe = subprocess.run(
        ["git", "rev-parse", "--is-bare-repository", "--show-toplevel"],
        cwd=path,
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        if "not a git repository" in probe.stderr or "fatal" in probe.stderr:
            first = subprocess.run(
                ["git", "rev-parse", "--is-bare-repository"],
                cwd=path,
                capture_output=True,
                text=True,
            )
            if first.stdout.strip() == "true":
                raise UserError(
                    f"{path}: is a bare git repository", "clone it and run modelw in the clone"
                )
        raise UserError(
            f"{path}: not a git repository",
            "modelw commits each step on a branch; run `git init && git add -A && git commit` first",
        )
    lines = probe.stdout.split()
    if lines and lines[0] == "true":
        raise UserError(f"{path}: is a bare git repository", "clone it and run modelw in the clone")
    return Repo(Path(lines[1]) if len(lines) > 1 else path.resolve())


def has_commits(repo: Repo) -> bool:
    return repo.git("rev-parse", "--verify", "-q", "HEAD", check=False).strip() != ""


def head_sha(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    out = repo.git("symbolic-ref", "-q", "--short", "HEAD", check=False).strip()
    return out or None


def dirty_entries(repo: Repo) -> list[str]:
    """`git status --porcelain` lines: modified, staged and untracked (not ignored) files."""
    out = repo.git("status", "--porcelain", "--untracked-files=all")
    return [line for line in out.splitlines() if line.strip()]


def branch_exists(repo: Repo, name: str) -> bool:
    return repo.git("rev-parse", "--verify", "-q", f"refs/heads/{name}", check=False).strip() != ""


def valid_branch_name(repo: Repo, name: str) -> bool:
    return (
        subprocess.run(
            ["git", "check-ref-format", "--branch", name], cwd=repo.root, capture_output=True
        ).returncode
        == 0
    )


def migration_branches(repo: Repo) -> list[str]:
    out = repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/modelw/")
    return [line for line in out.splitlines() if line]


def create_and_checkout(repo: Repo, name: str) -> None:
    repo.git("checkout", "-q", "-b", name)


def checkout(repo: Repo, ref: str) -> None:
    repo.git("checkout", "-q", ref)


def delete_branch(repo: Repo, name: str) -> None:
    repo.git("branch", "-q", "-D", name)


# -- state of a migration ----------------------------------------------------
def _state_file(repo: Repo, branch: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", branch)
    return repo.git_dir / "modelw-migrate" / f"{safe}.json"


def save_state(
    repo: Repo,
    branch: str,
    origin_branch: str | None,
    origin_sha: str,
    answers: dict | None = None,
) -> None:
    """Remember where the migration started (for --abort) and its answers (for resume)."""
    path = _state_file(repo, branch)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"branch": branch, "origin_branch": origin_branch, "origin_sha": origin_sha}
    if answers is not None:
        state["answers"] = answers
    path.write_text(json.dumps(state, indent=2))


def load_state(repo: Repo, branch: str) -> dict | None:
    path = _state_file(repo, branch)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def clear_state(repo: Repo, branch: str) -> None:
    path = _state_file(repo, branch)
    if path.is_file():
        path.unlink()


def completed_steps(repo: Repo, base: str | None = None) -> list[str]:
    """Step ids committed on HEAD since `base`, oldest first, from the trailers."""
    rev = f"{base}..HEAD" if base else "HEAD"
    out = repo.git(
        "log",
        "--reverse",
        f"--format=%(trailers:key={TRAILER},valueonly,separator=%x2C)%x00",
        rev,
        check=False,
    )
    steps = []
    for record in out.split("\0"):
        for value in record.strip().split(","):
            if value.strip():
                steps.append(value.strip())
    return steps


# -- committing ------------------------------------------------------------
def ignored(repo: Repo, paths: list[str]) -> set[str]:
    if not paths:
        return set()
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-z"],
        cwd=repo.root,
        input="\0".join(paths) + "\0",
        capture_output=True,
        text=True,
    )
    return {p for p in result.stdout.split("\0") if p}


def stage(repo: Repo, paths: list[str]) -> None:
    """Stage these paths (additions, edits, deletions); ignored ones are skipped."""
    skip = ignored(repo, paths)
    wanted = [p for p in paths if p not in skip]
    tracked = set(repo.git("ls-files", "-z", "--", *wanted).split("\0")) if wanted else set()
    existing = [
        p
        for p in wanted
        if (repo.root / p).exists() or (repo.root / p).is_symlink() or p in tracked
    ]
    for start in range(0, len(existing), 500):
        repo.git("add", "-A", "--", *existing[start : start + 500])


def staged_paths(repo: Repo) -> list[str]:
    return [p for p in repo.git("diff", "--cached", "--name-only", "-z").split("\0") if p]


def staged_blob(repo: Repo, path: str) -> bytes:
    result = subprocess.run(["git", "show", f":{path}"], cwd=repo.root, capture_output=True)
    return result.stdout


def _identity(repo: Repo) -> list[str]:
    name = repo.git("config", "user.name", check=False).strip()
    email = repo.git("config", "user.email", check=False).strip()
    env_name = os.environ.get("GIT_AUTHOR_NAME") or os.environ.get("GIT_COMMITTER_NAME")
    if name and email or env_name:
        return []
    return ["-c", f"user.name={FALLBACK_IDENTITY[0]}", "-c", f"user.email={FALLBACK_IDENTITY[1]}"]


def commit(repo: Repo, message: str) -> str:
    """Commit what is staged (hooks skipped: the tool's commits are reviewed as a whole)."""
    repo.git(
        *_identity(repo), "commit", "-q", "--no-verify", "--no-gpg-sign", "-F", "-", input=message
    )
    return head_sha(repo)


def restore_clean(repo: Repo, created: list[str]) -> None:
    """Undo uncommitted work: tracked files back to HEAD, files we created removed."""
    repo.git("reset", "-q", "--hard", "HEAD", check=False)
    tracked = set(repo.git("ls-files", "-z").split("\0"))
    for rel in created:
        if rel in tracked:
            continue
        target = repo.root / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
            folder = target.parent
            while folder != repo.root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent


# -- other repositories (batch runs) -----------------------------------------
def clone(url: str, dest: Path) -> None:
    """Clone a repository for a batch run; a one-line UserError when it fails."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run(
        ["git", "clone", "--quiet", url, str(dest)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise UserError(f"git clone {url} failed: {lines[-1] if lines else 'unknown error'}")


def remote_url(path: Path, remote: str = "origin") -> str | None:
    result = subprocess.run(
        ["git", "-C", str(path), "remote", "get-url", remote], capture_output=True, text=True
    )
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


# -- read-only questions (inspection) -------------------------------------------
def _read(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A read-only git command; `--no-optional-locks` so not even the index
    stat cache is rewritten (inspection leaves the repository byte-identical)."""
    return subprocess.run(
        ["git", "--no-optional-locks", *args], cwd=path, capture_output=True, text=True, check=False
    )


def git_facts(path: Path) -> GitFacts:
    """GitFacts of the repository holding `path`; GitFacts(is_repo=False) outside git."""
    path = Path(path)
    if not path.is_dir():
        return GitFacts()
    try:
        bare = _read(path, "rev-parse", "--is-bare-repository")
    except FileNotFoundError:  # git is not installed
        return GitFacts()
    if bare.returncode != 0:
        return GitFacts()
    if bare.stdout.strip() == "true":
        return GitFacts(is_repo=True, bare=True, root=str(path.resolve()))
    inside = _read(path, "rev-parse", "--is-inside-work-tree")
    if inside.stdout.strip() != "true":  # inside a .git folder
        return GitFacts(is_repo=True, bare=True, root=str(path.resolve()))
    facts = GitFacts(is_repo=True)
    facts.root = _read(path, "rev-parse", "--show-toplevel").stdout.strip()
    branch = _read(path, "symbolic-ref", "--short", "-q", "HEAD")
    facts.branch = (branch.stdout.strip() or None) if branch.returncode == 0 else None
    head = _read(path, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    facts.head = (head.stdout.strip() or None) if head.returncode == 0 else None
    facts.detached = facts.branch is None
    status = _read(path, "status", "--porcelain", "--untracked-files=all")
    facts.dirty = [line for line in status.stdout.splitlines() if line.strip()]
    refs = _read(path, "for-each-ref", "--format=%(refname:short)", "refs/heads/modelw/")
    facts.migration_branches = sorted(
        line.strip() for line in refs.stdout.splitlines() if line.strip()
    )
    return facts


def worktree_files(root: Path) -> list[str] | None:
    """Tracked files plus untracked ones git does not ignore, relative to `root`;
    None outside a git work tree (or without git)."""
    try:
        result = subprocess.run(
            [
                "git",
                "--no-optional-locks",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            cwd=root,
            capture_output=True,
        )
    except FileNotFoundError:
        return None
    if result.returncode != 0:
        return None
    return [raw.decode("utf-8", "surrogateescape") for raw in result.stdout.split(b"\0") if raw]


def init_with_commit(path: Path, message: str, branch: str = "main") -> None:
    """Make a folder a repository with everything committed (the demo project)."""
    identity = ["-c", "user.name=Legacy Dev", "-c", "user.email=legacy@example.com"]
    for args in (
        ["init", "-q", "-b", branch],
        ["add", "-A"],
        ["commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message],
    ):
        subprocess.run(["git", *identity, *args], cwd=path, check=True, capture_output=True)
