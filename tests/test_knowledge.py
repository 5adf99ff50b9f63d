"""The shipped knowledge matches the real preset, and keeps its documented shape."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from model_w.migrate.knowledge import (
    available_releases,
    injected_apps,
    load_release,
    preset_settings,
)

ROOT = Path(__file__).resolve().parent.parent


def _regen():
    spec = importlib.util.spec_from_file_location(
        "regen_knowledge", ROOT / "scripts" / "regen_knowledge.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_fresh(release: str, python: Path) -> None:
    regen = _regen()
    fresh = regen.regenerate(release, python)
    diff = regen.diff(release, fresh)
    assert not diff, (
        f"src/model_w/migrate/knowledge/{release}.json differs from a fresh evaluation of the "
        f"real preset; run `python scripts/regen_knowledge.py {release}` if the change is "
        f"expected.\n{diff[:20000]}"
    )


@pytest.mark.preset
def test_2024_10_matches_a_fresh_evaluation(preset_python: Path) -> None:
    _assert_fresh("2024.10", preset_python)


@pytest.mark.preset
def test_2025_7_matches_a_fresh_evaluation(preset_python_2025: Path) -> None:
    _assert_fresh("2025.7", preset_python_2025)


@pytest.mark.preset
@pytest.mark.slow
def test_2026_7_matches_a_fresh_evaluation() -> None:
    from tests.infra.venv import preset_venv

    _assert_fresh("2026.7", preset_venv("2026.7"))


# ---------------------------------------------------------------- shape

TOP_KEYS = {
    "schema",
    "release",
    "generated",
    "distribution",
    "preset",
    "hooks",
    "settings",
    "env_vars",
    "injected_apps",
    "constructor",
    "requires",
    "extras",
    "brings",
    "post_forced",
    "order_sensitive_apps",
    "django_defaults",
    "drf_defaults",
    "python",
    "django",
    "pin",
    "docker_base",
    "front_template",
}
SETTING_KEYS = {
    "hook",
    "hooks",
    "phase",
    "kind",
    "value",
    "exact",
    "env_vars",
    "ctor_args",
    "flags",
    "when",
    "post_forced",
    "post_effect",
}
ENV_KEYS = {
    "is_yaml",
    "required",
    "has_default",
    "default",
    "has_build_default",
    "build_default",
    "via",
    "read_by",
    "when",
    "flags",
    "settings",
}


@pytest.mark.parametrize("release", ["2024.10", "2025.7", "2026.7"])
def test_every_release_has_the_documented_shape(release: str) -> None:
    data = load_release(release)
    assert TOP_KEYS <= set(data), TOP_KEYS - set(data)
    assert data["schema"] == 1
    hooks = data["hooks"]["pre"] + data["hooks"]["post"]
    for name, setting in data["settings"].items():
        assert SETTING_KEYS <= set(setting), (name, SETTING_KEYS - set(setting))
        assert setting["hook"] in hooks and set(setting["hooks"]) <= set(hooks)
        assert setting["kind"] in ("constant", "dynamic")
        assert setting["phase"] in ("pre", "post", "both")
        if setting["kind"] == "dynamic":
            assert setting.get("rule"), f"{release}: dynamic {name} needs a rule in the overlay"
        if not setting["exact"]:
            assert "repr" in setting
        assert setting["post_forced"] == (name in data["post_forced"])
        assert setting["post_effect"] in (None, "overwrites", "extends", "merges", "keeps_if_set")
    for name, var in data["env_vars"].items():
        assert ENV_KEYS <= set(var), (name, ENV_KEYS - set(var))
        assert var["required"] == (not var["has_default"]) or var["via"] != "get"
    priorities = [(a["priority"], a["app"]) for a in data["injected_apps"]]
    assert priorities == sorted(priorities)
    for app in data["injected_apps"]:
        assert app["hook"].startswith("post_") and app["when"]
    for flag, item in data["constructor"].items():
        assert release in item["releases"]
        assert item.get("effect"), f"{release}: constructor {flag} needs an effect"
    assert all(a["app"] and a["before"] for a in data["order_sensitive_apps"])


def test_index_lists_every_release_with_its_pins() -> None:
    assert available_releases() == ["2024.10", "2025.7", "2026.7"]
    for release in available_releases():
        data = load_release(release)
        assert data["pin"].startswith(f">={data['preset']},<")
        assert data["distribution"]["pin"] == data["pin"]
        assert data["docker_base"].startswith("modelw/base:")
        assert data["generated"]["preset_version"] == data["distribution"]["version"]
        assert data["distribution"]["version"] == data["preset"]
        assert data["generated"]["django"].startswith(data["django"] + ".")


def test_unknown_release_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="known: 2024.10"):
        load_release("1999.1")


# ------------------------------------------------ facts the other steps rely on


def test_2024_10_constants_match_the_spec() -> None:
    s = load_release("2024.10")["settings"]
    assert s["ALLOWED_HOSTS"]["value"] == ["*"] and s["ALLOWED_HOSTS"]["kind"] == "constant"
    assert s["USE_TZ"]["value"] is True
    assert s["DEFAULT_AUTO_FIELD"]["value"] == "django.db.models.BigAutoField"
    assert s["PASSWORD_HASHERS"]["value"][0].endswith("Argon2PasswordHasher")
    assert s["STATIC_URL"]["value"] == "/back/static/" and s["STATIC_URL"]["ctor_args"] == [
        "url_prefix"
    ]
    assert s["REST_FRAMEWORK"]["value"]["PAGE_SIZE"] == 60
    assert "('rest_framework.permissions.IsAuthenticated',)" in s["REST_FRAMEWORK"]["repr"]
    assert s["SECRET_KEY"]["kind"] == "dynamic" and s["SECRET_KEY"]["build_value"] == "xxx"
    assert s["EMAIL_BACKEND"]["post_effect"] == "overwrites"
    assert s["STATICFILES_STORAGE"]["post_effect"] == "overwrites"
    assert s["LANGUAGE_CODE"]["post_effect"] == "overwrites"
    assert s["INSTALLED_APPS"]["post_effect"] == "extends"
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["post_effect"] == "merges"
    assert s["WAGTAIL_CONTENT_LANGUAGES"]["post_effect"] == "keeps_if_set"
    assert s["MAILJET_API_KEY_PUBLIC"]["when"] == "EMAIL_MODE=mailjet"
    assert s["HEALTHCHECK_CELERY_PING_TIMEOUT"]["flags"] == ["enable_celery", "enable_health_check"]
    assert s["MIDDLEWARE"]["after_post"][1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_2024_10_env_vars_match_the_spec() -> None:
    env = load_release("2024.10")["env_vars"]
    assert env["DEBUG"]["is_yaml"] and env["DEBUG"]["default"] is False
    assert env["SECRET_KEY"]["required"] and env["SECRET_KEY"]["build_default"] == "xxx"
    assert env["BASE_URL"]["required"]
    assert env["DATABASE_URL"]["build_default"] == "postgresql://dum:dum@localhost/dummy"
    assert (
        env["STORAGE_MAKE_FILES_PUBLIC"]["required"] and env["STORAGE_MAKE_FILES_PUBLIC"]["is_yaml"]
    )
    assert env["SENTRY_DSN"]["has_default"] and env["SENTRY_DSN"]["default"] is None
    assert env["REDIS_URL"]["default"] == "redis://localhost"
    assert env["BUILD_MODE"]["via"] == "os.environ"
    assert "DB_CONN_HEALTH_CHECKS" not in env
    assert "DB_CONN_HEALTH_CHECKS" in load_release("2026.7")["env_vars"]


def test_injected_apps_match_the_evaluated_installed_apps() -> None:
    for release in available_releases():
        data = load_release(release)
        assert injected_apps(release, []) == data["settings"]["INSTALLED_APPS"]["after_post"]
    apps = injected_apps("2024.10", ["enable_channels", "enable_health_check"])
    assert apps[:2] == ["channels", "daphne"]
    assert "health_check.contrib.celery_ping" not in apps
    assert "daphne" not in injected_apps("2026.7", ["enable_channels"])
    assert "django.contrib.postgres" in injected_apps("2026.7", ["enable_wagtail"])


def test_preset_settings_by_flags() -> None:
    bare = preset_settings("2024.10", [])
    assert "CELERY_BROKER_URL" not in bare and "SECRET_KEY" in bare
    assert "CELERY_BROKER_URL" in preset_settings("2024.10", ["enable_celery"])
    assert "REST_FRAMEWORK" not in preset_settings("2026.7", ["enable_ninja"])
    assert "REST_FRAMEWORK" in preset_settings("2026.7", [])


def test_constructor_flags_by_release() -> None:
    ctor = load_release("2026.7")["constructor"]
    assert ctor["enable_cursors"]["releases"] == ["2025.7", "2026.7"]
    assert ctor["enable_security"]["releases"] == ["2026.7"]
    assert ctor["enable_ninja"]["releases"] == ["2026.7"]
    assert ctor["default_time_zone"]["default"] == "Europe/Madrid"
    assert "enable_cursors" not in load_release("2024.10")["constructor"]


def test_dependencies() -> None:
    old, new = load_release("2024.10"), load_release("2026.7")
    assert old["requires"]["psycopg2"]["specifier"] == ">=2.9,<2.10"
    assert old["requires"]["django"]["requirement"] == "django[argon2]>=4.2,<4.3"
    assert "gunicorn" in old["extras"] and "gunicorn" not in new["extras"]
    assert "psycopg2" not in new["requires"] and "psycopg2" in new["extras"]
    assert "granian" in new["requires"]
    assert {"asgiref", "argon2-cffi", "pyyaml", "python-dotenv"} <= set(old["brings"])


def test_defaults_to_compare_against() -> None:
    data = load_release("2024.10")
    assert data["django_defaults"]["USE_TZ"] is False
    assert data["django_defaults"]["ALLOWED_HOSTS"] == []
    assert any("ScryptPasswordHasher" in h for h in data["django_defaults"]["PASSWORD_HASHERS"])
    assert data["drf_defaults"]["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.AllowAny"
    ]
    assert data["drf_defaults"]["DEFAULT_PAGINATION_CLASS"] is None


def test_files_are_stable_json() -> None:
    folder = ROOT / "src" / "model_w" / "migrate" / "knowledge"
    for release in available_releases():
        text = (folder / f"{release}.json").read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
        assert " object at 0x" not in text
