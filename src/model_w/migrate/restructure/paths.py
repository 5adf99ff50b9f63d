"""Moves of repository paths, and relative paths that must follow them.

`PathMoves([("manage.py", "api/manage.py"), ("blog", "api/blog")])` maps a
repository path to where it went. `rebase(token, old_base, new_base)`
resolves a relative path written in a file (or a command run) in folder
`old_base`, follows the moves, and writes it relative to `new_base`,
keeping the `./` and trailing `/` style of the original.
"""

from __future__ import annotations

import posixpath
import re

PATH_TOKEN = re.compile(
    r"(?<![\w@$%{}.:/=-])(?P<p>(?:\.{1,2}/)*[\w.*-]+(?:/[\w.*-]+)*/?)(?![\w@:/=-])"
)


class PathMoves:
    def __init__(self, moves: list[tuple[str, str]], no_bare: set[str] | None = None) -> None:
        self.moves = sorted(
            ((s.strip("/"), d.strip("/")) for s, d in moves), key=lambda m: -len(m[0])
        )
        # bare words (no slash, no dot) that are module names, not paths (`celery -A blog`)
        self.no_bare = no_bare or set()

    def __bool__(self) -> bool:
        return bool(self.moves)

    def map(self, path: str) -> str | None:
        path = path.strip("/")
        for src, dst in self.moves:
            if path == src:
                return dst
            if src == "" or path.startswith(src + "/"):
                rest = path[len(src) :].lstrip("/") if src else path
                return f"{dst}/{rest}" if dst else rest
        return None

    def tops(self) -> set[str]:
        return {s.split("/")[0] for s, _ in self.moves if s}


def _resolve(token: str, base: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(base or ".", token))
    if joined == ".":
        return ""
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def _relative(target: str, base: str) -> str:
    return posixpath.relpath(target or ".", base or ".")


def rebase(
    token: str, moves: PathMoves, old_base: str = "", new_base: str | None = None, exists=None
) -> str | None:
    """The token rewritten for the moves (and a new cwd), or None if it stays."""
    if new_base is None:
        new_base = old_base
    if not token or token.startswith(("/", "~", "-", "$")) or "://" in token:
        return None
    bare = "/" not in token.rstrip("/")
    if bare and token in moves.no_bare:
        return None
    resolved = _resolve(token, old_base)
    if resolved is None:
        return None
    new = moves.map(resolved)
    if new is None:
        if new_base == old_base:
            return None
        if resolved == "" or exists is None or not exists(resolved):
            return None
        new = resolved
    result = _relative(new, new_base)
    if result == ".":
        result = "."
    if token.startswith("./") and not result.startswith("."):
        result = "./" + result
    if token.endswith("/") and not result.endswith("/"):
        result += "/"
    return result if result != token else None


def rebase_text(
    text: str,
    moves: PathMoves,
    old_base: str = "",
    new_base: str | None = None,
    exists=None,
    bare_ok: bool = True,
) -> str:
    """Every path-like token of a text (a shell command, a pattern list) rebased."""

    def sub(m: re.Match[str]) -> str:
        token = m.group("p")
        if not bare_ok and "/" not in token and "." not in token:
            return token
        if "*" in token and moves.map(token.split("/")[0]) is None:
            return token
        new = rebase(token, moves, old_base, new_base, exists)
        return new if new is not None else token

    return PATH_TOKEN.sub(sub, text)
