"""The final summary of a wizard session: commits, follow-ups by file, next commands, .env."""

from __future__ import annotations

import io

from rich.console import Console

from model_w.migrate.answers import Answers
from model_w.migrate.changeset import Changeset, FileChange, FollowUp
from model_w.migrate.engine import RunOutcome
from model_w.migrate.facts import DjangoFacts, Facts, Finding
from model_w.migrate.migration import MigrationResult
from model_w.migrate.plan import Plan
from model_w.migrate.report.session_summary import (
    env_files,
    env_names,
    next_commands,
    print_session_summary,
)

SECRET = "s3cr3t-value-that-must-never-show"


def result(tmp_path, *, blocker: bool = True) -> MigrationResult:
    facts = Facts(
        root=str(tmp_path),
        django=DjangoFacts(manage_py="manage.py", project_dir="", import_root=""),
        findings=[Finding("blocker", "non-postgres-database", "SQLite database")]
        if blocker
        else [],
    )
    settings = Changeset(
        "settings-env",
        "Read settings from environment variables",
        "why",
        changes=[
            FileChange("api/.env", None, f"SECRET_KEY={SECRET}\nDEBUG=yes\n".encode(), local=True),
            FileChange("api/.env-template", None, b"SECRET_KEY=\nDEBUG=\n"),
        ],
        followups=[
            FollowUp("api/shop/settings.py", 12, "check the cache", "todo", "settings-env"),
            FollowUp("api/shop/settings.py", 3, "SQLite must move to PostgreSQL", "blocker"),
            FollowUp("README.md", 0, "read me", "info"),
        ],
        status="applied",
        commit="a" * 40,
    )
    layout = Changeset(
        "api-layout",
        "Move the Django project into api/",
        "why",
        changes=[FileChange("api/manage.py", b"m", b"m", old_path="manage.py")],
        status="skipped",
    )
    deps = Changeset(
        "dependencies",
        "Move dependencies",
        "why",
        changes=[FileChange("api/pyproject.toml", None, b"[tool.poetry]\nname = 'x'\n")],
        status="applied",
        commit="b" * 40,
    )
    files = Changeset(
        "modelw-files",
        "Dockerfiles",
        "why",
        changes=[
            FileChange("api/Dockerfile", None, b"FROM modelw/base\n"),
            FileChange("front/package.json", b"{}", b"{}\n"),
        ],
        status="applied",
        commit="c" * 40,
    )
    outcome = RunOutcome(changesets=[settings, layout, deps, files])
    (tmp_path / "api").mkdir(exist_ok=True)
    (tmp_path / "api" / ".env").write_text(f"SECRET_KEY={SECRET}\nDEBUG=yes\n")
    return MigrationResult(
        "apply",
        facts,
        Answers(project_name="My Shop"),
        Plan([]),
        outcome,
        branch="modelw/migrate",
        origin_branch="main",
        commits=["a" * 40, "b" * 40, "c" * 40],
    )


def render(res, root) -> str:
    console = Console(file=io.StringIO(), width=80, no_color=True, color_system=None)
    print_session_summary(console, res, root=root)
    return console.file.getvalue()


def test_env_names_never_values():
    assert env_names("A=1\n# C=3\nexport B = 'x'\n\nA=2\n") == ["A", "B"]


def test_next_commands(tmp_path):
    commands = dict((cmd, what) for what, cmd in next_commands(result(tmp_path), tmp_path))
    assert "cd api && poetry lock" in commands
    assert "docker build -t my-shop-api api" in commands
    assert "cd front && npm install" in commands
    dump = [c for c in commands if "dumpdata" in c]
    assert dump and "manage.py" in dump[0] and "on main" in commands[dump[0]]
    assert any("loaddata data.json" in c for c in commands)


def test_no_sqlite_move_without_a_blocker(tmp_path):
    res = result(tmp_path, blocker=False)
    res.outcome.changesets[0].followups = []
    assert not any("dumpdata" in cmd for _, cmd in next_commands(res, tmp_path))


def test_summary_lists_commits_followups_by_file_and_env_names(tmp_path):
    res = result(tmp_path)
    out = render(res, tmp_path)
    assert "aaaaaaaaaa Read settings from environment variables (settings-env)" in out
    assert "Skipped by you: api-layout" in out
    # follow-ups grouped by file, one heading per file
    assert out.count("api/shop/settings.py") == 1 and "README.md" in out
    assert out.index("line 3") < out.index("line 12")
    assert f"{tmp_path}/api/.env" in out.replace("\n", "")
    assert "SECRET_KEY, DEBUG" in out
    assert SECRET not in out
    assert "poetry lock" in out and "docker build" in out
    assert "modelw migrate --abort" in out


def test_env_file_moved_later_is_listed_where_it_is(tmp_path):
    res = result(tmp_path)
    res.outcome.changesets[0].changes.append(FileChange(".env", None, b"X=1\n", local=True))
    assert list(env_files(res, tmp_path)) == ["api/.env"]


def test_interrupted_summary_has_no_next_commands(tmp_path):
    res = result(tmp_path)
    res.interrupted = True
    out = render(res, tmp_path)
    assert "Interrupted" in out and "last complete step" in out
    assert "poetry lock" not in out
