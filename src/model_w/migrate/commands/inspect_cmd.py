"""`modelw inspect [PATH] [--json] [--project-dir DIR]`: the Facts of a repository.

Reads files only (never imports the project, never writes); exit code 0.
The JSON output is the schema documented in docs/inspect-schema.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model_w.migrate.errors import EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "inspect",
        help="show what modelw finds in a Django project (read-only)",
        description="Inspect the Django project in PATH (default: the current folder) without"
        " changing anything: settings, env reads, services, versions, dependencies, front-ends.",
    )
    parser.add_argument("path", nargs="?", default=".", help="the repository (default: .)")
    parser.add_argument(
        "--json", action="store_true", help="print the Facts as JSON (stable schema)"
    )
    parser.add_argument(
        "--project-dir",
        metavar="DIR",
        help="the folder of the Django project when the repo holds several",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from model_w.migrate.inspect import inspect_path

    facts = inspect_path(Path(args.path), args.project_dir)
    if args.json:
        sys.stdout.write(json.dumps(facts.to_json(), indent=2) + "\n")
        return EXIT_OK
    from model_w.migrate.output import console
    from model_w.migrate.report.facts_view import render_facts

    render_facts(console(), facts)
    return EXIT_OK
