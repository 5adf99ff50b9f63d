"""What one step did: file changes and follow-ups. Reports render these."""

from __future__ import annotations

from dataclasses import dataclass, field

FOLLOWUP_LEVELS = ("blocker", "todo", "info")


@dataclass
class FollowUp:
    """Something a person must finish by hand."""

    path: str
    line: int
    message: str
    level: str = "todo"  # blocker, todo or info
    step: str = ""

    def location(self) -> str:
        if not self.path:
            return "(project)"
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "level": self.level,
            "step": self.step,
        }


@dataclass
class FileChange:
    path: str  # path after the step (for a deletion, the deleted path)
    before: bytes | None  # None when the file is created
    after: bytes | None  # None when the file is deleted
    old_path: str | None = None  # set for a rename
    old_mode: int = 0o100644
    new_mode: int = 0o100644
    local: bool = False  # written to disk, never committed (.env)

    @property
    def kind(self) -> str:
        if self.after is None:
            return "delete"
        if self.before is None:
            return "create"
        if self.old_path and self.old_path != self.path:
            return "rename"
        return "modify"

    @property
    def is_binary(self) -> bool:
        for blob in (self.before, self.after):
            if blob is None:
                continue
            if b"\0" in blob[:8000]:
                return True
            try:
                blob.decode("utf-8")
            except UnicodeDecodeError:
                return True
        return False


@dataclass
class Changeset:
    step_id: str
    title: str
    why: str
    changes: list[FileChange] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    status: str = "pending"  # pending, applied, skipped, failed, unchanged, already-applied
    error: str | None = None
    commit: str | None = None

    @property
    def committed_changes(self) -> list[FileChange]:
        return [c for c in self.changes if not c.local]

    @property
    def is_empty(self) -> bool:
        return not self.changes
