"""The Workspace: a view of the repository with an in-memory overlay.

Steps read, write, move and delete files only through it. Nothing touches
the disk until `flush()`, which only the engine calls when applying; a
dry-run and a real run therefore execute the very same step code, and the
preview is exact. `checkpoint()` turns what changed since the last
checkpoint into one FileChange list for the step's Changeset.
"""

from __future__ import annotations

import bisect
import os
import stat
from dataclasses import dataclass, replace
from functools import lru_cache
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
    return _norm_text(path if isinstance(path, str) else os.fspath(path))


@lru_cache(maxsize=65536)
def _norm_text(path: str) -> str:
    wrapped = f"/{path}/"
    if (
        path
        and "//" not in wrapped
        and "/./" not in wrapped
        and "/../" not in wrapped
        and os.sep == "/"
        and os.altsep is None
    ):
        return path  # already normal: what the paths of a work-tree listing are
    text = PurePosixPath(Path(path).as_posix()).as_posix()
    if text in ("", "."):
        return ""
    if text.startswith("/") or text.startswith("../") or "/../" in text:
        raise ValueError(f"path escapes the repository: {path}")
    return text[2:] if text.startswith("./") else text


def _basename(path: str) -> str:
    """Last part of a normalised path (PurePosixPath(path).name, without pathlib)."""
    return path.rsplit("/", 1)[-1]


# What str.split() takes for white space in ASCII text.
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def whitespace_only(before: str, after: str) -> bool:
    """True when two texts differ only in white space."""
    if before == after:
        return False
    if before.isascii() and after.isascii():
        # cheap first: a rewrite that changes visible characters changes their count
        visible = [len(t.encode("ascii").translate(None, _ASCII_SPACE)) for t in (before, after)]
        if visible[0] != visible[1]:
            return False
    return "".join(before.split()) == "".join(after.split())


