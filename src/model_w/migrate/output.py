"""Consoles for people: colour on a terminal, plain when piped or NO_COLOR."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def color_enabled(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def make_console(stderr: bool = False) -> Console:
    """Colour only on a terminal without NO_COLOR; the terminal's width when
    there is one (NO_COLOR included), else COLUMNS, else 100 columns."""
    stream = sys.stderr if stderr else sys.stdout
    color = color_enabled(stream)
    tty = hasattr(stream, "isatty") and stream.isatty()
    # a terminal, forced colour or an explicit COLUMNS: Rich's own width, wrapped;
    # otherwise (logs, pipes) 100 columns and long lines left whole
    sized = bool(tty or color or os.environ.get("COLUMNS"))
    return Console(
        file=stream,
        stderr=stderr,
        no_color=not color,
        force_terminal=True if color else None,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=not sized,
        width=None if sized else 100,
    )


def console() -> Console:
    return make_console(False)


def console_err() -> Console:
    return make_console(True)
