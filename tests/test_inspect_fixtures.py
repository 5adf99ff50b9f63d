"""The exact Facts of every legacy fixture, inspected as a real git repository."""

from __future__ import annotations

from model_w.migrate.facts import Facts
from model_w.migrate.inspect import inspect_path


def _inspect(make_repo, name: str, **kwargs) -> Facts:
    return inspect_path(make_repo(name), **kwargs)


def _settings(facts: Facts) -> list[tuple[str, str]]:
    assert facts.django
    return [(m.module, m.role) for m in facts.django.settings]


def _codes(facts: Facts) -> list[tuple[str, str, str]]:
    return [(f.level, f.code, f.path) for f in facts.findings]


def _deps(facts: Facts) -> list[tuple[str, str, list[str]]]:
    return [(d.path, d.kind, d.includes) for d in facts.dependency_files]


def _fronts(facts: Facts) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return [(f.path, f.kind, f.framework, f.bundler, f.outputs_into) for f in facts.frontends]


def test_classic(make_repo):
    facts = _inspect(make_repo, "classic")
    django = facts.django
    assert facts.git.is_repo and facts.git.branch == "main" and not facts.git.dirty
    assert facts.manage_py_files == ["manage.py"]
    assert django.manage_py == "manage.py" and django.project_dir == "" and django.import_root == ""
    assert django.settings_module == "myproject.settings"
    assert [(s.path, s.line) for s in django.settings_module_sources] == [
        ("manage.py", 9),
        ("myproject/wsgi.py", 10),
        ("myproject/asgi.py", 6),
    ]
    assert _settings(facts) == [("myproject.settings", "single")]
    assert django.settings[0].path == "myproject/settings.py"
    assert django.root_urlconf == "myproject.urls"
    assert django.wsgi_application == "myproject.wsgi.application"
    assert django.project_package == "myproject"
    assert [(a.name, a.label, a.path) for a in django.project_apps] == [("blog", "blog", "blog")]
    assert django.third_party_apps == []
    assert facts.env.styles == ["hardcoded"] and facts.env.reads == []
    assert facts.services.database_engines == ["sqlite"]
    assert facts.services.email_backend == "django.core.mail.backends.console.EmailBackend"
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        "==3.2.25",
        "3.2",
        "3.9",
    )
    assert _deps(facts) == [("requirements.txt", "requirements", [])]
    assert facts.dependency_files[0].packages == ["django", "pillow", "pytz", "sqlparse"]
    assert facts.frontends == [] and facts.name_clashes == []
    assert _codes(facts) == [
        ("blocker", "non-postgres-database", "myproject/settings.py"),
        ("warning", "hardcoded-secret", "myproject/settings.py"),
        ("warning", "hardcoded-secret", "myproject/settings.py"),
    ]
    secrets = [f.message for f in facts.findings if f.code == "hardcoded-secret"]
    assert "'SECRET_KEY'" in secrets[0] and "'GOOGLE_MAPS_API_KEY'" in secrets[1]


def test_worked_example(make_repo):
    facts = _inspect(make_repo, "worked_example")
    django = facts.django
    assert django.settings_module == "mysite.settings"
    assert _settings(facts) == [("mysite.settings", "single")]
    assert [a.name for a in django.project_apps] == ["catalog"]
    assert django.third_party_apps == ["rest_framework", "corsheaders"]
    assert facts.env.styles == ["os.environ"]
    variables = [r.variable for r in facts.env.reads]
    assert variables == [
        "DJANGO_SECRET_KEY",
        "DJANGO_DEBUG",
        "DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "DB_HOST",
        "CORS_ORIGINS",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
    ]
    assert [r.setting for r in facts.env.reads][:3] == ["SECRET_KEY", "DEBUG", "DATABASES"]
    assert facts.services.database_engines == ["postgresql"]
    assert facts.services.drf and not facts.services.celery
    assert facts.services.email_backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        ">=4.2,<5",
        "4.2",
        None,
    )
    assert facts.dependency_files[0].packages == [
        "django",
        "djangorestframework",
        "django-cors-headers",
        "psycopg2-binary",
    ]
    assert facts.findings == []


