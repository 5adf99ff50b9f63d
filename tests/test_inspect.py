"""How inspection behaves: what it reads, what it skips, bad input, the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from model_w.migrate.errors import UserError
from model_w.migrate.facts import Facts, GitFacts
from model_w.migrate.inspect import inspect_git, inspect_path, inspect_workspace
from model_w.migrate.workspace import Workspace
from tests.conftest import copy_fixture, git, snapshot_tree

ROOT = Path(__file__).parent.parent


def _write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "model_w.migrate", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


# -- what is read and what is not ---------------------------------------------------
def test_gitignore_is_respected(make_repo):
    repo = make_repo("classic")
    _write(repo, ".gitignore", "db.sqlite3\nignored/\n")
    _write(repo, "ignored/package.json", '{"dependencies": {"vue": "^3"}}')
    _write(repo, "ignored/requirements.txt", "Django==1.11\n")
    _write(repo, "ignored/manage.py", "import os\n")
    facts = inspect_path(repo)
    assert facts.frontends == []
    assert [d.path for d in facts.dependency_files] == ["requirements.txt"]
    assert facts.manage_py_files == ["manage.py"]


def test_node_modules_and_virtualenvs_are_never_entered(make_repo):
    repo = make_repo("classic")
    _write(repo, "node_modules/vue/package.json", '{"name": "vue", "dependencies": {"vue": "3"}}')
    _write(repo, "venv/pyvenv.cfg", "home = /usr/bin\n")
    _write(
        repo, "venv/lib/python3.11/site-packages/django/conf/project_template/manage.py", "x = 1\n"
    )
    _write(repo, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    _write(repo, "myenv/lib/requirements.txt", "Django==1.8\n")
    _write(repo, ".venv/bin/activate", "# venv\n")
    _write(repo, ".venv/manage.py", "x = 1\n")
    _write(repo, "frontend/node_modules/nuxt/package.json", '{"dependencies": {"nuxt": "3"}}')
    # even when committed by mistake
    git(repo, "add", "-f", "node_modules", "frontend")
    git(repo, "commit", "-q", "-m", "oops, node_modules")
    facts = inspect_path(repo)
    assert facts.manage_py_files == ["manage.py"]
    assert facts.frontends == []
    assert [d.path for d in facts.dependency_files] == ["requirements.txt"]


def test_a_folder_that_is_not_a_repository_inspects(tmp_path):
    folder = copy_fixture("split_settings", tmp_path / "plain")
    _write(folder, "static/requirements.txt", "Django==2.2\n")  # /static/ is git-ignored
    facts = inspect_path(folder)
    assert facts.git == GitFacts(is_repo=False)
    assert facts.django.settings_module == "shop.settings.dev"
    assert "static/requirements.txt" not in [d.path for d in facts.dependency_files]


def test_inspect_sees_the_workspace_overlay(make_repo):
    repo = make_repo("classic")
    before = snapshot_tree(repo)
    ws = Workspace(repo)
    ws.write(
        "myproject/settings.py",
        ws.read("myproject/settings.py").replace(
            'SECRET_KEY = "', 'SECRET_KEY = os.environ.get("SECRET_KEY") or "'
        ),
    )
    ws.write("requirements.txt", "Django>=4.2,<5\n")
    ws.move("blog", "apps/blog")
    facts = inspect_workspace(ws, inspect_git(repo))
    assert facts.env.styles == ["os.environ"]
    assert facts.versions.django == ">=4.2,<5"
    assert facts.django.project_apps == []  # "blog" is no longer at the import root
    assert snapshot_tree(repo) == before


# -- Django layout -------------------------------------------------------------------
def test_symlinked_root_manage_py_resolves_to_the_real_one(make_repo):
    repo = make_repo("backend_dir")
    (repo / "manage.py").symlink_to("backend/manage.py")
    git(repo, "add", "manage.py")
    git(repo, "commit", "-q", "-m", "convenience symlink")
    facts = inspect_path(repo)
    assert facts.manage_py_files == ["backend/manage.py", "manage.py"]
    assert facts.django.manage_py == "backend/manage.py"
    assert facts.django.import_root == "backend"
    assert [(f.code, f.path) for f in facts.findings] == [("manage-py-symlink", "manage.py")]


def test_several_projects_need_project_dir(make_repo):
    repo = make_repo("classic")
    copy_fixture("decouple", repo / "other")
    with pytest.raises(UserError) as error:
        inspect_path(repo)
    assert "several Django projects found (., other)" in str(error.value)
    assert "--project-dir" in error.value.hint
    facts = inspect_path(repo, project_dir="other")
    assert facts.django.manage_py == "other/manage.py"
    assert facts.django.settings_module == "events.settings"
    assert facts.django.settings[0].path == "other/events/settings.py"
    assert ("info", "multiple-django-projects") in [(f.level, f.code) for f in facts.findings]
    facts = inspect_path(repo, project_dir=".")
    assert facts.django.settings_module == "myproject.settings"
    with pytest.raises(UserError, match="no manage.py found under"):
        inspect_path(repo, project_dir="nowhere")


def test_bad_inputs_are_one_line_user_errors(tmp_path):
    with pytest.raises(UserError) as error:
        inspect_path(tmp_path / "missing")
    assert "no such directory" in str(error.value) and "\n" not in str(error.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError) as error:
        inspect_path(tmp_path / "empty")
    assert error.value.message == f"no manage.py found under {(tmp_path / 'empty').resolve()}"
    assert error.value.hint == "run modelw inside a Django project or pass its folder"


def test_bare_repository_is_refused(make_repo, tmp_path):
    repo = make_repo("classic")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    assert inspect_git(bare).bare
    with pytest.raises(UserError, match="bare git repository"):
        inspect_path(bare)


def test_settings_module_from_dotenv_when_manage_py_sets_none(make_repo):
    repo = make_repo("django_environ")
    manage = repo / "manage.py"
    manage.write_text(
        manage.read_text().replace(
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")', "pass"
        )
    )
    (repo / "portal" / "wsgi.py").unlink()
    (repo / "portal" / "asgi.py").unlink()
    _write(
        repo, ".env", "DEBUG=on\nDJANGO_SETTINGS_MODULE=portal.settings\n"
    )  # git-ignored, still read
    facts = inspect_path(repo)
    assert facts.django.settings_module == "portal.settings"
    assert [(s.path, s.line) for s in facts.django.settings_module_sources] == [(".env", 2)]


def test_no_settings_module_at_all_is_a_blocker(make_repo):
    repo = make_repo("classic")
    for rel in ("manage.py", "myproject/wsgi.py", "myproject/asgi.py"):
        path = repo / rel
        path.write_text(re.sub(r"os\.environ\.setdefault\([^)]*\)", "pass", path.read_text()))
    facts = inspect_path(repo)
    assert facts.django.settings_module is None
    assert [(f.level, f.code) for f in facts.findings] == [("blocker", "no-settings-module")]


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('print "debug is on"', "print statement"),
        ("try:\n    pass\nexcept ImportError, e:\n    pass", "'except X, e' clause"),
    ],
)
def test_python2_settings_are_named_as_such(make_repo, line, what):
    repo = make_repo("classic")
    settings = repo / "myproject" / "settings.py"
    text = settings.read_text()
    settings.write_text(text + "\n" + line + "\n")
    line_number = len(text.splitlines()) + 2 + (2 if "except" in line else 0)
    facts = inspect_path(repo)
    (module,) = facts.django.settings
    assert module.parse_error.startswith(
        f"myproject/settings.py:{line_number}: Python 2 syntax ({what})"
    )
    blocker = facts.findings_of("blocker")
    assert [(f.code, f.path, f.line) for f in blocker] == [
        ("settings-parse-error", "myproject/settings.py", line_number)
    ]


def test_plain_syntax_error_is_not_called_python2(make_repo):
    repo = make_repo("classic")
    (repo / "myproject" / "settings.py").write_text("DEBUG = (\n")
    (module,) = inspect_path(repo).django.settings
    assert module.parse_error.startswith("myproject/settings.py:1: syntax error")


def test_settings_that_are_not_utf8_are_a_user_error(make_repo):
    repo = make_repo("classic")
    (repo / "myproject" / "settings.py").write_bytes(b"# caf\xe9\nDEBUG = True\n")
    with pytest.raises(UserError, match=r"myproject/settings.py:1: file is not UTF-8"):
        inspect_path(repo)


def test_missing_star_imported_settings_module_is_a_blocker(make_repo):
    repo = make_repo("split_settings")
    (repo / "shop" / "settings" / "base.py").unlink()
    facts = inspect_path(repo)
    codes = [(f.level, f.code, f.path) for f in facts.findings]
    assert ("blocker", "settings-module-not-found", "shop/settings/dev.py") in codes


# -- environment reads -----------------------------------------------------------------
def test_more_env_styles_and_imported_helpers(make_repo):
    repo = make_repo("classic")
    _write(
        repo,
        "myproject/envtools.py",
        """
        import os


        def env_int(name, default=0):
            return int(os.environ.get(name, default))


        def extract_comma_list(name):
            value = os.getenv(name, "")
            return [v.strip() for v in value.split(",") if v.strip()]
        """,
    )
    _write(
        repo,
        "myproject/settings.py",
        """
        import os

        from dotenv import find_dotenv, load_dotenv
        from environs import Env

        from myproject.envtools import env_int, extract_comma_list
        from .settings_utils import get_env_setting

        load_dotenv(find_dotenv())
        env = Env()
        env.read_env()

        SECRET_KEY = env.str("SECRET_KEY")
        DEBUG = env.bool("DEBUG", default=False)
        CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
        ALLOWED_HOSTS = extract_comma_list("ALLOWED_HOSTS")
        USE_S3 = bool(int(os.getenv("USE_S3", "0")))
        if "REDIS_URL" in os.environ:
            CACHE_URL = os.environ["REDIS_URL"]
        MAPS_KEY = get_env_setting("MAPS_KEY")
        enabled = lambda name: os.environ.get(name) == "1"
        FEATURE_X = enabled("FEATURE_X")
        ROOT_URLCONF = "myproject.urls"
        INSTALLED_APPS = ["django.contrib.admin", "blog"]
        DATABASES = {"default": env.dj_db_url("DATABASE_URL", default="postgres:///x")}
        """,
    )
    facts = inspect_path(repo)
    env = facts.env
    assert env.styles == ["os.environ", "os.getenv", "environs", "dotenv", "helper"]
    reads = [(r.style, r.variable, r.setting, r.helper) for r in env.reads]
    assert reads == [
        ("dotenv", None, None, None),
        ("environs", None, None, None),
        ("environs", "SECRET_KEY", "SECRET_KEY", None),
        ("environs", "DEBUG", "DEBUG", None),
        ("helper", "CONN_MAX_AGE", "CONN_MAX_AGE", "env_int"),
        ("helper", "ALLOWED_HOSTS", "ALLOWED_HOSTS", "extract_comma_list"),
        ("os.getenv", "USE_S3", "USE_S3", None),
        ("os.environ", "REDIS_URL", None, None),
        ("os.environ", "REDIS_URL", "CACHE_URL", None),
        ("helper", "MAPS_KEY", "MAPS_KEY", "get_env_setting"),
        ("helper", "FEATURE_X", "FEATURE_X", "enabled"),
        ("environs", "DATABASE_URL", "DATABASES", None),
    ]
    helpers = {h.name: (h.path, h.plain) for h in env.helpers}
    assert helpers == {
        "env_int": ("myproject/envtools.py", True),
        "extract_comma_list": ("myproject/envtools.py", False),  # two statements
        "get_env_setting": ("myproject/settings.py", False),  # module not in the repository
        "enabled": ("myproject/settings.py", True),
    }
    unknown = [f.message.split("'")[1] for f in facts.findings if f.code == "unknown-env-helper"]
    assert sorted(unknown) == ["extract_comma_list", "get_env_setting"]
    assert facts.services.database_engines == ["postgresql"]


def test_settings_already_on_model_w(make_repo):
    repo = make_repo("classic")
    _write(
        repo,
        "myproject/settings.py",
        """
        from model_w.env_manager import EnvManager
        from model_w.preset.django import ModelWDjango

        with EnvManager(ModelWDjango()) as env:
            SECRET_KEY = env.get("SECRET_KEY")
            ROOT_URLCONF = "myproject.urls"
        """,
    )
    _write(
        repo,
        "api/pyproject.toml",
        """
        [tool.poetry.dependencies]
        python = "~3.11"
        modelw-preset-django = {extras = ["celery"], version = ">=2024.10.0,<2024.11.0"}
        """,
    )
    facts = inspect_path(repo)
    assert facts.modelw.on_modelw
    assert "api/pyproject.toml depends on modelw-preset-django" in facts.modelw.signs
    assert facts.name_clashes == []  # a Model W api/ is not a clash


def test_name_clashes_for_api_folder_and_front_app(make_repo):
    repo = make_repo("classic")
    _write(repo, "api/openapi.yaml", "openapi: 3.0.0\n")
    _write(repo, "front/__init__.py", "")
    _write(
        repo,
        "front/apps.py",
        "from django.apps import AppConfig\n\n\nclass FrontConfig(AppConfig):\n    name = 'front'\n",
    )
    settings = repo / "myproject" / "settings.py"
    settings.write_text(
        settings.read_text().replace('    "blog",\n', '    "blog",\n    "front",\n')
    )
    facts = inspect_path(repo)
    assert facts.name_clashes == ["api", "front"]
    assert [f.path for f in facts.findings if f.code == "name-clash"] == ["api", "front"]


def test_requirements_includes_constraints_and_urls(make_repo):
    repo = make_repo("classic")
    _write(
        repo,
        "requirements.txt",
        """
        # production
        -r requirements/base.in
        --constraint constraints.txt
        -e git+https://github.com/example/django-thing.git@v1#egg=Django_Thing
        django-cors-middleware==1.5.0  # imports as corsheaders
        my_Package[extra] >= 1.0 ; python_version >= "3.8"
        """,
    )
    _write(repo, "requirements/base.in", "Django>=3.2,<3.3\n")
    _write(repo, "constraints.txt", "Django==3.2.25\n")
    facts = inspect_path(repo)
    by_path = {d.path: d for d in facts.dependency_files}
    root = by_path["requirements.txt"]
    assert root.includes == ["requirements/base.in", "constraints.txt"]
    assert root.packages == ["django-thing", "django-cors-middleware", "my-package"]
    assert by_path["requirements/base.in"].packages == ["django"]
    assert facts.versions.django == ">=3.2,<3.3"
    assert facts.versions.django_min == "3.2"


# -- git -------------------------------------------------------------------------------
def test_git_facts(make_repo):
    repo = make_repo("classic")
    (repo / "README.md").write_text("changed\n")
    _write(repo, "notes.txt", "new\n")
    git(repo, "branch", "modelw/migrate")
    git(repo, "branch", "modelw/other")
    facts = inspect_git(repo)
    assert facts.is_repo and not facts.bare and facts.branch == "main" and not facts.detached
    assert facts.root == str(repo.resolve())
    assert re.fullmatch(r"[0-9a-f]{40}", facts.head)
    assert facts.dirty == [" M README.md", "?? notes.txt"]
    assert facts.migration_branches == ["modelw/migrate", "modelw/other"]
    git(repo, "checkout", "-q", "--detach", "HEAD")
    detached = inspect_git(repo)
    assert detached.detached and detached.branch is None and detached.head == facts.head


def test_git_facts_outside_git(tmp_path):
    assert inspect_git(tmp_path) == GitFacts(is_repo=False)


# -- the command -------------------------------------------------------------------------
def _schema_fields(facts_json: dict, prefix: str = "") -> set[str]:
    names = set()
    for key, value in facts_json.items():
        names.add(key)
        if isinstance(value, dict):
            names |= _schema_fields(value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            names |= _schema_fields(value[0])
    return names


def test_cli_json_matches_the_schema_and_leaves_the_repo_untouched(make_repo):
    repo = make_repo("celery_s3_sentry")
    before = snapshot_tree(repo)
    result = _cli("inspect", "--json", str(repo))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == inspect_path(repo).to_json()
    assert Facts.from_json(data).to_json() == data
    assert data["schema_version"] == 1
    doc = (ROOT / "docs" / "inspect-schema.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    assert _schema_fields(data) <= documented
    assert snapshot_tree(repo) == before


def test_cli_summary_is_plain_when_piped_and_read_only(make_repo):
    repo = make_repo("vue_vite")
    before = snapshot_tree(repo)
    result = _cli("inspect", str(repo))
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    for title in (
        "Project",
        "Settings and environment",
        "Services",
        "Versions",
        "Dependencies",
        "Front-ends",
        "Findings",
    ):
        assert title in result.stdout
    assert "envsecret" in result.stdout and "widgets/static/vue3" in result.stdout
    assert snapshot_tree(repo) == before


def test_cli_summary_fits_80_columns(make_repo):
    repo = make_repo("split_settings")
    result = _cli("inspect", str(repo), env={"COLUMNS": "80", "FORCE_COLOR": "1", "NO_COLOR": ""})
    assert result.returncode == 0, result.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert max(len(line) for line in plain.splitlines()) <= 80


def test_cli_project_dir_and_errors(make_repo, tmp_path):
    repo = make_repo("classic")
    copy_fixture("decouple", repo / "other")
    result = _cli("inspect", str(repo))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--project-dir" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("inspect", "--json", "--project-dir", "other", str(repo))
    assert result.returncode == 0
    assert json.loads(result.stdout)["django"]["settings_module"] == "events.settings"
    result = _cli("inspect", str(tmp_path / "nope"))
    assert result.returncode == 2 and "no such directory" in result.stderr


def test_bare_settings_name_with_an_import_root_below(make_repo):
    repo = make_repo("classic")
    manage = repo / "manage.py"
    manage.write_text(manage.read_text().replace('"myproject.settings"', '"settings"'))
    (repo / "myproject" / "settings.py").unlink()
    _write(repo, "src/settings.py", 'ROOT_URLCONF = "urls"\nINSTALLED_APPS = ["blog"]\n')
    _write(repo, "src/blog/__init__.py", "")
    facts = inspect_path(repo)
    assert facts.django.import_root == "src"
    assert facts.django.settings[0].path == "src/settings.py"
    assert [a.path for a in facts.django.project_apps] == ["src/blog"]
    _write(repo, "src/blog/settings.py", "X = 1\n")  # app-level settings: no longer unique
    _write(repo, "other/settings.py", "X = 1\n")
    facts = inspect_path(repo)
    assert facts.django.import_root == ""
    assert ("blocker", "settings-module-not-found") in [(f.level, f.code) for f in facts.findings]


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (
            "tox.ini",
            "[tox]\nenvlist = py311\n\n[pytest]\nDJANGO_SETTINGS_MODULE = myproject.settings\n",
            5,
        ),
        ("setup.cfg", "[tool:pytest]\nDJANGO_SETTINGS_MODULE=myproject.settings\n", 2),
        ("pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = myproject.settings\n", 2),
    ],
)
def test_settings_module_sources_in_test_config(make_repo, name, text, line):
    repo = make_repo("classic")
    _write(repo, name, text)
    facts = inspect_path(repo)
    assert (name, line) in [(s.path, s.line) for s in facts.django.settings_module_sources]


def test_project_dir_may_be_absolute(make_repo):
    repo = make_repo("backend_dir")
    facts = inspect_path(repo, project_dir=str(repo / "backend"))
    assert facts.django.manage_py == "backend/manage.py"
