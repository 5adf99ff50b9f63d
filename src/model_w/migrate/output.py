"""Consoles for people: colour on a terminal, plain when piped or NO_COLOR."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from rich.console import Console


def color_enabled(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    color = color_enabled(stream)
    return Console(
        file=stream,
        stderr=stderr,
        no_color=not color,
        force_terminal=color if color else None,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=not color,
        width=None if color else 100,
    )


def console() -> Console:
    return make_console(False)


@lru_cache(maxsize=1)
def _err() -> Console:
    return make_console(True)


def console_err() -> Console:
    return make_console(True)
