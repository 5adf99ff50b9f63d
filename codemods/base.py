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

    # Positions are computed when a line is first asked for (`line_of`): a
    # codemod that reports nothing does not pay for a second pass over the tree.
    METADATA_DEPENDENCIES: ClassVar[tuple] = ()

    # Text every source this codemod can change (or report on) contains; None: any source.
    TRIGGER: ClassVar[re.Pattern[str] | None] = None

    @classmethod
    def might_change(cls, source: str, **kwargs: Any) -> bool:
        """False only when running on `source` surely changes and reports nothing.

        A parse with metadata costs a tenth of a second even on a small
        settings module: the step runner skips codemods with nothing to find.
        """
        return cls.TRIGGER is None or cls.TRIGGER.search(source) is not None

    def transform_module(self, tree: cst.Module) -> cst.Module:
        self._lazy_positions = None  # positions belong to one module
        return super().transform_module(tree)

    def line_of(self, node: cst.CSTNode | None) -> int:
        """The line where `node` of the module being transformed starts (0: unknown)."""
        if node is None:
            return 0
        if PositionProvider in self.METADATA_DEPENDENCIES:
            try:
                return self.get_metadata(PositionProvider, node).start.line
            except KeyError:
                return 0
        positions = getattr(self, "_lazy_positions", None)
        if positions is None:  # after the transform too: the original nodes keep their keys
            wrapper = self.context.wrapper
            positions = wrapper.resolve(PositionProvider) if wrapper is not None else {}
            self._lazy_positions = positions
        position = positions.get(node)
        return position.start.line if position is not None else 0

    def report_followup(self, node: cst.CSTNode | None, message: str, level: str = "todo") -> None:
        line = self.line_of(node)
        items: list[dict[str, Any]] = self.context.scratch.setdefault("modelw_followups", [])
        items.append(
            {"path": self.context.filename or "", "line": line, "message": message, "level": level}
        )
