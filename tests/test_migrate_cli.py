"""`modelw migrate` end to end on real git repositories: preview, apply, resume, abort."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from model_w.migrate.cli import main
from model_w.migrate.steps import _REGISTRY, Step, register

from .conftest import git, snapshot_tree

SPINE = "gitignore,dotfiles"


def modelw(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as a user runs it (no terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "model_w.migrate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


def log_subjects(repo, rev="HEAD") -> list[str]:
    return git(repo, "log", "--format=%s", rev).splitlines()


def test_dry_run_shows_plan_and_diff_and_writes_nothing(make_repo):
    repo = make_repo("classic")
    before = snapshot_tree(repo)
    result = modelw("migrate", str(repo), "--dry-run", "--only", SPINE)
    assert result.returncode == 1, result.stderr
    assert "Plan" in result.stdout
    assert "diff --git a/.editorconfig b/.editorconfig" in result.stdout
    assert "\x1b[" not in result.stdout  # plain when piped
    assert snapshot_tree(repo) == before


def test_dry_run_exit_zero_when_nothing_to_change(make_repo, capsys):
    repo = make_repo("classic")
    assert main(["migrate", str(repo), "--yes", "--only", SPINE]) == 0
    assert main(["migrate", str(repo), "--dry-run", "--only", SPINE]) == 0
    assert "Nothing to change" in capsys.readouterr().out


def test_apply_commits_each_step_on_a_new_branch(make_repo):
    repo = make_repo("classic")
    main_before = git(repo, "rev-parse", "main").strip()
    result = modelw("migrate", str(repo), "--yes", "--only", SPINE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/migrate"
    assert git(repo, "rev-parse", "main").strip() == main_before  # user's branch untouched
    subjects = log_subjects(repo, "main..HEAD")
    assert subjects == [
        "modelw: Add Model W's editor and formatter dotfiles",
        "modelw: Ignore local and generated files",
    ]
    body = git(repo, "log", "-1", "--format=%B", "HEAD~1")
    assert "Modelw-Step: gitignore" in body and "must never be committed" in body
    trailers = git(
        repo, "log", "--format=%(trailers:key=Modelw-Step,valueonly)", "main..HEAD"
    ).split()
    assert trailers == ["dotfiles", "gitignore"]
    assert git(repo, "status", "--porcelain") == ""


def test_running_again_resumes_and_then_changes_nothing(make_repo):
    repo = make_repo("classic")
    assert modelw("migrate", str(repo), "--yes", "--only", "gitignore").returncode == 0
    head = git(repo, "rev-parse", "HEAD").strip()
    # on the branch: resumes after the committed step
    result = modelw("migrate", str(repo), "--yes", "--only", SPINE)
    assert result.returncode == 0, result.stderr
    assert "Resuming: 1 step(s) already committed" in result.stdout
    assert log_subjects(repo, f"{head}..HEAD") == [
        "modelw: Add Model W's editor and formatter dotfiles"
    ]
    head = git(repo, "rev-parse", "HEAD").strip()
    again = modelw("migrate", str(repo), "--yes", "--only", SPINE)
    assert again.returncode == 0
    assert "Nothing to do" in again.stdout
    assert git(repo, "rev-parse", "HEAD").strip() == head


def test_patch_from_dry_run_equals_the_applied_branch(make_repo, tmp_path):
    repo = make_repo("classic")
    patch = tmp_path / "change.patch"
    assert (
        modelw("migrate", str(repo), "--dry-run", "--only", SPINE, "--patch", str(patch)).returncode
        == 1
    )
    assert modelw("migrate", str(repo), "--yes", "--only", SPINE).returncode == 0
    migrated_tree = git(repo, "ls-tree", "-r", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "apply", "--index", str(patch))
    git(repo, "commit", "-qm", "patched")
    assert git(repo, "ls-tree", "-r", "HEAD") == migrated_tree


def test_json_report(make_repo, tmp_path):
    repo = make_repo("classic")
    report = tmp_path / "r.json"
    assert (
        modelw(
            "migrate", str(repo), "--dry-run", "--only", SPINE, "--report", str(report)
        ).returncode
        == 1
    )
    data = json.loads(report.read_text())
    assert data["schema_version"] == 1 and data["mode"] == "dry-run"
    assert data["status"] == "changes-pending"
    ids = [s["id"] for s in data["steps"]]
    assert ids == ["gitignore", "dotfiles"]
    assert {e["id"]: e["status"] for e in data["plan"]}["gitignore"] == "planned"
    assert any(
        f["path"] == ".editorconfig" and f["kind"] == "create" for f in data["steps"][1]["files"]
    )


def test_dirty_tree_is_refused_before_anything(make_repo):
    repo = make_repo("classic")
    (repo / "README.md").write_text("edited\n")
    (repo / "notes.txt").write_text("untracked\n")
    before = snapshot_tree(repo)
    result = modelw("migrate", str(repo), "--yes")
    assert result.returncode == 2
    assert "uncommitted changes" in result.stderr and "README.md" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot_tree(repo) == before


def test_existing_branch_suggests_resume_branch_or_abort(make_repo):
    repo = make_repo("classic")
    git(repo, "branch", "modelw/migrate")
    before = snapshot_tree(repo)
    result = modelw("migrate", str(repo), "--yes")
    assert result.returncode == 2
    assert (
        "already exists" in result.stderr
        and "--abort" in result.stderr
        and "--branch" in result.stderr
    )
    assert snapshot_tree(repo) == before


def test_other_branch_name(make_repo):
    repo = make_repo("classic")
    assert (
        modelw(
            "migrate", str(repo), "--yes", "--only", "gitignore", "--branch", "modelw/try-2"
        ).returncode
        == 0
    )
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/try-2"


def test_abort_returns_to_the_original_branch(make_repo):
    repo = make_repo("classic", branch="develop")
    assert modelw("migrate", str(repo), "--yes", "--only", SPINE).returncode == 0
    no_confirm = modelw("migrate", str(repo), "--abort")
    assert no_confirm.returncode == 2 and "--yes" in no_confirm.stderr
    result = modelw("migrate", str(repo), "--abort", "--yes")
    assert result.returncode == 0, result.stderr
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "develop"
    assert "modelw/migrate" not in git(repo, "branch", "--list")


def test_detached_head_works_from_head_and_says_so(make_repo):
    repo = make_repo("classic")
    git(repo, "checkout", "-q", "--detach", "HEAD")
    result = modelw("migrate", str(repo), "--yes", "--only", "gitignore")
    assert result.returncode == 0, result.stderr
    assert "detached" in result.stdout
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "modelw/migrate"


@pytest.fixture
def extra_step():
    """Register a temporary step (in-process runs only)."""
    added: list[str] = []

    def add(cls: type[Step]) -> type[Step]:
        register(cls)
        added.append(cls.id)
        return cls

    yield add
    for step_id in added:
        _REGISTRY.pop(step_id, None)


def test_failing_step_keeps_the_last_good_commit(make_repo, extra_step, capsys):
    repo = make_repo("classic")

    @extra_step
    class Boom(Step):
        id = "boom"
        title = "Explode"
        why = "to test failures"
        order = 27

        def run(self, ctx):
            ctx.workspace.write("half-done.txt", "x")
            raise RuntimeError("kaboom")

    code = main(["migrate", str(repo), "--yes", "--only", "gitignore,boom,dotfiles"])
    out = capsys.readouterr().out
    assert code == 1
    assert "The step 'boom' failed" in out and "kaboom" in out
    assert log_subjects(repo, "main..HEAD") == ["modelw: Ignore local and generated files"]
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / "half-done.txt").exists()
    # once fixed, running again resumes after the last good step
    _REGISTRY.pop("boom")
    assert main(["migrate", str(repo), "--yes", "--only", "gitignore,dotfiles"]) == 0
    assert (
        log_subjects(repo, "main..HEAD")[0] == "modelw: Add Model W's editor and formatter dotfiles"
    )


def test_ctrl_c_during_steps_leaves_the_repo_untouched(make_repo, extra_step):
    repo = make_repo("classic")

    @extra_step
    class Interrupt(Step):
        id = "interrupt"
        title = "Interrupt"
        why = "to test Ctrl-C"
        order = 27

        def run(self, ctx):
            raise KeyboardInterrupt

    before = snapshot_tree(repo)
    assert main(["migrate", str(repo), "--yes", "--only", "gitignore,interrupt"]) == 130
    assert snapshot_tree(repo) == before


def test_ctrl_c_while_committing_keeps_last_complete_step(make_repo, monkeypatch, capsys):
    from model_w.migrate import gitops

    repo = make_repo("classic")
    real_commit = gitops.commit
    calls = {"n": 0}

    def interrupted_commit(r, message):
        calls["n"] += 1
        if calls["n"] == 2:  # the second step's files are written and staged
            raise KeyboardInterrupt
        return real_commit(r, message)

    monkeypatch.setattr(gitops, "commit", interrupted_commit)
    assert main(["migrate", str(repo), "--yes", "--only", SPINE]) == 130
    assert "Interrupted" in capsys.readouterr().out
    assert log_subjects(repo, "main..HEAD") == ["modelw: Ignore local and generated files"]
    assert git(repo, "status", "--porcelain", "--ignored") == ""
    assert not (repo / ".editorconfig").exists()


def test_env_file_is_never_committed(make_repo, extra_step):
    repo = make_repo("classic")

    @extra_step
    class WritesEnv(Step):
        id = "writes-env"
        title = "Write a local env file"
        why = "to test the secret guard"
        order = 27

        def run(self, ctx):
            ctx.workspace.write(".env", "SECRET_KEY=abcdefgh12345678\n")
            ctx.workspace.write("settings_note.txt", "see .env\n")
            ctx.secrets.add("abcdefgh12345678")

    assert main(["migrate", str(repo), "--yes", "--only", "gitignore,writes-env"]) == 0
    assert (repo / ".env").read_text() == "SECRET_KEY=abcdefgh12345678\n"
    assert ".env" not in git(repo, "ls-files").split()
    assert "abcdefgh12345678" not in git(repo, "log", "-p", "main..HEAD")


def test_commit_holding_a_secret_is_refused(make_repo, extra_step, capsys):
    repo = make_repo("classic")

    @extra_step
    class Leaks(Step):
        id = "leaks"
        title = "Leak a secret"
        why = "to test the secret guard"
        order = 27

        def run(self, ctx):
            ctx.workspace.write("config.txt", "token = abcdefgh12345678\n")
            ctx.secrets.add("abcdefgh12345678")

    assert main(["migrate", str(repo), "--yes", "--only", "gitignore,leaks"]) == 1
    assert "refusing to commit config.txt" in capsys.readouterr().out
    assert "abcdefgh12345678" not in git(repo, "log", "-p", "--all")
    assert git(repo, "status", "--porcelain") == ""


# -- bad input: one line, exit 2, no traceback, repository unchanged -------------
def _assert_clean_error(result, *needles):
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_path_does_not_exist(tmp_path):
    _assert_clean_error(modelw("migrate", str(tmp_path / "nope"), "--dry-run"), "no such directory")


def test_not_a_git_repository(tmp_path):
    (tmp_path / "manage.py").write_text("")
    _assert_clean_error(modelw("migrate", str(tmp_path), "--yes"), "not a git repository")


def test_bare_repository(tmp_path):
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "b.git")], check=True)
    _assert_clean_error(modelw("migrate", str(tmp_path / "b.git"), "--yes"), "bare")


def test_no_manage_py(tmp_path):
    from .conftest import init_repo

    (tmp_path / "README.md").write_text("hi\n")
    init_repo(tmp_path)
    before = snapshot_tree(tmp_path)
    _assert_clean_error(modelw("migrate", str(tmp_path), "--yes"), "no manage.py")
    assert snapshot_tree(tmp_path) == before


def test_several_django_projects_ask_for_project_dir(make_repo):
    import shutil

    repo = make_repo("classic")
    shutil.copytree(repo / "myproject", repo / "other" / "myproject")
    (repo / "other" / "manage.py").write_text((repo / "manage.py").read_text())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "second project")
    before = snapshot_tree(repo)
    _assert_clean_error(modelw("migrate", str(repo), "--yes"), "--project-dir")
    assert snapshot_tree(repo) == before


def test_python2_settings_are_named_as_such(make_repo):
    repo = make_repo("classic")
    settings = next(p for p in repo.rglob("settings.py"))
    settings.write_text(settings.read_text() + '\nprint "debug is on"\n')
    git(repo, "commit", "-qam", "py2")
    before = snapshot_tree(repo)
    result = modelw("migrate", str(repo), "--yes")
    _assert_clean_error(result, "settings.py:", "Python 2")
    assert snapshot_tree(repo) == before


def test_non_utf8_settings(make_repo):
    repo = make_repo("classic")
    settings = next(p for p in repo.rglob("settings.py"))
    settings.write_bytes(settings.read_bytes() + b"\n# Caf\xe9\n")
    git(repo, "commit", "-qam", "latin-1")
    before = snapshot_tree(repo)
    _assert_clean_error(modelw("migrate", str(repo), "--yes"), "not UTF-8")
    assert snapshot_tree(repo) == before


def test_no_terminal_never_prompts(make_repo):
    repo = make_repo("classic")
    result = modelw("migrate", str(repo))
    _assert_clean_error(result, "--yes", "--recipe", "--dry-run")


def test_unknown_step_suggests_the_nearest(make_repo):
    repo = make_repo("classic")
    _assert_clean_error(
        modelw("migrate", str(repo), "--dry-run", "--only", "gitignor"), "did you mean 'gitignore'"
    )


def test_unknown_option_is_one_line():
    _assert_clean_error(modelw("migrate", "--frobnicate"), "unrecognized arguments")


def test_only_a_committed_env_file_is_a_blocker(make_repo, extra_step, capsys):
    repo = make_repo("classic")

    @extra_step
    class WritesEnv(Step):
        id = "writes-env-early"
        title = "Write a local env file"
        why = "a step before gitignore writes .env"
        order = 21

        def run(self, ctx):
            ctx.workspace.write(".env", "A=1\n")

    assert main(["migrate", str(repo), "--dry-run", "--only", "writes-env-early,gitignore"]) == 1
    assert "this .env file is committed" not in capsys.readouterr().out
    (repo / "sub").mkdir()
    (repo / "sub" / ".env").write_text("B=2\n")
    git(repo, "add", "-f", "sub/.env")
    git(repo, "commit", "-qm", "oops")
    assert main(["migrate", str(repo), "--dry-run", "--only", "gitignore"]) == 1
    assert "sub/.env" in capsys.readouterr().out


def test_project_dir_picks_one_of_several_projects_and_resumes(make_repo):
    import shutil

    from .conftest import FIXTURES

    repo = make_repo("classic")
    shutil.copytree(FIXTURES / "worked_example", repo / "other")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "second project")
    result = modelw("migrate", str(repo), "--yes", "--project-dir", "other")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "api" / "manage.py").is_file() and (repo / "manage.py").is_file()
    assert not (repo / "other" / "manage.py").exists()
    again = modelw("migrate", str(repo), "--yes", "--project-dir", "other")
    assert again.returncode == 0, again.stderr
    assert "Nothing to do" in again.stdout
