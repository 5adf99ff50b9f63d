"""The whole migration towards Model W 2025.7 (Django 5.2, Python 3.13), proven
with the real preset 2025.7 where Python 3.13 is installed.

For a few fixtures, `modelw migrate --yes --modelw-release 2025.7`: the
generated `api/pyproject.toml` pins the 2025.7 preset with a database driver
extra (2025.7 brings no driver by default) and Python ~3.13, the Dockerfile
starts from `modelw/base:2025.07`; the migrated project boots with the
generated `.env` and in build mode without it, has no pending migration,
and its file storages (Django 5.1+ reads only STORAGES) both resolve.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib

from model_w.migrate.cli import main
from model_w.migrate.knowledge import load_release
from tests.infra.runner import run_manage

from .conftest import copy_fixture, git, init_repo

RELEASE = "2025.7"
FIXTURES_2025 = ["classic", "worked_example", "split_settings"]

STORAGE_PROBE = (
    "from django.conf import settings\n"
    "from django.core.files.storage import storages\n"
    "print('default:', type(storages['default']).__name__)\n"
    "print('staticfiles:', type(storages['staticfiles']).__name__)\n"
    "print('aliases:', sorted(settings.STORAGES))\n"
)


@pytest.fixture(scope="module")
def migrated_2025(tmp_path_factory):
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            repo = init_repo(copy_fixture(name, tmp_path_factory.mktemp(name) / name))
            code = main(["migrate", str(repo), "--no-diff", "--yes", "--modelw-release", RELEASE])
            assert code == 0
            assert git(repo, "status", "--porcelain") == ""
            cache[name] = repo
        return cache[name]

    return get


@pytest.mark.parametrize("name", FIXTURES_2025)
def test_pyproject_and_dockerfile_target_2025_7(migrated_2025, name):
    repo = migrated_2025(name)
    data = load_release(RELEASE)
    pyproject = tomllib.loads((repo / "api" / "pyproject.toml").read_text())
    deps = pyproject["tool"]["poetry"]["dependencies"]
    assert deps["python"] == data["python_pin"] == "~3.13"
    preset = deps["modelw-preset-django"]
    assert isinstance(preset, dict), preset
    assert preset["version"] == data["pin"] == ">=2025.7.1,<2025.8.0"
    drivers = {"psycopg", "psycopg2"} & set(preset.get("extras", []))
    assert drivers, f"no database driver extra: {preset}"
    assert drivers <= set(data["extras"]), "the extra must exist in 2025.7"
    # Django comes from the preset; no legacy pin survives next to it
    assert "Django" not in deps and "django" not in deps
    dockerfile = (repo / "api" / "Dockerfile").read_text()
    assert re.search(r"^FROM modelw/base:2025\.07\b", dockerfile, re.M), dockerfile


@pytest.mark.parametrize("name", FIXTURES_2025)
def test_settings_use_2025_7_constructor_and_storages(migrated_2025, name):
    repo = migrated_2025(name)
    manage = (repo / "api" / "manage.py").read_text()
    module = re.search(r'DJANGO_SETTINGS_MODULE",\s*"([\w.]+)"', manage).group(1)
    base = repo / "api" / Path(*module.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
    code = path.read_text()
    # enable_cursors exists from 2025.7.1 (the pin's lower bound) and is passed explicitly
    assert "enable_cursors=" in code
    # 2026.7-only flags are not passed to 2025.7
    assert "enable_security" not in code and "enable_ninja" not in code
    # Django 5.1 removed these settings; 5.0 removed USE_L10N
    for gone in ("DEFAULT_FILE_STORAGE", "STATICFILES_STORAGE", "USE_L10N"):
        assert not re.search(rf"^\s*{gone}\s*=", code, re.M), gone
    compile(code, str(path), "exec")


@pytest.mark.preset
@pytest.mark.parametrize("name", FIXTURES_2025)
def test_migrated_project_boots_with_the_real_preset_2025(migrated_2025, preset_python_2025, name):
    repo = migrated_2025(name)
    api = repo / "api"
    result = run_manage(preset_python_2025, api, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    storages = run_manage(preset_python_2025, api, "shell", "-c", STORAGE_PROBE)
    assert storages.returncode == 0, storages.stdout + storages.stderr
    probe = dict(line.split(": ", 1) for line in storages.stdout.splitlines() if ": " in line)
    assert probe.get("default") == "FileSystemStorage", storages.stdout
    assert probe.get("staticfiles") == "CompressedManifestStaticFilesStorage", storages.stdout
    assert probe.get("aliases") == "['default', 'staticfiles']", storages.stdout
    env_file = api / ".env"
    hidden = api.parent / "env.hidden"
    env_file.rename(hidden)
    try:
        build = run_manage(preset_python_2025, api, "check", env={"BUILD_MODE": "yes"})
        assert build.returncode == 0, build.stdout + build.stderr
    finally:
        hidden.rename(env_file)
    makemigrations = run_manage(preset_python_2025, api, "makemigrations", "--check", "--dry-run")
    assert makemigrations.returncode == 0, makemigrations.stdout + makemigrations.stderr


@pytest.mark.parametrize("name", FIXTURES_2025)
def test_second_run_changes_nothing_2025(migrated_2025, name):
    repo = migrated_2025(name)
    head = git(repo, "rev-parse", "HEAD")
    assert main(["migrate", str(repo), "--no-diff", "--yes", "--modelw-release", RELEASE]) == 0
    assert git(repo, "rev-parse", "HEAD") == head
