"""`modelw migrate` in a real pseudo-terminal (80x40), answered like a person would.

The session answers every question it is asked (whatever steps and findings
the fixture brings), applies every step, and checks the commits and files;
the recipe it saved, replayed with `--recipe --yes` on a fresh copy of the
fixture, gives the same tree. Another session presses Ctrl-C midway.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

try:  # tests/ may become a package
    from .conftest import git, snapshot_tree
except ImportError:
    from conftest import git, snapshot_tree

pytestmark = pytest.mark.slow

FIXTURE = "classic"
DOWN = "\x1b[B"
CTRL_U = "\x15"

# Every question the session can ask, by the start of its text; checked in order.
QUESTIONS = [
    ("name", r"Project name\?"),
    ("release", r"Target Model W release\?"),
    ("branch", r"Migration branch\?"),
    ("settings", r"Which settings module is"),
    ("frontend", r"Where does the [^\r\n]*? in '[^']*'"),
    ("clash", r"is taken by Model W"),
    ("layout", r"Package layout\?"),
    ("helper", r"The settings read the"),
    ("setting", r"The tool cannot classify"),
    ("steps", r"Which steps\?"),
    ("start", r"Run the \d+ planned step"),
    ("step", r"Apply step (\d+)/(\d+)"),
    ("existing", r"The migration branch .* already"),
]
END = len(QUESTIONS)


def spawn(repo: Path, *args: str, pager: str = "cat") -> pexpect.spawn:
    env = {
        **os.environ,
        "TERM": "xterm",
        "PAGER": pager,  # the diff is paged with $PAGER when taller than the screen
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "COLUMNS": "80",
        "LINES": "40",
    }
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "model_w.migrate", "migrate", str(repo), *args],
        dimensions=(40, 80),
        env=env,
        encoding="utf-8",
        timeout=120,
        codec_errors="replace",
    )


def answer_everything(child: pexpect.spawn, stop_at_step: int | None = None) -> list[str]:
    """Answer each question as it comes; returns the question kinds seen, in order.

    prompt_toolkit redraws a prompt as keys arrive, so the same question text
    can show up again: a question already answered is not answered twice.
    """
    seen: list[str] = []
    answered: set[str] = set()
    patterns = [p for _, p in QUESTIONS] + [pexpect.EOF]
    while True:
        index = child.expect(patterns)
        if index == END:
            return seen
        if child.match.group(0) in answered:
            continue
        answered.add(child.match.group(0))
        kind = QUESTIONS[index][0]
        seen.append(kind)
        if kind == "name":
            child.send(CTRL_U + "bookshop\r")
        elif kind == "step":
            number = int(child.match.group(1))
            if stop_at_step is not None and number == stop_at_step:
                child.expect(r"Apply and commit")
                child.sendintr()
                continue
            child.expect(r"Apply and commit")
            child.send("\r")
        elif kind == "existing":
            raise AssertionError("the fresh repository has no migration branch")
        else:
            child.send("\r")  # the default (every other question has one)


def plain(text: str) -> str:
    """The text without terminal escape sequences."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def trailers(repo: Path, rev: str = "main..HEAD") -> list[str]:
    out = git(repo, "log", "--reverse", "--format=%(trailers:key=Modelw-Step,valueonly)", rev)
    return out.split()


