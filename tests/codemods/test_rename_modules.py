"""Before/after tests for codemods/rename_modules.py.

Every case runs through the libcst command and the ast fast path: both must
give the expected text (or the fast path must decline with None), and a
second run must change nothing.
"""

from __future__ import annotations

import textwrap

import pytest
from model_w.migrate.codemods.rename_modules import (
    ModuleMap,
    RenameModulesCommand,
    fast_rename,
    mentions,
    resolve_relative,
)

from model_w.migrate.codemod_runner import run_codemod
from tests.codemods.libcst_cli import run_libcst_cli

MAPPING = {
    "mysite.settings": "shop.django.settings",
    "mysite.urls": "shop.django.urls",
    "mysite.wsgi": "shop.django.wsgi",
    "mysite": "shop.django",
    "blog": "shop.apps.blog",
    "settings": "shop.django.settings",
}
KNOWN = {
    "mysite",
    "mysite.settings",
    "mysite.urls",
    "mysite.wsgi",
    "mysite.utils",
    "blog",
    "blog.models",
    "blog.views",
    "blog.apps",
    "blog.tasks",
    "blog.urls",
    "settings",
}


def run_both(source: str, module: str | None = None, is_package: bool = False, known=KNOWN):
    source = textwrap.dedent(source)
    mm = ModuleMap(MAPPING, known)
    slow = run_codemod(
        RenameModulesCommand, source, path="x.py", mapping=mm, module=module, is_package=is_package
    ).code
    fast = fast_rename(source, mm, module=module, is_package=is_package)
    return source, slow, fast


CASES = [
    # imports
    ("from blog.models import Post\n", "from shop.apps.blog.models import Post\n", True),
    ("from mysite.settings import DEBUG\n", "from shop.django.settings import DEBUG\n", True),
    ("import blog.models as bm\nbm.Post\n", "import shop.apps.blog.models as bm\nbm.Post\n", True),
    (
        "import mysite.settings\nx = mysite.settings.DEBUG\n",
        "import shop.django.settings\nx = shop.django.settings.DEBUG\n",
        False,
    ),
    (
        "import blog\nblog.models.Post\n",
        "import shop.apps.blog\nshop.apps.blog.models.Post\n",
        False,
    ),
    ("from mysite import settings\n", "from shop.django import settings\n", True),
    ("from mysite import utils\n", "from shop.django import utils\n", True),
    ("from settings import *\n", "from shop.django.settings import *\n", True),
    ("from blog import models, views\n", "from shop.apps.blog import models, views\n", True),
    (
        "from django.conf import settings\nsettings.DEBUG\n",
        "from django.conf import settings\nsettings.DEBUG\n",
        True,
    ),
    ("import os\nimport blogger\n", "import os\nimport blogger\n", True),
    (
        "from mysite import (\n    settings,\n    utils,\n)\n",
        "from shop.django import (\n    settings,\n    utils,\n)\n",
        True,
    ),
    (
        "def f():\n    from blog.tasks import run\n    return run\n",
        "def f():\n    from shop.apps.blog.tasks import run\n    return run\n",
        True,
    ),
    # strings
    (
        'INSTALLED_APPS = [\n    "django.contrib.admin",\n    "blog",\n    "blog.apps.BlogConfig",\n]\n',
        'INSTALLED_APPS = [\n    "django.contrib.admin",\n    "shop.apps.blog",\n    "shop.apps.blog.apps.BlogConfig",\n]\n',
        True,
    ),
    ("INSTALLED_APPS += ('blog',)\n", "INSTALLED_APPS += ('shop.apps.blog',)\n", True),
    ('LOCAL_APPS = ["blog"]\n', 'LOCAL_APPS = ["shop.apps.blog"]\n', True),
    ('INSTALLED_APPS.append("blog")\n', 'INSTALLED_APPS.append("shop.apps.blog")\n', True),
    ('ROOT_URLCONF = "mysite.urls"\n', 'ROOT_URLCONF = "shop.django.urls"\n', True),
    (
        'WSGI_APPLICATION = "mysite.wsgi.application"\n',
        'WSGI_APPLICATION = "shop.django.wsgi.application"\n',
        True,
    ),
    (
        'MIDDLEWARE = ["mysite.utils.TimingMiddleware"]\n',
        'MIDDLEWARE = ["shop.django.utils.TimingMiddleware"]\n',
        True,
    ),
    (
        'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "blog.views.Pager"}\n',
        'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "shop.apps.blog.views.Pager"}\n',
        True,
    ),
    (
        'urlpatterns = [path("", include("blog.urls"))]\n',
        'urlpatterns = [path("", include("shop.apps.blog.urls"))]\n',
        True,
    ),
    (
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.django.settings")\n',
        True,
    ),
    (
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.django.settings")\n',
        True,
    ),
    (
        'os.environ["DJANGO_SETTINGS_MODULE"] = "settings"\n',
        'os.environ["DJANGO_SETTINGS_MODULE"] = "shop.django.settings"\n',
        True,
    ),
    (
        '@mock.patch("blog.views.send_mail")\ndef test(m): pass\n',
        '@mock.patch("shop.apps.blog.views.send_mail")\ndef test(m): pass\n',
        True,
    ),
    (
        'with patch("blog.send"):\n    pass\n',
        'with patch("shop.apps.blog.send"):\n    pass\n',
        True,
    ),
    ('mocker.patch("mysite.utils.now")\n', 'mocker.patch("shop.django.utils.now")\n', True),
    (
        'app = Celery("mysite", include=["blog.tasks"])\napp.autodiscover_tasks(["blog"])\n',
        'app = Celery("mysite", include=["shop.apps.blog.tasks"])\napp.autodiscover_tasks(["shop.apps.blog"])\n',
        True,
    ),
    ('import_module("blog")\n', 'import_module("shop.apps.blog")\n', True),
    (
        'class BlogConfig(AppConfig):\n    name = "blog"\n',
        'class BlogConfig(AppConfig):\n    name = "shop.apps.blog"\n',
        True,
    ),
    (
        'CELERY_BEAT_SCHEDULE = {"x": {"task": "blog.tasks.cleanup"}}\n',
        'CELERY_BEAT_SCHEDULE = {"x": {"task": "shop.apps.blog.tasks.cleanup"}}\n',
        True,
    ),
    (
        'ASGI_APPLICATION = "mysite.asgi:application"\n',
        'ASGI_APPLICATION = "shop.django.asgi:application"\n',
        True,
    ),
    (
        "@override_settings(ROOT_URLCONF='mysite.urls')\nclass T: pass\n",
        "@override_settings(ROOT_URLCONF='shop.django.urls')\nclass T: pass\n",
        True,
    ),
    # strings that must stay
    ('AUTH_USER_MODEL = "blog.Author"\n', 'AUTH_USER_MODEL = "blog.Author"\n', True),
    (
        'author = models.ForeignKey("blog.Author", on_delete=CASCADE)\n',
        'author = models.ForeignKey("blog.Author", on_delete=CASCADE)\n',
        True,
    ),
    (
        'app_name = "blog"\nt = "blog/index.html"\nr = reverse("blog:index")\n',
        'app_name = "blog"\nt = "blog/index.html"\nr = reverse("blog:index")\n',
        True,
    ),
    ('class Meta:\n    name = "blog"\n', 'class Meta:\n    name = "blog"\n', True),
    ('x = f"blog.models.{y}"\n', 'x = f"blog.models.{y}"\n', True),
    ('x = "blog.models" "x"\n', 'x = "blog.models" "x"\n', True),
    ('x = "blog.views"\n', 'x = "shop.apps.blog.views"\n', True),
    ('d = "Read mysite.settings first."\n', 'd = "Read mysite.settings first."\n', True),
]


