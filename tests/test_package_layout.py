"""package-layout on real git repos: moves keep history, every reference follows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from model_w.migrate.answers import Answers
from model_w.migrate.facts import App, DjangoFacts, Facts
from model_w.migrate.steps.base import StepContext
from model_w.migrate.steps.package_layout import PackageLayout, plan_layout
from model_w.migrate.workspace import Workspace
from tests.conftest import git, init_repo


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run_step(
    step, repo: Path, facts: Facts, answers: Answers, message: str = "step"
) -> StepContext:
    ws = Workspace(repo)
    ctx = StepContext(facts=facts, answers=answers, workspace=ws, step_id=step.id)
    step.run(ctx)
    changes = ws.checkpoint()
    ws.flush(changes)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return ctx


def tracked_text(repo: Path) -> dict[str, str]:
    out = {}
    for rel in git(repo, "ls-files").split():
        try:
            out[rel] = (repo / rel).read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            pass
    return out


def assert_python_parses(repo: Path) -> None:
    for rel, text in tracked_text(repo).items():
        if rel.endswith(".py"):
            ast.parse(text, rel)


SMALL = {
    "api/manage.py": (
        "import os\nimport sys\n\n"
        "def main():\n"
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "    from django.core.management import execute_from_command_line\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "api/mysite/__init__.py": "from .celery import app as celery_app\n\n__all__ = ['celery_app']\n",
    "api/mysite/celery.py": (
        "import os\nfrom celery import Celery\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        'app = Celery("mysite", include=["blog.tasks"])\n'
        'app.config_from_object("django.conf:settings", namespace="CELERY")\n'
    ),
    "api/mysite/settings.py": (
        "from pathlib import Path\n\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        'INSTALLED_APPS = ["django.contrib.admin", "blog", "shopcart.apps.CartConfig"]\n'
        'MIDDLEWARE = ["mysite.middleware.Timing"]\n'
        'ROOT_URLCONF = "mysite.urls"\n'
        'WSGI_APPLICATION = "mysite.wsgi.application"\n'
        'TEMPLATES = [{"DIRS": [BASE_DIR / "templates"]}]\n'
        'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "blog.pagination.Pager"}\n'
        'AUTH_USER_MODEL = "blog.Author"\n'
        + "".join(f'SETTING_{i} = "value {i}"\n' for i in range(20))
    ),
    "api/mysite/middleware.py": "class Timing:\n    pass\n",
    "api/mysite/urls.py": (
        "from django.urls import include, path\n\n"
        'urlpatterns = [path("blog/", include("blog.urls"))]\n'
    ),
    "api/mysite/wsgi.py": (
        "import os\nfrom django.core.wsgi import get_wsgi_application\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "application = get_wsgi_application()\n"
    ),
    "api/blog/__init__.py": "",
    "api/blog/apps.py": 'from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n    name = "blog"\n',
    "api/blog/models.py": "from django.db import models\n\n\nclass Author(models.Model):\n    pass\n",
    "api/blog/pagination.py": "class Pager:\n    pass\n",
    "api/blog/tasks.py": "from mysite.celery import app\nfrom shopcart.models import Cart\n",
    "api/blog/urls.py": "from . import views\n\nurlpatterns = []\n",
    "api/blog/views.py": "from .models import Author\nimport blog.models\n\nx = blog.models.Author\n",
    "api/blog/tests.py": (
        'from unittest import mock\n\n@mock.patch("blog.views.Author")\ndef test_x(m):\n    pass\n'
    ),
    "api/blog/migrations/__init__.py": "",
    "api/blog/migrations/0001_initial.py": (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shopcart", "0001_initial")]\n'
    ),
    "api/shopcart/__init__.py": "",
    "api/shopcart/apps.py": (
        'from django.apps import AppConfig\n\n\nclass CartConfig(AppConfig):\n    name = "shopcart"\n'
        '    label = "cart"\n'
    ),
    "api/shopcart/models.py": "from blog.models import Author\n",
    "api/noapps/__init__.py": "",
    "api/pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = mysite.settings\n",
    "api/.env-template": "DJANGO_SETTINGS_MODULE=mysite.settings\n",
    "Procfile": "web: cd api && gunicorn mysite.wsgi:application\nworker: cd api && celery -A mysite worker\n",
    ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: x\n    exclude: ^api/blog/migrations/\n",
    "README.md": "Run it.\n",
}


def small_facts(root: Path) -> Facts:
    return Facts(
        root=str(root),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            settings_module="mysite.settings",
            root_urlconf="mysite.urls",
            wsgi_application="mysite.wsgi.application",
            project_package="mysite",
            project_apps=[
                App("blog", "blog", "api/blog"),
                App("shopcart.apps.CartConfig", "cart", "api/shopcart"),
            ],
        ),
    )


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    repo = write_tree(tmp_path / "repo", SMALL)
    return init_repo(repo)


def test_layout_moves_and_rewrites(small_repo: Path) -> None:
    ctx = run_step(
        PackageLayout(), small_repo, small_facts(small_repo), Answers(project_name="shop")
    )
    api = small_repo / "api"
    for rel in (
        "shop/__init__.py",
        "shop/django/__init__.py",
        "shop/django/settings.py",
        "shop/django/urls.py",
        "shop/django/wsgi.py",
        "shop/django/celery.py",
        "shop/apps/__init__.py",
        "shop/apps/blog/models.py",
        "shop/apps/shopcart/models.py",
        "shop/apps/blog/migrations/0001_initial.py",
    ):
        assert (api / rel).is_file(), rel
    assert not (api / "mysite").exists() and not (api / "blog").exists()
    assert (api / "noapps/__init__.py").is_file()  # not an app: stays
    assert (api / "shop/__init__.py").read_text() == ""
    assert "from .celery import app as celery_app" in (api / "shop/django/__init__.py").read_text()

    settings = (api / "shop/django/settings.py").read_text()
    assert '"shop.apps.blog"' in settings and '"shop.apps.shopcart.apps.CartConfig"' in settings
    assert 'ROOT_URLCONF = "shop.django.urls"' in settings
    assert 'WSGI_APPLICATION = "shop.django.wsgi.application"' in settings
    assert '"shop.django.middleware.Timing"' in settings
    assert '"shop.apps.blog.pagination.Pager"' in settings
    assert 'AUTH_USER_MODEL = "blog.Author"' in settings  # label.Model: unchanged
    assert "BASE_DIR = Path(__file__).resolve().parent.parent.parent" in settings
    assert '"shop.django.settings"' in (api / "manage.py").read_text()
    celery = (api / "shop/django/celery.py").read_text()
    assert 'include=["shop.apps.blog.tasks"]' in celery and '"shop.django.settings"' in celery
    assert "from shop.django.celery import app" in (api / "shop/apps/blog/tasks.py").read_text()
    views = (api / "shop/apps/blog/views.py").read_text()
    assert "import shop.apps.blog.models" in views and "x = shop.apps.blog.models.Author" in views
    assert "from .models import Author" in views
    assert '"shop.apps.blog.views.Author"' in (api / "shop/apps/blog/tests.py").read_text()
    assert 'include("shop.apps.blog.urls")' in (api / "shop/django/urls.py").read_text()

    # labels kept
    blog_apps = (api / "shop/apps/blog/apps.py").read_text()
    assert 'name = "shop.apps.blog"' in blog_apps and 'label = "blog"' in blog_apps
    cart_apps = (api / "shop/apps/shopcart/apps.py").read_text()
    assert 'name = "shop.apps.shopcart"' in cart_apps and 'label = "cart"' in cart_apps
    assert cart_apps.count("label") == 1
    assert (
        '("shopcart", "0001_initial")'
        in (api / "shop/apps/blog/migrations/0001_initial.py").read_text()
    )

    # outside Python
    assert (
        api / "pytest.ini"
    ).read_text() == "[pytest]\nDJANGO_SETTINGS_MODULE = shop.django.settings\n"
    assert (api / ".env-template").read_text() == "DJANGO_SETTINGS_MODULE=shop.django.settings\n"
    procfile = (small_repo / "Procfile").read_text()
    assert (
        "gunicorn shop.django.wsgi:application" in procfile
        and "celery -A shop.django worker" in procfile
    )
    assert "^api/shop/apps/blog/migrations/" in (small_repo / ".pre-commit-config.yaml").read_text()

    # history follows
    log = git(small_repo, "log", "--follow", "--format=%s", "--", "api/shop/apps/blog/models.py")
    assert "Initial Django code" in log
    log = git(small_repo, "log", "--follow", "--format=%s", "--", "api/shop/django/settings.py")
    assert "Initial Django code" in log

    # no tracked text file refers to an old module or path
    import re

    old = re.compile(
        r"(?<![\w.])(mysite|blog|shopcart)\.(settings|urls|wsgi|celery|middleware|models|views|tasks|apps|pagination)\b|(?<![\w/])api/(mysite|blog|shopcart)/"
    )
    for rel, text in tracked_text(small_repo).items():
        assert not old.search(text), (rel, old.search(text))
    assert_python_parses(small_repo)
    assert not [f for f in ctx.followups if f.level == "blocker"]


def test_idempotent(small_repo: Path) -> None:
    run_step(PackageLayout(), small_repo, small_facts(small_repo), Answers(project_name="shop"))
    head = git(small_repo, "rev-parse", "HEAD")
    facts = Facts(
        root=str(small_repo),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            settings_module="shop.django.settings",
            root_urlconf="shop.django.urls",
            wsgi_application="shop.django.wsgi.application",
            project_package="shop.django",
            project_apps=[
                App("shop.apps.blog", "blog", "api/shop/apps/blog"),
                App("shop.apps.shopcart.apps.CartConfig", "cart", "api/shop/apps/shopcart"),
            ],
        ),
    )
    ws = Workspace(small_repo)
    ctx = StepContext(facts=facts, answers=Answers(project_name="shop"), workspace=ws)
    PackageLayout().run(ctx)
    assert ws.checkpoint() == []
    assert git(small_repo, "rev-parse", "HEAD") == head


def test_keep_does_nothing(small_repo: Path) -> None:
    step = PackageLayout()
    assert not step.applies(
        small_facts(small_repo), Answers(project_name="shop", package_layout="keep")
    )
    assert step.applies(small_facts(small_repo), Answers(project_name="shop"))


def test_project_package_named_like_the_package(tmp_path: Path) -> None:
    files = {k.replace("mysite", "shop"): v.replace("mysite", "shop") for k, v in SMALL.items()}
    repo = init_repo(write_tree(tmp_path / "r", files))
    facts = small_facts(repo)
    facts.django.settings_module = "shop.settings"
    facts.django.root_urlconf = "shop.urls"
    facts.django.wsgi_application = "shop.wsgi.application"
    facts.django.project_package = "shop"
    run_step(PackageLayout(), repo, facts, Answers(project_name="shop"))
    api = repo / "api"
    assert (api / "shop/__init__.py").read_text() == ""
    assert "celery_app" in (api / "shop/django/__init__.py").read_text()
    assert 'ROOT_URLCONF = "shop.django.urls"' in (api / "shop/django/settings.py").read_text()
    assert '"shop.django.settings"' in (api / "manage.py").read_text()
    assert_python_parses(repo)


def test_app_without_apps_py_gets_one(tmp_path: Path) -> None:
    files = dict(SMALL)
    del files["api/blog/apps.py"]
    repo = init_repo(write_tree(tmp_path / "r", files))
    run_step(PackageLayout(), repo, small_facts(repo), Answers(project_name="shop"))
    text = (repo / "api/shop/apps/blog/apps.py").read_text()
    assert 'name = "shop.apps.blog"' in text and 'label = "blog"' in text
    ast.parse(text)


def test_bare_settings_module_at_import_root(tmp_path: Path) -> None:
    repo = init_repo(
        write_tree(
            tmp_path / "r",
            {
                "api/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
                "api/settings.py": 'ROOT_URLCONF = "urls"\nINSTALLED_APPS = ["blog"]\n',
                "api/urls.py": "from blog import views\nurlpatterns = []\n",
                "api/blog/__init__.py": "",
                "api/blog/views.py": "from settings import ROOT_URLCONF\n",
            },
        )
    )
    facts = Facts(
        root=str(repo),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            settings_module="settings",
            root_urlconf="urls",
            project_apps=[App("blog", "blog", "api/blog")],
        ),
    )
    run_step(PackageLayout(), repo, facts, Answers(project_name="shop"))
    api = repo / "api"
    assert 'ROOT_URLCONF = "shop.django.urls"' in (api / "shop/django/settings.py").read_text()
    assert '"shop.django.settings"' in (api / "manage.py").read_text()
    assert "from shop.apps.blog import views" in (api / "shop/django/urls.py").read_text()
    assert (
        "from shop.django.settings import ROOT_URLCONF"
        in (api / "shop/apps/blog/views.py").read_text()
    )


def test_plan_reports_two_apps_with_one_name(tmp_path: Path) -> None:
    repo = init_repo(
        write_tree(
            tmp_path / "r",
            {
                "api/manage.py": "",
                "api/a/core/__init__.py": "",
                "api/core/__init__.py": "",
                "api/a/__init__.py": "",
            },
        )
    )
    facts = Facts(
        root=str(repo),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            project_apps=[App("core", "core", "api/core"), App("a.core", "a_core", "api/a/core")],
        ),
    )
    plan = plan_layout(Workspace(repo), facts, Answers(project_name="shop"))
    assert any("two apps" in m for _, m in plan.problems)


def test_many_files_use_the_process_pool(tmp_path: Path, monkeypatch) -> None:
    from model_w.migrate.restructure import python_refs

    monkeypatch.setattr(python_refs, "PARALLEL_THRESHOLD", 4)
    monkeypatch.setattr(python_refs, "MIN_WORKERS", 2)
    monkeypatch.setenv("MODELW_JOBS", "2")
    files = dict(SMALL)
    for i in range(12):
        files[f"api/blog/mod{i}.py"] = (
            f"from blog.models import Author\nfrom mysite import settings\nX{i} = 1\n"
        )
    repo = init_repo(write_tree(tmp_path / "r", files))
    run_step(PackageLayout(), repo, small_facts(repo), Answers(project_name="shop"))
    text = (repo / "api/shop/apps/blog/mod3.py").read_text()
    assert (
        text
        == "from shop.apps.blog.models import Author\nfrom shop.django import settings\nX3 = 1\n"
    )


def test_moved_modules_import_by_their_new_names(small_repo: Path) -> None:
    """Modules import by their new names (Django itself is exercised later, end to end)."""
    run_step(PackageLayout(), small_repo, small_facts(small_repo), Answers(project_name="shop"))
    code = "import shop.apps.blog.pagination, shop.apps.blog.models; import sys; sys.exit(0)"
    stub = small_repo / "stub"
    (stub / "django/db").mkdir(parents=True)
    (stub / "django/__init__.py").write_text("")
    (stub / "django/db/__init__.py").write_text("class models:\n    class Model:\n        pass\n")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=small_repo / "api",
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(stub), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr


def test_benchmark_smoke(capsys) -> None:
    """The benchmark runs end to end on a tiny tree (its ratios are not checked here)."""
    import importlib.util

    path = Path(__file__).parent.parent / "bench" / "bench_package_layout.py"
    spec = importlib.util.spec_from_file_location("bench_package_layout", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--apps", "3", "--modules", "7", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "ratio libcst / step" in out
    assert "ratio dry-run / ast.parse" in out


APPS_PY_SAMPLES = [
    'from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n    name = "blog"\n',
    'from django import apps\n\n\nclass BlogConfig(apps.AppConfig):\n    """Doc."""\n\n'
    '    default_auto_field = "x"\n    name = "blog"  # the module\n\n    def ready(self):\n'
    "        pass\n",
    'class BlogConfig(AppConfig):\n    name = "blog"\n    label = "old"\n',
    'class BlogConfig(AppConfig):\n  name = (\n      "blog"\n  )\n  verbose_name = "B"\n',
    'class BlogConfig(AppConfig):\n    name = "blog"; verbose_name = "B"\n',
    'class BlogConfig(AppConfig): name = "blog"\n',
    'class BlogConfig(AppConfig):\n    verbose_name = "B"\n',
    'class A(AppConfig):\n    name = "blog"\n\n\nclass B(AppConfig):\n    name = "blog"\n',
    "def f():\n    class Inner(AppConfig):\n        name: str = 'blog'\n    return Inner\n",
    "import os\n",
    'class Weird(make_base()):\n    name = "blog"\n',
]


@pytest.mark.parametrize("source", APPS_PY_SAMPLES)
def test_ensure_label_fast_path_equals_libcst(source):
    import libcst as cst

    from model_w.migrate.restructure import appconfig

    tool = appconfig._add_label_class()("blog", "shop.apps.blog")
    expected = (cst.parse_module(source).visit(tool).code, tool.configs)
    fast = appconfig._fast_ensure_label(source, "blog")
    assert fast is None or fast == expected
    assert appconfig.ensure_label(source, "shop.apps.blog", "blog") == expected
