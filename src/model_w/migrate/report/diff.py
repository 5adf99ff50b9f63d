"""Unified diffs in git's format, so `git apply` accepts our patch files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from model_w.migrate.changeset import FileChange


def _lines(blob: bytes | None) -> list[str]:
    if not blob:
        return []
    return blob.decode("utf-8").splitlines(keepends=True)


def _mode(mode: int) -> str:
    return f"{mode:06o}"


def file_diff(change: FileChange) -> str:
    """One file's diff with a `diff --git` header (renames and modes included)."""
    old = change.old_path or change.path
    new = change.path
    header = [f"diff --git a/{old} b/{new}\n"]
    kind = change.kind
    if kind == "create":
        header.append(f"new file mode {_mode(change.new_mode)}\n")
    elif kind == "delete":
        header.append(f"deleted file mode {_mode(change.old_mode)}\n")
    else:
        if change.old_mode != change.new_mode:
            header += [
                f"old mode {_mode(change.old_mode)}\n",
                f"new mode {_mode(change.new_mode)}\n",
            ]
        if kind == "rename":
            same = change.before == change.after
            header += [
                f"similarity index {100 if same else 90}%\n",
                f"rename from {old}\n",
                f"rename to {new}\n",
            ]
    if change.is_binary:
        if change.before == change.after:
            return "".join(header)
        return "".join(header) + f"Binary files a/{old} and b/{new} differ\n"
    before, after = _lines(change.before), _lines(change.after)
    if before == after:
        return "".join(header)
    from_name = "/dev/null" if change.before is None else f"a/{old}"
    to_name = "/dev/null" if change.after is None else f"b/{new}"
    body = []
    for line in difflib.unified_diff(before, after, from_name, to_name, n=3):
        if line.startswith(("---", "+++")):
            body.append(line.rstrip("\n") + "\n")
            continue
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        body.append(line)
    return "".join(header + body)


def unified_diff(changes: Iterable[FileChange]) -> str:
    return "".join(file_diff(c) for c in changes)


def diff_stat(changes: Iterable[FileChange]) -> tuple[int, int]:
    """(lines added, lines removed) over text changes."""
    added = removed = 0
    for change in changes:
        if change.is_binary:
            continue
        for line in difflib.unified_diff(_lines(change.before), _lines(change.after), n=0):
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
    return added, removed
