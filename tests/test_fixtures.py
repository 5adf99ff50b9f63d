"""The legacy-project fixtures are well-formed small Django projects.

Django is not installed in the tool's own environment, so the fixtures are
not booted here; they are checked to parse on the running Python (>= 3.10)
and to have the pieces every other test relies on: a manage.py, a settings
module, an app with a model and an initial migration, a README, a
.gitignore and a dependency file naming Django.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

DEMO = Path(__file__).parent.parent / "src" / "model_w" / "migrate" / "demo_project"

REQUIRED = [
    "classic",
    "worked_example",
    "split_settings",
    "local_settings",
    "django_environ",
    "decouple",
    "backend_dir",
    "nuxt_front",
    "root_assets",
    "celery_s3_sentry",
    "api_clash",
    "vue_vite",
    "uv_pep621",
]

ALL = [(name, FIXTURES / name) for name in REQUIRED] + [("demo_project", DEMO)]

DEPENDENCY_FILES = (
    "requirements.txt",
    "requirements/base.txt",
    "Pipfile",
    "pyproject.toml",
    "setup.py",
)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_every_required_fixture_exists():
    present = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert set(REQUIRED) <= present


@pytest.mark.parametrize(("name", "root"), ALL, ids=[n for n, _ in ALL])
def test_python_files_parse(name: str, root: Path):
    for path in _files(root):
        if path.suffix == ".py":
            # compile() in memory: no __pycache__ is written into the fixture
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)


@pytest.mark.parametrize(("name", "root"), ALL, ids=[n for n, _ in ALL])
def test_fixture_is_a_small_django_project(name: str, root: Path):
    manage = [p for p in _files(root) if p.name == "manage.py"]
    assert len(manage) == 1, manage
    project = manage[0].parent
    text = manage[0].read_text()
    assert "DJANGO_SETTINGS_MODULE" in text
    assert (root / "README.md").is_file()
    assert (root / ".gitignore").is_file()
    assert len(_files(root)) < 80, "keep fixtures small"

    migrations = [p for p in _files(project) if p.name == "0001_initial.py"]
    assert migrations, "at least one app with a committed initial migration"
    for migration in migrations:
        models = migration.parent.parent / "models.py"
        assert models.is_file()
        assert "models.Model" in models.read_text() or "AbstractBaseUser" in models.read_text()

    urls = [
        p for p in _files(project) if p.name == "urls.py" and "admin.site.urls" in p.read_text()
    ]
    assert urls, "urls with the admin"

    dep_texts = [(project / f).read_text() for f in DEPENDENCY_FILES if (project / f).is_file()] + [
        (root / f).read_text() for f in DEPENDENCY_FILES if (root / f).is_file() and root != project
    ]
    assert any("django" in t.lower() for t in dep_texts), "a dependency file naming Django"


@pytest.mark.parametrize(("name", "root"), ALL, ids=[n for n, _ in ALL])
def test_package_json_files_are_valid(name: str, root: Path):
    for path in _files(root):
        if path.name == "package.json":
            json.loads(path.read_text())


def test_classic_has_no_committed_database():
    assert not list(FIXTURES.rglob("*.sqlite3"))
    assert "db.sqlite3" in (FIXTURES / "classic" / ".gitignore").read_text()


def test_classic_hardcoded_secret_looks_real():
    tree = ast.parse((FIXTURES / "classic" / "myproject" / "settings.py").read_text())
    values = {
        t.id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    secret = values["SECRET_KEY"]
    assert secret.startswith("django-insecure-") and len(secret) == len("django-insecure-") + 50
    assert values["GOOGLE_MAPS_API_KEY"].startswith("AIza")


def test_local_settings_is_ignored_but_example_committed():
    root = FIXTURES / "local_settings"
    assert "local_settings.py" in (root / ".gitignore").read_text().split()
    assert (root / "intranet" / "local_settings.py.example").is_file()
    assert not (root / "intranet" / "local_settings.py").exists()
