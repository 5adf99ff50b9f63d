"""The path rules of mounting Django under `/back` (model-w.md part 2, section 6).

Plain string functions, shared by the back-routing codemods and the step that
runs them (which also applies them to templates), and free of libcst so that
using them costs no parse framework.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PREFIX = "back"
_CATCH_ALL_REGEXES = {"", "^", "^$", ".*", "^.*", "^.*$", "^(.*)$", "^(.*)", "(.*)"}
_REGEX_META = set(".^$*+?{}[]\\|()")


def first_segment(route: str, regex: bool) -> str | None:
    """The literal first path segment of a route ("admin" for "admin/"), or None."""
    text = route
    if regex:
        text = text[2:] if text.startswith("\\A") else text.lstrip("^")
    match = re.match(r"[A-Za-z0-9_-]+" if regex else r"[A-Za-z0-9_.~-]+", text)
    if not match:
        return None
    rest = text[match.end() :]
    if rest == "" or rest[0] == "/" or (regex and rest[0] == "$"):
        return match.group()
    return None


def already_mounted(route: str, regex: bool) -> bool:
    text = route.lstrip("^") if regex else route
    return (
        text == PREFIX or text.startswith(f"{PREFIX}/") or (regex and text.startswith(f"{PREFIX}$"))
    )


def is_catch_all(route: str, regex: bool) -> bool:
    if regex:
        if route in _CATCH_ALL_REGEXES:
            return True
        return bool(re.fullmatch(r"\^?\(\?P<\w+>\.\*\)\$?", route))
    return route == "" or bool(re.fullmatch(r"<path:\w+>/?", route))


def mount(route: str, regex: bool) -> str:
    """The route with `back/` in front, keeping a regex anchor in place."""
    if regex:
        for anchor in ("^", "\\A"):
            if route.startswith(anchor):
                return f"{anchor}{PREFIX}/{route[len(anchor) :]}"
        return f"{PREFIX}/{route}"
    return f"{PREFIX}/{route}"


# settings holding file-system paths, never URLs
FILESYSTEM_SUFFIXES = ("ROOT", "DIR", "DIRS", "PATH", "FILE", "FILES")


def mount_path(value: str, segments: Sequence[str]) -> str | None:
    """ "/admin/x" -> "/back/admin/x" when "admin" is a Django segment; None otherwise.

    Also handles a relative MEDIA_URL-style "media/" and a regex "^/api/".
    """
    for lead in ("^/", "/", ""):
        if not value.startswith(lead):
            continue
        rest = value[len(lead) :]
        if lead == "" and not rest.endswith("/"):
            return None  # a bare word is not a path
        segment = re.match(r"[A-Za-z0-9_.~-]+", rest)
        if segment is None or segment.group() not in segments or segment.group() == PREFIX:
            return None
        tail = rest[segment.end() :]
        if tail and tail[0] not in "/?#$":
            return None
        return f"{lead}{PREFIX}/{rest}"
    return None
