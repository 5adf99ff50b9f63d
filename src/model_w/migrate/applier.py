"""Turn a step's Changeset into one commit on the migration branch.

Before committing, every staged blob is checked against the secret values
the steps moved out of the code, and no `.env` file is ever staged: the
tool must never commit a secret. On any failure (or Ctrl-C) the work tree
goes back to the last commit and local files get their old bytes back.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from model_w.migrate import gitops
from model_w.migrate.changeset import Changeset, FileChange
from model_w.migrate.workspace import LOCAL_FILE_NAMES, Workspace, write_changes

MIN_SECRET_LENGTH = 8


class SecretLeak(Exception):
    pass


def commit_message(changeset: Changeset) -> str:
    lines = [f"modelw: {changeset.title}", "", changeset.why.strip()]
    if changeset.followups:
        lines += ["", "Follow-ups:"]
        lines += [f"- [{f.level}] {f.location()}: {f.message}" for f in changeset.followups]
    lines += ["", f"{gitops.TRAILER}: {changeset.step_id}"]
    return "\n".join(lines) + "\n"


def _created_paths(changes: list[FileChange]) -> list[str]:
    return [c.path for c in changes if c.before is None or c.old_path]


def check_no_secrets(repo: gitops.Repo, secrets: set[str]) -> None:
    strong = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
    for path in gitops.staged_paths(repo):
        if PurePosixPath(path).name in LOCAL_FILE_NAMES:
            raise SecretLeak(
                f"refusing to commit {path}: local environment files are never committed"
            )
        if not strong:
            continue
        blob = gitops.staged_blob(repo, path)
        for secret in strong:
            if secret.encode() in blob:
                raise SecretLeak(f"refusing to commit {path}: it still contains a secret value")


def commit_changeset(repo: gitops.Repo, changeset: Changeset, secrets: set[str]) -> str | None:
    """Write the changeset to disk and commit it; None when only local files changed."""
    changes = changeset.changes
    backups = {
        c.path: (repo.root / c.path).read_bytes()
        for c in changes
        if c.local and (repo.root / c.path).is_file()
    }
    try:
        touched = write_changes(repo.root, changes)
        committed = [p for p in touched if PurePosixPath(p).name not in LOCAL_FILE_NAMES]
        gitops.stage(repo, committed)
        check_no_secrets(repo, secrets)
        if not gitops.staged_paths(repo):
            changeset.status = "applied"
            return None
        sha = gitops.commit(repo, commit_message(changeset))
    except BaseException:
        gitops.restore_clean(repo, _created_paths(changes))
        for path, data in backups.items():
            (repo.root / path).write_bytes(data)
        for c in changes:
            if c.local and c.path not in backups and (repo.root / c.path).is_file():
                (repo.root / c.path).unlink()
        raise
    changeset.status = "applied"
    changeset.commit = sha
    return sha


class CommitSink:
    """Commit each step as soon as it is accepted (the wizard's interleaved flow)."""

    def __init__(self, repo: gitops.Repo) -> None:
        self.repo = repo

    def accept(self, changeset: Changeset, workspace: Workspace, secrets: set[str]) -> None:
        if not changeset.changes:
            changeset.status = "unchanged"
            return
        commit_changeset(self.repo, changeset, secrets)
        workspace.reset_to_disk()
