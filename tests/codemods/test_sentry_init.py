"""sentry_init: sentry_sdk.init(...) goes, its options are reported."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from model_w.migrate.codemods.sentry_init import RemoveSentryInitCommand

from model_w.migrate.codemod_runner import run_codemod
from tests.codemods.libcst_cli import run_libcst_cli

REPO = Path(__file__).resolve().parents[2]
DSN = "https://0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io/4242"


def run(source: str, **kwargs):
    return run_codemod(
        RemoveSentryInitCommand, dedent(source).lstrip("\n"), "settings.py", **kwargs
    )


CASES = [
    (
        "module-level",
        """
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration

        sentry_sdk.init(dsn=SENTRY_DSN, integrations=[DjangoIntegration()])
        X = 1
        """,
        """
        X = 1
        """,
    ),
    (
        "guarded",
        """
        import os

        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration

        SENTRY_DSN = os.environ.get("SENTRY_DSN")

        if SENTRY_DSN:
            sentry_sdk.init(
                dsn=SENTRY_DSN,
                integrations=[DjangoIntegration()],
                traces_sample_rate=0.2,
            )
        X = 1
        """,
        """
        import os

        SENTRY_DSN = os.environ.get("SENTRY_DSN")
        X = 1
        """,
    ),
    (
        "guard-with-else-keeps-else",
        """
        import sentry_sdk

        if not DEBUG:
            sentry_sdk.init(dsn=SENTRY_DSN)
        else:
            LOGGING_LEVEL = "DEBUG"
        """,
        """
        if not DEBUG:
            pass
        else:
            LOGGING_LEVEL = "DEBUG"
        """,
    ),
    (
        "guard-keeps-other-statements",
        """
        import sentry_sdk

        if SENTRY_DSN:
            sentry_sdk.init(dsn=SENTRY_DSN)
            SENTRY_ON = True
        """,
        """
        if SENTRY_DSN:
            SENTRY_ON = True
        """,
    ),
    (
        "from-import-init",
        """
        from sentry_sdk import init

        init(dsn=SENTRY_DSN)
        X = 1
        """,
        """
        X = 1
        """,
    ),
    (
        "inside-function-and-call",
        """
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration


        def setup_sentry():
            \"\"\"Set up Sentry.\"\"\"
            sentry_sdk.init(dsn=SENTRY_DSN, integrations=[DjangoIntegration()])


        setup_sentry()
        X = 1
        """,
        """
        X = 1
        """,
    ),
    (
        "function-with-other-code-stays",
        """
        import logging

        import sentry_sdk


        def setup():
            sentry_sdk.init(dsn=SENTRY_DSN)
            logging.getLogger("x").setLevel(logging.INFO)


        setup()
        """,
        """
        import logging


        def setup():
            logging.getLogger("x").setLevel(logging.INFO)


        setup()
        """,
    ),
    (
        "nothing-to-do",
        """
        import os

        X = os.getenv("X")
        """,
        """
        import os

        X = os.getenv("X")
        """,
    ),
]


@pytest.mark.parametrize(("before", "after"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_removes(before: str, after: str) -> None:
    result = run(before)
    assert result.code == dedent(after).lstrip("\n")
    assert run(result.code).code == result.code, "a second run changes nothing"


def test_options_are_recorded() -> None:
    result = run(
        """
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
        from sentry_sdk.integrations.logging import LoggingIntegration

        sentry_sdk.init(
            dsn=SENTRY_DSN,
            integrations=[DjangoIntegration(), LoggingIntegration(level=None)],
            traces_sample_rate=0.25,
            send_default_pii=True,
            release="1.0",
        )
        """
    )
    assert result.code.strip() == ""
    assert result.scratch["modelw_sentry_options"] == [
        {
            "line": 5,
            "options": {
                "dsn": "SENTRY_DSN",
                "integrations": "[DjangoIntegration(), LoggingIntegration(level=None)]",
                "traces_sample_rate": "0.25",
                "send_default_pii": "True",
                "release": '"1.0"',
            },
            "literals": {"traces_sample_rate": 0.25, "send_default_pii": True, "release": "1.0"},
            "traces_sample_rate": 0.25,
        }
    ]
    [followup] = result.followups
    assert followup.level == "info" and followup.line == 5
    assert "sentry_sample_rate" in followup.message
    assert 'release="1.0"' in followup.message
    assert "LoggingIntegration" in followup.message


def test_hardcoded_dsn_is_a_secret() -> None:
    result = run(f'import sentry_sdk\n\nsentry_sdk.init("{DSN}", traces_sample_rate=1.0)\n')
    assert DSN not in result.code
    [record] = result.scratch["modelw_env_vars"]
    assert record["name"] == "SENTRY_DSN" and record["local_value"] == DSN
    assert record["secret"] and record["preset_owned"] and record["group"] == "sentry"
    assert result.scratch["modelw_secrets"] == [DSN]
    assert result.scratch["modelw_sentry_options"][0]["traces_sample_rate"] == 1.0


def test_init_used_as_a_value_is_kept() -> None:
    source = "import sentry_sdk\n\nclient = sentry_sdk.init(dsn=SENTRY_DSN)\n"
    result = run(source)
    assert result.code == source
    assert [f.level for f in result.followups] == ["todo"]


def test_keep_empty_functions() -> None:
    result = run(
        """
        import sentry_sdk


        def setup():
            sentry_sdk.init(dsn=SENTRY_DSN)


        setup()
        """,
        keep_empty_functions=True,
    )
    assert result.code == "def setup():\n    pass\n\n\nsetup()\n"


def test_libcst_cli(tmp_path: Path) -> None:
    source = "import sentry_sdk\n\nsentry_sdk.init(dsn=SENTRY_DSN)\nX = 1\n"
    assert run_libcst_cli(tmp_path, "sentry_init.RemoveSentryInitCommand", source) == "X = 1\n"