class Workspace:
    """The overlay over the disk.

    Indexes kept up to date by every write, delete and move: the set of
    current paths (and its sorted list, rebuilt lazily), the paths at the
    last checkpoint, and a read cache of disk files (checked against their
    size and modification time). `files()`, `exists()`, `is_dir()` and
    `move()` therefore cost no walk over the whole tree.
    """

    def __init__(self, root: Path, files: list[str] | None = None) -> None:
        self.root = Path(root).resolve()
        self._root = str(self.root)
        self._base: set[str] = set(
            files if files is not None else list_files(self.root, include_skipped=True)
        )
        self._entries: dict[str, _Entry] = {}
        self._snapshot: dict[str, _Entry] = {}
        self._disk_cache: dict[str, tuple[int, int, bytes]] = {}
        self._skipped: dict[str, bool] = {}
        self._reindex()

    # -- indexes -------------------------------------------------------------
    def _reindex(self) -> None:
        """Rebuild the path indexes from the base listing and the overlay."""
        self._current = self._apply_layer(self._entries)
        self._at_snapshot = self._apply_layer(self._snapshot)
        self._sorted: list[str] | None = None
        self._version = getattr(self, "_version", 0) + 1
        self._pending: tuple[int, list[FileChange]] | None = None

    def _apply_layer(self, layer: dict[str, _Entry]) -> set[str]:
        current = set(self._base)
        for path, entry in layer.items():
            if entry.deleted:
                current.discard(path)
            else:
                current.add(path)
        return current

    def _touch(self) -> None:
        self._version += 1

    def _set_entry(self, path: str, entry: _Entry) -> None:
        self._entries[path] = entry
        if entry.deleted:
            if path in self._current:
                self._current.discard(path)
                self._sorted = None
        elif path not in self._current:
            self._current.add(path)
            self._sorted = None
        self._touch()

    def _all_sorted(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._current)
        return self._sorted

    def _is_skipped(self, path: str) -> bool:
        skipped = self._skipped.get(path)
        if skipped is None:
            skipped = self._skipped[path] = is_skipped(path, self.root)
        return skipped

    def _read_disk(self, path: str) -> bytes:
        """A disk file's bytes, read once while its size and mtime stay the same."""
        full = os.path.join(self._root, path)
        st = os.stat(full)
        cached = self._disk_cache.get(path)
        if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        with open(full, "rb") as handle:
            data = handle.read()
        self._disk_cache[path] = (st.st_mtime_ns, st.st_size, data)
        return data

    # -- reading -----------------------------------------------------------
    def exists(self, path: str) -> bool:
        return self._exists(_norm(path))

    def _exists(self, path: str) -> bool:
        entry = self._entries.get(path)
        if entry is not None:
            return not entry.deleted
        return path in self._base or os.path.isfile(os.path.join(self._root, path))

    def is_dir(self, path: str) -> bool:
        prefix = _norm(path)
        if not prefix:
            return bool(self._current)
        prefix = f"{prefix}/"
        files = self._all_sorted()
        index = bisect.bisect_left(files, prefix)
        return index < len(files) and files[index].startswith(prefix)

    def files(self, under: str = "", include_skipped: bool = False) -> list[str]:
        """Current files, sorted; build and dependency folders left out unless asked."""
        prefix = _norm(under)
        prefix = f"{prefix}/" if prefix else ""
        files = self._all_sorted()
        if prefix:
            start = bisect.bisect_left(files, prefix)
            end = bisect.bisect_left(files, prefix[:-1] + "0", start)  # "0" follows "/"
            result = files[start:end]
        else:
            result = list(files)
        if not include_skipped:
            result = [p for p in result if not self._is_skipped(p)]
        return result

    def read_bytes(self, path: str) -> bytes:
        path = _norm(path)
        entry = self._entries.get(path)
        if entry is not None:
            if entry.deleted:
                raise FileNotFoundError(path)
            if entry.data is not None:
                return entry.data
            return self._read_disk(entry.disk_src)  # type: ignore[arg-type]
        return self._read_disk(path)

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
            st = os.lstat(os.path.join(self._root, path))
        except FileNotFoundError:
            return REGULAR
        if stat.S_ISLNK(st.st_mode):
            return 0o120000
        return EXECUTABLE if st.st_mode & 0o111 else REGULAR

    def is_local(self, path: str) -> bool:
        path = _norm(path)
        entry = self._entries.get(path)
        return (entry.local if entry else False) or _basename(path) in LOCAL_FILE_NAMES

    def in_repository(self, path: str) -> bool:
        """True when git tracks the file (or would add it: untracked, not ignored),
        as opposed to a file only this run wrote or an ignored one."""
        return _norm(path) in self._base

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
        local = local or _basename(path) in LOCAL_FILE_NAMES
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
        self._set_entry(
            path,
            _Entry(data=data, mode=new_mode, local=local, moved_from=moved_from, origin=origin),
        )
        return True

    def delete(self, path: str) -> None:
        path = _norm(path)
        if not self.exists(path):
            raise FileNotFoundError(path)
        self._set_entry(path, _Entry(deleted=True))

    def move(self, src: str, dst: str) -> list[tuple[str, str]]:
        """Move a file or a folder; never overwrites. Returns the file moves made."""
        return self.move_many([(src, dst)])

    def _expand(self, src: str, dst: str) -> list[tuple[str, str]]:
        if src == dst:
            return []
        if self._exists(src):
            return [(src, dst)]
        prefix = f"{src}/" if src else ""
        pairs = [
            (f, dst + "/" + f[len(prefix) :] if dst else f[len(prefix) :])
            for f in self.files(src, include_skipped=True)
        ]
        if not pairs:
            raise FileNotFoundError(src)
        return pairs

    def move_many(self, moves: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Move files and folders, one after the other; returns every file move made.

        Same result as calling `move` for each pair in order, without a walk
        over the tree per move. A missing source or a clash raises before
        anything of that move is changed (earlier moves stay done).
        """
        done: list[tuple[str, str]] = []
        for src, dst in moves:
            pairs = self._expand(_norm(src), _norm(dst))
            if not pairs:
                continue
            olds = {old for old, _ in pairs}
            clashes = [new for _, new in pairs if new not in olds and self._exists(new)]
            if clashes:
                raise FileExistsError(clashes[0])
            moved: dict[str, _Entry] = {}
            for old, new in pairs:
                entry = self._entries.get(old)
                if entry is None:
                    entry = _Entry(
                        disk_src=old,
                        mode=self._disk_mode(old),
                        local=_basename(old) in LOCAL_FILE_NAMES,
                        moved_from=old,
                        origin=old,
                    )
                else:
                    entry = replace(
                        entry,
                        moved_from=entry.moved_from or (old if old in self._at_snapshot else None),
                        origin=entry.origin or (old if old in self._base else None),
                    )
                moved[new] = entry
            for old in olds:
                self._set_entry(old, _Entry(deleted=True))
            for new, entry in moved.items():
                self._set_entry(new, entry)
            done += pairs
        return done

    def _snapshot_paths(self) -> set[str]:
        """Paths that existed at the last checkpoint."""
        return set(self._at_snapshot)

    # -- checkpoints -------------------------------------------------------
    def _content_in(self, layer: dict[str, _Entry], path: str) -> tuple[bytes | None, int]:
        """Content of a path in an overlay layer over the disk ({} = the disk)."""
        entry = layer.get(path)
        if entry is not None:
            if entry.deleted:
                return None, REGULAR
            data = entry.data if entry.data is not None else self._read_disk(entry.disk_src)  # type: ignore[arg-type]
            return data, entry.mode
        if path in self._base or os.path.isfile(os.path.join(self._root, path)):
            return self._read_disk(path), self._disk_mode(path)
        return None, REGULAR

    def _changes_since(self, layer: dict[str, _Entry], source_of) -> list[FileChange]:
        # a path holding the very same entry in both layers did not change
        touched = {p for p, e in self._entries.items() if layer.get(p) is not e}
        touched.update(p for p, e in layer.items() if self._entries.get(p) is not e)
        changes: list[FileChange] = []
        paired: set[str] = set()
        for path in sorted(touched):
            entry = self._entries.get(path)
            src = source_of(entry) if entry is not None and not entry.deleted else None
            if not src or src == path or self._exists(src):
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
        """What changed since the last checkpoint, renames paired.

        Computed once per state of the overlay: asking again without a
        write, delete or move in between returns the same list.
        """
        if self._pending is not None and self._pending[0] == self._version:
            return list(self._pending[1])
        changes = self._changes_since(self._snapshot, lambda e: e.moved_from)
        self._pending = (self._version, changes)
        return list(changes)

    def total_changes(self) -> list[FileChange]:
        """Everything the overlay changes against the disk: one patch for all steps."""
        return self._changes_since({}, lambda e: e.origin)

    def checkpoint(self) -> list[FileChange]:
        """Close one step: return its changes and start counting anew."""
        changes = self.pending_changes()
        self._entries = {
            p: (replace(e, moved_from=None) if e.moved_from is not None else e)
            for p, e in self._entries.items()
        }
        self._snapshot = dict(self._entries)
        self._at_snapshot = set(self._current)
        self._touch()
        self._pending = (self._version, [])
        return changes

    def rollback(self) -> None:
        """Drop everything since the last checkpoint (a failed or skipped step)."""
        self._entries = dict(self._snapshot)
        self._reindex()

    def reset_to_disk(self) -> None:
        """Forget the overlay and list the files again (after a commit)."""
        self._base = set(list_files(self.root, include_skipped=True))
        self._entries = {}
        self._snapshot = {}
        self._disk_cache = {}
        self._skipped = {}
        self._reindex()

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
        for path in touched:
            self._disk_cache.pop(path, None)
        self._reindex()
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
