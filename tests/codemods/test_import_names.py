"""The back-routing codemod reads a simple URLconf's names from its imports.

Every URLconf we have (fixtures, demo, the codemod tests' inputs, and tricky
ones below) goes through the codemod twice, with the import table and with
libcst's scope analysis: same code, same follow-ups, same records.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from model_w.migrate.codemods.back_routing import BackRoutingCommand
from model_w.migrate.codemods.import_names import ImportNames

from model_w.migrate.codemod_runner import run_codemod

REPO = Path(__file__).resolve().parents[2]

TRICKY = {
    "rebound": (
        "from django.urls import path, include\n\n"
        "def path(route, view):\n    return None\n\n"
        'urlpatterns = [path("admin/", include("x.urls"))]\n'
    ),
    "parameter": (
        "from django.urls import path\n\n"
        "def build(path):\n    return [path('x/', None)]\n\n"
        'urlpatterns = [path("blog/", None)]\n'
    ),
    "conditional": (
        "try:\n    from django.urls import re_path as url\n"
        "except ImportError:\n    from django.conf.urls import url\n\n"
        'urlpatterns = [url(r"^admin/", None)]\n'
    ),
    "star": 'from django.urls import *\n\nurlpatterns = [path("admin/", None)]\n',
    "module-import": (
        "import django.urls\nfrom django import urls as u\n\n"
        'urlpatterns = [django.urls.path("a/", None), u.re_path(r"^b/", None)]\n'
    ),
    "unimported": 'urlpatterns = [path("admin/", None)]\n',
    "local-helper": (
        "from django.urls import path\n\nroutes = [path('a/', None)]\n\n"
        'urlpatterns = routes + [path("b/", None)]\n'
    ),
    "call-result": (
        "from django.urls import path\n\n"
        "def make():\n    return path\n\n"
        'urlpatterns = [make()("a/", None), path("b/", None)]\n'
    ),
    "global": (
        "from django.urls import path\n\n"
        "def f():\n    global path\n    path = None\n\n"
        'urlpatterns = [path("a/", None)]\n'
    ),
}


def _urlconfs() -> dict[str, str]:
    found = dict(TRICKY)
    for root in (
        REPO / "tests" / "fixtures",
        REPO / "src" / "model_w" / "migrate" / "demo_project",
    ):
        for path in sorted(root.rglob("urls.py")):
            found[str(path.relative_to(REPO))] = path.read_text()
    for test in ("test_back_routing.py",):
        tree = ast.parse((REPO / "tests" / "codemods" / test).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "urlpatterns" in node.value:
                    try:
                        ast.parse(node.value)
                    except SyntaxError:
                        continue
                    found[f"{test}:{node.lineno}"] = node.value
    return found


URLCONFS = _urlconfs()


class FullScope(BackRoutingCommand):
    IMPORT_NAMES = False


@pytest.mark.parametrize("name", sorted(URLCONFS))
def test_import_names_give_what_the_scope_analysis_gives(name: str) -> None:
    source = URLCONFS[name]
    fast = run_codemod(BackRoutingCommand, source, path="urls.py")
    full = run_codemod(FullScope, source, path="urls.py")
    assert fast.code == full.code
    assert fast.followups == full.followups
    assert fast.scratch == full.scratch


def test_the_import_table_is_used_where_it_is_certain() -> None:
    assert len(URLCONFS) > 30
    simple = [n for n, s in URLCONFS.items() if n not in TRICKY and ImportNames.of(s)]
    assert len(simple) > 20  # the common case takes the cheap path
    for name in ("rebound", "parameter", "conditional", "star", "global"):
        assert ImportNames.of(TRICKY[name]) is None, name
    names = ImportNames.of(TRICKY["module-import"])
    assert names is not None
    assert names.qualified("django.urls.path") == "django.urls.path"
    assert names.qualified("u.re_path") == "django.urls.re_path"
    assert names.qualified("nowhere") is None
