"""The `modelw` command line: parses arguments and hands over to a command.

Every error a user can cause is a UserError, printed as one line on stderr
with exit code 2; Ctrl-C exits 130. Tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from model_w.migrate import __version__
from model_w.migrate.errors import EXIT_ERROR, EXIT_INTERRUPTED, UserError
from model_w.migrate.output import console_err

COMMANDS = ("inspect", "migrate", "recipes", "batch", "report")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as for every user error
        raise UserError(f"{message}", f"see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(
        prog="modelw",
        description="Move a legacy Django project onto the Model W architecture.",
    )
    parser.add_argument("--version", action="version", version=f"modelw-migrate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"model_w.migrate.commands.{name}_cmd")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_ERROR
        return int(args.handler(args) or 0)
    except UserError as exc:
        message = str(exc.message)
        if exc.hint:
            message += f"; {exc.hint}"
        console_err().print(
            f"[bold red]modelw: error:[/] {message}", highlight=False, markup=True, soft_wrap=True
        )
        return exc.exit_code
    except KeyboardInterrupt:
        console_err().print("modelw: interrupted", highlight=False, soft_wrap=True)
        return EXIT_INTERRUPTED


def entry() -> None:
    """The `modelw` program: `main`, with garbage-collector settings for one short run."""
    # libcst builds hundreds of thousands of small objects that all live until
    # a codemod ends; with the default thresholds the collector walks the
    # whole heap again and again (a fifth of a large dry-run's time). mypy
    # raises its thresholds the same way.
    gc.set_threshold(200_000, 30, 30)
    code = main()
    # Whatever is left is freed by the operating system at exit; frozen, it is
    # not walked again by the interpreter's last collections (a quarter of a
    # second after a large dry-run).
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
