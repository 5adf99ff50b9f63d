"""The modelw-files step: Model W files rendered per release, never overwriting a different file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from model_w.migrate.answers import Answers
from model_w.migrate.facts import DjangoFacts, Facts, Frontend, InfraFacts, Services
from model_w.migrate.knowledge import available_releases
from model_w.migrate.steps import StepContext, get_step
from model_w.migrate.steps.modelw_files import MARKER, template_env
from model_w.migrate.workspace import Workspace

GITIGNORE = ".env\n.venv\nnode_modules/\n__pycache__/\n"


def make_tree(tmp_path: Path, files: dict[str, str]) -> Workspace:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return Workspace(tmp_path)


def facts_for(
    tmp_path: Path, front: str | None = None, celery: bool = False, dockerfiles=()
) -> Facts:
    return Facts(
        root=str(tmp_path),
        django=DjangoFacts(manage_py="api/manage.py", project_dir="api", import_root="api"),
        services=Services(celery=celery),
        frontends=[Frontend(path="front", kind="ui", framework=front)] if front else [],
        infra=InfraFacts(dockerfiles=list(dockerfiles)),
    )


def run_step(ws: Workspace, facts: Facts, release: str = "2024.10") -> StepContext:
    ctx = StepContext(
        facts=facts,
        answers=Answers(project_name="my_shop", modelw_release=release),
        workspace=ws,
        step_id="modelw-files",
    )
    get_step("modelw-files").run(ctx)
    return ctx


@pytest.mark.parametrize("release", ["2024.10", "2025.7", "2026.7"])
def test_files_rendered_per_release(tmp_path: Path, release: str) -> None:
    ws = make_tree(
        tmp_path,
        {
            ".gitignore": GITIGNORE,
            "README.md": "# My shop\n\nSells things.\n",
            "api/manage.py": "",
            "front/package.json": "{}\n",
            "front/package-lock.json": "{}\n",
        },
    )
    facts = facts_for(tmp_path, front="nuxt3", celery=True)
    ctx = run_step(ws, facts, release)
    tag = {"2024.10": "2024.10", "2025.7": "2025.07", "2026.7": "2026.07"}[release]
    api = ws.read("api/Dockerfile")
    assert api.splitlines() == [
        f"FROM modelw/base:{tag}",
        "COPY --chown=user pyproject.toml poetry.lock ./",
        "RUN modelw-docker install",
        "COPY --chown=user . .",
        "RUN modelw-docker build",
        'CMD ["modelw-docker", "serve"]',
    ]
    front = ws.read("front/Dockerfile")
    assert front.startswith(
        f"FROM modelw/base:{tag}\nCOPY --chown=user package.json package-lock.json ./\n"
    )
    if release == "2026.7":
        assert front.endswith('CMD ["node", ".output/server/index.mjs"]\n')
    else:
        assert front.endswith('CMD ["modelw-docker", "serve"]\n')
    assert ws.read("api/.dockerignore") == GITIGNORE
    assert ws.read("front/.dockerignore") == GITIGNORE
    readme = ws.read("README.md")
    assert readme.startswith("# My shop\n\nSells things.\n\n" + MARKER)
    assert (
        "docker build -t my-shop-api api" in readme
        and "docker build -t my-shop-front front" in readme
    )
    assert "modelw-docker serve celery" in readme
    assert any("poetry lock" in f.message for f in ctx.followups)
    # idempotent
    ws.checkpoint()
    run_step(ws, facts, release)
    assert ws.pending_changes() == []


def test_api_only_and_no_readme(tmp_path: Path) -> None:
    ws = make_tree(tmp_path, {".gitignore": GITIGNORE, "api/manage.py": "", "api/poetry.lock": ""})
    ctx = run_step(ws, facts_for(tmp_path))
    assert not ws.exists("front/Dockerfile") and not ws.exists("front/.dockerignore")
    readme = ws.read("README.md")
    assert readme.startswith("# My Shop\n\n" + MARKER)
    assert "front" not in readme.split("### Local development")[1]
    assert not any("poetry lock" in f.message for f in ctx.followups)


def test_different_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    legacy = "FROM python:3.9\nCOPY . /app\nCMD gunicorn app.wsgi\n"
    ws = make_tree(
        tmp_path,
        {
            ".gitignore": GITIGNORE,
            "README.md": "# x\n",
            "api/manage.py": "",
            "api/Dockerfile": legacy,
            "api/.dockerignore": "*.pyc\n",
            "front/package.json": "{}\n",
        },
    )
    ctx = run_step(ws, facts_for(tmp_path, front="vue", dockerfiles=["api/Dockerfile"]))
    assert ws.read("api/Dockerfile") == legacy
    assert ws.read("api/.dockerignore") == "*.pyc\n"

    def messages(path: str) -> str:
        return "\n".join(f.message for f in ctx.followups if f.path == path)

    assert "left alone" in messages("api/Dockerfile")
    assert "left alone" in messages("api/.dockerignore")
    assert "package-lock.json" in messages("front/Dockerfile")  # no lock file in front/


def test_every_indexed_release_with_templates_renders() -> None:
    for release in ("2024.10", "2025.7", "2026.7"):
        assert release in available_releases()
        env = template_env(release)
        context = {
            "release": release,
            "docker_base": "b",
            "package": "p",
            "dashed": "p",
            "has_front": True,
            "front_framework": "sveltekit",
            "celery": False,
        }
        for name in ("api/Dockerfile.j2", "front/Dockerfile.j2", "README-section.md.j2"):
            assert env.get_template(name).render(context).endswith("\n")
