"""The Workspace: a view of the repository with an in-memory overlay.

Steps read, write, move and delete files only through it. Nothing touches
the disk until `flush()`, which only the engine calls when applying; a
dry-run and a real run therefore execute the very same step code, and the
preview is exact. `checkpoint()` turns what changed since the last
checkpoint into one FileChange list for the step's Changeset.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from model_w.migrate.changeset import FileChange
from model_w.migrate.errors import UserError
from model_w.migrate.repo_files import is_skipped, list_files

EXECUTABLE = 0o100755
REGULAR = 0o100644

# Files that hold local values or secrets: written to disk, never committed.
LOCAL_FILE_NAMES = frozenset({".env"})


class NotUtf8Error(UserError):
    pass


@dataclass(frozen=True)
class _Entry:
    """The overlay's state of one path.

    data is None with disk_src set: unchanged content of that disk file
    (a moved file not read yet). deleted: the path is gone.
    moved_from: the path this content had at the last checkpoint.
    """

    data: bytes | None = None
    disk_src: str | None = None
    mode: int = REGULAR
    deleted: bool = False
    local: bool = False
    moved_from: str | None = None
    origin: str | None = None  # disk path this content came from, kept across checkpoints


def _norm(path: str | os.PathLike[str]) -> str:
    text = PurePosixPath(Path(path).as_posix()).as_posix()
    if text in ("", "."):
        return ""
    if text.startswith("/") or text.startswith("../") or "/../" in text:
        raise ValueError(f"path escapes the repository: {path}")
    return text[2:] if text.startswith("./") else text


def whitespace_only(before: str, after: str) -> bool:
    """True when two texts differ only in white space."""
    return before != after and "".join(before.split()) == "".join(after.split())


class Workspace:
    def __init__(self, root: Path, files: list[str] | None = None) -> None:
        self.root = Path(root).resolve()
        self._base: set[str] = set(
            files if files is not None else list_files(self.root, include_skipped=True)
        )
        self._entries: dict[str, _Entry] = {}
        self._snapshot: dict[str, _Entry] = {}

    # -- reading -----------------------------------------------------------
    def exists(self, path: str) -> bool:
        path = _norm(path)
        entry = self._entries.get(path)
        if entry is not None:
            return not entry.deleted
        return path in self._base or (self.root / path).is_file()

    def is_dir(self, path: str) -> bool:
        prefix = _norm(path)
        prefix = f"{prefix}/" if prefix else ""
        return any(f.startswith(prefix) for f in self.files(include_skipped=True))

    def files(self, under: str = "", include_skipped: bool = False) -> list[str]:
        """Current files, sorted; build and dependency folders left out unless asked."""
        prefix = _norm(under)
        prefix = f"{prefix}/" if prefix else ""
        current = set(self._base)
        for path, entry in self._entries.items():
            if entry.deleted:
                current.discard(path)
            else:
                current.add(path)
        result = [p for p in current if p.startswith(prefix)]
        if not include_skipped:
            result = [p for p in result if not is_skipped(p, self.root)]
        return sorted(result)

    def read_bytes(self, path: str) -> bytes:
        path = _norm(path)
        entry = self._entries.get(path)
        if entry is not None:
            if entry.deleted:
                raise FileNotFoundError(path)
            if entry.data is not None:
                return entry.data
            return (self.root / entry.disk_src).read_bytes()  # type: ignore[operator]
        return (self.root / path).read_bytes()

    def read(self, path: str) -> str:
        data = self.read_bytes(path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise NotUtf8Error(
                f"{_norm(path)}:{line}: file is not UTF-8",
                "convert it to UTF-8 (e.g. with iconv) and run again",
            ) from None

    def mode(self, path: str) -> int:
        path = _norm(path)
        entry = self._entries.get(path)
        if entry is not None:
            return entry.mode
        return self._disk_mode(path)

    def _disk_mode(self, path: str) -> int:
        try:
            st = os.lstat(self.root / path)
        except FileNotFoundError:
            return REGULAR
        if stat.S_ISLNK(st.st_mode):
            return 0o120000
        return EXECUTABLE if st.st_mode & 0o111 else REGULAR

    def is_local(self, path: str) -> bool:
        path = _norm(path)
        entry = self._entries.get(path)
        return (entry.local if entry else False) or PurePosixPath(path).name in LOCAL_FILE_NAMES

    # -- writing -----------------------------------------------------------
    def write(
        self, path: str, text: str, *, executable: bool | None = None, local: bool = False
    ) -> bool:
        """Create or replace a text file; False when nothing would change.

        A change that is only white space is never written.
        """
        return self.write_bytes(path, text.encode("utf-8"), executable=executable, local=local)

    def write_bytes(
        self, path: str, data: bytes, *, executable: bool | None = None, local: bool = False
    ) -> bool:
        path = _norm(path)
        local = local or PurePosixPath(path).name in LOCAL_FILE_NAMES
        existing = self._entries.get(path)
        if self.exists(path):
            old = self.read_bytes(path)
            old_mode = self.mode(path)
            new_mode = old_mode if executable is None else (EXECUTABLE if executable else REGULAR)
            if old_mode != 0o120000 and new_mode == old_mode:
                if old == data:
                    return False
                try:
                    if whitespace_only(old.decode("utf-8"), data.decode("utf-8")):
                        return False
                except UnicodeDecodeError:
                    pass
            moved_from = existing.moved_from if existing else None
            origin = existing.origin if existing else None
        else:
            new_mode = EXECUTABLE if executable else REGULAR
            moved_from = origin = None
        self._entries[path] = _Entry(
            data=data, mode=new_mode, local=local, moved_from=moved_from, origin=origin
        )
        return True

    def delete(self, path: str) -> None:
        path = _norm(path)
        if not self.exists(path):
            raise FileNotFoundError(path)
        self._entries[path] = _Entry(deleted=True)

    def move(self, src: str, dst: str) -> list[tuple[str, str]]:
        """Move a file or a folder; never overwrites. Returns the file moves made."""
        src, dst = _norm(src), _norm(dst)
        if src == dst:
            return []
        if self.exists(src):
            pairs = [(src, dst)]
        else:
            prefix = f"{src}/" if src else ""
            pairs = [
                (f, dst + "/" + f[len(prefix) :] if dst else f[len(prefix) :])
                for f in self.files(src, include_skipped=True)
            ]
            if not pairs:
                raise FileNotFoundError(src)
        clashes = [
            new for old, new in pairs if self.exists(new) and new not in {o for o, _ in pairs}
        ]
        if clashes:
            raise FileExistsError(clashes[0])
        moved: dict[str, _Entry] = {}
        at_snapshot = self._snapshot_paths()
        for old, new in pairs:
            entry = self._entries.get(old)
            if entry is None:
                entry = _Entry(
                    disk_src=old,
                    mode=self._disk_mode(old),
                    local=self.is_local(old),
                    moved_from=old,
                    origin=old,
                )
            else:
                entry = replace(
                    entry,
                    moved_from=entry.moved_from or (old if old in at_snapshot else None),
                    origin=entry.origin or (old if old in self._base else None),
                )
            moved[new] = entry
        for old, _ in pairs:
            self._entries[old] = _Entry(deleted=True)
        self._entries.update(moved)
        return pairs

    def _snapshot_paths(self) -> set[str]:
        """Paths that existed at the last checkpoint."""
        current = set(self._base)
        for path, entry in self._snapshot.items():
            if entry.deleted:
                current.discard(path)
            else:
                current.add(path)
        return current

    # -- checkpoints -------------------------------------------------------
    def _content_in(self, layer: dict[str, _Entry], path: str) -> tuple[bytes | None, int]:
        """Content of a path in an overlay layer over the disk ({} = the disk)."""
        entry = layer.get(path)
        if entry is not None:
            if entry.deleted:
                return None, REGULAR
            data = (
                entry.data if entry.data is not None else (self.root / entry.disk_src).read_bytes()
            )  # type: ignore[operator]
            return data, entry.mode
        if path in self._base or (self.root / path).is_file():
            return (self.root / path).read_bytes(), self._disk_mode(path)
        return None, REGULAR

    def _changes_since(self, layer: dict[str, _Entry], source_of) -> list[FileChange]:
        touched = set(self._entries) | set(layer)
        changes: list[FileChange] = []
        paired: set[str] = set()
        for path in sorted(touched):
            entry = self._entries.get(path)
            src = source_of(entry) if entry is not None and not entry.deleted else None
            if not src or src == path or self.exists(src):
                continue
            before, old_mode = self._content_in(layer, src)
            if before is None:
                continue
            after, new_mode = self._content_in(self._entries, path)
            paired.update((src, path))
            changes.append(
                FileChange(
                    path,
                    before,
                    after,
                    old_path=src,
                    old_mode=old_mode,
                    new_mode=new_mode,
                    local=entry.local,
                )  # type: ignore[union-attr]
            )
        for path in sorted(touched - paired):
            before, old_mode = self._content_in(layer, path)
            after, new_mode = self._content_in(self._entries, path)
            if before == after and old_mode == new_mode:
                continue
            changes.append(
                FileChange(
                    path,
                    before,
                    after,
                    old_mode=old_mode,
                    new_mode=new_mode,
                    local=self.is_local(path),
                )
            )
        changes.sort(key=lambda c: c.path)
        return changes

    def pending_changes(self) -> list[FileChange]:
        """What changed since the last checkpoint, renames paired."""
        return self._changes_since(self._snapshot, lambda e: e.moved_from)

    def total_changes(self) -> list[FileChange]:
        """Everything the overlay changes against the disk: one patch for all steps."""
        return self._changes_since({}, lambda e: e.origin)

    def checkpoint(self) -> list[FileChange]:
        """Close one step: return its changes and start counting anew."""
        changes = self.pending_changes()
        self._entries = {p: replace(e, moved_from=None) for p, e in self._entries.items()}
        self._snapshot = dict(self._entries)
        return changes

    def rollback(self) -> None:
        """Drop everything since the last checkpoint (a failed or skipped step)."""
        self._entries = dict(self._snapshot)

    def reset_to_disk(self) -> None:
        """Forget the overlay and list the files again (after a commit)."""
        self._base = set(list_files(self.root, include_skipped=True))
        self._entries = {}
        self._snapshot = {}

    # -- applying ----------------------------------------------------------
    def flush(self, changes: list[FileChange]) -> list[str]:
        """Write one checkpoint's changes to disk; returns every path touched.

        After this the disk is the truth: the overlay is emptied.
        """
        touched = write_changes(self.root, changes)
        for change in changes:
            if change.old_path:
                self._base.discard(change.old_path)
            if change.after is None:
                self._base.discard(change.path)
            else:
                self._base.add(change.path)
        self._entries = {}
        self._snapshot = {}
        return touched


def write_changes(root: Path, changes: list[FileChange]) -> list[str]:
    """Make the disk match a list of changes computed against it.

    Renames move the disk file first (so its mode follows), then contents
    are written, then deletions happen. Returns every path touched.
    """
    touched: list[str] = []
    for change in changes:
        if change.old_path and change.old_path != change.path:
            src, dst = root / change.old_path, root / change.path
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.exists() or src.is_symlink():
                os.rename(src, dst)
                _remove_empty_parents(src.parent, root)
            touched += [change.old_path, change.path]
    for change in changes:
        target = root / change.path
        if change.after is None:
            if target.exists() or target.is_symlink():
                target.unlink()
                _remove_empty_parents(target.parent, root)
            touched.append(change.path)
            continue
        if change.new_mode == 0o120000:
            touched.append(change.path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != change.after:
            target.write_bytes(change.after)
        target.chmod(0o755 if change.new_mode == EXECUTABLE else 0o644)
        touched.append(change.path)
    return sorted(set(touched))


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
