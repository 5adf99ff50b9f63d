"""`modelw report`: merge per-repository JSON reports into one batch report.

For fleets driven by a CI matrix, turbolift or multi-gitter: each
repository's run writes `modelw migrate --recipe R --yes --report X.json`;
`modelw report merge OUT_DIR X.json ...` turns them into report.json,
report.md and report.html (and repos/<name>/report.* per repository).
A file may be given as NAME=PATH to choose the repository's name.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model_w.migrate.errors import EXIT_OK, UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report",
        help="merge per-repository JSON reports into one batch report (JSON, Markdown, HTML)",
    )
    actions = parser.add_subparsers(dest="report_command", metavar="ACTION")
    merge = actions.add_parser(
        "merge", help="merge JSON reports written by `modelw migrate --report` into OUT_DIR"
    )
    merge.add_argument("out_dir", metavar="OUT_DIR")
    merge.add_argument("reports", nargs="+", metavar="[NAME=]REPORT.json")
    merge.add_argument("--title", default="Model W migration batch", help="the report's title")
    render = actions.add_parser(
        "render", help="render one JSON report (per repository) as Markdown and HTML beside it"
    )
    render.add_argument("report", metavar="REPORT.json")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from model_w.migrate.output import console
    from model_w.migrate.report import merge

    out = console()
    action = getattr(args, "report_command", None)
    if action == "merge":
        batch = merge.merge_files([Path(p) for p in args.reports], title=args.title)
        paths = merge.write_batch(batch, Path(args.out_dir))
        summary = batch["summary"]
        counts = ", ".join(f"{n} {merge.status_label(s)}" for s, n in summary["by_status"].items())
        out.print(
            f"Merged {summary['repositories']} report(s) ({counts}) into {paths['html']},"
            f" {paths['md'].name} and {paths['json'].name}.",
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_OK
    if action == "render":
        path = Path(args.report)
        report = merge.read_report(path)
        name = merge.name_for_report(path, report)
        from model_w.migrate.report.html import render_repo_html
        from model_w.migrate.report.markdown import render_repo_markdown

        path.with_suffix(".md").write_text(render_repo_markdown(report, name), encoding="utf-8")
        path.with_suffix(".html").write_text(render_repo_html(report, name), encoding="utf-8")
        out.print(f"Wrote {path.with_suffix('.md')} and {path.with_suffix('.html')}.")
        return EXIT_OK
    raise UserError("modelw report needs an action", "try `modelw report merge OUT_DIR X.json...`")
