"""Helpers (no tests here): drive questionary through prompt_toolkit's pipe input.

`with answering(ENTER, "abc" + ENTER, DOWN + ENTER): ...` runs the code in
the block with every questionary prompt reading those keys in order. The
keys are all queued before the first prompt starts; prompt_toolkit keeps
what a prompt did not read for the next one. When the keys run out,
the next prompt is interrupted, so a test never waits for keys forever.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
SPACE = " "
CTRL_C = "\x03"
CTRL_U = "\x15"  # clear the line (drop a text prompt's default)


def replace(text: str) -> str:
    """Keys that replace a text prompt's default with `text`."""
    return CTRL_U + text + ENTER


@contextmanager
def answering(*keys: str):
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()  # when the keys run out, the next prompt ends (as on Ctrl-D)
        with create_app_session(input=pipe, output=DummyOutput()):
            yield


def text_console() -> Console:
    """A plain 80-column console whose output the test reads with .file.getvalue()."""
    return Console(file=io.StringIO(), width=80, no_color=True, color_system=None, highlight=False)
