"""Shared base for our codemod commands: follow-ups recorded in the context."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import PositionProvider


class ModelWCodemod(VisitorBasedCodemodCommand):
    """A codemod that can say what it could not do.

    Follow-ups land in `context.scratch["modelw_followups"]` as dicts
    (path, line, message, level); the step runner turns them into FollowUps,
    and libcst's own CLI simply ignores them.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    # Text every source this codemod can change (or report on) contains; None: any source.
    TRIGGER: ClassVar[re.Pattern[str] | None] = None

    @classmethod
    def might_change(cls, source: str, **kwargs: Any) -> bool:
        """False only when running on `source` surely changes and reports nothing.

        A parse with metadata costs a tenth of a second even on a small
        settings module: the step runner skips codemods with nothing to find.
        """
        return cls.TRIGGER is None or cls.TRIGGER.search(source) is not None

    def report_followup(self, node: cst.CSTNode | None, message: str, level: str = "todo") -> None:
        line = 0
        if node is not None:
            try:
                line = self.get_metadata(PositionProvider, node).start.line
            except KeyError:
                line = 0
        items: list[dict[str, Any]] = self.context.scratch.setdefault("modelw_followups", [])
        items.append(
            {"path": self.context.filename or "", "line": line, "message": message, "level": level}
        )
