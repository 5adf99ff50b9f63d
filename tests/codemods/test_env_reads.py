"""env_reads: every legacy way of reading the environment becomes env.get(...)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from model_w.migrate.codemods.env_reads import EnvReadsCommand

from model_w.migrate.codemod_runner import run_codemod
from tests.codemods.libcst_cli import run_libcst_cli

REPO = Path(__file__).resolve().parents[2]


def run(source: str, **kwargs):
    return run_codemod(EnvReadsCommand, dedent(source).lstrip("\n"), "settings.py", **kwargs)


def records(result) -> dict[str, dict]:
    return {r["name"]: r for r in result.scratch.get("modelw_env_vars", [])}


CASES = [
    (
        "environ-subscript-required",
        """
        import os

        API_URL = os.environ["API_URL"]
        """,
        """
        API_URL = env.get("API_URL", build_default="https://example.com")
        """,
    ),
    (
        "environ-get-default",
        """
        import os

        SITE_NAME = os.environ.get("SITE_NAME", "Shop")
        """,
        """
        SITE_NAME = env.get("SITE_NAME", default="Shop")
        """,
    ),
    (
        "getenv-no-default",
        """
        import os

        ANALYTICS_ID = os.getenv("ANALYTICS_ID")
        """,
        """
        ANALYTICS_ID = env.get("ANALYTICS_ID", default=None)
        """,
    ),
    (
        "get-or-default",
        """
        import os

        SITE_NAME = os.environ.get("SITE_NAME") or "Shop"
        """,
        """
        SITE_NAME = env.get("SITE_NAME", default="Shop")
        """,
    ),
    (
        "bool-int",
        """
        import os

        USE_S3 = bool(int(os.getenv("USE_S3", "0")))
        """,
        """
        USE_S3 = env.get("USE_S3", default=False, is_yaml=True)
        """,
    ),
    (
        "split-empty",
        """
        import os

        ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "").split(",")
        """,
        """
        ALLOWED_HOSTS = env.get("ALLOWED_HOSTS", default=[], is_yaml=True)
        """,
    ),
    (
        "split-values",
        """
        import os

        ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "a.com,b.com").split(",")
        """,
        """
        ALLOWED_HOSTS = env.get("ALLOWED_HOSTS", default=["a.com", "b.com"], is_yaml=True)
        """,
    ),
    (
        "list-comprehension",
        """
        import os

        CORS_ALLOWED_ORIGINS = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
        """,
        """
        CORS_ALLOWED_ORIGINS = env.get("CORS_ALLOWED_ORIGINS", default=[], is_yaml=True)
        """,
    ),
    (
        "list-comprehension-strip",
        """
        import os

        ORIGINS = [x.strip() for x in os.getenv("ORIGINS", "a, b,").split(",") if x.strip()]
        """,
        """
        ORIGINS = env.get("ORIGINS", default=["a", "b"], is_yaml=True)
        """,
    ),
    (
        "equals-one",
        """
        import os

        USE_CACHE = os.environ.get("USE_CACHE", "") == "1"
        """,
        """
        USE_CACHE = env.get("USE_CACHE", default=False, is_yaml=True)
        """,
    ),
    (
        "lower-in",
        """
        import os

        USE_CACHE = os.environ.get("USE_CACHE", "True").lower() in ("true", "1", "yes")
        """,
        """
        USE_CACHE = env.get("USE_CACHE", default=True, is_yaml=True)
        """,
    ),
    (
        "not-equal",
        """
        import os

        SEND_MAILS = os.getenv("NO_MAIL", "0") != "1"
        """,
        """
        SEND_MAILS = env.get("SEND_MAILS", default=True, is_yaml=True)
        """,
    ),
    (
        "int",
        """
        import os

        EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
        """,
        """
        EMAIL_PORT = env.get("EMAIL_PORT", default=587, is_yaml=True)
        """,
    ),
    (
        "float",
        """
        import os

        RATIO = float(os.getenv("RATIO", "0.5"))
        """,
        """
        RATIO = env.get("RATIO", default=0.5, is_yaml=True)
        """,
    ),
    (
        "int-non-literal-default",
        """
        import os

        PORT = int(os.getenv("PORT", DEFAULT_PORT))
        """,
        """
        PORT = env.get("PORT", default=int(DEFAULT_PORT), is_yaml=True)
        """,
    ),
    (
        "str-non-literal-default",
        """
        import os

        MEDIA_ROOT = os.getenv("MEDIA_ROOT", os.path.join(BASE_DIR, "media"))
        """,
        """
        import os

        MEDIA_ROOT = env.get("MEDIA_ROOT", default=os.path.join(BASE_DIR, "media"))
        """,
    ),
    (
        "literal-eval",
        """
        import ast
        import os

        ADMINS = ast.literal_eval(os.getenv("ADMINS", "[]"))
        """,
        """
        ADMINS = env.get("ADMINS", default=[], is_yaml=True)
        """,
    ),
    (
        "json-loads",
        """
        import json
        import os

        FEATURES = json.loads(os.getenv("FEATURES", '{"a": 1}'))
        """,
        """
        FEATURES = env.get("FEATURES", default={"a": 1}, is_yaml=True)
        """,
    ),
    (
        "strtobool",
        """
        import os
        from distutils.util import strtobool

        STB = bool(strtobool(os.getenv("STB", "yes")))
        """,
        """
        STB = env.get("STB", default=True, is_yaml=True)
        """,
    ),
    (
        "from-os-import",
        """
        from os import environ, getenv

        A_NAME = environ.get("A_NAME", "x")
        B_NAME = getenv("B_NAME", "y")
        """,
        """
        A_NAME = env.get("A_NAME", default="x")
        B_NAME = env.get("B_NAME", default="y")
        """,
    ),
    (
        "import-os-as",
        """
        import os as _os

        A_NAME = _os.environ["A_NAME"]
        """,
        """
        A_NAME = env.get("A_NAME", build_default="xxx")
        """,
    ),
    (
        "bound-os-environ",
        """
        import os

        environment = os.environ
        A_NAME = environment.get("A_NAME", "x")
        """,
        """
        A_NAME = env.get("A_NAME", default="x")
        """,
    ),
    (
        "renamed-to-setting",
        """
        import os

        EMAIL_HOST_USER = os.getenv("SMTP_USER", "")
        """,
        """
        EMAIL_HOST_USER = env.get("EMAIL_HOST_USER", default="")
        """,
    ),
    (
        "nested-keeps-name-without-django-prefix",
        """
        import os

        STRIPE = {"PUBLIC": os.getenv("DJANGO_STRIPE_PUBLIC", "pk")}
        """,
        """
        STRIPE = {"PUBLIC": env.get("STRIPE_PUBLIC", default="pk")}
        """,
    ),
    (
        "condition",
        """
        import os

        if os.getenv("USE_TOOLBAR", "0") == "1":
            INSTALLED_APPS += ["debug_toolbar"]
        """,
        """
        if env.get("USE_TOOLBAR", default=False, is_yaml=True):
            INSTALLED_APPS += ["debug_toolbar"]
        """,
    ),
    (
        "django-environ",
        """
        import environ

        env = environ.Env(DEBUG=(bool, False), ALLOWED_HOSTS=(list, ["localhost"]))
        environ.Env.read_env()

        DEBUG = env("DEBUG")
        ALLOWED_HOSTS = env("ALLOWED_HOSTS")
        SITE_NAME = env("SITE_NAME", default="Shop")
        API_URL = env("API_URL")
        PAGE_SIZE = env("PAGE_SIZE", cast=int, default=20)
        """,
        """
        DEBUG = env.get("DEBUG", default=False, is_yaml=True)
        ALLOWED_HOSTS = env.get("ALLOWED_HOSTS", default=["localhost"], is_yaml=True)
        SITE_NAME = env.get("SITE_NAME", default="Shop")
        API_URL = env.get("API_URL", build_default="https://example.com")
        PAGE_SIZE = env.get("PAGE_SIZE", default=20, is_yaml=True)
        """,
    ),
    (
        "django-environ-methods",
        """
        import environ

        env = environ.Env()
        env.read_env()

        A_BOOL = env.bool("A_BOOL", default=False)
        A_BOOL2 = env.bool("A_BOOL2", True)
        AN_INT = env.int("AN_INT", default=5)
        A_FLOAT = env.float("A_FLOAT", default=1.5)
        A_LIST = env.list("A_LIST", default=["a"])
        A_TUPLE = env.tuple("A_TUPLE", default=("a", "b"))
        A_DICT = env.dict("A_DICT", default={"a": "b"})
        A_JSON = env.json("A_JSON", default={"k": [1]})
        A_STR = env.str("A_STR", default="s")
        A_URL = env.url("A_URL", default="https://x.org")
        A_PATH = env.path("A_PATH", default="/tmp")
        """,
        """
        from pathlib import Path
        from urllib.parse import urlparse

        A_BOOL = env.get("A_BOOL", default=False, is_yaml=True)
        A_BOOL2 = env.get("A_BOOL2", default=True, is_yaml=True)
        AN_INT = env.get("AN_INT", default=5, is_yaml=True)
        A_FLOAT = env.get("A_FLOAT", default=1.5, is_yaml=True)
        A_LIST = env.get("A_LIST", default=["a"], is_yaml=True)
        A_TUPLE = tuple(env.get("A_TUPLE", default=["a", "b"], is_yaml=True))
        A_DICT = env.get("A_DICT", default={"a": "b"}, is_yaml=True)
        A_JSON = env.get("A_JSON", default={"k": [1]}, is_yaml=True)
        A_STR = env.get("A_STR", default="s")
        A_URL = urlparse(env.get("A_URL", default="https://x.org"))
        A_PATH = Path(env.get("A_PATH", default="/tmp"))
        """,
    ),
    (
        "django-environ-db-and-cache",
        """
        import environ

        env = environ.Env()
        DATABASES = {"default": env.db()}
        CACHES = {"default": env.cache("REDIS_URL", default="redis://localhost:6379/1")}
        """,
        """
        import environ
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"))}
        CACHES = {"default": environ.Env.cache_url_config(env.get("REDIS_URL", default="redis://localhost"))}
        """,
    ),
    (
        "django-environ-required-cache-url-gets-a-cache-build-default",
        """
        import environ

        env = environ.Env()
        CACHES = {"default": env.cache()}
        """,
        """
        import environ

        CACHES = {"default": environ.Env.cache_url_config(env.get("CACHE_URL", build_default="locmemcache://"))}
        """,
    ),
    (
        "django-environ-email-url",
        """
        import environ

        env = environ.Env()
        EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
        """,
        """
        import environ

        EMAIL_CONFIG = environ.Env.email_url_config(env.get("EMAIL_URL", default="smtp://localhost:25"))
        """,
    ),
    (
        "environs",
        """
        from environs import Env

        env = Env()
        env.read_env()

        FEATURE = env.bool("FEATURE", False)
        HOSTS = env.list("HOSTS", ["x"])
        NAME = env("NAME", "n")
        NUM = env.int("NUM")
        """,
        """
        FEATURE = env.get("FEATURE", default=False, is_yaml=True)
        HOSTS = env.get("HOSTS", default=["x"], is_yaml=True)
        NAME = env.get("NAME", default="n")
        NUM = env.get("NUM", build_default=0, is_yaml=True)
        """,
    ),
    (
        "environs-db",
        """
        from environs import Env

        env = Env()
        DATABASES = {"default": env.dj_db_url("DATABASE_URL")}
        """,
        """
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"))}
        """,
    ),
    (
        "decouple",
        """
        from decouple import config, Csv

        FEATURE = config("FEATURE", default=False, cast=bool)
        ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="localhost,127.0.0.1", cast=Csv())
        EMAIL_PORT = config("EMAIL_PORT", default=25, cast=int)
        RATIO = config("RATIO", default="0.2", cast=float)
        STRIPE_API_KEY = config("STRIPE_API_KEY")
        SITE = config("SITE", "Shop")
        """,
        """
        FEATURE = env.get("FEATURE", default=False, is_yaml=True)
        ALLOWED_HOSTS = env.get("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"], is_yaml=True)
        EMAIL_PORT = env.get("EMAIL_PORT", default=25, is_yaml=True)
        RATIO = env.get("RATIO", default=0.2, is_yaml=True)
        STRIPE_API_KEY = env.get("STRIPE_API_KEY", build_default="xxx")
        SITE = env.get("SITE", default="Shop")
        """,
    ),
    (
        "decouple-db-url",
        """
        from decouple import config
        from dj_database_url import parse as db_url

        DATABASES = {"default": config("DATABASE_URL", cast=db_url)}
        """,
        """
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"))}
        """,
    ),
    (
        "dj-database-url-config",
        """
        import dj_database_url

        DATABASES = {"default": dj_database_url.config(default="postgres://localhost/shop")}
        """,
        """
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"))}
        """,
    ),
    (
        "dj-database-url-parse",
        """
        import os
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
        """,
        """
        import dj_database_url

        DATABASES = {"default": dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"))}
        """,
    ),
    (
        "dotenv",
        """
        import os
        from dotenv import load_dotenv, find_dotenv

        load_dotenv(find_dotenv())
        SITE_NAME = os.getenv("SITE_NAME", "Shop")
        """,
        """
        SITE_NAME = env.get("SITE_NAME", default="Shop")
        """,
    ),
    (
        "dotenv-in-try",
        """
        try:
            from dotenv import load_dotenv
            load_dotenv()
        except ImportError:
            pass

        X = 1
        """,
        """
        X = 1
        """,
    ),
    (
        "dotenv-under-guard",
        """
        import os
        import dotenv

        if os.path.exists(".env"):
            dotenv.load_dotenv(".env")
        X = 1
        """,
        """
        import os

        if os.path.exists(".env"):
            pass
        X = 1
        """,
    ),
    (
        "plain-helpers-inlined",
        """
        import os


        def envbool(name, default=False):
            \"\"\"Read a boolean.\"\"\"
            return os.environ.get(name, str(default)).lower() in ("true", "1", "yes")


        def envint(name, default=0):
            return int(os.getenv(name, default))


        def envlist(name, default=""):
            return os.getenv(name, default).split(",")


        def env_str(name):
            return os.environ[name]


        DEBUG_TOOLBAR = envbool("DEBUG_TOOLBAR")
        USE_X = envbool("USE_X", True)
        PAGE = envint("PAGE", default=10)
        HOSTS = envlist("HOSTS", "a,b")
        API_URL = env_str("API_URL")
        """,
        """
        DEBUG_TOOLBAR = env.get("DEBUG_TOOLBAR", default=False, is_yaml=True)
        USE_X = env.get("USE_X", default=True, is_yaml=True)
        PAGE = env.get("PAGE", default=10, is_yaml=True)
        HOSTS = env.get("HOSTS", default=["a", "b"], is_yaml=True)
        API_URL = env.get("API_URL", build_default="https://example.com")
        """,
    ),
    (
        "strtobool-helper-removed-when-unused",
        """
        import os


        def strtobool(value):
            return value.lower() in ("1", "true")


        FLAG = strtobool(os.getenv("FLAG", "0"))
        """,
        """
        FLAG = env.get("FLAG", default=False, is_yaml=True)
        """,
    ),
    (
        "preset-secret-key",
        """
        import os

        SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-change-me")
        """,
        """
        SECRET_KEY = env.get("SECRET_KEY", build_default="xxx")
        """,
    ),
    (
        "preset-debug",
        """
        import os

        DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
        TEMPLATE_DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
        """,
        """
        DEBUG = env.get("DEBUG", default=False, is_yaml=True)
        TEMPLATE_DEBUG = env.get("DEBUG", default=False, is_yaml=True)
        """,
    ),
    (
        "preset-redis-helper-variable",
        """
        import os

        REDIS_URL = os.getenv("REDIS_URL", "redis://localhost:6379/0")
        CELERY_BROKER_URL = REDIS_URL
        """,
        """
        REDIS_URL = env.get("REDIS_URL", default="redis://localhost")
        CELERY_BROKER_URL = REDIS_URL
        """,
    ),
    (
        "inside-f-string",
        """
        import os

        CACHES = {"default": {"LOCATION": f"redis://{os.getenv('REDIS_HOST', 'localhost')}:6379/1"}}
        """,
        """
        CACHES = {"default": {"LOCATION": f"redis://{env.get('REDIS_HOST', default='localhost')}:6379/1"}}
        """,
    ),
    (
        "database-update-and-subscript",
        """
        import os
        import dj_database_url

        DATABASES["default"].update(dj_database_url.config(conn_max_age=600))
        DATABASES["default"]["HOST"] = os.getenv("DB_HOST", "localhost")
        """,
        """
        import dj_database_url

        DATABASES["default"].update(dj_database_url.parse(env.get("DATABASE_URL", build_default="postgresql://dum:dum@localhost/dummy"), conn_max_age=600))
        DATABASES["default"]["HOST"] = env.get("DB_HOST", default="localhost")
        """,
    ),
    (
        "django-cache-url",
        """
        import django_cache_url

        SESSION_CACHE = django_cache_url.config(default="locmem://")
        """,
        """
        import django_cache_url

        SESSION_CACHE = django_cache_url.parse(env.get("CACHE_URL", default="locmem://"))
        """,
    ),
    (
        "system-vars-untouched",
        """
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        HOME = os.environ.get("HOME", "")
        os.environ["X"] = "1"
        """,
        """
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        HOME = os.environ.get("HOME", "")
        os.environ["X"] = "1"
        """,
    ),
]


@pytest.mark.parametrize(("before", "after"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rewrites(before: str, after: str) -> None:
    result = run(before)
    assert result.code == dedent(after).lstrip("\n")
    again = run(result.code)
    assert again.code == result.code, "a second run changes nothing"


def test_worked_example_records() -> None:
    """model-w.md 10.1 -> the records the settings step needs (10.2, 10.4)."""
    result = run(
        """
        import os

        SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-change-me")
        DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
        DATABASES = {"default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DB_NAME", "bookshelf"),
            "USER": os.environ.get("DB_USER", "bookshelf"),
            "PASSWORD": os.environ.get("DB_PASSWORD", ""),
            "HOST": os.environ.get("DB_HOST", "localhost"),
            "PORT": "5432",
        }}
        CORS_ALLOWED_ORIGINS = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
        EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
        EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
        """
    )
    recs = records(result)
    assert recs["SECRET_KEY"] == {
        "name": "SECRET_KEY",
        "old_names": ["DJANGO_SECRET_KEY"],
        "setting": "SECRET_KEY",
        "default": None,
        "default_code": None,
        "has_default": False,
        "is_yaml": False,
        "required": True,
        "secret": True,
        "local_value": "django-insecure-change-me",
        "comment": "Django secret key",
        "group": "django",
        "line": 3,
        "preset_owned": True,
        "build_default": "xxx",
    }
    assert recs["DEBUG"]["old_names"] == ["DJANGO_DEBUG"]
    assert recs["DEBUG"]["is_yaml"] and recs["DEBUG"]["default"] is False
    assert recs["DEBUG"]["local_value"] is None  # same as the preset's default
    db = recs["DATABASE_URL"]
    assert db["old_names"] == ["DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"]
    assert db["local_value"] == "postgres://bookshelf@localhost/bookshelf"
    assert db["setting"] == "DATABASES" and db["group"] == "database" and db["required"]
    cors = recs["CORS_ALLOWED_ORIGINS"]
    assert cors["old_names"] == ["CORS_ORIGINS"]
    assert cors["default"] == [] and cors["is_yaml"] and not cors["required"]
    assert "YAML list" in cors["comment"]
    assert recs["EMAIL_PORT"]["default"] == 587 and recs["EMAIL_PORT"]["group"] == "email"
    assert recs["EMAIL_HOST_PASSWORD"]["secret"] is True
    assert result.scratch["modelw_preset_owned"] == [
        {
            "setting": "SECRET_KEY",
            "old_names": ["DJANGO_SECRET_KEY"],
            "line": 3,
            "env_var": "SECRET_KEY",
        },
        {"setting": "DEBUG", "old_names": ["DJANGO_DEBUG"], "line": 4, "env_var": "DEBUG"},
        {
            "setting": "DATABASES",
            "old_names": ["DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"],
            "line": 5,
            "env_var": "DATABASE_URL",
        },
    ]
    # DB_* are folded into DATABASE_URL: no records of their own
    assert not {"DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"} & set(recs)
    assert "modelw_secrets" not in result.scratch  # placeholder and empty values


def test_required_records_have_build_default() -> None:
    recs = records(run('import os\nAPI_URL = os.environ["API_URL"]\nN = int(os.environ["N"])\n'))
    assert recs["API_URL"]["required"] and recs["API_URL"]["build_default"] == "https://example.com"
    assert recs["N"]["build_default"] == 0 and recs["N"]["is_yaml"]


def test_yaml_defaults_are_python_values() -> None:
    recs = records(
        run(
            """
            import os
            A = bool(int(os.getenv("A", "1")))
            B = os.getenv("B", "x,y").split(",")
            C = int(os.getenv("C", "3"))
            """
        )
    )
    assert (recs["A"]["default"], recs["A"]["default_code"]) == (True, "True")
    assert recs["B"]["default"] == ["x", "y"] and recs["B"]["default_code"] == '["x", "y"]'
    assert recs["C"]["default"] == 3


def test_secret_default_moves_to_dotenv() -> None:
    result = run(
        """
        import os
        STRIPE_SECRET_KEY = os.getenv("STRIPE_SECRET_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc")
        """
    )
    assert result.code.endswith(
        'STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY", build_default="xxx")\n'
    )
    rec = records(result)["STRIPE_SECRET_KEY"]
    assert rec["local_value"] == "sk_live_4eC39HqLyjWDarjtT1zdp7dc" and rec["required"]
    assert result.scratch["modelw_secrets"] == ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]
    assert any("moved to .env" in f.message for f in result.followups)


def test_preset_variables_keep_the_preset_signature() -> None:
    result = run(
        """
        import os
        BROKER = os.getenv("REDIS_URL", "redis://redis:6379/0")
        TZ_NAME = os.getenv("DJANGO_TIME_ZONE", "UTC")
        """
    )
    assert 'env.get("REDIS_URL", default="redis://localhost")' in result.code
    assert 'env.get("TIME_ZONE", default="Europe/Madrid")' in result.code
    recs = records(result)
    assert recs["REDIS_URL"]["local_value"] == "redis://redis:6379/0"
    assert recs["TIME_ZONE"]["local_value"] == "UTC" and recs["TIME_ZONE"]["old_names"] == [
        "DJANGO_TIME_ZONE"
    ]
    assert recs["REDIS_URL"]["preset_owned"] is True


def test_environment_is_never_read_with_env_get() -> None:
    source = 'import os\n\nSENTRY_ENV = os.getenv("ENVIRONMENT", "local")\n'
    result = run(source)
    assert result.code == source
    assert [f.level for f in result.followups] == ["todo"]
    assert "ENVIRONMENT" in result.followups[0].message


def test_redis_caches_and_broker_are_preset_owned() -> None:
    result = run(
        """
        import os
        CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                              "LOCATION": os.getenv("CACHE_REDIS", "redis://localhost:6379/1")}}
        CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
        """
    )
    owned = {o["setting"]: o for o in result.scratch["modelw_preset_owned"]}
    assert owned["CACHES"]["env_var"] == "REDIS_URL" and owned["CACHES"]["old_names"] == [
        "CACHE_REDIS"
    ]
    assert owned["CELERY_BROKER_URL"]["env_var"] == "REDIS_URL"
    rec = records(result)["REDIS_URL"]
    assert rec["old_names"] == ["CACHE_REDIS", "CELERY_BROKER_URL"]
    assert rec["local_value"] == "redis://localhost:6379/1"
    assert 'env.get("REDIS_URL"' not in result.code or 'default="redis://localhost"' in result.code


def test_amqp_broker_is_a_plain_variable() -> None:
    result = run('import os\nCELERY_BROKER_URL = os.getenv("BROKER", "amqp://localhost//")\n')
    assert (
        result.code
        == 'CELERY_BROKER_URL = env.get("CELERY_BROKER_URL", default="amqp://localhost//")\n'
    )
    assert "modelw_preset_owned" not in result.scratch


def test_sqlite_database_is_a_blocker() -> None:
    result = run(
        """
        import dj_database_url
        DATABASES = {"default": dj_database_url.config(default="sqlite:///db.sqlite3", conn_max_age=600)}
        """
    )
    assert result.scratch["database_engine"] == {
        "engine": "sqlite",
        "name": "db.sqlite3",
        "line": 2,
    }
    levels = sorted(f.level for f in result.followups)
    assert levels == ["blocker", "info"]
    assert records(result)["DATABASE_URL"]["local_value"] is None


def test_database_url_with_password_is_secret() -> None:
    result = run(
        """
        from environs import Env
        env = Env()
        DATABASES = {"default": env.dj_db_url("DATABASE_URL", default="postgres://u:Xk2-long-pass@db:5432/shop")}
        """
    )
    rec = records(result)["DATABASE_URL"]
    assert rec["local_value"] == "postgres://u:Xk2-long-pass@db:5432/shop" and rec["secret"]
    assert result.scratch["modelw_secrets"] == ["Xk2-long-pass"]
    assert "Xk2-long-pass" not in result.code


def test_extra_database_keys_and_aliases_are_follow_ups() -> None:
    result = run(
        """
        import os
        DATABASES = {
            "default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.getenv("DB_NAME", "x"),
                        "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "CONN_MAX_AGE": 60},
            "legacy": {"ENGINE": "django.db.backends.postgresql", "NAME": "legacy"},
        }
        """
    )
    messages = " ".join(f.message for f in result.followups)
    assert "legacy" in messages and "CONN_MAX_AGE" in messages
    assert records(result)["DATABASE_URL"]["local_value"] == "postgres://localhost/x"


def test_dotenv_removal_is_reported() -> None:
    result = run("from dotenv import load_dotenv\n\nload_dotenv()\nX = 1\n")
    assert result.code == "X = 1\n"
    assert [(f.level, f.line) for f in result.followups] == [("info", 3)]


def test_non_plain_helper_is_kept_with_todo() -> None:
    source = dedent(
        """
        import os


        def envsecret(name, default=None):
            path = os.environ.get(f"{name}_FILE")
            if path:
                with open(path) as f:
                    return f.read().strip()
            return os.environ.get(name, default)


        API_KEY = envsecret("API_KEY")
        """
    ).lstrip()
    result = run(source)
    assert "# TODO(modelw): envsecret() reads the environment" in result.code
    assert 'API_KEY = envsecret("API_KEY")' in result.code
    assert [f.level for f in result.followups] == ["todo"]
    assert "modelw_env_vars" not in result.scratch
    assert run(result.code).code == result.code


def test_non_plain_helper_inlined_by_policy() -> None:
    result = run(
        """
        import os


        def envsecret(name, default=None):
            path = os.environ.get(f"{name}_FILE")
            if path:
                return open(path).read()
            return os.environ.get(name, default)


        API_KEY = envsecret("API_KEY")
        FLAG = envsecret("FLAG", "x")
        """,
        helper_policy="inline",
    )
    assert result.code == (
        'API_KEY = env.get("API_KEY", default=None)\nFLAG = env.get("FLAG", default="x")\n'
    )
    assert [f.level for f in result.followups] == ["info", "info"]


def test_helper_policy_per_helper() -> None:
    source = """
        import os


        def envsecret(name, default=None):
            path = os.environ.get(f"{name}_FILE")
            if path:
                return open(path).read()
            return os.environ.get(name, default)


        def envfancy(name):
            value = os.environ.get(name)
            return value.upper() if value else value


        API_KEY = envsecret("API_KEY")
        MODE = envfancy("MODE")
        """
    result = run(source, helper_policies={"envsecret": "inline"})
    assert 'API_KEY = env.get("API_KEY", default=None)' in result.code
    assert "def envsecret" not in result.code
    assert "# TODO(modelw): envfancy() reads the environment" in result.code
    assert 'MODE = envfancy("MODE")' in result.code
    # the mapping beats the global policy, both ways
    kept = run(source, helper_policy="inline", helper_policies={"envfancy": "keep-with-todo"})
    assert "def envfancy" in kept.code and "def envsecret" not in kept.code
    again = run(result.code, helper_policies={"envsecret": "inline"})
    assert again.code == result.code


def test_unknown_helper_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="helper_policy"):
        run("X = 1\n", helper_policy="guess")
    with pytest.raises(ValueError, match="helper_policy"):
        run("X = 1\n", helper_policies={"envx": "guess"})


def test_unconvertible_reads_are_follow_ups() -> None:
    source = 'import os\n\nNAME = "X"\nX = os.getenv(NAME)\n'
    result = run(source)
    assert result.code == source
    assert [f.level for f in result.followups] == ["todo"]


def test_remaining_django_environ_binding_is_renamed() -> None:
    result = run(
        """
        import environ
        env = environ.Env()
        A_NAME = env("A_NAME", default="a")
        OTHER = env.get_value("OTHER")
        """
    )
    assert "environ_env = environ.Env()" in result.code
    assert 'OTHER = environ_env.get_value("OTHER")' in result.code
    assert 'A_NAME = env.get("A_NAME", default="a")' in result.code
    assert any("renamed" in f.message for f in result.followups)
    assert run(result.code).code == result.code


def test_mismatching_signatures_are_a_blocker() -> None:
    result = run(
        """
        import os
        X = {"a": os.getenv("SHARED", "a"), "b": os.getenv("SHARED", "b")}
        """
    )
    assert [f.level for f in result.followups] == ["blocker"]


def test_subscript_assignments_of_databases_are_preset_owned() -> None:
    result = run(
        """
        import os
        DATABASES["default"]["HOST"] = os.getenv("DB_HOST", "localhost")
        """
    )
    assert result.scratch["modelw_preset_owned"] == [
        {"setting": "DATABASES", "old_names": ["DB_HOST"], "line": 2, "env_var": "DATABASE_URL"}
    ]
    assert "DB_HOST" not in records(result)


def test_second_run_keeps_records() -> None:
    first = run('import os\nSITE_NAME = os.getenv("SITE_NAME", "Shop")\n')
    second = run(first.code)
    assert records(second)["SITE_NAME"]["default"] == "Shop"
    assert not second.changed


def test_libcst_cli(tmp_path: Path) -> None:
    """The command runs alone through libcst's own codemod CLI."""
    source = 'import os\n\nSITE_NAME = os.getenv("SITE_NAME", "Shop")\n'
    result = run_libcst_cli(
        tmp_path, "env_reads.EnvReadsCommand", source, "--helper-policy", "inline"
    )
    assert result == 'SITE_NAME = env.get("SITE_NAME", default="Shop")\n'


