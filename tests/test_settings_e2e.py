"""End-to-end proof of the settings-env step with the real preset (2024.10)
and a real PostgreSQL server (issue 3, "Proof").

For every fixture and for a fresh `django-admin startproject` project, the
step runs on a real git repository through the Workspace; the result is
written to disk, then, with the real preset:
- `manage.py check` passes with the generated `.env`;
- `BUILD_MODE=yes manage.py check` passes with no `.env`;
- (startproject) `migrate` on PostgreSQL, `makemigrations --check`, and the
  admin login page answers 200 through Django's test client;
- the legacy and migrated settings, imported in subprocesses, are equal
  setting by setting except for ALLOWED_DIFFERENCES below;
- no committed file contains a secret value found in the fixtures.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from model_w.migrate.codemods.envvars import is_credential_name
from model_w.migrate.codemods.settings_values import Evaluator

from model_w.migrate.envfiles import parse_dotenv
from tests.conftest import FIXTURES, init_repo
from tests.infra.fixtures import pg_database, postgres, preset_python  # noqa: F401
from tests.infra.runner import clean_env, run_manage
from tests.test_settings_step import run_step

pytestmark = [pytest.mark.preset, pytest.mark.slow]

FIXTURE_NAMES = sorted(
    p.name for p in FIXTURES.iterdir() if (p / "manage.py").exists() or any(p.glob("*/manage.py"))
)

# Settings allowed to differ between the legacy and the migrated project, and why.
ALLOWED_DIFFERENCES = {
    "SECRET_KEY": "read from .env (the legacy literal or a generated key)",
    "DEBUG": "the generated .env turns DEBUG on for local development",
    "DATABASES": "Model W: PostgreSQL from DATABASE_URL, engine psqlextra (SQLite/MySQL is a blocker follow-up)",
    "ALLOWED_HOSTS": 'the preset allows "*" (hosts are routed by the platform); stricter lists come from .env',
    "STATIC_URL": "Model W convention: /back/static/",
    "STATIC_ROOT": "Model W convention: BASE_DIR / 'static'",
    "STATICFILES_STORAGE": "the preset serves static files with WhiteNoise",
    "BASE_DIR": "the preset's BASE_DIR is a Path of the manage.py folder (same folder, compared as text)",
    "EMAIL_BACKEND": "Model W prints email on the console unless EMAIL_HOST/EMAIL_MODE says otherwise (10.3)",
    "LANGUAGES": "the preset requires LANGUAGES; a project that never set it gets one entry (LANGUAGE_CODE)",
    "LOGGING_CONFIG": "the preset installs coloredlogs instead of Django's default logging when no LOGGING is set",
    "PASSWORD_HASHERS": "the preset puts Argon2 first; existing PBKDF2 hashes still verify and are upgraded",
    "SECURE_PROXY_SSL_HEADER": "Model W runs behind the platform's TLS proxy",
    "USE_X_FORWARDED_HOST": "Model W runs behind the platform's proxy",
    "CACHES": "a Redis cache is configured by the preset from REDIS_URL",
    "CELERY_BROKER_URL": "from REDIS_URL",
    "EMAIL_HOST": "read from .env (example value in .env-template)",
    "SESSION_COOKIE_SECURE": "from the production settings only (split settings)",
    "CELERY_TASK_ALWAYS_EAGER": "the legacy value is DEBUG, which the generated .env turns on",
    "STORAGES": "media storage kept; the preset serves static files with WhiteNoise",
    "ENV": "django-split-settings' fragment selector; gone once the fragments are inlined",
}
DUMP = textwrap.dedent(
    """\
    import json, os, sys
    from pathlib import PurePath
    sys.path.insert(0, os.getcwd())
    from django.conf import settings
    settings._setup()
    root = os.getcwd()
    def norm(v):
        if isinstance(v, PurePath):
            v = str(v)
        if isinstance(v, str) and v.startswith(root):
            return "<ROOT>" + v[len(root):]
        if isinstance(v, (list, tuple)):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, (str, int, float, bool)) or v is None:
            return v
        return repr(v)
    out = {k: norm(getattr(settings, k)) for k in dir(settings) if k.isupper()}
    out["__overridden__"] = [k for k in out if k != "__overridden__" and settings.is_overridden(k)]
    print(json.dumps(out))
    """
)


def dump_settings(
    python: Path, project: Path, module: str, env: dict[str, str] | None = None
) -> dict:
    result = subprocess.run(
        [str(python), "-c", DUMP],
        cwd=project,
        env=clean_env({"DJANGO_SETTINGS_MODULE": module, **(env or {})}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def legacy_secrets(repo: Path) -> set[str]:
    """Credential-named settings with a literal value in the legacy modules."""
    import libcst as cst

    found: set[str] = set()
    for path in repo.rglob("*.py"):
        if ".git" in path.parts or "settings" not in path.as_posix():
            continue
        try:
            module = cst.parse_module(path.read_text())
        except Exception:  # noqa: BLE001
            continue
        for stmt in module.body:
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
                target = stmt.body[0].targets[0].target
                if isinstance(target, cst.Name) and is_credential_name(target.value):
                    value = Evaluator().eval(stmt.body[0].value)
                    if isinstance(value, str) and len(value) >= 8:
                        found.add(value)
    return found


def migrate(repo: Path, **answers):
    legacy = repo.parent / f"{repo.name}-legacy"
    shutil.copytree(repo, legacy, symlinks=True)
    ws, ctx, facts = run_step(repo, **answers)
    changes = ws.checkpoint()
    ws.flush(changes)
    return legacy, ctx, facts, changes


def _run(python: Path, project: Path, env: dict[str, str] | None = None) -> None:
    result = run_manage(python, project, "check", env=env)
    assert result.returncode == 0, result.stderr[-3000:]


def check_project(python: Path, project: Path) -> None:
    _run(python, project)
    env_file = project / ".env"
    aside = project.parent / f"{project.name}.env.aside"
    env_file.rename(aside)
    try:
        _run(python, project, {"BUILD_MODE": "yes"})
    finally:
        aside.rename(env_file)


def compare(legacy: dict, migrated: dict) -> list[str]:
    problems = []
    for key in legacy["__overridden__"]:
        if key in ALLOWED_DIFFERENCES or key in ("INSTALLED_APPS", "MIDDLEWARE", "REST_FRAMEWORK"):
            continue
        if legacy[key] != migrated.get(key):
            problems.append(f"{key}: {legacy[key]!r} != {migrated.get(key)!r}")
    for key in (
        "TIME_ZONE",
        "USE_TZ",
        "DEFAULT_AUTO_FIELD",
        "LANGUAGE_CODE",
        "TEMPLATES",
        "AUTH_PASSWORD_VALIDATORS",
    ):
        if key not in ALLOWED_DIFFERENCES and legacy.get(key) != migrated.get(key):
            problems.append(f"{key}: {legacy.get(key)!r} != {migrated.get(key)!r}")
    # INSTALLED_APPS: same set plus what the preset injects; admin skins before admin
    injected = {
        "rest_framework",
        "rest_framework_gis",
        "wailer",
        "model_w.preset.django.env_helper",
    }
    lapps, mapps = legacy["INSTALLED_APPS"], migrated["INSTALLED_APPS"]
    if set(lapps) - set(mapps):
        problems.append(f"INSTALLED_APPS lost {set(lapps) - set(mapps)}")
    extra = set(mapps) - set(lapps) - injected
    if {a for a in extra if not a.startswith(("health_check", "django_celery_results"))}:
        problems.append(f"INSTALLED_APPS gained {extra}")
    if "django.contrib.admin" in lapps:
        for app in lapps[: lapps.index("django.contrib.admin")]:
            if mapps.index(app) > mapps.index("django.contrib.admin"):
                problems.append(f"{app} no longer before django.contrib.admin")
    # MIDDLEWARE: WhiteNoise added at 1; otherwise the legacy order with Security first
    want = [m for m in legacy["MIDDLEWARE"] if "whitenoise" not in m]
    security = "django.middleware.security.SecurityMiddleware"
    if security in want:
        want.remove(security)
    want.insert(0, security)
    got = [m for m in migrated["MIDDLEWARE"] if "whitenoise" not in m]
    if got != want:
        problems.append(f"MIDDLEWARE {got} != {want}")
    # DRF: the effective config, DRF's defaults under each side
    drf = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "rest_framework.authentication.BasicAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "DEFAULT_PAGINATION_CLASS": None,
        "PAGE_SIZE": None,
    }
    if "rest_framework" in lapps:
        lrf = {**drf, **(legacy.get("REST_FRAMEWORK") or {})}
        mrf = {**drf, **(migrated.get("REST_FRAMEWORK") or {})}
        if lrf != mrf:
            problems.append(f"REST_FRAMEWORK {mrf} != {lrf}")
    return problems


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_fixture_checks_with_real_preset(make_repo, preset_python, fixture):  # noqa: F811
    repo = make_repo(fixture)
    secrets_before = legacy_secrets(repo)
    legacy, ctx, facts, changes = migrate(repo)
    project = repo / facts.django.project_dir if facts.django.project_dir else repo
    check_project(preset_python, project)
    # no committed file holds a secret value of the fixture
    for change in changes:
        if change.local or change.after is None:
            continue
        text = change.after.decode("utf-8", "replace")
        for secret in secrets_before | ctx.secrets:
            assert secret not in text, f"{change.path} would commit a secret"
    # settings equivalence
    legacy_dir = legacy / facts.django.project_dir if facts.django.project_dir else legacy
    env = parse_dotenv((project / ".env").read_text())
    legacy_env = {"SECRET_KEY": env["SECRET_KEY"]}
    for old, new in ctx.shared.get("env_renames", {}).items():
        if new in env and new not in ("DATABASE_URL", "DEBUG"):
            legacy_env[old] = env[new]
    for example in legacy_dir.rglob("*.example"):
        real = example.with_name(example.name.removesuffix(".example"))
        if not real.exists():
            shutil.copy(example, real)
    legacy_module = facts.django.settings_module
    for m in facts.django.settings:
        if m.role == "production":
            legacy_module = m.module
    legacy_values = dump_settings(preset_python, legacy_dir, legacy_module, legacy_env)
    module = _migrated_module(project, facts)
    migrated_values = dump_settings(preset_python, project, module)
    problems = compare(legacy_values, migrated_values)
    assert not problems, "\n".join(problems)


def _migrated_module(project: Path, facts) -> str:  # noqa: ANN001
    manage = (project / "manage.py").read_text()
    import re

    return re.search(r'DJANGO_SETTINGS_MODULE",\s*"([\w.]+)"', manage).group(1)


def test_worked_example_behaves_as_10_3(make_repo, preset_python):  # noqa: F811
    repo = make_repo("worked_example")
    _, ctx, facts, _ = migrate(repo)
    values = dump_settings(preset_python, repo, "mysite.settings")
    assert values["MIDDLEWARE"][:3] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "corsheaders.middleware.CorsMiddleware",
    ]
    assert values["INSTALLED_APPS"][-2:] == ["catalog", "corsheaders"]
    assert values["STATIC_URL"] == "/back/static/"
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["LANGUAGE_CODE"] == "en-us"
    assert (
        values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    )  # EMAIL_HOST defaults to localhost
    assert values["DEFAULT_AUTO_FIELD"] == "django.db.models.AutoField"
    assert values["REST_FRAMEWORK"]["PAGE_SIZE"] == 20
    assert values["TIME_ZONE"] == "UTC"
    used = run_manage(preset_python, repo, "list_used_env_vars", "-f", "json", check=True)
    assert "CORS_ALLOWED_ORIGINS" in used.stdout


@pytest.mark.postgres
def test_startproject_migrates_on_postgres(tmp_path, preset_python, pg_database):  # noqa: F811
    repo = tmp_path / "site"
    repo.mkdir()
    admin = Path(preset_python).parent / "django-admin"
    subprocess.run(
        [str(admin), "startproject", "mysite", "."], cwd=repo, check=True, env=clean_env()
    )
    subprocess.run(
        [str(preset_python), "manage.py", "startapp", "polls"],
        cwd=repo,
        check=True,
        env=clean_env(),
    )
    (repo / "polls" / "models.py").write_text(
        "from django.db import models\n\n\nclass Question(models.Model):\n"
        "    text = models.CharField(max_length=200)\n"
    )
    settings = repo / "mysite" / "settings.py"
    settings.write_text(
        re.sub(
            r"([\"']django.contrib.staticfiles[\"'],)", r"\1\n    'polls',", settings.read_text()
        )
    )
    subprocess.run(
        [str(preset_python), "manage.py", "makemigrations", "polls"],
        cwd=repo,
        check=True,
        env=clean_env(),
    )
    init_repo(repo)
    legacy, ctx, facts, changes = migrate(repo)
    assert any(f.level == "blocker" and "dumpdata" in f.message for f in ctx.followups)
    check_project(preset_python, repo)
    env_file = repo / ".env"
    env_file.write_text(env_file.read_text() + f"DATABASE_URL={pg_database}\n")
    run_manage(preset_python, repo, "migrate", "--noinput", check=True)
    run_manage(preset_python, repo, "makemigrations", "--check", "--dry-run", check=True)
    page = run_manage(
        preset_python,
        repo,
        "shell",
        "-c",
        "from django.test import Client; print(Client().get('/admin/login/').status_code)",
        check=True,
    )
    assert page.stdout.strip().splitlines()[-1] == "200"
    legacy_values = dump_settings(preset_python, legacy, "mysite.settings")
    migrated_values = dump_settings(preset_python, repo, "mysite.settings")
    problems = compare(legacy_values, migrated_values)
    assert not problems, "\n".join(problems)
