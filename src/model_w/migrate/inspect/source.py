"""A read-only, caching view of the workspace for the inspectors.

Every inspector reads through it, so a file is read and parsed once per
inspection, and only through the Workspace (which may hold an in-memory
overlay between steps). Python is parsed with `ast`, never imported.
"""

from __future__ import annotations

import ast
import posixpath
import weakref
from dataclasses import dataclass

from model_w.migrate.errors import UserError
from model_w.migrate.pyast import assigned_name, dotted_name  # noqa: F401  (shared helpers)
from model_w.migrate.workspace import Workspace

# SyntaxError messages that only Python 2 code produces, and what to call them.
PY2_MARKERS = (
    ("Missing parentheses in call to 'print'", "print statement"),
    ("Missing parentheses in call to 'exec'", "exec statement"),
    ("multiple exception types must be parenthesized", "'except X, e' clause"),
    ("leading zeros in decimal integer literals", "old-style octal literal"),
)


@dataclass
class ParseFailure:
    """Why a Python file could not be parsed: 'path:line: message'."""

    path: str
    line: int
    message: str
    python2: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def describe_syntax_error(path: str, text: str, exc: SyntaxError) -> ParseFailure:
    line = exc.lineno or 0
    message = exc.msg or "invalid syntax"
    for marker, name in PY2_MARKERS:
        if marker in message:
            return ParseFailure(path, line, f"Python 2 syntax ({name}): {message}", True)
    source_line = text.splitlines()[line - 1].strip() if 0 < line <= len(text.splitlines()) else ""
    if source_line.startswith(("print ", "exec ")) or "`" in source_line or "<>" in source_line:
        return ParseFailure(path, line, f"Python 2 syntax: {message}", True)
    return ParseFailure(path, line, f"syntax error: {message}")


# Parse results of earlier inspections of the same workspace, by path: the
# engine inspects again after every step, and most files did not change.
# A tree is reused only for the very same text; inspectors never modify trees.
_PARSED: weakref.WeakKeyDictionary[Workspace, dict[str, tuple[str, ast.Module | ParseFailure]]]
_PARSED = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Raised:
    """A recorded answer that was an exception (a missing or non-UTF-8 file)."""

    kind: type


class RepoView:
    """Files of the workspace, their text and their Python syntax trees, cached."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.files: list[str] = ws.files()
        self.file_set = set(self.files)
        self._text: dict[str, str | None] = {}
        self._trees: dict[str, ast.Module | ParseFailure] = {}
        self._by_name: dict[str, list[str]] | None = None
        # every question asked of the workspace beyond the file list, and its
        # answer: an inspection whose questions get the same answers again
        # yields the same Facts (see inspector.inspect_workspace)
        self.asked: dict[tuple[str, str], object] = {}
        try:
            self._parsed = _PARSED.setdefault(ws, {})
        except TypeError:  # a stand-in workspace without weak references
            self._parsed = {}

    def exists(self, path: str) -> bool:
        """Listed in the repository: git-ignored files do not count (see `exists_locally`)."""
        return path in self.file_set

    def exists_locally(self, path: str) -> bool:
        """Present, even if git-ignored: for local files such as `.env`."""
        return path in self.file_set or self._ask("exists", path)

    def mode(self, path: str) -> int:
        return self._ask("mode", path)  # type: ignore[return-value]

    def text(self, path: str) -> str:
        """UTF-8 text; a file that is not UTF-8 raises the workspace's UserError."""
        if path not in self._text:
            self._text[path] = self._ask("read", path)  # type: ignore[assignment]
        value = self._text[path]
        assert value is not None
        return value

    def _ask(self, what: str, path: str) -> object:
        """`ws.exists`, `ws.mode` or `ws.read` of a path, with its answer recorded."""
        try:
            answer = getattr(self.ws, what)(path)
        except Exception as exc:
            self.asked[(what, path)] = _Raised(type(exc))
            raise
        self.asked[(what, path)] = answer
        return answer

    @staticmethod
    def same_answers(asked: dict[tuple[str, str], object], ws: Workspace) -> bool:
        """True when the workspace answers every recorded question as before."""
        for (what, path), answer in asked.items():
            try:
                again = getattr(ws, what)(path)
            except Exception as exc:
                again = _Raised(type(exc))
            if again != answer:
                return False
        return True

    def text_or_none(self, path: str) -> str | None:
        """Text of a file that matters little: None when missing or not UTF-8."""
        try:
            return self.text(path)
        except (OSError, ValueError, UserError):  # NotUtf8Error is a UserError
            return None

    def tree(self, path: str) -> ast.Module | ParseFailure:
        if path not in self._trees:
            text = self.text(path)
            earlier = self._parsed.get(path)
            if earlier is not None and earlier[0] == text:
                self._trees[path] = earlier[1]
                return earlier[1]
            try:
                self._trees[path] = ast.parse(text, filename=path)
            except SyntaxError as exc:
                self._trees[path] = describe_syntax_error(path, text, exc)
            self._parsed[path] = (text, self._trees[path])
        return self._trees[path]

    def parsed(self, path: str) -> ast.Module | None:
        tree = self.tree(path)
        return tree if isinstance(tree, ast.Module) else None

    def named(self, name: str) -> list[str]:
        """Files with this base name anywhere in the repository."""
        if self._by_name is None:
            self._by_name = {}
            for f in self.files:
                self._by_name.setdefault(posixpath.basename(f), []).append(f)
        return list(self._by_name.get(name, ()))

    def module_file(self, import_root: str, dotted: str) -> str | None:
        """The file of a dotted module under an import root (module.py or package)."""
        base = join(import_root, dotted.replace(".", "/"))
        for candidate in (base + ".py", base + "/__init__.py"):
            if self.exists(candidate):
                return candidate
        return None

    def is_package_dir(self, folder: str) -> bool:
        prefix = folder + "/" if folder else ""
        return any(self.exists(prefix + n) for n in ("__init__.py", "apps.py", "models.py"))


def join(*parts: str) -> str:
    """POSIX join that drops empty parts ('' is the repository root)."""
    return "/".join(p.strip("/") for p in parts if p and p.strip("/"))


def dirname(path: str) -> str:
    return posixpath.dirname(path)


def normalize(path: str) -> str | None:
    """Normalise a repo-relative path; None when it leaves the repository."""
    result = posixpath.normpath(path) if path else ""
    if result == ".":
        return ""
    if result.startswith("../") or result == ".." or result.startswith("/"):
        return None
    return result


def str_const(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None