@pytest.mark.parametrize("release", ["2024.10", "2025.7", "2026.7"])
def test_preset_vars_follow_the_knowledge_of_each_release(release) -> None:
    import json
    from pathlib import Path

    from model_w.migrate.codemods.envvars import MISSING, preset_vars

    import model_w.migrate.knowledge as knowledge

    data = json.loads((Path(knowledge.__file__).parent / f"{release}.json").read_text())
    got = preset_vars(release)
    assert got, release
    for name, var in got.items():
        known = data["env_vars"][name]
        assert var.is_yaml == known["is_yaml"], name
        assert (var.default is MISSING) == (not known["has_default"]), name
        if known["has_default"]:
            assert var.default == known["default"], name
        if known["has_build_default"]:
            assert var.build_default == known["build_default"], name
        else:
            assert var.build_default is MISSING, name
    # model-w.md 5.2's signatures, the ones a migration must never break
    assert (got["DEBUG"].default, got["DEBUG"].is_yaml) == (False, True)
    assert got["SECRET_KEY"].build_default == "xxx"
    assert got["REDIS_URL"].default == "redis://localhost"
    assert got["DATABASE_URL"].build_default == "postgresql://dum:dum@localhost/dummy"


@pytest.mark.parametrize("release", ["2024.10", "2025.7", "2026.7"])
def test_preset_reads_take_the_signature_of_the_target_release(release) -> None:
    import libcst as cst
    from model_w.migrate.codemods.envvars import preset_env_get, preset_vars

    source = """
    import os

    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    DEBUG = os.environ.get("DJANGO_DEBUG", "no") == "yes"
    """
    result = run(source, release=release)
    expected = cst.Module([]).code_for_node(preset_env_get("SECRET_KEY", release))
    assert f"SECRET_KEY = {expected}" in result.code
    known = preset_vars(release)
    got = records(result)
    assert got["SECRET_KEY"]["build_default"] == known["SECRET_KEY"].build_default
    assert got["SECRET_KEY"]["preset_owned"] and got["DEBUG"]["preset_owned"]
    again = run(result.code, release=release)
    assert not again.changed


def test_unknown_release_is_refused() -> None:
    with pytest.raises(KeyError):
        run("import os\nX = os.getenv('X')\n", release="1999.1")


def test_libcst_cli_takes_a_release(tmp_path: Path) -> None:
    source = 'import os\n\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n'
    result = run_libcst_cli(tmp_path, "env_reads.EnvReadsCommand", source, "--release", "2025.7")
    assert result == 'SECRET_KEY = env.get("SECRET_KEY", build_default="xxx")\n'
