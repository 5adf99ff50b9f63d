"""The interactive session behind `modelw migrate` on a terminal.

Order (issue 5): pre-flight first, before any question (not a repository or
a dirty tree is a one-line error; an existing migration branch offers
resume, restart or abort); then the inspection summary; then the questions
(`wizard.py`); then the plan; then each step's diff with apply / skip /
show whole files / quit, a commit per accepted step; finally the summary.

This module drives: it opens the repository and runs the migration through
`migration` (which commits through `gitops`). The questions live in
`wizard.py`, the diffs and the final summary in `report/`. Ctrl-C anywhere
leaves the repository as it was after the last completed step, says so and
exits 130.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from model_w.migrate import gitops, migration
from model_w.migrate.answers import DEFAULT_BRANCH, Answers
from model_w.migrate.changeset import Changeset
from model_w.migrate.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PENDING, UserError
from model_w.migrate.facts import Facts
from model_w.migrate.output import color_enabled
from model_w.migrate.plan import build_plan
from model_w.migrate.steps import all_steps
from model_w.migrate.wizard import (
    Asker,
    ask_answers,
    ask_existing_branch,
    ask_start,
    ask_step,
)
from model_w.migrate.workspace import Workspace


def make_console() -> Console:
    """Colour on a terminal, plain with NO_COLOR or when piped; the terminal's width."""
    color = color_enabled(sys.stdout)
    tty = sys.stdout.isatty()
    return Console(
        file=sys.stdout,
        no_color=not color,
        force_terminal=True if color else None,
        color_system="auto" if color else None,
        highlight=False,
        width=shutil.get_terminal_size((80, 24)).columns if tty else 80,
    )


@dataclass
class _Progress:
    """What the session has done so far: the Ctrl-C message is built from it."""

    branch: str | None = None
    started: bool = False  # apply() was called: the branch may exist now
    notes: list[str] = field(default_factory=list)


def run_wizard(
    path: Path | str,
    args: argparse.Namespace | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    console: Console | None = None,
) -> int:
    """The whole interactive session; returns the exit code."""
    out = console or make_console()
    progress = _Progress()
    try:
        return _session(
            Path(path), args or argparse.Namespace(), dict(overrides or {}), out, progress
        )
    except KeyboardInterrupt:
        out.print()
        _say_interrupted(out, Path(path), progress)
        return EXIT_INTERRUPTED


def _say_interrupted(out: Console, path: Path, progress: _Progress) -> None:
    for note in progress.notes:
        out.print(f"[dim]{escape(note)}[/]", soft_wrap=True)
    if not progress.started:
        out.print("[bold yellow]Interrupted[/]: nothing was changed.", soft_wrap=True)
        return
    try:
        repo = gitops.open_repo(path)
        branch = gitops.current_branch(repo)
        state = gitops.load_state(repo, branch) if branch else None
        done = gitops.completed_steps(repo, state["origin_sha"] if state else None)
    except Exception:  # the message matters more than the details
        branch, done = progress.branch, []
    last = done[-1] if done else None
    out.print(
        f"[bold yellow]Interrupted[/]: the branch {escape(branch or '?')} stays at its last"
        f" complete step ({escape(last) if last else 'no step committed yet'}); the working"
        " tree is clean. Run `modelw migrate` again to resume.",
        soft_wrap=True,
    )


