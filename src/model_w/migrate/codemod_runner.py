"""Run a libcst codemod command on one module's source.

A fresh command instance and CodemodContext per file, so nothing (added
imports, scratch data) leaks from one file into another. Codemods report
what they could not do through `report_followup` (codemods/base.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from model_w.migrate.changeset import FollowUp
from model_w.migrate.errors import UserError


@dataclass
class CodemodResult:
    code: str
    changed: bool
    followups: list[FollowUp] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)


def run_codemod(command: type, source: str, path: str = "", **kwargs: Any) -> CodemodResult:
    # libcst is imported here, not at module level: paths that never run a
    # codemod (the `ast` fast paths) do not pay for it
    import libcst as cst
    from libcst.codemod import CodemodContext, SkipFile, TransformFailure, transform_module

    context = CodemodContext(filename=path or None, full_module_name=None)
    instance = command(context, **kwargs)  # checks the arguments, even for a skip
    might_change = getattr(command, "might_change", None)
    if might_change is not None and not might_change(source, **kwargs):
        return CodemodResult(source, False)
    try:
        result = transform_module(instance, source)
    except SkipFile:  # pragma: no cover - transform_module catches it
        return CodemodResult(source, False)
    if isinstance(result, TransformFailure):
        error = result.error
        if isinstance(error, cst.ParserSyntaxError):
            raise UserError(
                f"{path}:{error.raw_line}: cannot parse Python: {error.message}",
                "fix the syntax error (Python 2 code must be ported first) and run again",
            ) from None
        raise error
    code = getattr(result, "code", source)
    followups = [
        FollowUp(
            path=f.get("path") or path,
            line=f.get("line", 0),
            message=f["message"],
            level=f.get("level", "todo"),
        )
        for f in context.scratch.get("modelw_followups", [])
    ]
    scratch = {k: v for k, v in context.scratch.items() if k != "modelw_followups"}
    return CodemodResult(code=code, changed=code != source, followups=followups, scratch=scratch)