def test_split_settings(make_repo):
    facts = _inspect(make_repo, "split_settings")
    django = facts.django
    assert django.settings_module == "shop.settings.dev"
    assert [(s.path, s.line) for s in django.settings_module_sources] == [
        ("manage.py", 9),
        ("shop/wsgi.py", 10),
        ("shop/asgi.py", 6),
        ("pytest.ini", 2),
    ]
    assert _settings(facts) == [
        ("shop.settings.base", "base"),
        ("shop.settings.dev", "dev"),
        ("shop.settings.production", "production"),
        ("shop.settings.test", "test"),
    ]
    by_name = {m.module: m for m in django.settings}
    assert by_name["shop.settings.dev"].star_imports == ["shop.settings.base"]
    assert by_name["shop.settings.base"].star_imports == []
    assert django.project_package == "shop"
    assert [a.name for a in django.project_apps] == ["orders"]
    assert django.third_party_apps == ["debug_toolbar"]  # added by `INSTALLED_APPS +=` in dev
    assert facts.env.styles == ["os.environ"]
    assert {r.variable for r in facts.env.reads if r.path == "shop/settings/production.py"} == {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "EMAIL_HOST",
        "EMAIL_HOST_PASSWORD",
    }
    assert facts.services.email_backend == "django.core.mail.backends.console.EmailBackend"
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        ">=4.2,<5.0",
        "4.2",
        "3.11",
    )
    assert _deps(facts) == [
        ("requirements.txt", "requirements", ["requirements/production.txt"]),
        ("requirements/base.txt", "requirements", []),
        ("requirements/dev.txt", "requirements", ["requirements/base.txt"]),
        ("requirements/production.txt", "requirements", ["requirements/base.txt"]),
    ]
    assert _codes(facts) == [("info", "settings-sources-differ", "manage.py")]


def test_local_settings(make_repo):
    facts = _inspect(make_repo, "local_settings")
    (module,) = facts.django.settings
    assert (module.module, module.role, module.local_override) == (
        "intranet.settings",
        "single",
        True,
    )
    assert module.star_imports == ["intranet.local_settings"]
    assert facts.env.styles == ["os.getenv"]
    assert [r.variable for r in facts.env.reads] == ["SECRET_KEY"]
    assert facts.django.wsgi_application == "intranet.wsgi.application"
    assert facts.django.asgi_application is None
    assert facts.versions.django == "==3.2.25"
    assert _codes(facts) == [("info", "local-settings-not-committed", "intranet/settings.py")]
    assert "intranet/local_settings.py.example" in facts.findings[0].message


def test_local_settings_present_is_a_local_module(make_repo):
    repo = make_repo("local_settings")
    (repo / "intranet" / "local_settings.py").write_text("DEBUG = True\n")  # git-ignored
    facts = inspect_path(repo)
    assert _settings(facts) == [("intranet.settings", "single")]  # ignored files are not read
    (repo / ".gitignore").write_text("*.pyc\n")
    facts = inspect_path(repo)
    assert _settings(facts) == [
        ("intranet.local_settings", "local"),
        ("intranet.settings", "single"),
    ]
    assert facts.findings == []


def test_django_environ(make_repo):
    facts = _inspect(make_repo, "django_environ")
    django = facts.django
    assert django.auth_user_model == "accounts.User"
    assert [(a.name, a.label, a.path) for a in django.project_apps] == [
        ("accounts.apps.AccountsConfig", "accounts", "accounts")
    ]
    assert facts.env.styles == ["django-environ"]
    assert [(r.variable, r.setting) for r in facts.env.reads] == [
        (None, None),  # environ.Env.read_env(...)
        ("SECRET_KEY", "SECRET_KEY"),
        ("DEBUG", "DEBUG"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASES"),
        ("CACHE_URL", "CACHES"),
        ("STATIC_ROOT", "STATIC_ROOT"),
        ("EMAIL_URL", "EMAIL_CONFIG"),
    ]
    # env.db() / env.cache() have no default: the committed .env.example names the services
    assert facts.services.database_engines == ["postgresql"]
    assert facts.services.cache_backends == ["django_redis.cache.RedisCache"]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        "==4.1.13",
        "4.1",
        "3.10",
    )
    assert _deps(facts) == [("Pipfile", "pipfile", [])]
    assert facts.dependency_files[0].packages == [
        "django",
        "django-environ",
        "psycopg2-binary",
        "django-redis",
        "black",
    ]
    assert facts.findings == []