def _session(
    path: Path,
    args: argparse.Namespace,
    overrides: dict[str, Any],
    out: Console,
    progress: _Progress,
) -> int:
    asker = Asker(out)
    project_dir = getattr(args, "project_dir", None)

    # 1. Pre-flight: before any question.
    session = migration.open_session(path, project_dir)
    repo = session.repo
    assert repo is not None
    branch = overrides.get("branch") or _current_migration_branch(session) or DEFAULT_BRANCH
    progress.branch = branch
    resume, done, session = _preflight(session, path, branch, project_dir, asker, out, progress)
    if resume is None:
        return EXIT_OK
    repo = session.repo
    assert repo is not None

    # 2. What the tool found.
    show_facts(out, session.facts)

    # 3. The questions.
    defaults = migration.default_answers(session, overrides)
    if resume:
        defaults = _with_saved_answers(session, branch, defaults)
        defaults = defaults.merged({"branch": branch})
    facts = session.facts
    answers = ask_answers(
        asker,
        facts,
        defaults,
        validate_branch=_branch_validator(repo, branch if resume else None),
        fixed_branch=resume,
        applicable_steps=lambda a: _applicable_steps(facts, a, done),
    )
    progress.branch = answers.branch

    save_to = getattr(args, "save_recipe", None)
    if save_to:
        from model_w.migrate.recipes import save_recipe

        save_recipe(answers, Path(save_to))
        out.print(
            f"Recipe written to [bold]{escape(str(save_to))}[/]; replay it with"
            f" `modelw migrate --recipe {escape(str(save_to))} --yes`.",
            soft_wrap=True,
        )

    # 4. The plan.
    from model_w.migrate.report.terminal import print_plan

    plan = build_plan(facts, answers, done)
    out.print()
    print_plan(out, plan)
    planned = plan.planned
    if not planned:
        out.print(
            "[green]Nothing to do[/]: every selected step is already applied or does not apply;"
            " nothing was changed.",
            soft_wrap=True,
        )
        return EXIT_OK
    if not ask_start(asker, len(planned), answers.branch):
        out.print("Nothing was changed.")
        return EXIT_OK

    # 5. Step by step.
    decider = StepDecider(
        out, asker, total=len(planned), show_diff=not getattr(args, "no_diff", False)
    )
    progress.started = True
    result = migration.apply(session, answers, decide=decider)
    decider.finish()
    if result.interrupted:
        for changeset in result.outcome.changesets:
            if changeset.status == "pending":
                changeset.status = "interrupted"

    # 6. The summary.
    from model_w.migrate.report.session_summary import print_session_summary

    print_session_summary(out, result, root=session.workspace.root)
    if result.interrupted:
        return EXIT_INTERRUPTED
    if result.outcome.failed:
        return EXIT_PENDING
    return EXIT_OK


# -- pre-flight ---------------------------------------------------------------
def _current_migration_branch(session: migration.Session) -> str | None:
    """The checked-out branch when it is a migration branch this tool started."""
    current = session.git.branch
    if current and session.repo and gitops.load_state(session.repo, current):
        return current
    return None


def _preflight(
    session: migration.Session,
    path: Path,
    branch: str,
    project_dir: str | None,
    asker: Asker,
    out: Console,
    progress: _Progress,
) -> tuple[bool | None, list[str], migration.Session]:
    """(resume, done steps, session); resume None means stop with exit 0.

    A dirty tree or an invalid branch raises UserError before any question.
    """
    repo = session.repo
    assert repo is not None
    try:
        resume, done = migration.preflight_apply(session, branch)
    except UserError:
        if gitops.dirty_entries(repo) or not gitops.branch_exists(repo, branch):
            raise
        resume, done = True, []  # exists, not checked out
        on_branch = False
    else:
        on_branch = resume
        if not resume:
            return False, [], session

    state = gitops.load_state(repo, branch) or {}
    origin = state.get("origin_branch")
    if not on_branch:
        origin = origin or session.git.branch
    choice = ask_existing_branch(asker, branch, done, origin, on_branch)
    if choice == "quit":
        out.print("Nothing was changed.")
        return None, [], session
    if choice in ("abort", "restart"):
        progress.started = True
        progress.notes.append(f"The branch {branch} was deleted as you chose.")
        target = migration.abort(path, branch)
        out.print(f"Deleted the branch [bold]{escape(branch)}[/]; you are on {escape(target)}.")
        if choice == "abort":
            return None, [], session
        progress.started = False
        session = migration.open_session(path, project_dir)
        return False, [], session
    # resume
    if not on_branch:
        gitops.checkout(repo, branch)
        progress.notes.append(f"You are now on {branch} (it was checked out to resume).")
        out.print(f"Checked out [bold]{escape(branch)}[/] to resume.")
        session = migration.open_session(path, project_dir)
        _, done = migration.preflight_apply(session, branch)
    if done:
        out.print(f"Resuming after {len(done)} committed step(s): {escape(', '.join(done))}.")
    return True, done, session


def _with_saved_answers(session: migration.Session, branch: str, defaults: Answers) -> Answers:
    """On resume, the answers the first run saved with the branch state, if any."""
    state = gitops.load_state(session.repo, branch) if session.repo else None
    saved = (state or {}).get("answers")
    if not isinstance(saved, dict):
        return defaults
    known = {k: v for k, v in saved.items() if k in Answers.__dataclass_fields__}
    return defaults.merged(known)


