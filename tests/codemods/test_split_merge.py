"""Before/after strings for merging split settings and removing local imports."""

from __future__ import annotations

import textwrap

from model_w.migrate.codemods.split_merge import RemoveLocalImports, merge_settings

from model_w.migrate.codemod_runner import run_codemod

BASE = textwrap.dedent(
    """\
    import os
    from .helpers import thing

    DEBUG = False
    FEATURE_X = False
    TIMEOUT = 10
    """
)
PROD = textwrap.dedent(
    """\
    \"\"\"Production.\"\"\"
    import os

    from .base import *  # noqa

    TIMEOUT = 30
    """
)
DEV = textwrap.dedent(
    """\
    from .base import *  # noqa

    DEBUG = True
    FEATURE_X = True
    INSTALLED_APPS += ["debug_toolbar"]
    """
)


def sources(mapping):
    def get(dotted):
        if dotted in mapping:
            return mapping[dotted], dotted.replace(".", "/") + ".py", False
        return None

    return get


def test_merge_inlines_base_and_turns_dev_values_into_env():
    get = sources({"p.settings.base": BASE, "p.settings.production": PROD, "p.settings.dev": DEV})
    result = merge_settings("p.settings.production", get, dev="p.settings.dev")
    assert result.code == textwrap.dedent(
        """\
        \"\"\"Production.\"\"\"

        import os
        from p.settings.helpers import thing

        DEBUG = False
        FEATURE_X = env.get("FEATURE_X", default=False, is_yaml=True)
        TIMEOUT = 10

        TIMEOUT = 30
        """
    )
    env = {v["name"]: v for v in result.env_vars}
    assert env["FEATURE_X"]["local_value"] == "yes"
    assert env["DEBUG"]["local_value"] == "yes"
    assert any("debug_toolbar" in f["message"] for f in result.followups)
    assert result.inlined == ["p.settings.production", "p.settings.base"]


def test_merge_removes_local_settings_import():
    prod = "from .base import *\ntry:\n    from .local_settings import *\nexcept ImportError:\n    pass\n"
    get = sources({"p.settings.base": "A = 1\n", "p.settings.production": prod})
    result = merge_settings("p.settings.production", get)
    assert "local_settings" not in result.code
    assert "A = 1" in result.code
    assert [f["line"] for f in result.followups if "local settings import" in f["message"]] == [2]


def test_remove_local_imports_codemod_and_idempotency():
    source = (
        "A = 1\nfrom .local import *\nif os.path.exists('x'):\n    from .local_settings import *\n"
    )
    result = run_codemod(RemoveLocalImports, source, path="p/settings.py", module="p.settings")
    assert result.code == "A = 1\n"
    assert len(result.followups) == 2
    again = run_codemod(RemoveLocalImports, result.code, path="p/settings.py", module="p.settings")
    assert not again.changed


# --- django-split-settings -------------------------------------------------------------

SPLIT_FILES = {
    "config/settings.py": textwrap.dedent(
        '''\
        """Split settings."""
        import os

        from split_settings.tools import include, optional

        ENV = os.environ.get("DJANGO_ENV", "development")

        base_settings = [
            "components/common.py",
            "components/d*.py",
            f"environments/{ENV}.py",
            optional("environments/local.py"),
        ]

        include(*base_settings)
        LAST = 1
        '''
    ),
    "config/components/__init__.py": "",
    "config/components/common.py": "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent.parent\nTIMEOUT = 10\n",
    "config/components/db.py": "import os\n\nDB = os.environ.get('DB', 'x')\n",
    "config/components/dz.py": "DZ = 2\n",
    "config/environments/__init__.py": "",
    "config/environments/development.py": "DEBUG = True\nTIMEOUT = 1\n",
    "config/environments/production.py": "DEBUG = False\n",
    "config/environments/staging.py": "DEBUG = False\n",
}


def test_split_settings_include_is_inlined_in_order():
    from model_w.migrate.codemods.split_merge import inline_split_settings, uses_split_settings

    files = sorted(SPLIT_FILES)
    result = inline_split_settings(
        SPLIT_FILES["config/settings.py"], "config/settings.py", files, SPLIT_FILES.__getitem__
    )
    code = result.code
    assert not uses_split_settings(code) and "include(" not in code and "base_settings" not in code
    assert "ENV =" not in code  # only chose a fragment
    # order: common, then the glob matches sorted, then production, then the rest
    order = [code.index(k) for k in ("BASE_DIR =", "DB =", "DZ =", "DEBUG = False", "LAST = 1")]
    assert order == sorted(order)
    # __file__ rebased: the fragment lived one folder deeper
    assert "BASE_DIR = Path(__file__).resolve().parent.parent\n" in code
    assert code.count("import os") == 1
    assert result.dev_path == "config/environments/development.py"
    assert "config/environments/staging.py" in result.dropped
    assert any("chosen at run time" in f["message"] for f in result.followups)
    # optional missing fragment: silently skipped; the result compiles
    compile(code, "settings.py", "exec")


def test_split_settings_missing_fragment_and_unresolvable_choice():
    from model_w.migrate.codemods.split_merge import inline_split_settings

    source = textwrap.dedent(
        """\
        from split_settings.tools import include
        include("missing.py", f"env/{X}.py")
        """
    )
    result = inline_split_settings(source, "s/settings.py", ["s/settings.py"], lambda p: "")
    messages = [f["message"] for f in result.followups]
    assert any("no such file" in m for m in messages)
    assert any("chosen at run time" in m for m in messages)
    assert "split_settings" not in result.code