@pytest.mark.parametrize("before,after,fast_ok", CASES)
def test_patterns(before: str, after: str, fast_ok: bool) -> None:
    source, slow, fast = run_both(before)
    assert slow == after
    if fast_ok:
        assert fast == after
    else:
        assert fast is None
    # idempotent: a second run changes nothing
    _, slow2, fast2 = run_both(after)
    assert slow2 == after
    assert fast2 in (after, None)


def test_split_from_import_when_names_move_apart() -> None:
    mapping = {"core.settings": "shop.django.settings", "core": "shop.apps.core"}
    mm = ModuleMap(mapping, {"core", "core.settings", "core.models"})
    source = "from core import models, settings as s\n"
    result = run_codemod(RenameModulesCommand, source, mapping=mm).code
    assert result == "from shop.apps.core import models\nfrom shop.django import settings as s\n"
    assert fast_rename(source, mm) is None


def test_relative_import_that_crosses_a_move_becomes_absolute() -> None:
    # mysite/views.py did `from ..blog import models` style imports; here: a
    # module of the project package importing a sibling that moved elsewhere
    mapping = {"mysite.blog": "shop.apps.blog", "mysite": "shop.django"}
    mm = ModuleMap(mapping)
    source = "from .blog.models import Post\nfrom . import utils\n"
    result = run_codemod(RenameModulesCommand, source, mapping=mm, module="mysite.views").code
    assert result == "from shop.apps.blog.models import Post\nfrom . import utils\n"
    assert fast_rename(source, mm, module="mysite.views") is None
    # inside the moved app, relative imports stay
    inside = "from .models import Post\nfrom . import views\n"
    assert (
        run_codemod(RenameModulesCommand, inside, mapping=mm, module="mysite.blog.admin").code
        == inside
    )
    assert fast_rename(inside, mm, module="mysite.blog.admin") == inside


