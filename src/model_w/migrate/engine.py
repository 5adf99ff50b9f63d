"""The engine: run the planned steps on the Workspace, one Changeset each.

Dry-run and apply share this one code path. The only difference is the
Sink that receives each step's Changeset: a preview keeps it in memory, an
apply writes it to disk and commits it. A step that raises leaves nothing
behind: the overlay is rolled back to the last checkpoint.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from model_w.migrate.answers import Answers
from model_w.migrate.changeset import Changeset, FollowUp
from model_w.migrate.facts import Facts
from model_w.migrate.plan import Plan, PlanEntry
from model_w.migrate.steps import StepContext
from model_w.migrate.workspace import Workspace

# A decision about one step's changes, from the wizard: apply, skip or quit.
Decide = Callable[[Changeset, Workspace], str]
Inspector = Callable[[Workspace], Facts]


class Sink(Protocol):
    def accept(self, changeset: Changeset, workspace: Workspace, secrets: set[str]) -> None: ...


class PreviewSink:
    """Keep everything in memory: the overlay accumulates every step."""

    def accept(self, changeset: Changeset, workspace: Workspace, secrets: set[str]) -> None:
        changeset.status = "pending" if changeset.changes else "unchanged"


@dataclass
class RunOutcome:
    changesets: list[Changeset] = field(default_factory=list)
    failed: Changeset | None = None
    failure: BaseException | None = None
    quit: bool = False
    secrets: set[str] = field(default_factory=set)
    shared: dict = field(default_factory=dict)

    # file moves made by each step, in step order: follow-ups of earlier steps
    # are shown at the path their file has at the end of the run
    renames: list[dict[str, str]] = field(default_factory=list)

    @property
    def followups(self) -> list[FollowUp]:
        """Every follow-up, its path as it is after the last step."""
        result = []
        for index, changeset in enumerate(self.changesets):
            later = self.renames[index + 1 :]
            for item in changeset.followups:
                result.append(replace(item, path=follow_moves(item.path, later)))
        return result

    @property
    def has_changes(self) -> bool:
        return any(c.changes for c in self.changesets if c.status != "skipped")


def run_plan(
    plan: Plan,
    workspace: Workspace,
    facts: Facts,
    answers: Answers,
    sink: Sink,
    *,
    inspector: Inspector | None = None,
    decide: Decide | None = None,
    on_start: Callable[[PlanEntry], None] | None = None,
    outcome: RunOutcome | None = None,
) -> RunOutcome:
    """Run every planned step in order; stop at the first failure or a quit.

    Pass `outcome` to keep what was done so far when Ctrl-C propagates.
    """
    outcome = outcome if outcome is not None else RunOutcome()
    warmups = _warm_up(plan, workspace, facts, answers)
    try:
        current = facts
        planned = plan.planned
        for entry in planned:
            step = entry.step
            if on_start:
                on_start(entry)
            ctx = _context(
                step, current, answers, workspace, shared=outcome.shared, warm=warmups.get(step.id)
            )
            changeset = Changeset(step_id=step.id, title=step.title, why=step.why)
            try:
                step.run(ctx)
            except KeyboardInterrupt:
                workspace.rollback()
                raise
            # a step's bug or an unexpected project: report it, keep the repository safe
            except Exception as exc:
                workspace.rollback()
                changeset.status = "failed"
                changeset.error = _describe(exc)
                _record(outcome, changeset)
                outcome.failed = changeset
                outcome.failure = exc
                return outcome
            changeset.changes = workspace.pending_changes()
            changeset.followups = ctx.followups
            outcome.secrets |= ctx.secrets
            if decide is not None and changeset.changes:
                choice = decide(changeset, workspace)
                if choice == "skip":
                    workspace.rollback()
                    changeset.status = "skipped"
                    _record(outcome, changeset)
                    continue
                if choice == "quit":
                    workspace.rollback()
                    changeset.status = "skipped"
                    _record(outcome, changeset)
                    outcome.quit = True
                    return outcome
            workspace.checkpoint()
            try:
                sink.accept(changeset, workspace, outcome.secrets)
            except Exception as exc:
                changeset.status = "failed"
                changeset.error = _describe(exc)
                _record(outcome, changeset)
                outcome.failed = changeset
                outcome.failure = exc
                return outcome
            _record(outcome, changeset)
            # fresh Facts for the next step; none after the last one
            if changeset.changes and inspector is not None and entry is not planned[-1]:
                current = inspector(workspace)
        return outcome
    finally:
        for warm in warmups.values():
            warm.close()


def _context(step, facts: Facts, answers: Answers, workspace: Workspace, **more) -> StepContext:  # noqa: ANN001, ANN003
    """The context a step runs (or warms up) in."""
    return StepContext(
        facts=facts,
        answers=answers,
        workspace=workspace,
        step_id=step.id,
        options=dict(answers.step_options.get(step.id, {})),
        **more,
    )


def _warm_up(plan: Plan, workspace: Workspace, facts: Facts, answers: Answers) -> dict:
    """Background work the planned steps start before the first one runs.

    A warm-up is an optimisation only: one that fails is left out.
    """
    warmups = {}
    for entry in plan.planned:
        try:
            warm = entry.step.warm_up(_context(entry.step, facts, answers, workspace))
        except Exception:
            warm = None
        if warm is not None:
            warmups[entry.step.id] = warm
    return warmups


def _record(outcome: RunOutcome, changeset: Changeset) -> None:
    """Keep a step's changeset and the file moves it made (none if skipped)."""
    outcome.changesets.append(changeset)
    kept = changeset.status not in ("skipped", "failed")
    outcome.renames.append(
        {
            c.old_path: c.path
            for c in changeset.changes
            if kept and c.old_path and c.old_path != c.path
        }
    )


def follow_moves(path: str, renames: list[dict[str, str]]) -> str:
    """Where a file is after a series of moves (a folder path is left as it is:
    the moves alone do not tell whether all of its files went the same way)."""
    for moves in renames:
        path = moves.get(path, path)
    return path


def _describe(exc: BaseException) -> str:
    from model_w.migrate.errors import UserError

    if isinstance(exc, UserError):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
