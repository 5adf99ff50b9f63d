"""Run the custom codemods a recipe names, on the files its globs match.

A recipe lists libcst codemod commands by dotted path
(`package.module:Command`) with their arguments and the files they apply to
(`paths`, gitignore-style globs, default every Python file). This step runs
last (after the layout moved), so globs name the Model W layout
(`api/**/*.py`). Each file gets a fresh command instance (codemod_runner),
so nothing leaks between files; what a codemod reports with
`report_followup` becomes a follow-up. A codemod is expected to be
idempotent, as every step is.
"""

from __future__ import annotations

from typing import Any

import pathspec

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.steps import Step, StepContext, register

DEFAULT_PATHS = ["**/*.py"]


def matching_files(files: list[str], patterns: list[str]) -> list[str]:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns or DEFAULT_PATHS)
    return [f for f in files if f.endswith(".py") and spec.match_file(f)]


@register
class CustomCodemodsStep(Step):
    id = "custom-codemods"
    title = "Run the recipe's custom codemods"
    why = (
        "Some projects need rewrites of their own (an in-house helper, a renamed import);"
        " a recipe names libcst codemod commands and the files they apply to."
    )
    order = 95

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return bool(answers.codemods)

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "the recipe names no custom codemods"

    def run(self, ctx: StepContext) -> None:
        from model_w.migrate.recipes import load_codemod

        files = ctx.workspace.files()
        for item in ctx.answers.codemods:
            command = load_codemod(item["command"])
            args: dict[str, Any] = dict(item.get("args") or {})
            for path in matching_files(files, list(item.get("paths") or [])):
                source = ctx.workspace.read(path)
                result = ctx.codemod(command, source, path=path, **args)
                if result.changed:
                    ctx.workspace.write(path, result.code)