def test_relative_from_dot_import_of_moved_sibling() -> None:
    mm = ModuleMap({"mysite.blog": "shop.apps.blog", "mysite": "shop.django"})
    source = "from . import blog, utils\n"
    result = run_codemod(RenameModulesCommand, source, mapping=mm, module="mysite.urls").code
    assert result == "from shop.django import utils\nfrom shop.apps import blog\n" or result == (
        "from shop.apps import blog\nfrom shop.django import utils\n"
    )


def test_project_package_named_like_the_target_package() -> None:
    mm = ModuleMap({"shop.settings": "shop.django.settings", "shop.urls": "shop.django.urls"})
    source = "import shop\nimport shop.settings\nx = shop.settings.DEBUG\nfrom shop import urls, VERSION\n"
    result = run_codemod(RenameModulesCommand, source, mapping=mm).code
    assert result == (
        "import shop\nimport shop.django.settings\nx = shop.django.settings.DEBUG\n"
        "from shop import VERSION\nfrom shop.django import urls\n"
    ) or result == (
        "import shop\nimport shop.django.settings\nx = shop.django.settings.DEBUG\n"
        "from shop.django import urls\nfrom shop import VERSION\n"
    )
    again = run_codemod(RenameModulesCommand, result, mapping=mm).code
    assert again == result


def test_shadowed_name_is_left_alone() -> None:
    source = "import blog\ndef f(blog):\n    return blog.models\n"
    result = run_codemod(RenameModulesCommand, source, mapping=ModuleMap(MAPPING, KNOWN)).code
    assert result == "import shop.apps.blog\ndef f(blog):\n    return blog.models\n"


def test_resolve_relative() -> None:
    assert resolve_relative("a.b.c", 1, "d", False) == "a.b.d"
    assert resolve_relative("a.b.c", 2, None, False) == "a"
    assert resolve_relative("a.b", 1, "x", True) == "a.b.x"
    assert resolve_relative("a", 2, "x", False) is None


def test_mentions_prefilter() -> None:
    mm = ModuleMap(MAPPING)
    assert mentions("from blog.models import x", mm)
    assert not mentions("import os\n", mm)


def test_cli_arguments_map_parsing() -> None:
    from libcst.codemod import CodemodContext

    cmd = RenameModulesCommand(CodemodContext(), mapping=["blog=shop.apps.blog"])
    assert cmd.mm.mapping == {"blog": "shop.apps.blog"}


def test_runs_through_libcst_cli(tmp_path) -> None:
    result = run_libcst_cli(
        tmp_path,
        "rename_modules.RenameModulesCommand",
        "from blog.models import Post\n",
        "--map",
        "blog=shop.apps.blog",
    )
    assert result == "from shop.apps.blog.models import Post\n"


def test_fast_path_moves_a_from_import_whose_names_all_moved_together() -> None:
    mm = ModuleMap({"shop.settings": "shop.django.settings", "shop.urls": "shop.django.urls"})
    source = "from shop import settings, urls\nfrom shop.settings import DEBUG\n"
    expected = "from shop.django import settings, urls\nfrom shop.django.settings import DEBUG\n"
    assert fast_rename(source, mm) == expected
    assert run_codemod(RenameModulesCommand, source, mapping=mm).code == expected


def test_the_ast_fast_path_never_imports_libcst() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from model_w.migrate.codemods.rename_modules import fast_rename\n"
        "from model_w.migrate.restructure.python_refs import Job, rewrite_all\n"
        "from model_w.migrate.codemods.rename_modules import ModuleMap\n"
        "mm = ModuleMap({'blog': 'shop.apps.blog'})\n"
        "assert fast_rename('from blog.models import Post\\n', mm) is not None\n"
        "out = rewrite_all([Job('a.py', 'import json\\nfrom blog import models\\n', 'a', False)], mm)\n"
        "assert out[0].code == 'import json\\nfrom shop.apps.blog import models\\n', out\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'libcst'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_fast_path_skips_unrelated_code_but_finds_nested_references():
    """Subtrees on lines that never mention a moved module are skipped; a
    reference deep inside a class method, a decorator and a multi-line string
    are still found."""
    from model_w.migrate.codemods.rename_modules import _hit_lines

    unrelated = "".join(f"\ndef f{i}(x):\n    return x * {i}\n" for i in range(50))
    source = (
        "import os\n"
        + unrelated
        + "\nclass A:\n    @staticmethod\n    def m():\n        if True:\n"
        + "            from blog.models import Post\n            return Post\n"
        + '\n@mock.patch(\n    "blog.views.send"\n)\ndef t(m):\n    pass\n'
    )
    mapping = {"blog": "shop.apps.blog"}
    result = fast_rename(source, mapping)
    assert "from shop.apps.blog.models import Post" in result
    assert '"shop.apps.blog.views.send"' in result
    assert result.count("shop.apps.blog") == 2
    hits = _hit_lines(source, ModuleMap(mapping))
    assert len(hits) == 2  # only those two lines are looked at closely
