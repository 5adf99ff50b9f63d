"""`modelw migrate`."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("migrate", help="(not yet available)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from model_w.migrate.errors import UserError

    raise UserError("`modelw migrate` is not available yet")
