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
    assert any("local settings import removed" in f["message"] for f in result.followups)


def test_remove_local_imports_codemod_and_idempotency():
    source = (
        "A = 1\nfrom .local import *\nif os.path.exists('x'):\n    from .local_settings import *\n"
    )
    result = run_codemod(RemoveLocalImports, source, path="p/settings.py", module="p.settings")
    assert result.code == "A = 1\n"
    assert len(result.followups) == 2
    again = run_codemod(RemoveLocalImports, result.code, path="p/settings.py", module="p.settings")
    assert not again.changed