@pytest.mark.parametrize(
    "fixture, asked",
    [
        ("classic", []),
        ("vue_vite", ["frontend", "helper"]),  # a Vue front-end, an env helper to decide on
        ("split_settings", ["settings"]),  # which settings module is production
    ],
)
def test_a_whole_session_then_its_recipe_replays_the_same_tree(make_repo, tmp_path, fixture, asked):
    repo = make_repo(fixture)
    main_before = git(repo, "rev-parse", "main").strip()
    recipe = tmp_path / "saved.yaml"

    child = spawn(repo, "--save-recipe", str(recipe))
    seen = answer_everything(child)
    output = plain(child.before or "")
    child.close()
    assert child.exitstatus == 0, (seen, output[-3000:])

    for kind in ("name", "release", "branch", "layout", "steps", "start", "step", *asked):
        assert kind in seen, seen
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/migrate"
    assert git(repo, "rev-parse", "main").strip() == main_before
    steps = trailers(repo)
    assert steps[0] == "settings-env" and "gitignore" in steps and "dotfiles" in steps
    assert seen.count("step") == len(steps)
    subjects = git(repo, "log", "--format=%s", "main..HEAD").splitlines()
    assert all(s.startswith("modelw: ") for s in subjects)
    assert git(repo, "status", "--porcelain", "--untracked-files=all").strip() == ""
    assert (repo / ".editorconfig").is_file()
    assert ".env" in (repo / ".gitignore").read_text()
    assert "Summary" in output and "Commits on modelw/migrate" in output
    # the local .env is named with its variables, never its values
    for env_file in [p for p in (repo / ".env", *repo.glob("*/.env")) if p.is_file()]:
        for line in env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if re.search(r"SECRET|KEY|PASSWORD|TOKEN", name) and len(value.strip()) >= 8:
                assert value.strip() not in output, name

    assert recipe.is_file()
    fresh = make_repo(fixture)
    replay = subprocess.run(
        [sys.executable, "-m", "model_w.migrate", "migrate", str(fresh)]
        + ["--recipe", str(recipe), "--yes"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr
    assert git(fresh, "ls-tree", "-r", "HEAD") == git(repo, "ls-tree", "-r", "HEAD")
    assert trailers(fresh) == steps


def test_ctrl_c_midway_leaves_the_last_complete_step(make_repo):
    repo = make_repo(FIXTURE)
    child = spawn(repo)
    seen = answer_everything(child, stop_at_step=2)
    output = plain(child.before or "")
    child.close()
    assert child.exitstatus == 130, (seen, output[-3000:])
    assert seen.count("step") == 2
    assert "Interrupted" in output and "last complete step" in re.sub(r"\s+", " ", output)
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/migrate"
    assert len(trailers(repo)) == 1
    assert git(repo, "status", "--porcelain", "--untracked-files=all").strip() == ""


def test_ctrl_c_at_the_first_question_changes_nothing(make_repo):
    repo = make_repo(FIXTURE)
    before = snapshot_tree(repo)
    child = spawn(repo)
    child.expect(r"Project name\?")
    child.sendintr()
    child.expect(pexpect.EOF)
    output = plain(child.before or "")
    child.close()
    assert child.exitstatus == 130, output[-2000:]
    assert "nothing was changed" in output
    assert snapshot_tree(repo) == before


def test_no_color_and_80_columns(make_repo):
    repo = make_repo(FIXTURE)
    env_child = pexpect.spawn(
        sys.executable,
        ["-m", "model_w.migrate", "migrate", str(repo)],
        dimensions=(40, 80),
        env={**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"},
        encoding="utf-8",
        timeout=120,
    )
    env_child.expect(r"Project name\?")
    shown = env_child.before
    env_child.sendintr()
    env_child.expect(pexpect.EOF)
    env_child.close()
    assert "Settings and environment" in shown  # the inspection summary came first
    assert not re.search(r"\x1b\[[0-9;]*[1-9][0-9;]*m", shown.split("Names the Python")[0])
    widest = max(len(line.rstrip()) for line in shown.replace("\r", "").splitlines())
    assert widest <= 80


def test_a_long_diff_goes_through_the_pager(make_repo):
    import io

    repo = make_repo(FIXTURE)
    child = spawn(repo, "--only", "gitignore,settings-env", pager="sed 's/^/PAGED: /'")
    transcript = io.StringIO()
    child.logfile_read = transcript
    answer_everything(child)
    child.close()
    assert child.exitstatus == 0
    shown = plain(transcript.getvalue()).replace("\r", "")
    paged = [line for line in shown.splitlines() if line.startswith("PAGED: ")]
    # the settings diff is taller than 40 lines: paged; the gitignore step's fits: not paged
    # (a line starting with "diff --git" was printed directly, not through the pager)
    assert any("diff --git a/myproject/settings.py" in line for line in paged), shown[-3000:]
    assert "\ndiff --git a/.gitignore b/.gitignore" in shown
