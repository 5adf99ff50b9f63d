"""hardcoded_env: literal deployment values and credentials move to env vars."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from model_w.migrate.codemods.envvars import MISSING
from model_w.migrate.codemods.hardcoded_env import HardcodedToEnvCommand

from model_w.migrate.codemod_runner import run_codemod
from tests.codemods.libcst_cli import run_libcst_cli

REPO = Path(__file__).resolve().parents[2]

# Fake credentials made up for these tests.
SECRET_KEY = "django-insecure-8f$k2@x!q9z#r7w^m3n0p5v1b6c4d2e8"
SMTP_PASSWORD = "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"
MAPS_KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
AWS_KEY_ID = "AKIA2E0A8F3B244C9986"
AWS_SECRET = "Zk3pL9qW2xR7vT5yN8mB4cJ6hG1fD0sA9eU3iO7p"
DSN = "https://0123456789abcdef0123456789abcdef@o123456.ingest.sentry.io/4242"


def run(source: str, **kwargs):
    return run_codemod(HardcodedToEnvCommand, dedent(source).lstrip("\n"), "settings.py", **kwargs)


def records(result) -> dict[str, dict]:
    return {r["name"]: r for r in result.scratch.get("modelw_env_vars", [])}


CASES = [
    (
        "allowed-hosts",
        'ALLOWED_HOSTS = ["shop.example.com", "localhost"]\n',
        'ALLOWED_HOSTS = env.get("ALLOWED_HOSTS", default=["shop.example.com", "localhost"], is_yaml=True)\n',
    ),
    ("allowed-hosts-star-left", 'ALLOWED_HOSTS = ["*"]\n', 'ALLOWED_HOSTS = ["*"]\n'),
    (
        "email",
        """
        EMAIL_HOST = "smtp.mailgun.org"
        EMAIL_PORT = 587
        EMAIL_HOST_USER = "postmaster@mg.example.com"
        EMAIL_USE_TLS = True
        DEFAULT_FROM_EMAIL = "Shop <noreply@example.com>"
        """,
        """
        EMAIL_HOST = env.get("EMAIL_HOST", default="smtp.mailgun.org")
        EMAIL_PORT = env.get("EMAIL_PORT", default=587, is_yaml=True)
        EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", default="postmaster@mg.example.com")
        EMAIL_USE_TLS = True
        DEFAULT_FROM_EMAIL = "Shop <noreply@example.com>"
        """,
    ),
    (
        "email-password",
        f'EMAIL_HOST_PASSWORD = "{SMTP_PASSWORD}"\n',
        'EMAIL_HOST_PASSWORD = env.get("EMAIL_HOST_PASSWORD", build_default="xxx")\n',
    ),
    (
        "credential-name",
        f'GOOGLE_MAPS_API_KEY = "{MAPS_KEY}"\n',
        'GOOGLE_MAPS_API_KEY = env.get("GOOGLE_MAPS_API_KEY", build_default="xxx")\n',
    ),
    (
        "credential-value",
        f'PAYMENTS = "{STRIPE_KEY}"\n',
        'PAYMENTS = env.get("PAYMENTS", build_default="xxx")\n',
    ),
    (
        "empty-credential-optional",
        'RECAPTCHA_PRIVATE_KEY = ""\n',
        'RECAPTCHA_PRIVATE_KEY = env.get("RECAPTCHA_PRIVATE_KEY", default="")\n',
    ),
    (
        "credential-in-dict",
        'ALGOLIA = {"APPLICATION_ID": "shop", "API_KEY": "c2f1e9a8b7d6c5e4f3a2b1c0d9e8f7a6"}\n',
        'ALGOLIA = {"APPLICATION_ID": "shop", "API_KEY": env.get("ALGOLIA_API_KEY", build_default="xxx")}\n',
    ),
    (
        "aws-region",
        'AWS_S3_REGION_NAME = "eu-west-3"\nAWS_DEFAULT_ACL = None\nAWS_QUERYSTRING_AUTH = False\n',
        'AWS_S3_REGION_NAME = env.get("AWS_S3_REGION_NAME", default="eu-west-3")\nAWS_DEFAULT_ACL = None\nAWS_QUERYSTRING_AUTH = False\n',
    ),
    (
        "non-redis-broker",
        'CELERY_BROKER_URL = "amqp://localhost//"\n',
        'CELERY_BROKER_URL = env.get("CELERY_BROKER_URL", default="amqp://localhost//")\n',
    ),
    (
        "app-constants-left",
        """
        TIME_ZONE = "UTC"
        STATIC_URL = "/static/"
        LANGUAGE_CODE = "en-us"
        PAGE_TITLE = "My shop"
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        """,
        """
        TIME_ZONE = "UTC"
        STATIC_URL = "/static/"
        LANGUAGE_CODE = "en-us"
        PAGE_TITLE = "My shop"
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        """,
    ),
    (
        "already-env-left",
        'EMAIL_HOST = env.get("EMAIL_HOST", default="localhost")\n',
        'EMAIL_HOST = env.get("EMAIL_HOST", default="localhost")\n',
    ),
]

PRESET_OWNED_SOURCE = f"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "{SECRET_KEY}"
DEBUG = True
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "s3cr3t-Pa55word",
        "HOST": "db",
        "PORT": 5432,
    }}
}}
CACHES = {{"default": {{"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://redis:6379/1"}}}}
CELERY_BROKER_URL = "redis://redis:6379/0"
SENTRY_DSN = "{DSN}"
AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"
AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"
AWS_STORAGE_BUCKET_NAME = "shop-media"
"""