def test_decouple(make_repo):
    facts = _inspect(make_repo, "decouple")
    assert facts.env.styles == ["decouple", "dj-database-url"]
    reads = {r.variable: r.style for r in facts.env.reads}
    assert reads["SECRET_KEY"] == "decouple" and reads["DATABASE_URL"] == "dj-database-url"
    assert reads["EMAIL_PORT"] == "decouple"
    # dj_database_url.config(default="sqlite:///...")
    assert facts.services.database_engines == ["sqlite"]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        "^4.0",
        "4.0",
        "3.9",
    )
    assert _deps(facts) == [("pyproject.toml", "poetry", [])]
    assert "python" not in facts.dependency_files[0].packages
    assert "python-decouple" in facts.dependency_files[0].packages
    assert _codes(facts) == [("blocker", "non-postgres-database", "events/settings.py")]


def test_backend_dir(make_repo):
    facts = _inspect(make_repo, "backend_dir")
    django = facts.django
    assert facts.manage_py_files == ["backend/manage.py"]
    assert (django.manage_py, django.project_dir, django.import_root) == (
        "backend/manage.py",
        "backend",
        "backend",
    )
    assert django.settings_module == "toolbox.settings"
    assert _settings(facts) == [("toolbox.settings", "single")]
    assert django.settings[0].path == "backend/toolbox/settings.py"
    assert [(a.name, a.path) for a in django.project_apps] == [("inventory", "backend/inventory")]
    assert facts.env.styles == ["os.getenv"]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        "~=4.1.0",
        "4.1",
        "3.10",
    )
    assert facts.versions.sources[-1].path == "Dockerfile"
    assert _deps(facts) == [("backend/requirements.txt", "requirements", [])]
    assert facts.infra.dockerfiles == ["Dockerfile"]
    assert facts.infra.compose_files == ["docker-compose.yml"]
    assert facts.infra.ci_files == [".github/workflows/ci.yml"]
    assert facts.infra.procfiles == ["Procfile"]
    assert facts.findings == []


def test_nuxt_front(make_repo):
    facts = _inspect(make_repo, "nuxt_front")
    assert _fronts(facts) == [
        ("", "tooling", None, None, None),
        ("frontend", "ui", "nuxt3", None, None),
    ]
    assert facts.django.third_party_apps == ["corsheaders"]
    assert [r.variable for r in facts.env.reads][:2] == ["SECRET_KEY", "DEBUG"]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        ">=3.2,<4",
        "3.2",
        "3.9",
    )
    assert facts.findings == []


def test_root_assets(make_repo):
    facts = _inspect(make_repo, "root_assets")
    assert _fronts(facts) == [
        ("", "asset-pipeline", None, "webpack", "gallery/static/gallery/dist")
    ]
    assert facts.services.database_engines == ["mysql"]
    assert (facts.versions.django, facts.versions.python) == ("==3.2.25", "3.8")
    assert _codes(facts) == [("blocker", "non-postgres-database", "studio/settings.py")]
    assert "'mysql'" in facts.findings[0].message


def test_celery_s3_sentry(make_repo):
    facts = _inspect(make_repo, "celery_s3_sentry")
    services = facts.services
    assert services.celery and services.storages and services.sentry
    assert not services.channels and not services.drf and not services.wagtail
    assert services.cache_backends == ["django.core.cache.backends.redis.RedisCache"]
    assert services.database_engines == ["postgresql"]
    assert services.email_backend == "django.core.mail.backends.smtp.EmailBackend"
    assert facts.django.third_party_apps == ["storages"]
    assert [(s.path, s.line) for s in facts.django.settings_module_sources][-1] == ("setup.cfg", 7)
    assert _deps(facts) == [("setup.cfg", "setup.cfg", []), ("setup.py", "setup.py", [])]
    assert facts.dependency_files[1].packages == [
        "django",
        "celery",
        "django-storages",
        "sentry-sdk",
        "psycopg2-binary",
        "pillow",
    ]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        ">=4.2,<5",
        "4.2",
        "3.9",
    )
    assert facts.infra.procfiles == ["Procfile"]
    assert _codes(facts) == [("warning", "hardcoded-secret", "mediahub/settings.py")]
    assert "'AWS_SECRET_ACCESS_KEY'" in facts.findings[0].message


