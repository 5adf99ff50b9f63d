"""The engine on its own: follow-ups follow the files later steps move."""

from __future__ import annotations

from model_w.migrate.answers import Answers
from model_w.migrate.engine import PreviewSink, follow_moves, run_plan
from model_w.migrate.facts import Facts
from model_w.migrate.plan import Plan, PlanEntry
from model_w.migrate.steps import Step
from model_w.migrate.workspace import Workspace


def test_follow_moves_files_and_folders():
    renames = [
        {"a/settings.py": "api/a/settings.py", "a/x.py": "api/a/x.py"},
        {"api/a/settings.py": "api/p/django/settings.py"},
    ]
    assert follow_moves("a/settings.py", renames) == "api/p/django/settings.py"
    assert follow_moves("a", renames) == "a"  # a folder: not all of its files may have moved
    assert follow_moves("README.md", renames) == "README.md"
    assert follow_moves("", renames) == ""


class Notes(Step):
    id, title, why, order = "notes", "Note", "why", 1

    def run(self, ctx):
        ctx.follow_up("proj/settings.py", 3, "check this")


class Moves(Step):
    id, title, why, order = "moves", "Move", "why", 2

    def run(self, ctx):
        ctx.workspace.move("proj", "api/proj")


def test_followups_are_reported_at_their_final_path(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "settings.py").write_text("X = 1\n")
    ws = Workspace(tmp_path)
    plan = Plan([PlanEntry(Notes(), "planned"), PlanEntry(Moves(), "planned")])
    outcome = run_plan(plan, ws, Facts(root=str(tmp_path)), Answers(), PreviewSink())
    assert [(f.path, f.line) for f in outcome.followups] == [("api/proj/settings.py", 3)]
    # the step's own record keeps the path it had when the step ran (its commit message)
    assert outcome.changesets[0].followups[0].path == "proj/settings.py"