def _branch_validator(repo: gitops.Repo, allowed: str | None) -> Callable[[str], bool | str]:
    def check(name: str) -> bool | str:
        name = name.strip()
        if not name:
            return "type a branch name"
        if not gitops.valid_branch_name(repo, name):
            return f"'{name}' is not a valid branch name"
        if name != allowed and gitops.branch_exists(repo, name):
            return f"the branch '{name}' already exists; choose another name"
        return True

    return check


def _applicable_steps(facts: Facts, answers: Answers, done: list[str]) -> list:
    steps = []
    for step in all_steps():
        if step.id in done:
            continue
        if answers.steps is not None and step.id not in answers.steps:
            continue
        if step.applies(facts, answers):
            steps.append(step)
    return steps


# -- the inspection summary -----------------------------------------------------
def show_facts(console: Console, facts: Facts) -> None:
    """The inspection colleague's view when present, else a compact one."""
    try:
        from model_w.migrate.report import facts_view  # type: ignore[attr-defined]
    except ImportError:
        facts_view = None
    printer = None
    for name in ("print_facts", "render_facts"):
        printer = printer or (getattr(facts_view, name, None) if facts_view else None)
    if printer is not None:
        printer(console, facts)
        return
    print_compact_facts(console, facts)


def print_compact_facts(console: Console, facts: Facts) -> None:
    django = facts.django
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("root", escape(facts.root))
    if facts.git.branch or facts.git.head:
        grid.add_row("branch", escape(facts.git.branch or f"detached at {facts.git.head[:12]}"))
    if django:
        grid.add_row("manage.py", escape(django.manage_py))
        grid.add_row("settings", escape(django.settings_module or "?"))
        if django.project_apps:
            grid.add_row("apps", escape(", ".join(a.label for a in django.project_apps)))
    versions = facts.versions
    if versions.django or versions.python:
        grid.add_row(
            "versions",
            escape(f"Django {versions.django or '?'}, Python {versions.python or '?'}"),
        )
    if facts.env.styles:
        grid.add_row("env reads", escape(", ".join(facts.env.styles)))
    if facts.env.helpers:
        grid.add_row("env helpers", escape(", ".join(h.name for h in facts.env.helpers)))
    services = _services(facts)
    if services:
        grid.add_row("services", escape(", ".join(services)))
    if facts.dependency_files:
        grid.add_row(
            "dependencies",
            escape(", ".join(f"{d.path} ({d.kind})" for d in facts.dependency_files)),
        )
    for fe in facts.frontends:
        what = " ".join(x for x in (fe.framework, fe.bundler) if x) or "?"
        grid.add_row("front-end", escape(f"{fe.path or '.'}: {fe.kind}, {what}"))
    infra = facts.infra.dockerfiles + facts.infra.compose_files + facts.infra.ci_files
    if infra:
        grid.add_row("infra", escape(", ".join(infra)))
    if facts.modelw.on_modelw:
        grid.add_row("Model W", "already (partly) on Model W")
    console.print(Panel(grid, title="What modelw found", title_align="left", expand=False))

    if django and len(django.settings) > 1:
        table = Table(title="Settings modules", title_justify="left", expand=False)
        table.add_column("module", overflow="fold")
        table.add_column("role")
        table.add_column("chains to", overflow="fold")
        for module in django.settings:
            chain = ", ".join(module.star_imports + module.includes)
            if module.local_override:
                chain = ", ".join(x for x in (chain, "local override") if x)
            table.add_row(escape(module.module), module.role, escape(chain))
        console.print(table)

    findings = [f for f in facts.findings if f.level in ("blocker", "warning")]
    if findings:
        table = Table(title="Blockers and warnings", title_justify="left", expand=False)
        table.add_column("level")
        table.add_column("where", overflow="fold")
        table.add_column("what", overflow="fold")
        for finding in findings:
            style = "bold red" if finding.level == "blocker" else "yellow"
            where = f"{finding.path}:{finding.line}" if finding.line else finding.path
            table.add_row(f"[{style}]{finding.level}[/]", escape(where), escape(finding.message))
        console.print(table)