@pytest.mark.parametrize(("before", "after"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rewrites(before: str, after: str) -> None:
    result = run(before)
    assert result.code == dedent(after).lstrip("\n")
    assert run(result.code).code == result.code, "a second run changes nothing"


def test_converted_records() -> None:
    result = run(
        f"""
        ALLOWED_HOSTS = ["shop.example.com", "localhost"]
        EMAIL_PORT = 587
        EMAIL_HOST_PASSWORD = "{SMTP_PASSWORD}"
        ALGOLIA = {{"API_KEY": "c2f1e9a8b7d6c5e4f3a2b1c0d9e8f7a6"}}
        """
    )
    recs = records(result)
    assert recs["ALLOWED_HOSTS"] == {
        "name": "ALLOWED_HOSTS",
        "old_names": [],
        "setting": "ALLOWED_HOSTS",
        "default": ["shop.example.com", "localhost"],
        "default_code": '["shop.example.com", "localhost"]',
        "has_default": True,
        "is_yaml": True,
        "required": False,
        "secret": False,
        "local_value": "[shop.example.com, localhost]",
        "comment": "ALLOWED_HOSTS setting (was hardcoded)",
        "group": "django",
        "line": 1,
        "preset_owned": False,
        "build_default": None,
    }
    assert recs["EMAIL_PORT"]["local_value"] == "587" and recs["EMAIL_PORT"]["default"] == 587
    password = recs["EMAIL_HOST_PASSWORD"]
    assert password["required"] and password["secret"] and password["build_default"] == "xxx"
    assert password["local_value"] == SMTP_PASSWORD and password["group"] == "email"
    algolia = recs["ALGOLIA_API_KEY"]
    assert algolia["setting"] == "ALGOLIA" and algolia["secret"] and algolia["line"] == 4
    assert result.scratch["modelw_secrets"] == [SMTP_PASSWORD, "c2f1e9a8b7d6c5e4f3a2b1c0d9e8f7a6"]


def test_preset_owned_are_recorded_not_changed() -> None:
    source = dedent(PRESET_OWNED_SOURCE).lstrip("\n")
    result = run(source)
    assert result.code == source
    owned = [(o["setting"], o["env_var"]) for o in result.scratch["modelw_preset_owned"]]
    assert owned == [
        ("SECRET_KEY", "SECRET_KEY"),
        ("DEBUG", "DEBUG"),
        ("DATABASES", "DATABASE_URL"),
        ("CACHES", "REDIS_URL"),
        ("CELERY_BROKER_URL", "REDIS_URL"),
        ("SENTRY_DSN", "SENTRY_DSN"),
        ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
        ("AWS_STORAGE_BUCKET_NAME", "AWS_STORAGE_BUCKET_NAME"),
    ]
    recs = records(result)
    assert recs["SECRET_KEY"]["local_value"] == SECRET_KEY and recs["SECRET_KEY"]["secret"]
    assert recs["DEBUG"]["local_value"] == "yes"
    assert recs["DATABASE_URL"]["local_value"] == "postgres://shop:s3cr3t-Pa55word@db/shop"
    assert recs["REDIS_URL"]["local_value"] == "redis://redis:6379/1"
    assert recs["SENTRY_DSN"]["local_value"] == DSN
    assert recs["AWS_STORAGE_BUCKET_NAME"]["local_value"] == "shop-media"
    assert all(r["preset_owned"] for r in recs.values())
    assert sorted(result.scratch["modelw_secrets"]) == sorted(
        [SECRET_KEY, "s3cr3t-Pa55word", DSN, AWS_KEY_ID, AWS_SECRET]
    )
    assert "shop-media" not in result.scratch["modelw_secrets"]


@pytest.mark.parametrize("release", ["2024.10", "2025.7", "2026.7"])
def test_preset_owned_records_follow_the_target_release(release) -> None:
    from model_w.migrate.codemods.envvars import preset_vars

    source = dedent(PRESET_OWNED_SOURCE).lstrip("\n")
    result = run(source, release=release)
    assert result.code == source
    known = preset_vars(release)
    for name, rec in records(result).items():
        assert rec["is_yaml"] == known[name].is_yaml, name
        assert rec["has_default"] == (known[name].default is not MISSING), name
    assert run(result.code, release=release).code == result.code


def test_sqlite_database_records_engine() -> None:
    result = run(
        """
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
            }
        }
        """
    )
    assert result.scratch["database_engine"] == {
        "engine": "sqlite3",
        "name": "db.sqlite3",
        "line": 1,
    }
    assert [f.level for f in result.followups] == ["blocker"]
    rec = records(result)["DATABASE_URL"]
    assert rec["local_value"] is None and rec["preset_owned"]


def test_debug_false_needs_no_local_value() -> None:
    rec = records(run("DEBUG = False\n"))["DEBUG"]
    assert rec["local_value"] is None


def test_placeholder_secret_key_is_not_guarded() -> None:
    result = run('SECRET_KEY = "change-me"\n')
    assert records(result)["SECRET_KEY"]["local_value"] == "change-me"
    assert "modelw_secrets" not in result.scratch


def test_repeated_literal_is_not_guarded() -> None:
    """A dev password equal to the project name would block every commit."""
    result = run(
        """
        DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bookshelf",
                     "USER": "bookshelf", "PASSWORD": "bookshelf", "HOST": "", "PORT": ""}}
        """
    )
    assert (
        records(result)["DATABASE_URL"]["local_value"]
        == "postgres://bookshelf:bookshelf@localhost/bookshelf"
    )
    assert "modelw_secrets" not in result.scratch


def test_database_extras_are_follow_ups() -> None:
    result = run(
        """
        DATABASES = {
            "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "a", "USER": "",
                        "PASSWORD": "", "HOST": "", "PORT": "", "OPTIONS": {"sslmode": "require"}},
            "replica": {"ENGINE": "django.db.backends.postgresql", "NAME": "b"},
        }
        """
    )
    messages = " ".join(f.message for f in result.followups)
    assert "OPTIONS" in messages and "replica" in messages


def test_value_heuristics_can_be_switched_off() -> None:
    source = f'PAYMENTS = "{STRIPE_KEY}"\n'
    assert run(source, detect_values=False).code == source


def test_libcst_cli(tmp_path: Path) -> None:
    result = run_libcst_cli(
        tmp_path, "hardcoded_env.HardcodedToEnvCommand", 'EMAIL_HOST = "smtp.example.com"\n'
    )
    assert result == 'EMAIL_HOST = env.get("EMAIL_HOST", default="smtp.example.com")\n'


def test_database_read_from_the_environment_is_left_to_env_reads() -> None:
    source = dedent(
        """
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": env.get("POSTGRES_DB", default="tasks"),
                "HOST": env.get("POSTGRES_HOST", default="localhost"),
                "CONN_MAX_AGE": 60,
            }
        }
        """
    ).lstrip("\n")
    result = run(source)
    assert result.code == source
    assert result.followups == []
    assert "DATABASE_URL" not in records(result)
