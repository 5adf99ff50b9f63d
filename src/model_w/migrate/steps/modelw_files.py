"""Model W's files around the components (model-w.md 8.1 and 9).

Rendered from the Jinja2 templates of the target release
(`templates/<release>/`): `api/Dockerfile`, `api/.dockerignore` (a copy of
the root `.gitignore`, so `.env` never enters an image), and the same two
for `front/` when a front component exists; plus a "Running the project the
Model W way" section appended to the root README (once: its first line is a
marker).

A file that already exists with other content is never overwritten: it is
left alone and a follow-up says what Model W expects. An identical file is
left as it is, so the step is idempotent.
"""

from __future__ import annotations

from importlib import resources

import jinja2

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.steps import Step, StepContext, register

MARKER = "<!-- modelw-migrate:running -->"
README_NAMES = ("README.md", "README.markdown", "README", "README.txt", "readme.md", "Readme.md")


def template_env(release: str) -> jinja2.Environment:
    root = resources.files("model_w.migrate") / "templates" / release
    if not root.is_dir():
        raise KeyError(release)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def api_folder(facts: Facts) -> str:
    return facts.django.project_dir if facts.django and facts.django.project_dir else "api"


@register
class ModelWFiles(Step):
    id = "modelw-files"
    title = "Add the Model W Dockerfiles, .dockerignore files and README section"
    why = (
        "Every Model W component builds with the same four-step modelw-docker Dockerfile on the "
        "release's base image, ignores what git ignores, and the README says how to run it."
    )
    order = 80

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return facts.django is not None

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "no Django project found"

    def run(self, ctx: StepContext) -> None:
        ws, facts, answers = ctx.workspace, ctx.facts, ctx.answers
        release = ctx.release
        try:
            env = template_env(answers.modelw_release)
        except KeyError:
            ctx.follow_up(
                "",
                0,
                f"no Model W file templates for release {answers.modelw_release}: add the "
                "Dockerfiles by hand (model-w.md 8.1)",
                "todo",
            )
            return
        api = api_folder(facts)
        front = "front" if ws.exists("front/package.json") else None
        front_fe = next((fe for fe in facts.frontends if fe.path == "front"), None)
        context = {
            "release": answers.modelw_release,
            "docker_base": release.get("docker_base", f"modelw/base:{answers.modelw_release}"),
            "package": answers.package,
            "dashed": answers.dashed_name,
            "has_front": front is not None,
            "front_framework": (front_fe.framework or "") if front_fe else "",
            "celery": facts.services.celery,
        }
        gitignore = ws.read(".gitignore") if ws.exists(".gitignore") else None

        components = [(api, "api")] + ([(front, "front")] if front else [])
        for folder, kind in components:
            self._place(
                ctx,
                f"{folder}/Dockerfile",
                env.get_template(f"{kind}/Dockerfile.j2").render(context),
            )
            if gitignore is not None:
                self._place(
                    ctx, f"{folder}/.dockerignore", gitignore, what="a copy of the root .gitignore"
                )
            else:
                ctx.follow_up(
                    f"{folder}/.dockerignore",
                    0,
                    "no root .gitignore to copy: write a .dockerignore that "
                    "keeps .env, .venv and node_modules out of the image",
                    "todo",
                )
        if not ws.exists(f"{api}/poetry.lock"):
            ctx.follow_up(
                f"{api}/Dockerfile",
                2,
                f"the Dockerfile copies {api}/poetry.lock: run `poetry lock` in {api}/ first",
                "info",
            )
        if front and not ws.exists("front/package-lock.json"):
            ctx.follow_up(
                "front/Dockerfile",
                2,
                "the Dockerfile copies front/package-lock.json (modelw-docker installs "
                "with npm): run `npm install` in front/ and commit package-lock.json",
                "todo",
            )
        if facts.services.celery:
            ctx.follow_up(
                f"{api}/Dockerfile",
                6,
                "run the Celery worker and beat from the api image with "
                'CMD ["modelw-docker", "serve", "celery"] and ["modelw-docker", "serve", "beat"]',
                "info",
            )
        for legacy in facts.infra.dockerfiles:
            if legacy not in (f"{api}/Dockerfile", "front/Dockerfile") and ws.exists(legacy):
                ctx.follow_up(
                    legacy,
                    0,
                    f"legacy Dockerfile: Model W builds {api}/Dockerfile"
                    + (" and front/Dockerfile" if front else "")
                    + "; remove it once deployment uses them",
                    "info",
                )
        self._readme(ctx, env.get_template("README-section.md.j2").render(context))

    def _place(self, ctx: StepContext, path: str, content: str, what: str = "") -> None:
        ws = ctx.workspace
        if not ws.exists(path):
            ws.write(path, content)
            return
        current = ws.read(path)
        if current == content or current.strip() == content.strip():
            return
        first = content.strip().splitlines()[0] if content.strip() else ""
        expected = what or f"the Model W {ctx.answers.modelw_release} one ({first} ...)"
        ctx.follow_up(
            path, 0, f"exists and differs from {expected}: left alone; merge by hand", "todo"
        )

    def _readme(self, ctx: StepContext, section: str) -> None:
        ws = ctx.workspace
        readme = next((name for name in README_NAMES if ws.exists(name)), None)
        if readme is None:
            if ws.exists("README.rst"):
                ctx.follow_up(
                    "README.rst",
                    0,
                    'add a "Running the project the Model W way" section (the README is '
                    "reStructuredText, the tool writes Markdown)",
                    "todo",
                )
                return
            title = ctx.answers.project_name.replace("_", " ").title()
            ws.write("README.md", f"# {title}\n\n{section}")
            return
        text = ws.read(readme)
        if MARKER in text:
            return
        separator = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        ws.write(readme, f"{text}{separator}{section}")
