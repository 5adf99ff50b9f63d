"""`modelw batch`: one recipe over many repositories, and the CI workflow that does it.

Exit codes: 0 every repository is fine (migrated, with follow-ups, blocked
by a follow-up, already migrated); 1 at least one failed; 2 a user error
(bad recipe, missing repository list: nothing was run); 3 a canary run
finished without failure and stopped for review.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model_w.migrate.errors import EXIT_OK, EXIT_PENDING, UserError

EXIT_CANARY = 3
DEFAULT_WORKDIR = "modelw-batch"

STATUS_STYLE = {
    "migrated": "green",
    "already-migrated": "green",
    "nothing-to-do": "green",
    "migrated-with-followups": "cyan",
    "changes-pending": "cyan",
    "blocked": "yellow",
    "failed": "bold red",
    "interrupted": "bold red",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch",
        help="migrate many repositories with one recipe (or emit a CI workflow that does)",
        description="Migrate every repository with the recipe, without questions: local paths"
        " are migrated in place, git URLs cloned into the work folder. Reports (JSON, Markdown,"
        " HTML) land in the work folder.",
    )
    p.add_argument("repos", nargs="*", metavar="REPO", help="local paths or git URLs")
    p.add_argument(
        "--repos",
        dest="repos_file",
        metavar="FILE",
        help="a file with one repository (path or URL) per line; # starts a comment",
    )
    p.add_argument("--recipe", metavar="NAME|FILE", help="a built-in recipe name or a recipe file")
    p.add_argument(
        "--workdir",
        metavar="DIR",
        default=DEFAULT_WORKDIR,
        help=f"work folder for clones, state and reports (default: ./{DEFAULT_WORKDIR})",
    )
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="repositories at once")
    p.add_argument(
        "--failed-only",
        action="store_true",
        help="re-run only the repositories that failed last time (state in the work folder)",
    )
    p.add_argument(
        "--canary",
        type=int,
        metavar="N",
        help="run the first N repositories only, then stop for review (exit code 3)",
    )
    p.add_argument(
        "--emit-ci",
        choices=["github"],
        metavar="github",
        help="print a GitHub Actions workflow running the recipe over the repositories",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="with --emit-ci: write it to FILE")
    p.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def _sources(args: argparse.Namespace) -> list[str]:
    from model_w.migrate.batch import read_repo_file

    sources = list(args.repos)
    if args.repos_file:
        sources += read_repo_file(Path(args.repos_file))
    return sources


def run(args: argparse.Namespace) -> int:
    from model_w.migrate import batch
    from model_w.migrate.batch_state import BatchState
    from model_w.migrate.output import console

    out = console()
    if args.jobs < 1:
        raise UserError("-j must be 1 or more")
    sources = _sources(args)

    if args.emit_ci:
        if not args.recipe:
            raise UserError("--emit-ci needs --recipe", "pass a built-in name or a recipe file")
        from model_w.migrate.recipes import load_recipe

        load_recipe(args.recipe)  # validate now, not in CI
        text = batch.github_workflow(sources, args.recipe, jobs=max(args.jobs, 4))
        if args.output:
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(text, encoding="utf-8")
            out.print(f"Workflow written to {args.output}.", highlight=False)
        else:
            sys.stdout.write(text)
        return EXIT_OK
    if args.output:
        raise UserError("-o only goes with --emit-ci")

    workdir = Path(args.workdir).resolve()
    recipe_source = args.recipe
    if args.failed_only:
        state = BatchState.load(workdir)
        if not state.repos:
            raise UserError(
                f"no earlier batch in {workdir}",
                "run the batch first (or pass the same --workdir)",
            )
        recipe_source = recipe_source or state.recipe
        failed = state.failed_names()
        if sources:
            wanted = {s.name for s in batch.make_specs(sources)}
            failed = [n for n in failed if n in wanted]
        if not failed:
            out.print("No repository failed last time: nothing to re-run.")
            return EXIT_OK
        specs = [
            batch.RepoSpec(
                name=name,
                source=state.repos[name].get("source", name),
                url=state.repos[name].get("url"),
                path=state.repos[name].get("path"),
            )
            for name in failed
        ]
    else:
        if not sources:
            raise UserError("no repositories given", "pass REPO... or --repos FILE")
        specs = batch.make_specs(sources)
    if not recipe_source:
        raise UserError("--recipe is required", "pass a built-in name (full, audit...) or a file")
    from model_w.migrate.recipes import load_recipe

    load_recipe(recipe_source)  # a bad recipe stops the batch before any repository
    if not _is_builtin(recipe_source):
        recipe_source = str(Path(recipe_source).resolve())  # workers run elsewhere

    result = _run_with_progress(out, specs, recipe_source, workdir, args)
    _print_table(out, result.outcomes)
    paths = result.report_paths
    if paths:
        out.print(
            f"Reports: {paths['html']} (also report.md, report.json;"
            f" per repository under {workdir / 'repos'})",
            highlight=False,
            soft_wrap=True,
        )
    if result.failed:
        names = ", ".join(o.name for o in result.failed)
        out.print(
            f"[bold red]{len(result.failed)} repository(ies) failed[/]: {names}."
            f" Fix the cause, then `modelw batch --failed-only --workdir {args.workdir}`.",
            soft_wrap=True,
        )
        return EXIT_PENDING
    if result.canary_stopped:
        out.print(
            f"[bold]Canary done[/]: {len(result.outcomes)} repository(ies) ran, none failed;"
            f" {len(result.remaining)} not started. Review the reports, then run the same"
            " command without --canary.",
            soft_wrap=True,
        )
        return EXIT_CANARY
    return EXIT_OK


def _is_builtin(source: str) -> bool:
    from model_w.migrate.recipes import builtin_names

    return source in builtin_names() and not Path(source).is_file()


def _run_with_progress(out, specs, recipe_source, workdir, args):
    from model_w.migrate import batch
    from model_w.migrate.report.merge import status_label

    total = len(specs) if args.canary is None else min(len(specs), max(args.canary, 0))
    if not out.is_terminal:
        done = {"n": 0}

        def on_event(event: dict) -> None:
            if event["type"] == "done":
                done["n"] += 1
                o = event["outcome"]
                extra = f": {o['error']}" if o.get("error") else ""
                out.print(
                    f"[{done['n']}/{total}] {o['name']}: {status_label(o['status'])}"
                    f" ({o['commits']} commit(s), {o['duration']:.1f} s){extra}",
                    highlight=False,
                    soft_wrap=True,
                )

        return batch.run_batch(
            specs, recipe_source, workdir, args.jobs, args.canary, on_event, args.in_process
        )

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=False,
    ) as progress:
        overall = progress.add_task("[bold]batch", total=total)
        tasks: dict[str, int] = {}

        def on_event(event: dict) -> None:
            name = event["name"]
            if event["type"] == "start":
                tasks[name] = progress.add_task(f"  {name}: starting", total=1)
            elif event["type"] == "phase" and name in tasks:
                progress.update(tasks[name], description=f"  {name}: {event['phase']}")
            elif event["type"] == "done":
                o = event["outcome"]
                style = STATUS_STYLE.get(o["status"], "")
                if name in tasks:
                    progress.update(
                        tasks[name],
                        description=f"  {name}: [{style}]{status_label(o['status'])}[/]",
                        completed=1,
                    )
                progress.advance(overall)

        return batch.run_batch(
            specs, recipe_source, workdir, args.jobs, args.canary, on_event, args.in_process
        )


def _print_table(out, outcomes) -> None:
    from rich.table import Table

    from model_w.migrate.report.merge import status_label

    table = Table(title="Batch", title_justify="left")
    table.add_column("repository", no_wrap=True)
    table.add_column("status")
    table.add_column("commits", justify="right")
    table.add_column("files changed", justify="right")
    table.add_column("follow-ups", justify="right")
    table.add_column("time", justify="right")
    for o in outcomes:
        style = STATUS_STYLE.get(o.status, "")
        followups = str(o.followups) + (f" ({o.blockers} blocker)" if o.blockers else "")
        table.add_row(
            o.name,
            f"[{style}]{status_label(o.status)}[/]",
            str(o.commits),
            str(o.files_changed),
            followups,
            f"{o.duration:.1f} s",
        )
    out.print(table)
    for o in outcomes:
        if o.error:
            out.print(f"[bold red]{o.name}[/]: {o.error}", soft_wrap=True, highlight=False)
