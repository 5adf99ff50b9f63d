"""The back-routing step on small trees, with hand-built Facts (layout after api-layout)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from model_w.migrate.answers import Answers
from model_w.migrate.facts import DjangoFacts, Facts, Frontend, SettingsModule
from model_w.migrate.steps import StepContext, get_step
from model_w.migrate.workspace import Workspace

URLS = """\
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("shop.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    re_path(r"^.*$", TemplateView.as_view(template_name="index.html")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
"""

SETTINGS = """\
from model_w.env_manager import EnvManager
from model_w.preset.django import ModelWDjango

with EnvManager(ModelWDjango()) as env:
    ROOT_URLCONF = "shop.django.urls"
    LOGIN_REDIRECT_URL = "/admin/"
    LOGOUT_REDIRECT_URL = "/"
    MEDIA_URL = env.get("MEDIA_URL", default="/media/")
    MEDIA_ROOT = "/media/"
    CORS_URLS_REGEX = r"^/api/.*$"
"""


def make_tree(tmp_path: Path, files: dict[str, str]) -> Workspace:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text) if not text.startswith("from") else text)
    return Workspace(tmp_path)


def facts_for(tmp_path: Path, frontends: list[Frontend] | None = None) -> Facts:
    return Facts(
        root=str(tmp_path),
        django=DjangoFacts(
            manage_py="api/manage.py",
            project_dir="api",
            import_root="api",
            settings_module="shop.django.settings",
            settings=[
                SettingsModule(
                    module="shop.django.settings", path="api/shop/django/settings.py", role="single"
                )
            ],
            root_urlconf="shop.django.urls",
        ),
        frontends=frontends or [],
    )


def run_step(ws: Workspace, facts: Facts) -> StepContext:
    ctx = StepContext(
        facts=facts, answers=Answers(project_name="shop"), workspace=ws, step_id="back-routing"
    )
    get_step("back-routing").run(ctx)
    return ctx


def base_files() -> dict[str, str]:
    return {
        "api/manage.py": "",
        "api/shop/django/urls.py": URLS,
        "api/shop/django/settings.py": SETTINGS,
        "api/shop/templates/base.html": (
            '<a href="/admin/">Admin</a> <a href="/about/">About</a>\n'
            "<form action='/accounts/logout/' method=post></form>\n"
            '<a href="{% url \'admin:index\' %}">x</a> <img src="/media/logo.png">\n'
        ),
        "api/shop/views.py": 'from django.shortcuts import redirect\n\ndef go(r):\n    return redirect("/admin/login/")\n',
        "frontend/src/api.js": (
            'export const list = () => fetch("/api/items/");\n'
            "const client = axios.create({ baseURL: '/api' });\n"
            'const other = "http://localhost:8000/api/x";\n'
            'const page = "/about/";\n'
        ),
        "frontend/package.json": '{"name": "x"}\n',
    }


def test_routes_settings_templates_and_followups(tmp_path: Path) -> None:
    ws = make_tree(tmp_path, base_files())
    frontend = Frontend(path="frontend", kind="ui", framework="vue", bundler="vite")
    ctx = run_step(ws, facts_for(tmp_path, [frontend]))

    urls = ws.read("api/shop/django/urls.py")
    assert 'path("back/admin/", admin.site.urls)' in urls
    assert 'path("back/api/", include("shop.api.urls"))' in urls
    assert 'path("back/accounts/", include("django.contrib.auth.urls"))' in urls
    assert 're_path(r"^.*$", TemplateView.as_view(template_name="index.html"))' in urls

    settings = ws.read("api/shop/django/settings.py")
    assert 'LOGIN_REDIRECT_URL = "/back/admin/"' in settings
    assert 'LOGOUT_REDIRECT_URL = "/"' in settings
    assert 'default="/back/media/"' in settings
    assert 'MEDIA_ROOT = "/media/"' in settings  # a file-system path: untouched
    assert 'CORS_URLS_REGEX = r"^/back/api/.*$"' in settings
    # LOGIN_URL was Django's default and an accounts/ route exists: added inside the block
    assert '    LOGIN_URL = "/back/accounts/login/"' in settings

    template = ws.read("api/shop/templates/base.html")
    assert '<a href="/back/admin/">Admin</a> <a href="/about/">About</a>' in template
    assert "action='/back/accounts/logout/'" in template
    assert "{% url 'admin:index' %}" in template
    assert 'src="/back/media/logo.png"' in template

    # front-end code is never edited, only listed
    assert ws.read("frontend/src/api.js") == base_files()["frontend/src/api.js"]
    front = [f for f in ctx.followups if f.path == "frontend/src/api.js"]
    assert [f.line for f in front] == [1, 2, 3]
    assert "/back/api/items/" in front[0].message
    python = [f for f in ctx.followups if f.path == "api/shop/views.py"]
    assert python and python[0].line == 4

    # idempotent: a second run on the result changes nothing
    ws.checkpoint()
    run_step(ws, facts_for(tmp_path, [frontend]))
    assert ws.pending_changes() == []


def test_existing_login_url_is_prefixed_not_added(tmp_path: Path) -> None:
    files = base_files()
    files["api/shop/django/settings.py"] = (
        'LOGIN_URL = "/accounts/login/"\nMEDIA_URL = "https://cdn.example.com/"\n'
    )
    ws = make_tree(tmp_path, files)
    run_step(ws, facts_for(tmp_path))
    settings = ws.read("api/shop/django/settings.py")
    assert (
        settings == 'LOGIN_URL = "/back/accounts/login/"\nMEDIA_URL = "https://cdn.example.com/"\n'
    )


def test_no_accounts_route_no_login_url(tmp_path: Path) -> None:
    files = base_files()
    files["api/shop/django/urls.py"] = (
        "from django.contrib import admin\nfrom django.urls import path\n\n"
        'urlpatterns = [path("admin/", admin.site.urls)]\n'
    )
    files["api/shop/django/settings.py"] = 'DEBUG = True\nMEDIA_URL = "/media/"\n'
    ws = make_tree(tmp_path, files)
    run_step(ws, facts_for(tmp_path))
    # Django does not serve media here (no static() in the URLconf): MEDIA_URL stays
    assert ws.read("api/shop/django/settings.py") == 'DEBUG = True\nMEDIA_URL = "/media/"\n'


def test_missing_urlconf_is_a_blocker(tmp_path: Path) -> None:
    ws = make_tree(tmp_path, {"api/manage.py": ""})
    ctx = run_step(ws, facts_for(tmp_path))
    assert ctx.followups[0].level == "blocker"
