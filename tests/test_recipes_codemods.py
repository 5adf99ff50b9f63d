"""The custom-codemods step: recipe codemods by dotted path, on matching files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from model_w.migrate.answers import Answers
from model_w.migrate.errors import UserError
from model_w.migrate.facts import Facts
from model_w.migrate.steps import StepContext, get_step
from model_w.migrate.steps.custom_codemods import matching_files
from model_w.migrate.workspace import Workspace

RENAME = "libcst.codemod.commands.rename:RenameCommand"

FOLLOWUP_CODEMOD = """
import libcst as cst
from model_w.migrate.codemods.base import ModelWCodemod


class FlagPrints(ModelWCodemod):
    DESCRIPTION = "Report every print() call."

    def __init__(self, context, word="print"):
        super().__init__(context)
        self.word = word

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name) and node.func.value == self.word:
            self.report_followup(node, f"{self.word}() left in code")
"""


def make_ws(tmp_path: Path, files: dict[str, str]) -> Workspace:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Workspace(tmp_path)


def run_step(ws: Workspace, codemods: list[dict]) -> StepContext:
    answers = Answers(codemods=codemods)
    step = get_step("custom-codemods")
    facts = Facts(root=str(ws.root))
    assert step.applies(facts, answers)
    ctx = StepContext(facts=facts, answers=answers, workspace=ws, step_id=step.id)
    step.run(ctx)
    return ctx


def test_matching_files():
    files = ["a.py", "api/x.py", "api/sub/y.py", "front/z.js", "README.md"]
    assert matching_files(files, []) == ["a.py", "api/x.py", "api/sub/y.py"]
    assert matching_files(files, ["api/**/*.py"]) == ["api/x.py", "api/sub/y.py"]
    assert matching_files(files, ["*.py", "!api/sub/*.py"]) == ["a.py", "api/x.py"]


def test_step_order_and_skip():
    step = get_step("custom-codemods")
    assert step.order == 95
    assert not step.applies(Facts(root="."), Answers())


def test_runs_codemod_with_args_on_matching_files_only(tmp_path):
    ws = make_ws(
        tmp_path,
        {
            "api/views.py": "from legacy.utils import helper\n\nhelper()\n",
            "scripts/tool.py": "from legacy.utils import helper\n",
        },
    )
    codemods = [
        {
            "command": RENAME,
            "args": {"old_name": "legacy.utils.helper", "new_name": "shop.utils.helper"},
            "paths": ["api/**/*.py"],
        }
    ]
    run_step(ws, codemods)
    assert ws.read("api/views.py") == "from shop.utils import helper\n\nhelper()\n"
    assert ws.read("scripts/tool.py") == "from legacy.utils import helper\n"
    changes = ws.pending_changes()
    assert [c.path for c in changes] == ["api/views.py"]
    # idempotent: a second run on its own output changes nothing
    ws.checkpoint()
    run_step(ws, codemods)
    assert ws.pending_changes() == []


def test_followups_from_a_project_codemod(tmp_path, monkeypatch):
    pkg = tmp_path / "lib" / "our_codemods"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "flag.py").write_text(FOLLOWUP_CODEMOD)
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    ws = make_ws(tmp_path / "repo", {"app.py": "x = 1\nprint(x)\n"})
    ctx = run_step(ws, [{"command": "our_codemods.flag:FlagPrints", "args": {"word": "print"}}])
    assert [(f.path, f.line, f.message, f.step) for f in ctx.followups] == [
        ("app.py", 2, "print() left in code", "custom-codemods")
    ]
    assert ws.pending_changes() == []


def test_missing_codemod_is_a_user_error(tmp_path):
    ws = make_ws(tmp_path, {"a.py": "x = 1\n"})
    with pytest.raises(UserError, match="codemod nope.mod:X: cannot import 'nope.mod'"):
        run_step(ws, [{"command": "nope.mod:X"}])
