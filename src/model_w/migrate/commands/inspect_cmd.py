"""`modelw inspect`."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("inspect", help="(not yet available)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from model_w.migrate.errors import UserError

    raise UserError("`modelw inspect` is not available yet")
