"""`modelw migrate`: preview (--dry-run), apply (--yes / --recipe), the wizard, --abort.

Exit codes: 0 done or nothing to change; 1 dry-run with pending changes,
or a step failed (the branch stays at its last good commit); 2 a user
error (nothing changed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model_w.migrate.answers import DEFAULT_BRANCH
from model_w.migrate.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_PENDING, UserError
from model_w.migrate.output import console


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "migrate",
        help="migrate a Django project to Model W (wizard, --dry-run or --yes)",
        description="Migrate the Django project in PATH (default: the current folder) to Model W,"
        " one commit per step on a new branch.",
    )
    p.add_argument("path", nargs="?", default=".", help="the repository (default: .)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", action="store_true", help="show the whole change as a diff; write nothing"
    )
    mode.add_argument(
        "--abort",
        action="store_true",
        help="go back to the original branch and delete the migration branch",
    )
    p.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="apply without questions, with the default answers (or the recipe's)",
    )
    p.add_argument(
        "--recipe",
        metavar="FILE",
        help="answers and steps from a recipe (YAML); implies no questions",
    )
    p.add_argument("--branch", metavar="NAME", help=f"migration branch (default: {DEFAULT_BRANCH})")
    p.add_argument(
        "--project-dir",
        metavar="DIR",
        help="the folder of the Django project when the repo holds several",
    )
    p.add_argument(
        "--modelw-release",
        metavar="RELEASE",
        help="target Model W release (default: chosen from the project)",
    )
    p.add_argument(
        "--only", metavar="STEPS", help="comma-separated step ids to run (others are skipped)"
    )
    p.add_argument("--skip", metavar="STEPS", help="comma-separated step ids to leave out")
    p.add_argument(
        "--patch", metavar="FILE", help="with --dry-run: write one patch that `git apply` accepts"
    )
    p.add_argument("--report", metavar="FILE", help="write a JSON report of the run")
    p.add_argument(
        "--save-recipe",
        metavar="FILE",
        help="write the answers as a recipe that replays this migration",
    )
    p.add_argument(
        "--no-diff", action="store_true", help="do not print diffs (summary and follow-ups only)"
    )
    p.add_argument(
        "--demo", action="store_true", help="run on a bundled legacy project copied into a temp dir"
    )
    p.set_defaults(handler=run)


def _overrides(args: argparse.Namespace) -> dict:
    from model_w.migrate.steps import step_ids

    overrides: dict = {}
    if args.recipe:
        from model_w.migrate.recipes import load_recipe

        overrides.update(load_recipe(Path(args.recipe)).answers_overrides())
    if args.branch:
        overrides["branch"] = args.branch
    if args.modelw_release:
        from model_w.migrate.knowledge import available_releases

        if args.modelw_release not in available_releases():
            known = ", ".join(available_releases())
            raise UserError(
                f"unknown Model W release '{args.modelw_release}'", f"choose one of {known}"
            )
        overrides["modelw_release"] = args.modelw_release
    known_steps = step_ids()
    for flag, key in (("only", "steps"), ("skip", "exclude_steps")):
        value = getattr(args, flag)
        if value:
            ids = [s.strip() for s in value.split(",") if s.strip()]
            for step_id in ids:
                if step_id not in known_steps:
                    from difflib import get_close_matches

                    close = get_close_matches(step_id, known_steps, n=1)
                    hint = (
                        f"did you mean '{close[0]}'?"
                        if close
                        else f"known steps: {', '.join(known_steps)}"
                    )
                    raise UserError(f"--{flag}: unknown step '{step_id}'", hint)
            overrides[key] = ids
    return overrides


def run(args: argparse.Namespace) -> int:
    from model_w import migrate as pkg  # noqa: F401  (keeps import errors out of arg parsing)
    from model_w.migrate import migration

    out = console()
    branch = args.branch or DEFAULT_BRANCH
    if args.recipe:
        from model_w.migrate.recipes import load_recipe

        if load_recipe(Path(args.recipe)).is_audit:
            args.dry_run = True  # an audit recipe previews and reports only, never writes
            args.yes = False
    if args.patch and not args.dry_run:
        raise UserError("--patch only goes with --dry-run", "add --dry-run")
    path = Path(args.path)
    if args.demo:
        from model_w.migrate.demo import make_demo_repo

        path = make_demo_repo()
        out.print(
            f"Demo: a legacy Django project was copied to [bold]{path}[/] and committed on 'main'.",
            soft_wrap=True,
        )

    if args.abort:
        return _abort(args, path, branch)

    interactive = not (args.yes or args.recipe or args.dry_run or args.demo)
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "no terminal to ask questions on",
            "use --dry-run to preview, --yes to apply with default answers, or --recipe FILE",
        )

    overrides = _overrides(args)
    if interactive:
        from model_w.migrate.wizard import run_wizard

        return run_wizard(path, args, overrides)

    session = migration.open_session(path, args.project_dir)
    answers = migration.default_answers(session, overrides)
    from model_w.migrate.report.terminal import print_plan, print_result

    dry = args.dry_run or (args.demo and not args.yes)
    if dry:
        result = migration.dry_run(session, answers)
    else:
        result = migration.apply(session, answers)
    print_plan(out, result.plan)
    print_result(out, result, show_diffs=not args.no_diff)
    if args.patch and dry:
        from model_w.migrate.report.diff import unified_diff

        Path(args.patch).write_text(unified_diff(result.total_changes), encoding="utf-8")
        out.print(
            f"Patch written to {args.patch} (apply with `git apply {args.patch}`).", soft_wrap=True
        )
    if args.report:
        from model_w.migrate.report.json_report import write_report

        write_report(result, str(session.workspace.root), Path(args.report))
    if args.save_recipe:
        from model_w.migrate.recipes import save_recipe

        save_recipe(answers, Path(args.save_recipe))
    if args.demo:
        out.print(f"The demo repository is at [bold]{path}[/].", soft_wrap=True)
        if dry:
            out.print(f"Apply it there with `modelw migrate --yes {path}`.", soft_wrap=True)
    if result.interrupted:
        return EXIT_INTERRUPTED
    if result.outcome.failed:
        return EXIT_PENDING
    if dry and not args.demo:  # the demo is a show, not a CI check
        return EXIT_PENDING if result.outcome.has_changes else EXIT_OK
    return EXIT_OK


def _abort(args: argparse.Namespace, path: Path, branch: str) -> int:
    from model_w.migrate import migration

    out = console()
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError(f"--abort deletes the branch '{branch}'", "confirm with --yes")
        from model_w.migrate.wizard import confirm_abort

        if not confirm_abort(branch):
            out.print("Nothing was changed.")
            return EXIT_ERROR
    target = migration.abort(path, branch)
    out.print(f"Deleted the branch {branch}; you are on {target}.")
    return EXIT_OK
