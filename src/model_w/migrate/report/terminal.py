"""What a person sees in the terminal: the plan, a diff per step, follow-ups.

Diffs are highlighted on a terminal and plain when piped or with NO_COLOR.
This module only renders; it never computes anything the steps did not.
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table

from model_w.migrate.changeset import Changeset, FollowUp
from model_w.migrate.migration import MigrationResult
from model_w.migrate.output import color_enabled
from model_w.migrate.plan import Plan
from model_w.migrate.report.diff import unified_diff

LEVEL_STYLE = {"blocker": "bold red", "todo": "yellow", "info": "cyan"}


def print_plan(console: Console, plan: Plan) -> None:
    table = Table(title="Plan", title_justify="left", show_lines=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column("step")
    table.add_column("status")
    table.add_column("why / reason", overflow="fold")
    for index, entry in enumerate(plan.entries, 1):
        style = {"planned": "green", "done": "blue", "skipped": "dim"}.get(entry.status, "")
        detail = entry.step.why if entry.status == "planned" else entry.reason
        table.add_row(str(index), entry.step.title, f"[{style}]{entry.status}[/]", detail)
    console.print(table)


def print_diff(console: Console, changeset: Changeset) -> None:
    text = unified_diff(c for c in changeset.changes if not c.local)
    for change in changeset.changes:
        if change.local:
            console.print(f"  [dim]local file {change.path} written (never committed)[/]")
    if not text:
        return
    if color_enabled(console.file):
        console.print(Syntax(text, "diff", theme="ansi_dark", word_wrap=False))
    else:
        console.out(text, end="", highlight=False)


def print_followups(console: Console, followups: list[FollowUp], title: str = "Follow-ups") -> None:
    if not followups:
        return
    console.print(f"\n[bold]{title}[/] ({len(followups)}):")
    by_file: dict[str, list[FollowUp]] = defaultdict(list)
    for item in followups:
        by_file[item.path or "(project)"].append(item)
    for path in sorted(by_file):
        console.print(f"  [bold]{path}[/]")
        for item in sorted(by_file[path], key=lambda f: f.line):
            where = f"line {item.line}: " if item.line else ""
            style = LEVEL_STYLE.get(item.level, "")
            console.print(f"    [{style}]{item.level}[/] {where}{item.message}", soft_wrap=True)


def print_step(console: Console, changeset: Changeset, show_diff: bool = True) -> None:
    files = len(changeset.changes)
    status = changeset.status
    console.rule(
        f"[bold]{changeset.title}[/] ({changeset.step_id}) — {status}, {files} file(s)",
        align="left",
    )
    console.print(changeset.why, style="dim", soft_wrap=True)
    if changeset.error:
        console.print(f"[bold red]error:[/] {changeset.error}", soft_wrap=True)
    if show_diff:
        print_diff(console, changeset)


def print_result(console: Console, result: MigrationResult, show_diffs: bool = True) -> None:
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)
    if result.resumed:
        console.print(f"Resuming: {len(result.resumed)} step(s) already committed on this branch.")
    for changeset in result.changesets:
        if changeset.changes or changeset.error or changeset.followups:
            print_step(console, changeset, show_diff=show_diffs)
    print_followups(console, result.followups)
    print_summary(console, result)


def print_summary(console: Console, result: MigrationResult) -> None:
    changed = {c.path for cs in result.changesets if cs.status != "skipped" for c in cs.changes}
    blockers = sum(1 for f in result.followups if f.level == "blocker")
    counts = f"{len(result.followups)} follow-up(s)" + (
        f", {blockers} blocker(s)" if blockers else ""
    )
    status = result.status
    console.print()
    if result.mode == "dry-run":
        if status == "nothing-to-do":
            console.print("[green]Nothing to change[/]: the project is already migrated.")
        else:
            steps = sum(1 for cs in result.changesets if cs.changes)
            console.print(
                f"[bold]Dry run[/]: {steps} step(s) would change {len(changed)} file(s); {counts}."
                " Nothing was written. Apply with `modelw migrate --yes`."
            )
        if result.outcome.failed:
            console.print(
                f"[bold red]The step '{result.outcome.failed.step_id}' failed[/]: {result.outcome.failed.error}"
            )
        return
    if result.interrupted:
        console.print(
            f"[bold yellow]Interrupted[/]: the branch {result.branch} stays at its last complete step"
            f" ({len(result.commits)} commit(s) made); the working tree is clean. Run again to resume."
        )
        return
    if result.outcome.failed:
        failed = result.outcome.failed
        console.print(
            f"[bold red]The step '{failed.step_id}' failed[/]: {failed.error}\n"
            f"The branch {result.branch or '(not created)'} stays at its last good commit"
            f" ({len(result.commits)} commit(s) made); the working tree is clean."
            " Fix the cause and run `modelw migrate --yes` again on that branch to resume."
        )
        return
    if status in ("already-migrated", "nothing-to-do"):
        console.print(
            "[green]Nothing to do[/]: every step is already applied; nothing was changed."
        )
        return
    label = {
        "migrated": "Migrated",
        "migrated-with-followups": "Migrated with follow-ups",
        "blocked": "Migrated, but blocked",
    }.get(status, status)
    console.print(
        f"[bold green]{label}[/]: {len(result.commits)} commit(s) on branch [bold]{result.branch}[/]"
        f" (from {result.origin_branch or 'a detached HEAD'}, which was not modified); {counts}."
    )
