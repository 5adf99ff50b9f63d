"""The settings-env step on real fixture repositories, through the Workspace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model_w.migrate.answers import Answers
from model_w.migrate.envfiles import parse_dotenv, render_local
from model_w.migrate.facts import DjangoFacts, Facts, GitFacts, SettingsModule
from model_w.migrate.steps.base import StepContext
from model_w.migrate.steps.settings_env import SettingsEnv, uses_preset
from model_w.migrate.workspace import Workspace


def facts_for(ws: Workspace, repo: Path) -> Facts:
    """inspect_workspace when it exists, else the few facts this step reads."""
    try:
        from model_w.migrate.inspect import inspect_workspace  # type: ignore[attr-defined]

        return inspect_workspace(ws, GitFacts(), None)
    except ImportError:
        pass
    manage = next(p for p in ws.files() if p.endswith("manage.py"))
    project_dir = str(Path(manage).parent) if "/" in manage else ""
    text = ws.read(manage)
    dsm = re.search(r'DJANGO_SETTINGS_MODULE",\s*"([\w.]+)"', text).group(1)
    modules = []
    for path in ws.files(project_dir):
        if "/settings" not in "/" + path or not path.endswith(".py"):
            continue
        rel = path[len(project_dir) + 1 :] if project_dir else path
        dotted = rel[:-3].replace("/", ".").removesuffix(".__init__")
        source = ws.read(path)
        stars = []
        for m in re.finditer(r"^from (\.*)([\w.]*) import \*", source, re.M):
            dots, name = m.groups()
            if dots:
                base = dotted.split(".")[: -len(dots)]
                stars.append(".".join([*base, name] if name else base))
            else:
                stars.append(name)
        role = "single"
        last = dotted.rsplit(".", 1)[-1]
        if last in ("base", "common"):
            role = "base"
        elif last in ("dev", "development", "local"):
            role = "dev"
        elif last in ("production", "prod"):
            role = "production"
        elif last == "test":
            role = "test"
        modules.append(SettingsModule(module=dotted, path=path, role=role, star_imports=stars))
    django = DjangoFacts(
        manage_py=manage,
        project_dir=project_dir,
        import_root=project_dir,
        settings_module=dsm,
        settings=modules,
        project_package=dsm.split(".")[0],
    )
    return Facts(root=str(repo), django=django)


def run_step(repo: Path, **answers):
    ws = Workspace(repo)
    facts = facts_for(ws, repo)
    ans = Answers(project_name=facts.django.project_package or "project", **answers)
    ctx = StepContext(facts=facts, answers=ans, workspace=ws, step_id="settings-env")
    step = SettingsEnv()
    assert step.applies(facts, ans)
    step.run(ctx)
    return ws, ctx, facts


def test_classic_sqlite_blocker_env_files_and_secrets(make_repo):
    repo = make_repo("classic")
    ws, ctx, _ = run_step(repo)
    settings = ws.read("myproject/settings.py")
    assert uses_preset(settings)
    assert "SECRET_KEY" not in settings.split("with EnvManager")[1]
    template = ws.read(".env-template")
    env = parse_dotenv(ws.read(".env"))
    assert env["DATABASE_URL"] == "postgres://myproject:myproject@localhost/myproject"
    assert env["SECRET_KEY"].startswith("django-insecure-")
    assert "django-insecure-" not in template
    assert env["SECRET_KEY"] in ctx.secrets
    blockers = [f for f in ctx.followups if f.level == "blocker"]
    command = "dumpdata --natural-foreign --natural-primary -e contenttypes -e auth.Permission -o data.json"
    assert any(command in b.message and "loaddata" in b.message for b in blockers)
    # one database blocker only, at the DATABASES line
    db = [b for b in blockers if "PostgreSQL" in b.message]
    assert len(db) == 1 and db[0].line > 0
    changes = {c.path: c for c in ws.checkpoint()}
    assert changes[".env"].local and not changes[".env-template"].local


def test_step_is_idempotent(make_repo):
    repo = make_repo("worked_example")
    ws, ctx, facts = run_step(repo)
    ws.checkpoint()
    ctx2 = StepContext(
        facts=facts_for(ws, repo), answers=ctx.answers, workspace=ws, step_id="settings-env"
    )
    SettingsEnv().run(ctx2)
    assert ws.checkpoint() == []


def test_worked_example_renames_in_template_and_shared(make_repo):
    repo = make_repo("worked_example")
    ws, ctx, _ = run_step(repo)
    template = ws.read(".env-template")
    assert "SECRET_KEY=replace-with-50-random-chars" in template
    assert "# was: DJANGO_SECRET_KEY" in template
    assert ctx.shared["env_renames"]["DJANGO_SECRET_KEY"] == "SECRET_KEY"
    assert "BASE_URL=" in template
    env = parse_dotenv(ws.read(".env"))
    assert env["DATABASE_URL"].startswith("postgres://bookshelf")


def test_split_settings_merged_into_production(make_repo):
    repo = make_repo("split_settings")
    ws, ctx, _ = run_step(repo, production_settings="shop.settings.production")
    assert ws.exists("shop/settings/production.py")
    for gone in ("shop/settings/base.py", "shop/settings/dev.py", "shop/settings/test.py"):
        assert not ws.exists(gone)
    merged = ws.read("shop/settings/production.py")
    assert uses_preset(merged) and "from .base import" not in merged
    assert "shop.settings.production" in ws.read("manage.py")
    assert "shop.settings.dev" not in ws.read("manage.py")
    if ws.exists("pytest.ini"):
        assert "shop.settings.test" not in ws.read("pytest.ini")
    env = parse_dotenv(ws.read(".env"))
    assert env["DEBUG"] == "yes"  # the dev value
    assert any("test settings" in f.message for f in ctx.followups)


def test_env_merge_keeps_user_lines():
    from model_w.migrate.envfiles import EnvVarDoc

    existing = "# mine\nDJANGO_SECRET_KEY=abc123456789\nFOO=bar\n"
    docs = [
        EnvVarDoc("SECRET_KEY", old_names=["DJANGO_SECRET_KEY"]),
        EnvVarDoc("FOO", local_value="zzz"),
    ]
    out = render_local(docs, existing)
    assert out.startswith(existing.rstrip("\n"))
    assert "SECRET_KEY=abc123456789" in out
    assert out.count("FOO=") == 1
    assert render_local(docs, out) == out


@pytest.mark.parametrize("fixture", ["classic", "worked_example", "split_settings"])
def test_generated_settings_compile(make_repo, fixture):
    repo = make_repo(fixture)
    ws, _, facts = run_step(repo)
    for change in ws.checkpoint():
        if change.path.endswith(".py") and change.after is not None:
            compile(change.after.decode(), change.path, "exec")


def test_split_settings_include_inlined_and_fragments_removed(make_repo):
    repo = make_repo("uv_pep621")
    ws, ctx, _ = run_step(repo)
    code = ws.read("config/settings.py")
    assert "split_settings" not in code and "include(" not in code
    assert 'ROOT_URLCONF = "config.urls"' in code and "with EnvManager(" in code
    for gone in ("config/components/common.py", "config/environments/development.py"):
        assert not ws.exists(gone)
    assert any("chosen at run time" in f.message for f in ctx.followups)


def test_env_is_ignored_in_the_step_that_writes_it(make_repo):
    repo = make_repo("celery_s3_sentry")
    ws, ctx, _ = run_step(repo)
    assert ".env" in ws.read(".gitignore").splitlines()
    # the hardcoded S3 secret moved to .env, no committed file keeps it
    for change in ws.checkpoint():
        if change.after is not None and not change.local:
            assert b"wJalrXUtnFEMI" not in change.after, change.path


def test_env_helper_decisions_reach_the_env_reads_codemod(make_repo):
    # default: the non-plain helper is kept with a TODO
    repo = make_repo("vue_vite")
    ws, ctx, _ = run_step(repo)
    assert "def envsecret" in ws.read("dashboard/settings.py")
    assert any("envsecret()" in f.message for f in ctx.followups)
    # a per-helper decision (wizard or recipe) inlines it
    repo = make_repo("vue_vite")
    ws, ctx, _ = run_step(repo, decisions={"unknown-env-helper:envsecret": "inline"})
    code = ws.read("dashboard/settings.py")
    assert "def envsecret" not in code and "envsecret(" not in code
    # the recipe-wide policy does the same
    repo = make_repo("vue_vite")
    ws, _, _ = run_step(repo, policies={"unknown_env_helper": "inline"})
    assert "def envsecret" not in ws.read("dashboard/settings.py")


def test_uv_pep621_follow_ups_are_not_repeated_or_stale(make_repo):
    """CONN_MAX_AGE is re-applied by the adoption; DATABASE_URL is composed from
    the env reads' defaults: neither is left as a follow-up, none is repeated."""
    repo = make_repo("uv_pep621")
    ws, ctx, facts = run_step(repo)
    messages = [(f.path, f.line, f.message) for f in ctx.followups]
    assert len(messages) == len(set(messages)), messages
    assert not [m for m in messages if "also sets CONN_MAX_AGE" in m[2]], messages
    assert not [m for m in messages if "not all literals" in m[2]], messages
    settings = next(p for p in ws.files() if p.endswith("config/settings.py"))
    code = ws.read(settings)
    assert 'DATABASES["default"]["CONN_MAX_AGE"] = 60' in code
    # pathlib served only BASE_DIR, which the preset injects
    assert "from pathlib import Path" not in code
    env = parse_dotenv(ws.read(str(Path(settings).parent.parent / ".env")))
    assert env["DATABASE_URL"] == "postgres://tasks@localhost/tasks"
