"""The end of an interactive session: what was committed and what comes next.

Commits made, the steps skipped, follow-ups grouped by file, then the next
commands to run: `poetry lock` where a pyproject changed, a Docker build
per Dockerfile, the SQLite data move when a blocker says the database is
SQLite, and where `.env` is with the names of the variables it holds. It
renders only what the steps did; secret values are never printed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from rich.console import Console
from rich.markup import escape

from model_w.migrate import names
from model_w.migrate.changeset import Changeset, FileChange
from model_w.migrate.migration import MigrationResult

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def env_names(text: str) -> list[str]:
    """Variable names set in a .env text, in order; values are never kept."""
    found: list[str] = []
    for line in text.splitlines():
        match = _ENV_LINE.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def _applied(result: MigrationResult) -> list[Changeset]:
    return [c for c in result.changesets if c.status == "applied"]


def _applied_changes(result: MigrationResult) -> list[FileChange]:
    return [change for c in _applied(result) for change in c.changes]


def env_files(result: MigrationResult, root: Path | None) -> dict[str, list[str]]:
    """Local .env files the run wrote (or that exist at the usual places): path -> names."""
    found: dict[str, list[str]] = {}
    for change in _applied_changes(result):
        if change.local and change.after is not None:
            found[change.path] = env_names(change.after.decode("utf-8", "replace"))
    if root is not None:  # a later step may have moved the file: keep what is on disk
        found = {p: n for p, n in found.items() if (Path(root) / p).is_file()}
    if root is not None and not found:
        for candidate in (".env", "api/.env"):
            path = Path(root) / candidate
            if path.is_file():
                found[candidate] = env_names(path.read_text("utf-8", errors="replace"))
    return found


def next_commands(result: MigrationResult, root: Path | None = None) -> list[tuple[str, str]]:
    """(what, command) pairs a person runs after the migration."""
    changes = [c for c in _applied_changes(result) if c.after is not None]
    steps: list[tuple[str, str]] = []
    project = names.dashed(result.answers.project_name)
    for change in changes:
        path = PurePosixPath(change.path)
        folder = path.parent.as_posix()
        where = "" if folder == "." else f"cd {folder} && "
        if path.name == "pyproject.toml" and b"[tool.poetry" in (change.after or b""):
            steps.append(("lock the Python dependencies", f"{where}poetry lock"))
        elif path.name == "package.json" and folder != ".":
            steps.append((f"install the {folder} dependencies", f"{where}npm install"))
    for change in changes:
        path = PurePosixPath(change.path)
        if path.name == "Dockerfile":
            folder = path.parent.as_posix()
            context = "." if folder == "." else folder
            tag = project if folder == "." else f"{project}-{path.parent.name}"
            steps.append((f"build the {context} image", f"docker build -t {tag} {context}"))
    if _needs_sqlite_move(result):
        manage = _manage_py(result)
        origin = result.origin_branch or "the original branch"
        steps.append(
            (
                f"on {origin}, dump the SQLite data",
                f"python {manage} dumpdata --natural-foreign --natural-primary"
                " -e contenttypes -e auth.permission -o data.json",
            )
        )
        steps.append(
            (
                f"on {result.branch}, with DATABASE_URL set in .env, load it into PostgreSQL",
                f"python {manage} migrate && python {manage} loaddata data.json",
            )
        )
    return steps


def _needs_sqlite_move(result: MigrationResult) -> bool:
    for item in result.followups:
        if item.level == "blocker" and "sqlite" in item.message.lower():
            return True
    return any(
        f.level == "blocker" and "sqlite" in f"{f.code} {f.message}".lower()
        for f in result.facts.findings
    )


def _manage_py(result: MigrationResult) -> str:
    for change in _applied_changes(result):
        if PurePosixPath(change.path).name == "manage.py" and change.after is not None:
            return change.path
    django = result.facts.django
    return django.manage_py if django else "manage.py"


def print_session_summary(
    console: Console, result: MigrationResult, root: Path | None = None
) -> None:
    from model_w.migrate.report.terminal import print_followups, print_summary

    console.print()
    console.rule("[bold]Summary[/]", align="left")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", soft_wrap=True)
    if result.resumed:
        console.print(
            f"Committed by an earlier run: {escape(', '.join(result.resumed))}.", soft_wrap=True
        )
    committed = [c for c in result.changesets if c.commit]
    if committed:
        console.print(f"[bold]Commits[/] on {escape(result.branch or '?')}:")
        for changeset in committed:
            console.print(
                f"  {changeset.commit[:10]} {escape(changeset.title)} ({changeset.step_id})",
                soft_wrap=True,
            )
    skipped = [c for c in result.changesets if c.status == "skipped"]
    if skipped:
        label = "Left out" if result.outcome.quit else "Skipped by you"
        console.print(
            f"{label}: " + ", ".join(escape(c.step_id) for c in skipped) + ".", soft_wrap=True
        )
    print_followups(console, result.followups)
    print_summary(console, result)
    if result.outcome.quit and not result.interrupted:
        console.print(
            "You quit before the remaining steps; run `modelw migrate` again on"
            f" {escape(result.branch or 'the branch')} to resume.",
            soft_wrap=True,
        )
    if result.interrupted or result.outcome.failed:
        return

    commands = next_commands(result, root)
    envs = env_files(result, root)
    if not (commands or envs or committed):
        return
    console.print("\n[bold]Next[/]:")
    for what, command in commands:
        console.print(f"  {escape(what)}:", soft_wrap=True)
        console.print(f"    [bold]{escape(command)}[/]", soft_wrap=True)
    for path, variables in envs.items():
        where = Path(root) / path if root else Path(path)
        listed = ", ".join(variables) if variables else "no variables yet"
        console.print(
            f"  {escape(str(where))} (git-ignored, never committed) holds: {escape(listed)}",
            soft_wrap=True,
        )
    if committed and result.origin_branch:
        console.print(
            "  review the commits:\n"
            f"    [bold]git log --stat {escape(result.origin_branch)}..{escape(result.branch or '')}[/]",
            soft_wrap=True,
        )
        console.print("  undo everything:\n    [bold]modelw migrate --abort[/]", soft_wrap=True)