def _services(facts: Facts) -> list[str]:
    s = facts.services
    found = [f"database {e.rsplit('.', 1)[-1]}" for e in s.database_engines]
    found += [
        name
        for name, on in (
            ("Celery", s.celery),
            ("Channels", s.channels),
            ("S3 storage", s.storages),
            ("Sentry", s.sentry),
            ("DRF", s.drf),
            ("Wagtail", s.wagtail),
        )
        if on
    ]
    if s.email_backend:
        found.append(f"email {s.email_backend.rsplit('.', 1)[-1]}")
    return found


# -- step by step -------------------------------------------------------------------
class StepDecider:
    """The `decide` callback of migration.apply: show a step, ask, return the choice."""

    def __init__(self, console: Console, asker: Asker, total: int, show_diff: bool = True) -> None:
        self.console = console
        self.show_diff = show_diff
        self.asker = asker
        self.total = total
        self.index = 0
        self._last: Changeset | None = None

    def __call__(self, changeset: Changeset, workspace: Workspace) -> str:
        self.finish()
        self.index += 1
        self.show(changeset)
        while True:
            choice = ask_step(self.asker, changeset, self.index, max(self.total, self.index))
            if choice == "files":
                page(self.console, lambda: show_files(self.console, changeset))
            elif choice == "diff":
                page(self.console, lambda: _print_diff(self.console, changeset))
            else:
                if choice == "apply":
                    self._last = changeset
                elif choice == "skip":
                    self.console.print(f"Skipped [bold]{escape(changeset.title)}[/].")
                return choice

    def finish(self) -> None:
        """Say which commit the last accepted step became."""
        last, self._last = self._last, None
        if last is None:
            return
        if last.commit:
            self.console.print(
                f"[green]Committed[/] {last.commit[:10]} modelw: {escape(last.title)}",
                soft_wrap=True,
            )
        elif last.status == "failed":
            self.console.print(f"[bold red]Not committed[/]: {escape(last.error or '')}")

    def show(self, changeset: Changeset) -> None:
        from model_w.migrate.report.terminal import print_followups

        console = self.console
        console.print()
        console.rule(
            f"[bold]Step {self.index}/{max(self.total, self.index)}: {escape(changeset.title)}[/]"
            f" ({changeset.step_id})",
            align="left",
        )
        console.print(escape(changeset.why), style="dim")
        for change in changeset.changes:
            label = {"create": "new", "delete": "deleted", "rename": "moved", "modify": "edited"}
            what = label[change.kind]
            name = change.path
            if change.kind == "rename":
                name = f"{change.old_path} -> {change.path}"
            local = " (local, never committed)" if change.local else ""
            console.print(f"  {what:8} {escape(name)}{local}", soft_wrap=True)
        if self.show_diff:
            page(console, lambda: _print_diff(console, changeset))
        print_followups(console, changeset.followups, title="Follow-ups of this step")


def _print_diff(console: Console, changeset: Changeset) -> None:
    from model_w.migrate.report.terminal import print_diff

    print_diff(console, changeset)


def show_files(console: Console, changeset: Changeset) -> None:
    """Each file of a step as it would be after it (never the local .env values)."""
    color = not console.no_color and console.color_system is not None
    for change in changeset.changes:
        console.rule(escape(change.path), align="left")
        if change.local:
            console.print("(local file: its values are not shown)")
            continue
        if change.after is None:
            console.print("(deleted)")
            continue
        if change.is_binary:
            console.print("(binary file)")
            continue
        text = change.after.decode("utf-8")
        if color:
            lexer = Syntax.guess_lexer(change.path, code=text)
            console.print(Syntax(text, lexer, theme="ansi_dark", line_numbers=True))
        else:
            console.out(text, highlight=False, end="" if text.endswith("\n") else "\n")


def page(console: Console, render: Callable[[], None]) -> None:
    """Print what `render` prints; through a pager when it is taller than the terminal.

    The pager is $PAGER, else `less -R` (LESS=FRX unless set: quits when the
    text fits, keeps it on screen). Without a terminal it just prints.
    """
    with console.capture() as captured:
        render()
    text = captured.get()
    if not text:
        return
    lines = text.count("\n")
    if not (console.is_terminal and sys.stdout.isatty()) or lines <= max(console.height - 6, 5):
        console.file.write(text)
        console.file.flush()
        return
    command = os.environ.get("PAGER") or "less -R"
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        status = subprocess.run(command, shell=True, input=text.encode("utf-8"), env=env).returncode
    except OSError:
        status = 127
    if status in (126, 127):  # no such pager
        console.file.write(text)
        console.file.flush()
