"""Every branch of the interactive session, on real git repositories.

questionary reads its keys from prompt_toolkit's pipe input; the steps are
limited to the two spine steps (gitignore, dotfiles) so the number of
questions and step prompts is known whatever other steps are registered.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

try:  # tests/ may become a package
    from .conftest import git, init_repo, snapshot_tree
    from .test_wizard_keys import CTRL_C, DOWN, ENTER, answering, replace, text_console
except ImportError:
    from conftest import git, init_repo, snapshot_tree
    from test_wizard_keys import CTRL_C, DOWN, ENTER, answering, replace, text_console

from model_w.migrate import migration, wizard
from model_w.migrate.errors import UserError
from model_w.migrate.interactive import run_wizard

SPINE = ["gitignore", "dotfiles"]

TINY = {
    "manage.py": (
        "#!/usr/bin/env python\nimport os\nimport sys\n\n"
        "if __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tiny.settings')\n"
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "tiny/__init__.py": "",
    "tiny/settings.py": (
        "DEBUG = True\nROOT_URLCONF = 'tiny.urls'\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes']\n"
    ),
    "tiny/urls.py": "urlpatterns = []\n",
    "requirements.txt": "Django==4.2.11\n",
}

# Keys for the step prompt and for the existing-branch menu (wizard.ask_step order).
APPLY, SKIP, FILES, DIFF, QUIT = (
    ENTER,
    DOWN + ENTER,
    DOWN * 2 + ENTER,
    DOWN * 3 + ENTER,
    DOWN * 4 + ENTER,
)
RESUME, RESTART, ABORT, LEAVE = ENTER, DOWN + ENTER, DOWN * 2 + ENTER, DOWN * 3 + ENTER
START = ENTER  # "Run the N planned steps now?" defaults to yes


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    repo = tmp_path / "tiny"
    for name, text in TINY.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    return init_repo(repo)


def questions(repo: Path, *, resumed: bool = False) -> str:
    """Enter for every question (name, release, [branch], layout, findings, steps)."""
    session = migration.open_session(repo)
    count = 4 + (0 if resumed else 1) + len(wizard.finding_questions(session.facts))
    return ENTER * count


def run(repo: Path, *keys: str, save_recipe: Path | None = None, steps=SPINE) -> tuple[int, str]:
    console = text_console()
    args = argparse.Namespace(
        project_dir=None, save_recipe=str(save_recipe) if save_recipe else None
    )
    with answering(*keys):
        code = run_wizard(repo, args, {"steps": list(steps)}, console=console)
    return code, console.file.getvalue()


def trailers(repo: Path, rev: str = "main..HEAD") -> list[str]:
    out = git(repo, "log", "--reverse", "--format=%(trailers:key=Modelw-Step,valueonly)", rev)
    return out.split()


def head_branch(repo: Path) -> str:
    return git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()


def clean(repo: Path) -> bool:
    return git(repo, "status", "--porcelain", "--untracked-files=all").strip() == ""


def test_full_session_commits_each_step(tiny):
    main_before = git(tiny, "rev-parse", "main").strip()
    code, out = run(tiny, questions(tiny), START, APPLY, APPLY)
    assert code == 0, out
    assert head_branch(tiny) == "modelw/migrate"
    assert git(tiny, "rev-parse", "main").strip() == main_before
    assert trailers(tiny) == SPINE
    assert (tiny / ".editorconfig").is_file()
    assert ".env" in (tiny / ".gitignore").read_text()
    assert clean(tiny)
    # the order of the session: summary of the facts, plan, each step, summary
    order = [
        out.index(s)
        for s in ("Settings and environment", "Plan", "Step 1/2", "Step 2/2", "Summary")
    ]
    assert order == sorted(order), out
    assert "diff --git a/.gitignore b/.gitignore" in out
    assert "Committed" in out
    assert "Commits on modelw/migrate" in out
    assert "modelw migrate --abort" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_skip_a_step(tiny):
    code, out = run(tiny, questions(tiny), START, SKIP, APPLY)
    assert code == 0, out
    assert trailers(tiny) == ["dotfiles"]
    assert "Skipped by you: gitignore" in out
    assert clean(tiny)


def test_show_whole_files_and_diff_again_then_apply(tiny):
    code, out = run(tiny, questions(tiny), START, FILES, DIFF, APPLY, APPLY)
    assert code == 0, out
    assert trailers(tiny) == SPINE
    assert out.count("diff --git a/.gitignore b/.gitignore") == 2  # shown, then shown again
    assert ".gitignore ───" in out  # the whole file, under a rule with its name


def test_quit_midway_keeps_completed_steps(tiny):
    code, out = run(tiny, questions(tiny), START, APPLY, QUIT)
    assert code == 0, out
    assert head_branch(tiny) == "modelw/migrate"
    assert trailers(tiny) == ["gitignore"]
    assert clean(tiny)
    assert "run `modelw migrate` again" in out


def test_resume_after_quit(tiny):
    run(tiny, questions(tiny), START, APPLY, QUIT)
    code, out = run(tiny, RESUME, questions(tiny, resumed=True), START, APPLY)
    assert code == 0, out
    assert "already exists" in out or "Resuming" in out
    assert "Committed by an earlier run: gitignore" in out
    assert trailers(tiny) == SPINE


def test_resume_when_the_branch_is_not_checked_out(tiny):
    run(tiny, questions(tiny), START, APPLY, QUIT)
    git(tiny, "checkout", "-q", "main")
    code, out = run(tiny, RESUME, questions(tiny, resumed=True), START, APPLY)
    assert code == 0, out
    assert "Checked out modelw/migrate to resume" in out
    assert head_branch(tiny) == "modelw/migrate"
    assert trailers(tiny) == SPINE


def test_restart_deletes_the_branch_and_starts_again(tiny):
    run(tiny, questions(tiny), START, APPLY, QUIT)
    first = git(tiny, "rev-parse", "modelw/migrate").strip()
    code, out = run(tiny, RESTART, questions(tiny), START, SKIP, APPLY)
    assert code == 0, out
    assert "Deleted the branch modelw/migrate" in out
    assert git(tiny, "rev-parse", "modelw/migrate").strip() != first
    assert trailers(tiny) == ["dotfiles"]


def test_abort_deletes_the_branch_and_stops(tiny):
    run(tiny, questions(tiny), START, APPLY, QUIT)
    code, out = run(tiny, ABORT)
    assert code == 0, out
    assert head_branch(tiny) == "main"
    assert git(tiny, "branch", "--list", "modelw/migrate").strip() == ""
    assert "Project name" not in out  # no question after an abort
    assert clean(tiny)


def test_leave_the_existing_branch_alone(tiny):
    run(tiny, questions(tiny), START, APPLY, QUIT)
    before = snapshot_tree(tiny)
    code, out = run(tiny, LEAVE)
    assert code == 0
    assert "Nothing was changed" in out
    assert snapshot_tree(tiny) == before


def test_declining_to_start_changes_nothing(tiny):
    before = snapshot_tree(tiny)
    code, out = run(tiny, questions(tiny), "n")
    assert code == 0
    assert "Nothing was changed" in out
    assert snapshot_tree(tiny) == before


def test_ctrl_c_at_a_question_changes_nothing(tiny):
    before = snapshot_tree(tiny)
    code, out = run(tiny, ENTER, CTRL_C)
    assert code == 130
    assert "Interrupted: nothing was changed" in out
    assert snapshot_tree(tiny) == before


def test_ctrl_c_at_a_step_keeps_the_last_complete_step(tiny):
    code, out = run(tiny, questions(tiny), START, APPLY, CTRL_C)
    assert code == 130, out
    assert head_branch(tiny) == "modelw/migrate"
    assert trailers(tiny) == ["gitignore"]
    assert clean(tiny)
    assert "Interrupted" in out and "last complete step" in out


def test_dirty_tree_is_refused_before_any_question(tiny):
    (tiny / "tiny" / "settings.py").write_text("DEBUG = False\n")
    with pytest.raises(UserError, match="uncommitted changes"):
        run(tiny, CTRL_C)


def test_compact_facts_view_when_no_other(tiny, monkeypatch):
    from model_w.migrate import interactive
    from model_w.migrate.report import facts_view

    monkeypatch.delattr(facts_view, "render_facts")
    monkeypatch.delattr(facts_view, "print_facts", raising=False)
    console = text_console()
    interactive.show_facts(console, migration.open_session(tiny).facts)
    shown = console.file.getvalue()
    assert "What modelw found" in shown and "tiny.settings" in shown
    assert max(len(line) for line in shown.splitlines()) <= 80


def test_not_a_repository_is_refused(tmp_path):
    (tmp_path / "manage.py").write_text("")
    with pytest.raises(UserError, match="not a git repository"):
        run(tmp_path, CTRL_C)


def test_branch_name_taken_is_asked_again(tiny):
    git(tiny, "branch", "modelw/other")
    session = migration.open_session(tiny)
    findings = ENTER * len(wizard.finding_questions(session.facts))
    code, out = run(
        tiny,
        ENTER,  # name
        ENTER,  # release
        replace("modelw/other"),  # taken: refused by the validator
        replace("modelw/mine"),
        ENTER,  # layout
        findings,
        ENTER,  # steps
        START,
        APPLY,
        APPLY,
    )
    assert code == 0, out
    assert head_branch(tiny) == "modelw/mine"
    assert trailers(tiny, "main..modelw/mine") == SPINE


def test_save_recipe_then_replay_gives_the_same_tree(tiny, tmp_path):
    recipe = tmp_path / "saved.yaml"
    code, out = run(tiny, questions(tiny), START, APPLY, APPLY, save_recipe=recipe)
    assert code == 0, out
    assert recipe.is_file()
    assert "Recipe written to" in out

    from model_w.migrate.recipes import load_recipe

    assert load_recipe(recipe).answers_overrides()["branch"] == "modelw/migrate"

    fresh = tmp_path / "fresh"
    for name, text in TINY.items():
        (fresh / name).parent.mkdir(parents=True, exist_ok=True)
        (fresh / name).write_text(text)
    init_repo(fresh)
    result = subprocess.run(
        [sys.executable, "-m", "model_w.migrate", "migrate", str(fresh)]
        + ["--recipe", str(recipe), "--yes"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(fresh, "ls-tree", "-r", "HEAD") == git(tiny, "ls-tree", "-r", "HEAD")
    assert trailers(fresh) == trailers(tiny)


def test_no_terminal_never_prompts(tiny):
    before = snapshot_tree(tiny)
    result = subprocess.run(
        [sys.executable, "-m", "model_w.migrate", "migrate", str(tiny)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 2
    assert "no terminal" in result.stderr
    assert "--yes" in result.stderr and "--recipe" in result.stderr
    assert "--dry-run" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot_tree(tiny) == before


def test_ctrl_c_while_a_step_runs_keeps_the_last_complete_step(tiny, monkeypatch):
    from model_w.migrate.steps.dotfiles import DotfilesStep

    def interrupted(self, ctx):
        ctx.workspace.write("half-done.txt", "x\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(DotfilesStep, "run", interrupted)
    code, out = run(tiny, questions(tiny), START, APPLY)
    assert code == 130, out
    assert trailers(tiny) == ["gitignore"]
    assert not (tiny / "half-done.txt").exists()
    assert clean(tiny)
    assert "Interrupted" in out and "last complete step" in out


def test_no_diff_flag_shows_the_diff_only_on_request(tiny):
    console = text_console()
    args = argparse.Namespace(project_dir=None, save_recipe=None, no_diff=True)
    with answering(questions(tiny), START, APPLY, DIFF, APPLY):
        code = run_wizard(tiny, args, {"steps": SPINE}, console=console)
    out = console.file.getvalue()
    assert code == 0, out
    assert "diff --git a/.gitignore" not in out
    assert out.count("diff --git a/.editorconfig") == 1


def test_resume_takes_the_answers_saved_with_the_branch(tiny):
    import json

    from model_w.migrate import gitops

    run(tiny, questions(tiny), START, APPLY, QUIT)
    repo = gitops.open_repo(tiny)
    state = gitops.load_state(repo, "modelw/migrate")
    state["answers"] = {"project_name": "Saved Name", "unknown_key": 1}
    gitops._state_file(repo, "modelw/migrate").write_text(json.dumps(state))
    code, out = run(tiny, RESUME, questions(tiny, resumed=True), START, APPLY)
    assert code == 0, out
    assert "(default 'Saved Name')" in " ".join(out.split())
    assert "package saved_name  dashed saved-name" in out
    # the summary names the branch the migration started from, not itself
    assert "git log --stat main..modelw/migrate" in out
    assert "from main, which was not modified" in " ".join(out.split())