def test_api_clash(make_repo):
    facts = _inspect(make_repo, "api_clash")
    assert [(a.name, a.label, a.path) for a in facts.django.project_apps] == [
        ("api", "club_api", "api"),
        ("members", "members", "members"),
    ]
    assert facts.name_clashes == ["api"]
    assert _codes(facts) == [("warning", "name-clash", "api")]
    assert facts.services.drf


def test_vue_vite(make_repo):
    facts = _inspect(make_repo, "vue_vite")
    # the committed vue3/.vite/deps/package.json is not a project
    assert _fronts(facts) == [("vue3", "ui", "vue", "vite", "widgets/static/vue3")]
    assert facts.env.styles == ["os.environ", "helper"]
    helpers = {h.name: h for h in facts.env.helpers}
    assert set(helpers) == {"envbool", "envsecret"}
    assert helpers["envbool"].plain and not helpers["envsecret"].plain
    assert [c.line for c in helpers["envbool"].call_sites] == [22, 72, 86]
    assert [c.line for c in helpers["envsecret"].call_sites] == [21, 70]
    assert (helpers["envsecret"].path, helpers["envsecret"].line) == ("dashboard/settings.py", 12)
    helper_reads = [
        (r.variable, r.helper, r.setting) for r in facts.env.reads if r.style == "helper"
    ]
    assert helper_reads[:2] == [
        ("SECRET_KEY", "envsecret", "SECRET_KEY"),
        ("DEBUG", "envbool", "DEBUG"),
    ]
    assert _codes(facts) == [("warning", "unknown-env-helper", "dashboard/settings.py")]
    assert "'envsecret'" in facts.findings[0].message
    assert facts.versions.python == "3.11"  # FROM python:3.11-slim (the node stage does not count)


def test_uv_pep621(make_repo):
    facts = _inspect(make_repo, "uv_pep621")
    django = facts.django
    assert django.settings_module == "config.settings"
    assert django.project_package == "config"
    assert _settings(facts) == [
        ("config.components.caches", "fragment"),
        ("config.components.common", "fragment"),
        ("config.components.database", "fragment"),
        ("config.environments.development", "fragment"),
        ("config.environments.production", "fragment"),
        ("config.settings", "single"),
    ]
    entry = django.settings[-1]
    assert entry.includes == [
        "components/common.py",
        "components/database.py",
        "components/caches.py",
        "environments/{ENV}.py",
        "environments/local.py",
    ]
    # values set in fragments count for the project
    assert django.root_urlconf == "config.urls"
    assert [a.name for a in django.project_apps] == ["tasks"]
    assert facts.services.database_engines == ["postgresql"]
    assert facts.services.cache_backends == ["django.core.cache.backends.locmem.LocMemCache"]
    assert [(s.path, s.line) for s in django.settings_module_sources][-1] == ("pyproject.toml", 20)
    assert _deps(facts) == [("pyproject.toml", "uv", [])]
    assert facts.dependency_files[0].packages == [
        "django",
        "django-split-settings",
        "psycopg",
        "pytest",
        "pytest-django",
    ]
    assert (facts.versions.django, facts.versions.django_min, facts.versions.python) == (
        ">=4.2,<5.3",
        "4.2",
        "3.12",
    )
    assert facts.infra.other == [".pre-commit-config.yaml", "Makefile"]
    assert facts.findings == []


def test_demo_project(tmp_path):
    import shutil
    from pathlib import Path

    from tests.conftest import init_repo

    demo = Path(__file__).parent.parent / "src" / "model_w" / "migrate" / "demo_project"
    repo = init_repo(Path(shutil.copytree(demo, tmp_path / "demo")))
    facts = inspect_path(repo)
    assert _settings(facts) == [
        ("bookshop.settings.base", "base"),
        ("bookshop.settings.dev", "dev"),
        ("bookshop.settings.production", "production"),
    ]
    assert facts.services.drf
    assert facts.django.third_party_apps == ["rest_framework", "corsheaders"]
    assert _fronts(facts) == [("frontend", "ui", "vue", "vite", None)]
    assert facts.infra.dockerfiles == ["Dockerfile"]
    assert facts.versions.python == "3.10"
    assert ("warning", "hardcoded-secret", "bookshop/settings/base.py") in _codes(facts)
