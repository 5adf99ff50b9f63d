"""What a step is, and the context it runs in.

A step is a small module: an id, a title, a one-paragraph why, `applies()`
and `run(ctx)`. It changes files only through `ctx.workspace` and records
what a person must finish with `ctx.follow_up`. It never prompts and never
calls git: the wizard and the engine do that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from model_w.migrate.answers import Answers
from model_w.migrate.changeset import FollowUp
from model_w.migrate.facts import Facts
from model_w.migrate.workspace import Workspace

if TYPE_CHECKING:
    from model_w.migrate.codemod_runner import CodemodResult


@dataclass
class StepContext:
    facts: Facts
    answers: Answers
    workspace: Workspace
    step_id: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    followups: list[FollowUp] = field(default_factory=list)
    # Secret values the step moved out of committed files; the engine refuses
    # to commit any blob that still contains one.
    secrets: set[str] = field(default_factory=set)
    # Free-form data a step leaves for later steps and the report
    # (e.g. {"env_renames": {"DJANGO_SECRET_KEY": "SECRET_KEY"}}).
    shared: dict[str, Any] = field(default_factory=dict)
    # What the step's `warm_up` started before the first step ran (or None).
    warm: Any = None

    def follow_up(self, path: str, line: int, message: str, level: str = "todo") -> None:
        self.followups.append(
            FollowUp(path=path, line=line, message=message, level=level, step=self.step_id)
        )

    def codemod(self, command: type, source: str, path: str = "", **kwargs: Any) -> CodemodResult:
        """Run one codemod on one module's source; follow-ups are recorded here."""
        from model_w.migrate.codemod_runner import run_codemod

        result = run_codemod(command, source, path=path, **kwargs)
        for item in result.followups:
            self.follow_up(item.path or path, item.line, item.message, item.level)
        return result

    @property
    def release(self) -> dict[str, Any]:
        from model_w.migrate.knowledge import load_release

        return load_release(self.answers.modelw_release)


class Step:
    id: ClassVar[str]
    title: ClassVar[str]
    why: ClassVar[str]
    # Position in the plan; lower runs first.
    order: ClassVar[int] = 50

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return True

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        """Why the step does not apply, for the plan display."""
        return "does not apply to this project"

    def run(self, ctx: StepContext) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def warm_up(self, ctx: StepContext) -> Warmup | None:
        """Start, in the background, work that `run` may take later.

        Called once before the first step, with the Facts and workspace as
        they are then; it must not change the workspace. `run` finds the
        returned object in `ctx.warm` and must check that what was computed
        ahead still matches its own inputs. The default starts nothing.
        """
        return None


class Warmup(Protocol):
    def close(self) -> None:
        """Stop the background work; called once the run is over."""
