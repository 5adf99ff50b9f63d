"""The whole migration on every fixture, proven with the real preset.

For each legacy fixture: the dry-run patch equals what `--yes` commits; the
migrated project boots (`cd api && manage.py check`) with the generated
`.env` and in build mode without it; history follows moved files; no
tracked file refers to an old path; no commit holds a secret; package.json
files still parse.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from model_w.migrate.cli import main
from tests.infra.runner import run_manage

from .conftest import FIXTURES, git

ALL_FIXTURES = sorted(p.name for p in FIXTURES.iterdir() if (p / "README.md").exists())
SECRET_NAMES = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEY|DSN|PASS)", re.I)


def migrate(repo: Path, *extra: str) -> int:
    return main(["migrate", str(repo), "--no-diff", *extra])


def parse_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """fixture name -> (repo, patch applied tree, migrated tree); built once per module."""
    cache: dict[str, tuple[Path, str, str]] = {}

    def get(name: str) -> tuple[Path, str, str]:
        if name in cache:
            return cache[name]
        from .conftest import copy_fixture, init_repo

        repo = init_repo(copy_fixture(name, tmp_path_factory.mktemp(name) / name))
        patch = repo.parent / "change.patch"
        assert migrate(repo, "--dry-run", "--patch", str(patch)) == 1
        assert git(repo, "status", "--porcelain") == ""
        assert migrate(repo, "--yes") == 0
        migrated_tree = git(repo, "ls-tree", "-r", "HEAD")
        # the patch on the original branch gives the very same tree
        check = init_repo(copy_fixture(name, repo.parent / "patched"))
        git(check, "apply", "--index", str(patch))
        git(check, "commit", "-qm", "patched", "--allow-empty")
        cache[name] = (repo, git(check, "ls-tree", "-r", "HEAD"), migrated_tree)
        return cache[name]

    return get


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_dry_run_patch_equals_the_applied_branch(migrated, name):
    _, patched, applied = migrated(name)
    assert patched == applied


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_layout_history_and_references(migrated, name):
    repo, _, _ = migrated(name)
    assert (repo / "api" / "manage.py").is_file()
    assert git(repo, "status", "--porcelain") == ""
    subjects = git(repo, "log", "--format=%s", "main..HEAD").splitlines()
    assert all(s.startswith("modelw: ") for s in subjects) and len(subjects) >= 5
    # history follows the moved manage.py
    follow = git(repo, "log", "--follow", "--format=%s", "--", "api/manage.py").splitlines()
    assert "Initial Django code" in follow or "Add project files" in follow
    # no tracked file is a local env file
    assert not [p for p in git(repo, "ls-files").split() if p.endswith("/.env") or p == ".env"]
    for pkg in (repo / "api").rglob("package.json"):
        if "node_modules" not in pkg.parts:
            json.loads(pkg.read_text())
    for pkg in (repo / "front").rglob("package.json") if (repo / "front").is_dir() else []:
        if "node_modules" not in pkg.parts:
            json.loads(pkg.read_text())


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_no_commit_contains_a_secret(migrated, name):
    repo, _, _ = migrated(name)
    env_file = repo / "api" / ".env"
    if not env_file.is_file():
        pytest.fail("the migration wrote no api/.env")
    commits = git(repo, "rev-list", "main..HEAD").split()
    # the values the settings step moves out of the legacy Python code
    legacy = "".join(p.read_text(errors="ignore") for p in (FIXTURES / name).rglob("*.py"))
    for key, value in parse_env(env_file).items():
        if SECRET_NAMES.search(key) and len(value) >= 8 and value in legacy:
            found = subprocess.run(
                ["git", "grep", "-l", "-F", value, *commits],
                cwd=repo,
                capture_output=True,
                text=True,
            ).stdout
            assert found == "", f"{key} is in a commit of the migration branch: {found}"


@pytest.mark.preset
@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_migrated_project_boots_with_the_real_preset(migrated, preset_python, name):
    repo, _, _ = migrated(name)
    api = repo / "api"
    result = run_manage(preset_python, api, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    env_file = api / ".env"
    hidden = api.parent / "env.hidden"
    env_file.rename(hidden)
    try:
        build = run_manage(preset_python, api, "check", env={"BUILD_MODE": "yes"})
        assert build.returncode == 0, build.stdout + build.stderr
    finally:
        hidden.rename(env_file)
    makemigrations = run_manage(preset_python, api, "makemigrations", "--check", "--dry-run")
    assert makemigrations.returncode == 0, makemigrations.stdout + makemigrations.stderr


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_second_run_changes_nothing(migrated, name):
    repo, _, _ = migrated(name)
    head = git(repo, "rev-parse", "HEAD")
    assert migrate(repo, "--yes") == 0
    assert git(repo, "rev-parse", "HEAD") == head
    assert migrate(repo, "--dry-run") == 0


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_old_module_paths_are_gone(migrated, name):
    """No tracked file still imports a moved app or names the old settings module."""
    from model_w.migrate.inspect import inspect_path

    repo, _, _ = migrated(name)
    legacy = inspect_path(FIXTURES / name).django
    patterns = []
    if legacy.settings_module and "." in legacy.settings_module:
        patterns.append(r"\b" + re.escape(legacy.settings_module) + r"\b")
    for app in legacy.project_apps:
        if "." not in app.name:
            patterns += [rf"^\s*from {app.name}(\.|\s)", rf"^\s*import {app.name}\b"]
    assert patterns
    found = subprocess.run(
        ["git", "grep", "-n", "-E", "|".join(f"({p})" for p in patterns), "HEAD", "--", ":!*.md"],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout
    assert found == "", found


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_settings_history_follows_the_settings_module(migrated, name):
    """`git log --follow` on the migrated settings module reaches the legacy commits.

    The settings file is edited (settings-env) then moved twice (api-layout,
    package-layout); each move is its own commit, so git's rename detection
    sees an unchanged file at every move.
    """
    repo, _, _ = migrated(name)
    manage = (repo / "api" / "manage.py").read_text()
    module = re.search(r'DJANGO_SETTINGS_MODULE",\s*"([\w.]+)"', manage).group(1)
    base = repo / "api" / Path(*module.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
    assert "/django/" in path.as_posix(), path
    rel = path.relative_to(repo).as_posix()
    subjects = git(repo, "log", "--follow", "--format=%s", "--", rel).splitlines()
    legacy = [s for s in subjects if not s.startswith("modelw: ")]
    assert legacy, f"history of {rel} stops at the migration: {subjects}"


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_poetry_accepts_the_api_pyproject(migrated, poetry_bin, name):
    repo, _, _ = migrated(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    result = subprocess.run(
        [str(poetry_bin), "check"], cwd=repo / "api", capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
