"""`modelw batch`: many repositories, one recipe; state, --failed-only, --canary, CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from model_w.migrate.batch import (
    ci_matrix_entry,
    github_workflow,
    is_url,
    make_specs,
    parse_repo_list,
)
from model_w.migrate.batch_state import BatchState
from model_w.migrate.cli import main
from model_w.migrate.errors import UserError
from tests.conftest import copy_fixture, git, init_repo, snapshot_tree

OK_STATUSES = {"migrated", "migrated-with-followups", "blocked"}


def modelw(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "model_w.migrate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def commits_on_branch(repo: Path, branch: str = "modelw/migrate") -> int:
    return int(git(repo, "rev-list", "--count", f"main..{branch}").strip())


def break_settings(repo: Path) -> None:
    """Python 2 code in the settings: the migration must refuse this repository."""
    settings = repo / "myproject" / "settings.py"
    settings.write_text(settings.read_text() + '\nprint "settings loaded"\n')
    git(repo, "commit", "-q", "-am", "Legacy Python 2 debug print")


# ------------------------------------------------------------ unit


def test_parse_repo_list():
    text = """
    # our client projects
    ../shop            # the shop
    https://example.com/org/blog.git
      git@github.com:org/api.git

    #../skipped
    """
    assert parse_repo_list(text) == [
        "../shop",
        "https://example.com/org/blog.git",
        "git@github.com:org/api.git",
    ]


def test_is_url():
    assert is_url("https://x/y.git") and is_url("file:///tmp/x") and is_url("git@h:o/r.git")
    assert is_url("ssh://git@h/o/r") and not is_url("../shop") and not is_url("/abs/shop")


def test_make_specs_names_and_errors(tmp_path):
    (tmp_path / "a" / "shop").mkdir(parents=True)
    (tmp_path / "b" / "shop").mkdir(parents=True)
    specs = make_specs(["a/shop", "b/shop", "https://h/org/blog.git"], base=tmp_path)
    assert [s.name for s in specs] == ["shop", "shop-2", "blog"]
    assert specs[0].path == str(tmp_path / "a" / "shop") and specs[0].url is None
    assert specs[2].url == "https://h/org/blog.git" and specs[2].path is None
    with pytest.raises(UserError, match="nope: no such repository folder"):
        make_specs(["nope"], base=tmp_path)


def test_batch_state_round_trip(tmp_path):
    from model_w.migrate.batch import RepoOutcome, RepoSpec

    state = BatchState.load(tmp_path)
    state.recipe = "full"
    state.remember(RepoSpec("a", "a", path="/x/a"))
    state.remember(RepoSpec("b", "b", path="/x/b"))
    state.record(RepoOutcome("a", "a", "migrated"))
    state.record(RepoOutcome("b", "b", "failed", error="boom"))
    state.save()
    again = BatchState.load(tmp_path)
    assert again.recipe == "full"
    assert again.failed_names() == ["b"]
    assert again.repos["b"]["path"] == "/x/b"
    (tmp_path / "batch-state.json").write_text("{")
    with pytest.raises(UserError, match="not valid JSON"):
        BatchState.load(tmp_path)


def test_cli_errors(tmp_path, capsys):
    assert main(["batch", "--workdir", str(tmp_path / "w"), "--recipe", "full"]) == 2
    assert "no repositories given" in capsys.readouterr().err
    assert main(["batch", "--workdir", str(tmp_path / "w"), "--failed-only"]) == 2
    assert "no earlier batch" in capsys.readouterr().err
    assert main(["batch", "--recipe", "ful", str(tmp_path)]) == 2
    assert "did you mean 'full'" in capsys.readouterr().err


def test_emit_ci_github(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    local = tmp_path / "local"
    local.mkdir()
    git(local, "init", "-q")
    git(local, "remote", "add", "origin", "git@github.com:acme/local-shop.git")
    (tmp_path / "repos.txt").write_text(
        "# fleet\nhttps://github.com/acme/shop.git\nacme/blog\n"
        "https://gitlab.example.com/acme/api.git  # not on GitHub\nlocal\n"
    )
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "agency.yaml").write_text("name: agency\nextends: full\n")
    out = tmp_path / ".github" / "workflows" / "modelw.yml"
    code = main(
        ["batch", "--emit-ci", "github", "--recipe", "recipes/agency.yaml"]
        + ["--repos", "repos.txt", "-j", "6", "-o", str(out)]
    )
    assert code == 0
    workflow = yaml.safe_load(out.read_text())
    job = workflow["jobs"]["migrate"]
    assert job["strategy"]["matrix"]["include"] == [
        {"name": "shop", "repository": "acme/shop", "url": ""},
        {"name": "blog", "repository": "acme/blog", "url": ""},
        {"name": "api", "repository": "", "url": "https://gitlab.example.com/acme/api.git"},
        {"name": "local-shop", "repository": "acme/local-shop", "url": ""},
    ]
    assert job["strategy"]["fail-fast"] is False and job["strategy"]["max-parallel"] == 6
    assert job["env"]["RECIPE"] == "fleet/recipes/agency.yaml"
    runs = [s.get("run", "") for s in job["steps"]]
    assert (
        'modelw migrate --recipe "$RECIPE" --yes --report'
        ' "modelw-report-${{ matrix.name }}.json" target' in runs
    )
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["if"] == "always()"
    report_job = workflow["jobs"]["report"]
    assert report_job["needs"] == "migrate"
    assert any(
        "modelw report merge batch-report reports/*.json" in s.get("run", "")
        for s in report_job["steps"]
    )
    assert True in workflow or "on" in workflow  # PyYAML reads the `on` key as True

    # printed to stdout without -o, with a built-in recipe name kept as is
    capsys.readouterr()
    assert main(["batch", "--emit-ci", "github", "--recipe", "full", "acme/blog"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["jobs"]["migrate"]["env"]["RECIPE"] == "full"


def test_emit_ci_refuses_local_repo_without_remote(tmp_path):
    local = tmp_path / "shop"
    local.mkdir()
    git(local, "init", "-q")
    with pytest.raises(UserError, match="without an 'origin' remote"):
        ci_matrix_entry(str(local))
    with pytest.raises(UserError, match="no repositories"):
        github_workflow([], "full")


# ------------------------------------------------------------ real batches


@pytest.mark.slow
def test_batch_failure_then_failed_only_then_idempotent(tmp_path):
    """Three repositories, one with Python 2 settings: it fails, the others migrate;
    --failed-only re-runs only that one; the same batch again changes nothing."""
    repos = tmp_path / "repos"
    shop = init_repo(copy_fixture("classic", repos / "shop"))
    portal_origin = init_repo(copy_fixture("django_environ", repos / "portal-origin"))
    broken = init_repo(copy_fixture("classic", repos / "legacy"))
    break_settings(broken)
    before_broken = snapshot_tree(broken)
    (tmp_path / "repos.txt").write_text(
        "# the fleet\nrepos/shop\n"
        f"file://{portal_origin}  # cloned into the work folder\n"
        "repos/legacy\n"
    )
    (tmp_path / "recipe.yaml").write_text(
        "name: fleet\ndescription: Fleet move.\nextends: full\nbranch: modelw/migrate\n"
    )

    result = modelw(
        "batch", "--recipe", "recipe.yaml", "--repos", "repos.txt", "-j", "2", cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout + result.stderr
    work = tmp_path / "modelw-batch"
    batch = json.loads((work / "report.json").read_text())
    rows = {r["name"]: r for r in batch["repositories"]}
    assert list(rows) == ["shop", "portal-origin", "legacy"]
    assert rows["shop"]["status"] in OK_STATUSES
    assert rows["portal-origin"]["status"] in OK_STATUSES
    assert rows["legacy"]["status"] == "failed"
    assert "settings do not parse" in rows["legacy"]["error"]
    assert "\n" not in rows["legacy"]["error"]
    assert "legacy: " in result.stdout and "1 repository(ies) failed: legacy" in result.stdout
    # the failed repository was not touched
    assert snapshot_tree(broken) == before_broken
    # commits: in place for a local path, in the clone for a URL; the origin is untouched
    clone = work / "checkouts" / "portal-origin"
    assert rows["shop"]["commits"] == commits_on_branch(shop) > 0
    assert rows["portal-origin"]["commits"] == commits_on_branch(clone) > 0
    assert "modelw/migrate" not in git(portal_origin, "branch")
    assert git(shop, "status", "--porcelain") == ""
    for name in rows:
        for ext in ("json", "md", "html"):
            assert (work / "repos" / name / f"report.{ext}").is_file()
    repo_report = json.loads((work / "repos" / "shop" / "report.json").read_text())
    assert repo_report["schema_version"] == 1 and repo_report["steps"]
    assert batch["summary"]["failed"] == 1 and batch["summary"]["repositories"] == 3
    state = json.loads((work / "batch-state.json").read_text())
    assert [n for n, e in state["repos"].items() if e["status"] == "failed"] == ["legacy"]
    md = (work / "report.md").read_text()
    assert "| legacy | failed |" in md and "## Failures" in md

    # port the settings to Python 3, then re-run only what failed
    settings = broken / "myproject" / "settings.py"
    settings.write_text(settings.read_text().replace('print "settings loaded"', "pass"))
    git(broken, "commit", "-q", "-am", "Port to Python 3")
    shop_head = git(shop, "rev-parse", "modelw/migrate")
    result = modelw("batch", "--failed-only", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "legacy" in result.stdout and "shop" not in result.stdout.split("Reports:")[0]
    assert git(shop, "rev-parse", "modelw/migrate") == shop_head
    batch = json.loads((work / "report.json").read_text())
    rows = {r["name"]: r for r in batch["repositories"]}
    assert rows["legacy"]["status"] in OK_STATUSES
    assert rows["legacy"]["commits"] == commits_on_branch(broken) > 0
    assert rows["shop"]["status"] in OK_STATUSES  # the batch report keeps the others
    assert modelw("batch", "--failed-only", cwd=tmp_path).stdout.startswith(
        "No repository failed last time"
    )

    # the same recipe again: nothing changes, every repository is already migrated
    heads = {p: git(p, "rev-parse", "HEAD") for p in (shop, clone, broken)}
    result = modelw(
        "batch", "--recipe", "recipe.yaml", "--repos", "repos.txt", "-j", "2", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    batch = json.loads((work / "report.json").read_text())
    assert {r["status"] for r in batch["repositories"]} == {"already-migrated"}
    assert all(r["commits"] == 0 for r in batch["repositories"])
    assert {p: git(p, "rev-parse", "HEAD") for p in heads} == heads
    for p in heads:
        assert git(p, "status", "--porcelain") == ""


@pytest.mark.slow
def test_canary_stops_for_review(tmp_path):
    first = init_repo(copy_fixture("nuxt_front", tmp_path / "first"))
    second = init_repo(copy_fixture("classic", tmp_path / "second"))
    result = modelw("batch", "--recipe", "full", "--canary", "1", "first", "second", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Canary done" in result.stdout and "1 not started" in result.stdout
    assert commits_on_branch(first) > 0
    assert "modelw/migrate" not in git(second, "branch")
    state = json.loads((tmp_path / "modelw-batch" / "batch-state.json").read_text())
    assert state["repos"]["second"]["status"] == "pending"


@pytest.mark.slow
def test_audit_recipe_never_writes(tmp_path):
    repo = init_repo(copy_fixture("split_settings", tmp_path / "shop"))
    before = snapshot_tree(repo)
    result = modelw("batch", "--recipe", "audit", "shop", "--workdir", "audit", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot_tree(repo) == before
    report = json.loads((tmp_path / "audit" / "repos" / "shop" / "report.json").read_text())
    assert report["mode"] == "dry-run" and report["status"] == "changes-pending"
    assert report["steps"] and any(f["diff"] for s in report["steps"] for f in s["files"])
    assert "changes pending" in result.stdout
