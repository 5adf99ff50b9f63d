"""The shared test infrastructure works: preset venv, PostgreSQL, run_manage, the build lock."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.infra import venv as venv_mod
from tests.infra.runner import clean_env, run_manage

SETTINGS = """\
from model_w.env_manager import EnvManager
from model_w.preset.django import ModelWDjango

DEBUG = False
MIDDLEWARE = []

with EnvManager(
    ModelWDjango(
        enable_celery=False,
        enable_channels=False,
        enable_wagtail=False,
        enable_storages=False,
        enable_health_check=False,
        enable_cache=False,
    )
) as env:
    INSTALLED_APPS = ["tiny.things"]
    ROOT_URLCONF = "tiny.urls"
    LANGUAGES = [("en", "English")]
"""

MANAGE = """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiny.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""

PROBE = """\
import json, os
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "apps": settings.INSTALLED_APPS,
    "middleware": settings.MIDDLEWARE,
    "home": os.environ["HOME"],
    "environment": os.environ.get("ENVIRONMENT"),
}))
"""


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A throw-away Model W project: one app, one model, nothing else."""
    project = tmp_path / "api"
    (project / "tiny" / "things" / "migrations").mkdir(parents=True)
    (project / "manage.py").write_text(MANAGE)
    (project / "tiny" / "__init__.py").write_text("")
    (project / "tiny" / "settings.py").write_text(SETTINGS)
    (project / "tiny" / "urls.py").write_text(
        "from django.contrib import admin\nfrom django.urls import path\n\n"
        'urlpatterns = [path("back/admin/", admin.site.urls)]\n'
    )
    (project / "tiny" / "things" / "__init__.py").write_text("")
    (project / "tiny" / "things" / "migrations" / "__init__.py").write_text("")
    (project / "tiny" / "things" / "models.py").write_text(
        "from django.db import models\n\n\nclass Thing(models.Model):\n"
        "    name = models.CharField(max_length=50)\n"
    )
    return project


@pytest.mark.preset
def test_venv_has_the_2024_10_preset(preset_python: Path) -> None:
    out = subprocess.run(
        [
            str(preset_python),
            "-c",
            "import sys, django, model_w.preset.django as p, psycopg2;"
            "print(p.__version__, django.__version__, '%d.%d' % sys.version_info[:2])",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    preset, django, python = out.stdout.split()
    assert preset.startswith("2024.10.")
    assert django.startswith("4.2.")
    assert python == "3.11"
    facts = venv_mod.venv_facts(preset_python)
    frozen = {line.split("==")[0].lower() for line in facts["freeze"]}
    for name in ("django-cors-headers", "django-environ", "environs", "django-split-settings"):
        assert name in frozen


@pytest.mark.preset
def test_django_setup_on_a_tiny_model_w_project(preset_python: Path, tiny_project: Path) -> None:
    (tiny_project / "probe.py").write_text(PROBE)
    result = subprocess.run(
        [str(preset_python), "probe.py"],
        cwd=tiny_project,
        env=clean_env({"BUILD_MODE": "yes", "DJANGO_SETTINGS_MODULE": "tiny.settings"}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["apps"][-1] == "tiny.things"
    assert "django.contrib.admin" in data["apps"]
    assert data["middleware"][1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert not data["home"].startswith("/home/")
    run_manage(preset_python, tiny_project, "check", env={"BUILD_MODE": "yes"}, check=True)


@pytest.mark.preset
def test_run_manage_does_not_inherit_the_environment(
    preset_python: Path, tiny_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "nowhere.settings")
    monkeypatch.setenv("SECRET_KEY", "leaked")
    monkeypatch.setenv("DATABASE_URL", "postgres://leak@localhost/leak")
    monkeypatch.setenv("BASE_URL", "https://leak.example.com")
    result = run_manage(preset_python, tiny_project, "check")
    assert result.returncode != 0
    # Nothing leaked: the preset misses all three required variables.
    for name in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
        assert name in result.stderr
    env = clean_env({"EXTRA": "1", "PATH": None})
    assert "DJANGO_SETTINGS_MODULE" not in env and "PATH" not in env and env["EXTRA"] == "1"


@pytest.mark.postgres
def test_postgres_accepts_a_connection(preset_python: Path, postgres) -> None:
    url = postgres.create_database("infra_probe", drop_existing=True)
    code = textwrap.dedent(
        f"""
        import psycopg2
        conn = psycopg2.connect(host={postgres.host!r}, port={postgres.port},
                                user={postgres.user!r}, dbname="infra_probe")
        cur = conn.cursor()
        cur.execute("select current_database(), current_setting('is_superuser')")
        print(*cur.fetchone())
        """
    )
    out = subprocess.run(
        [str(preset_python), "-c", code], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["infra_probe", "on"]
    assert url.endswith(f":{postgres.port}/infra_probe")
    postgres.drop_database("infra_probe")


@pytest.mark.preset
@pytest.mark.postgres
@pytest.mark.slow
def test_migrate_against_the_real_server(
    preset_python: Path, tiny_project: Path, pg_database: str
) -> None:
    env = {
        "DATABASE_URL": pg_database,
        "SECRET_KEY": "not-a-secret",
        "BASE_URL": "http://127.0.0.1:8000",
        "ENVIRONMENT": "test",
    }
    run_manage(preset_python, tiny_project, "makemigrations", "things", env=env, check=True)
    run_manage(preset_python, tiny_project, "migrate", "--noinput", env=env, check=True)
    result = run_manage(
        preset_python, tiny_project, "makemigrations", "--check", "--dry-run", env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _build_in_child(cache: str, key: str, queue) -> None:
    import os

    os.environ["MODELW_TEST_CACHE"] = cache

    def build(dest: Path) -> dict:
        count = Path(cache) / "builds"
        with open(count, "a") as f:
            f.write("x")
        import time

        time.sleep(0.5)
        (dest / "thing").write_text("built")
        return {"who": os.getpid()}

    path = venv_mod.cached_build(key, build)
    queue.put((path / "thing").read_text())


def test_cached_build_runs_once_across_processes(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_build_in_child, args=(str(tmp_path), "venvs/k", queue))
        for _ in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert [queue.get(timeout=5) for _ in procs] == ["built"] * 3
    assert (tmp_path / "builds").read_text() == "x"
    marker = json.loads((tmp_path / "venvs" / "k" / venv_mod.MARKER).read_text())
    assert marker["key"] == "venvs/k" and marker["built_in_seconds"] >= 0.5


def test_an_interrupted_build_is_redone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELW_TEST_CACHE", str(tmp_path))

    def broken(dest: Path) -> dict:
        (dest / "half").write_text("")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        venv_mod.cached_build("venvs/k", broken)
    assert not (tmp_path / "venvs" / "k").exists()
    (tmp_path / "venvs" / "k").mkdir()  # as a killed process would leave it
    path = venv_mod.cached_build("venvs/k", lambda d: {"ok": True})
    assert (path / venv_mod.MARKER).is_file() and not (path / "half").exists()


def test_missing_2025_interpreter_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(venv_mod, "find_python", lambda version: None)
    with pytest.raises(pytest.skip.Exception, match="Python 3.13"):
        venv_mod.preset_venv("2025.7")
    with pytest.raises(venv_mod.InterpreterMissing):
        venv_mod.preset_venv("2024.10")


@pytest.mark.preset
def test_2025_7_venv(preset_python_2025: Path) -> None:
    out = subprocess.run(
        [
            str(preset_python_2025),
            "-c",
            "import sys, django, model_w.preset.django as p;"
            "print(p.__version__, django.__version__, '%d.%d' % sys.version_info[:2])",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    preset, django, python = out.stdout.split()
    assert preset.startswith("2025.7.") and django.startswith("5.2.") and python == "3.13"
