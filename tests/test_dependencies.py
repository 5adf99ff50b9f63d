"""The dependencies step: every input format to api/pyproject.toml, checked by parsing the TOML.

Hand-built Facts over small trees laid out as after api-layout/package-layout
(Django in api/, the package at api/shop/). `poetry check` runs on the
produced files with a real Poetry (tests marked `slow`).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
import tomllib

from model_w.migrate.answers import Answers
from model_w.migrate.deps.model import poetry_to_specifier
from model_w.migrate.deps.preset import conflicts, load, preset_pin
from model_w.migrate.deps.readers import group_for_file, read_requirements
from model_w.migrate.facts import DependencyFile, DjangoFacts, Facts, Services
from model_w.migrate.knowledge import load_release
from model_w.migrate.steps import StepContext, get_step
from model_w.migrate.workspace import Workspace


@pytest.fixture(scope="session")
def poetry(poetry_bin: Path) -> Path:
    return poetry_bin


def poetry_check(poetry: Path, folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    return subprocess.run(
        [str(poetry), "check"], cwd=folder, capture_output=True, text=True, env=env
    )


def make_tree(tmp_path: Path, files: dict[str, str]) -> Workspace:
    files = {
        "api/manage.py": "",
        "api/shop/__init__.py": "",
        "api/shop/django/settings.py": "DEBUG = False\n",
        **files,
    }
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return Workspace(tmp_path)


def make_facts(
    tmp_path: Path, services: Services | None = None, dependency_files: list[str] = ()
) -> Facts:
    return Facts(
        root=str(tmp_path),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            settings_module="shop.django.settings",
            project_package="shop.django",
        ),
        services=services or Services(),
        dependency_files=[DependencyFile(path=p, kind="requirements") for p in dependency_files],
    )


def run_step(ws: Workspace, facts: Facts, release: str = "2024.10") -> StepContext:
    answers = Answers(project_name="shop", modelw_release=release)
    ctx = StepContext(facts=facts, answers=answers, workspace=ws, step_id="dependencies")
    get_step("dependencies").run(ctx)
    return ctx


def produced(ws: Workspace) -> dict:
    return tomllib.loads(ws.read("api/pyproject.toml"))


def assert_idempotent(ws: Workspace, facts: Facts, release: str = "2024.10") -> None:
    ws.checkpoint()
    run_step(ws, facts, release)
    assert ws.pending_changes() == [], ws.pending_changes()


def flush(ws: Workspace) -> None:
    ws.flush(ws.checkpoint())


REQUIREMENTS = {
    "requirements.txt": """\
        # production
        -r requirements/production.txt
        """,
    "requirements/base.txt": """\
        -c constraints.txt
        Django==3.2.18
        djangorestframework>=3.14
        psycopg2-binary==2.9.9
        django-environ==0.11.2
        celery[redis]==5.3.4 \\
            --hash=sha256:aaaa \\
            --hash=sha256:bbbb
        pillow
        requests[socks]>=2.31 ; python_version >= "3.8"
        -e git+https://github.com/acme/django-widgets.git@v1.2#egg=django-widgets
        git+https://github.com/acme/tools.git@main#egg=acme-tools&subdirectory=python
        reportlab @ https://example.com/reportlab-4.0.tar.gz
        ./libs/localpkg
        """,
    "requirements/constraints.txt": "pillow==10.2.0\n",
    "requirements/production.txt": "-r base.txt\ngunicorn==21.2.0\nsentry-sdk>=1.35\n",
    "requirements/dev.txt": "-r base.txt\ndjango-debug-toolbar==4.2.0\nblack\n",
    "requirements/test.txt": "-r base.txt\npytest-django==4.7.0\n",
    "libs/localpkg/setup.py": "",
}


def test_requirements_with_includes_markers_extras_urls_vcs_and_hashes(tmp_path: Path) -> None:
    ws = make_tree(tmp_path, REQUIREMENTS)
    facts = make_facts(tmp_path, Services(celery=True))
    ctx = run_step(ws, facts)
    data = produced(ws)

    assert data["tool"]["poetry"]["packages"] == [{"include": "shop"}]
    assert data["tool"]["poetry"]["name"] == "shop"
    assert data["project"]["requires-python"] == ">=3.11,<3.12"
    main = data["tool"]["poetry"]["dependencies"]
    assert main["python"] == "~3.11"
    assert main["modelw-preset-django"] == {
        "extras": ["celery", "gunicorn"],
        "version": ">=2024.10.0,<2024.11.0",
    }
    assert main["pillow"] == "==10.2.0"  # from the -c constraints file
    assert main["requests"] == {
        "version": ">=2.31",
        "extras": ["socks"],
        "markers": 'python_version >= "3.8"',
    }
    assert main["django-widgets"] == {
        "git": "https://github.com/acme/django-widgets.git",
        "rev": "v1.2",
    }
    assert main["acme-tools"] == {
        "git": "https://github.com/acme/tools.git",
        "rev": "main",
        "subdirectory": "python",
    }
    assert main["reportlab"] == {"url": "https://example.com/reportlab-4.0.tar.gz"}
    assert main["localpkg"] == {"path": "../libs/localpkg"}
    # brought by the preset or its extras, or made unnecessary by the settings step
    for gone in (
        "Django",
        "djangorestframework",
        "psycopg2-binary",
        "django-environ",
        "celery",
        "gunicorn",
        "sentry-sdk",
    ):
        assert gone not in main
    groups = data["tool"]["poetry"]["group"]
    assert groups["dev"]["dependencies"] == {"django-debug-toolbar": "==4.2.0", "black": "*"}
    assert groups["test"]["dependencies"] == {"pytest-django": "==4.7.0"}

    for old in (
        "requirements.txt",
        "requirements/base.txt",
        "requirements/dev.txt",
        "requirements/constraints.txt",
    ):
        assert not ws.exists(old)
    messages = [(f.path, f.line, f.message, f.level) for f in ctx.followups]
    assert any(
        p == "requirements/base.txt" and line == 2 and "Django==3.2.18 conflicts" in m
        for p, line, m, _ in messages
    )
    assert any("--hash" in m for _, _, m, _ in messages)
    assert any("poetry lock" in m and level == "todo" for _, _, m, level in messages)
    assert_idempotent(ws, facts)


def test_env_library_still_imported_is_kept(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "requirements.txt": "django-environ==0.11.2\npython-decouple==3.8\n",
            "api/shop/django/settings.py": "import environ\nenv = environ.Env()\n",
        },
    )
    ctx = run_step(ws, make_facts(tmp_path))
    main = produced(ws)["tool"]["poetry"]["dependencies"]
    assert main["django-environ"] == "==0.11.2"
    assert "python-decouple" not in main
    assert any("still imports environ" in f.message for f in ctx.followups)


def test_pipfile(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "Pipfile": """\
            [[source]]
            url = "https://pypi.org/simple"
            verify_ssl = true
            name = "pypi"

            [packages]
            django = "==4.1.13"
            django-environ = "==0.11.2"
            psycopg2-binary = "*"
            django-redis = "*"
            django-filter = {version = ">=23.0", extras = ["x"], markers = "sys_platform != 'win32'"}
            acme = {git = "https://github.com/acme/acme.git", ref = "v2"}

            [dev-packages]
            black = "*"

            [requires]
            python_version = "3.10"
            """,
            "Pipfile.lock": "{}",
        },
    )
    facts = make_facts(tmp_path)
    ctx = run_step(ws, facts)
    data = produced(ws)
    main = data["tool"]["poetry"]["dependencies"]
    assert main["django-redis"] == "*"
    assert main["django-filter"] == {
        "version": ">=23.0",
        "extras": ["x"],
        "markers": "sys_platform != 'win32'",
    }
    assert main["acme"] == {"git": "https://github.com/acme/acme.git", "rev": "v2"}
    assert "django" not in main and "psycopg2-binary" not in main and "django-environ" not in main
    assert data["tool"]["poetry"]["group"]["dev"]["dependencies"] == {"black": "*"}
    assert not ws.exists("Pipfile") and not ws.exists("Pipfile.lock")
    assert any("Python ==3.10.*" in f.message for f in ctx.followups)
    assert_idempotent(ws, facts)


def test_setup_py_and_setup_cfg(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "setup.py": """\
            from setuptools import setup

            REQUIRES = ["Pillow>=10", "django-storages[boto3]==1.14.2"]

            setup(
                name="mediahub",
                version="2.4.0",
                python_requires=">=3.9",
                install_requires=REQUIRES + [],
                extras_require={"dev": ["flake8"]},
            )
            """,
            "api/setup.py": """\
            from setuptools import setup
            DEPS = ["Django>=4.2,<5", "celery>=5.3", "Pillow>=10", "django-storages[boto3]==1.14.2"]
            setup(name="shop", version="1.0", install_requires=DEPS,
                  extras_require={"test": ["pytest-django>=4.5"]})
            """,
            "setup.cfg": """\
            [options]
            install_requires =
                bleach>=6  # sanitising
                Markdown

            [options.extras_require]
            dev =
                pytest-django>=4.5

            [flake8]
            max-line-length = 120
            """,
        },
    )
    facts = make_facts(tmp_path)
    ctx = run_step(ws, facts)
    data = produced(ws)
    main = data["tool"]["poetry"]["dependencies"]
    assert main["Pillow"] == ">=10"
    assert main["bleach"] == ">=6" and main["Markdown"] == "*"
    assert "Django" not in main and "celery" not in main
    assert set(main["modelw-preset-django"]["extras"]) == {"celery", "gunicorn", "storages"}
    assert data["tool"]["poetry"]["group"]["test"]["dependencies"] == {"pytest-django": ">=4.5"}
    assert data["project"]["version"] in ("1.0", "2.4.0")
    # the computed root install_requires is reported, not guessed
    assert any(f.path == "setup.py" and "computed" in f.message for f in ctx.followups)
    assert not ws.exists("setup.py") and not ws.exists("api/setup.py")
    assert ws.exists("setup.cfg")  # holds flake8 config: kept, with a follow-up
    assert any(f.path == "setup.cfg" and "install_requires" in f.message for f in ctx.followups)


def test_library_setup_py_is_kept(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "setup.py": 'from setuptools import find_packages, setup\nsetup(name="lib", packages=find_packages(), install_requires=["attrs"])\n',
        },
    )
    ctx = run_step(ws, make_facts(tmp_path))
    assert ws.exists("setup.py")
    assert produced(ws)["tool"]["poetry"]["dependencies"]["attrs"] == "*"
    assert any(f.path == "setup.py" and "library" in f.message for f in ctx.followups)


def test_pep621_uv_into_existing_tool_config(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "pyproject.toml": """\
            [project]
            name = "tasks"
            version = "0.1.0"
            description = "A small task tracker"
            requires-python = ">=3.12"
            dependencies = [
                "django>=4.2,<5.3",
                "django-split-settings>=1.3",
                "psycopg[binary]>=3.1",
            ]

            [project.optional-dependencies]
            docs = ["sphinx>=7"]

            [dependency-groups]
            dev = ["pytest>=8", "pytest-django>=4.8", {include-group = "lint"}]
            lint = ["ruff"]

            [tool.uv]
            dev-dependencies = ["ipython"]
            package = false

            [tool.pytest.ini_options]
            DJANGO_SETTINGS_MODULE = "config.settings"  # kept

            [tool.ruff]
            line-length = 100
            """,
            "uv.lock": "version = 1\n",
        },
    )
    facts = make_facts(tmp_path)
    ctx = run_step(ws, facts, release="2026.7")
    assert not ws.exists("pyproject.toml") and not ws.exists("uv.lock")
    dropped = [f.message for f in ctx.followups if f.message.startswith("dropped")]
    # each dropped dependency under its own reason
    assert "dropped, as modelw-preset-django brings them: django, psycopg" in dropped
    assert any(
        m.startswith("dropped, as the migrated settings no longer use them: django-split-settings")
        for m in dropped
    ), dropped
    assert not any("django-split-settings" in m and "preset" in m for m in dropped), dropped
    text = ws.read("api/pyproject.toml")
    data = tomllib.loads(text)
    assert data["project"]["name"] == "shop"
    assert data["project"]["description"] == "A small task tracker"
    assert data["project"]["requires-python"] == ">=3.14,<3.15"
    assert "dependencies" in data["project"]["dynamic"]
    assert "dependency-groups" not in data
    assert data["tool"]["uv"] == {"package": False}
    assert data["tool"]["pytest"]["ini_options"]["DJANGO_SETTINGS_MODULE"] == "config.settings"
    assert "# kept" in text
    main = data["tool"]["poetry"]["dependencies"]
    assert main["python"] == "~3.14"
    assert main["modelw-preset-django"] == {
        "extras": ["psycopg"],
        "version": ">=2026.7.0,<2026.8.0",
    }
    # no settings module imports split_settings any more (the settings step inlines include())
    assert "django-split-settings" not in main
    assert "psycopg" not in main and "django" not in main
    groups = data["tool"]["poetry"]["group"]
    # the "lint" group is a dev group; its include-group entry is not duplicated
    assert groups["dev"]["dependencies"] == {
        "pytest": ">=8",
        "pytest-django": ">=4.8",
        "ruff": "*",
        "ipython": "*",
    }
    assert set(groups) == {"dev", "docs"}
    assert groups["docs"]["dependencies"] == {"sphinx": ">=7"}
    assert data["build-system"]["build-backend"] == "poetry.core.masonry.api"
    assert_idempotent(ws, facts, release="2026.7")


def test_existing_poetry_project(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "api/events/__init__.py": "",
            "api/pyproject.toml": """\
            [tool.poetry]
            name = "events"
            version = "0.3.0"
            description = "Ticketing"
            authors = ["Events Team <events@example.org>"]
            packages = [{ include = "events" }, { include = "tickets" }]

            [tool.poetry.dependencies]
            python = "^3.9"
            Django = "^4.0"
            python-decouple = "^3.8"
            whitenoise = "^6.5"
            psycopg2-binary = { version = "^2.9", optional = true }
            django-anymail = { version = "^10.0", extras = ["mailjet"] }

            [tool.poetry.extras]
            postgres = ["psycopg2-binary"]

            [tool.poetry.group.dev.dependencies]
            pytest = "^7.4"

            [build-system]
            requires = ["poetry-core>=1.0.0"]
            build-backend = "poetry.core.masonry.api"
            """,
            "api/poetry.lock": "# old\n",
        },
    )
    facts = make_facts(tmp_path)
    ctx = run_step(ws, facts)
    data = produced(ws)
    poetry = data["tool"]["poetry"]
    assert poetry["packages"] == [{"include": "shop"}, {"include": "events"}]
    assert poetry["dependencies"]["django-anymail"] == {"version": "^10.0", "extras": ["mailjet"]}
    assert "Django" not in poetry["dependencies"] and "whitenoise" not in poetry["dependencies"]
    assert "extras" not in poetry  # its only package was dropped
    assert poetry["group"]["dev"]["dependencies"] == {"pytest": "^7.4"}
    assert data["project"]["version"] == "0.3.0"
    assert any(f.path == "api/poetry.lock" and "stale" in f.message for f in ctx.followups)
    assert_idempotent(ws, facts)


def test_pip_tools_in_files(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path,
        {
            "requirements.in": "django-filter\n",
            "requirements.txt": "django-filter==23.5\nasgiref==3.7.2\n",
        },
    )
    facts = make_facts(tmp_path)
    run_step(ws, facts)
    main = produced(ws)["tool"]["poetry"]["dependencies"]
    assert main["django-filter"] == "*"
    assert "asgiref" not in main
    assert not ws.exists("requirements.in") and not ws.exists("requirements.txt")


def test_channels_project_gets_no_gunicorn(tmp_path: Path) -> None:
    ws = make_tree(
        tmp_path, {"requirements.txt": "channels==4.0\ndjango-health-check\nwagtail>=5\n"}
    )
    run_step(ws, make_facts(tmp_path, Services(channels=True, wagtail=True)))
    extras = produced(ws)["tool"]["poetry"]["dependencies"]["modelw-preset-django"]["extras"]
    assert extras == ["channels", "health", "wagtail"]


def test_units() -> None:
    assert group_for_file("requirements/dev.txt") == "dev"
    assert group_for_file("requirements-test.txt") == "test"
    assert group_for_file("dev-requirements.txt") == "dev"
    assert group_for_file("requirements/production.txt") == "main"
    assert group_for_file("requirements.txt") == "main"
    assert str(poetry_to_specifier("^1.2")) in ("<2,>=1.2", ">=1.2,<2")
    assert poetry_to_specifier("~1.2.3").contains("1.2.9") and not poetry_to_specifier(
        "~1.2.3"
    ).contains("1.3.0")
    assert poetry_to_specifier("^0.3").contains("0.3.5") and not poetry_to_specifier(
        "^0.3"
    ).contains("0.4")
    assert preset_pin(load_release("2024.10")) == ">=2024.10.0,<2024.11.0"
    assert load(load_release("2024.10")).requires["django"]
    from packaging.specifiers import SpecifierSet

    assert conflicts(SpecifierSet("==3.2.18"), "~=4.2.0")
    assert not conflicts(SpecifierSet(">=4.0"), "~=4.2.0")
    result = read_requirements(
        "Django>=4\n-r other.txt\n--extra-index-url https://x/simple\n", "a/requirements.txt"
    )
    assert result.includes == ["a/other.txt"]
    assert result.sources[0]["priority"] == "supplemental"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["requirements", "poetry", "pep621", "pipfile"])
def test_poetry_check_accepts_the_result(tmp_path: Path, poetry: Path, scenario: str) -> None:
    files = {
        "requirements": REQUIREMENTS,
        "poetry": {
            "api/pyproject.toml": '[tool.poetry]\nname = "x"\nversion = "1.0"\n\n[tool.poetry.dependencies]\npython = "^3.9"\nDjango = "^4.0"\nattrs = {version = "^23", optional = true}\n\n[tool.poetry.extras]\na = ["attrs"]\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'
        },
        "pep621": {
            "pyproject.toml": '[project]\nname = "t"\nversion = "0.1.0"\ndependencies = ["django>=4.2", "attrs"]\n[dependency-groups]\ndev = ["pytest"]\n'
        },
        "pipfile": {
            "Pipfile": '[packages]\ndjango = "*"\nattrs = {version = ">=23", extras = ["tests"]}\n[dev-packages]\nblack = "*"\n'
        },
    }[scenario]
    ws = make_tree(tmp_path, files)
    run_step(ws, make_facts(tmp_path, Services(celery=True)))
    flush(ws)
    result = poetry_check(poetry, tmp_path / "api")
    assert result.returncode == 0, result.stdout + result.stderr
