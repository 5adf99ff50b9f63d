"""api-layout: the Django project moves into `api/` (model-w.md part 1, §1.1-1.2).

A Model W repository is a monorepo: `api/` holds Django (`api/manage.py`),
`front/` the front-end, other components sit beside them; README, LICENSE,
`.git*`, CI, compose files and docs stay at the root. Everything that
belongs to the Django project moves with `git mv` semantics (the Workspace
records renames, so `git log --follow` keeps the history): manage.py, the
project package, the apps, templates/static/locale/media, dependency and
test configuration, `.env` files next to manage.py. A root asset pipeline
that feeds Django static files goes with the api unless the answer
`asset_pipeline: front` says otherwise. A `manage.py` in `backend/` makes
`backend/` itself become `api/`.

A top-level `api` app or package clashes with the folder: the answer
`name_clashes: {api: "rename:<new>"}` renames its module (its AppConfig
label stays, so tables and migrations do not change); nothing is ever
overwritten. Then every reference outside Python follows: Dockerfile COPY
sources, compose build contexts/volumes/env files, CI working directories
and path filters, Makefile/Procfile/package.json commands (`cd api && ...`),
`.gitignore`/`.dockerignore` patterns, pre-commit file patterns, bundler
output folders, and `BASE_DIR`-relative settings paths that now cross the
api/front boundary. What cannot be rewritten safely becomes a follow-up.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import PurePosixPath

from model_w.migrate.codemods.rename_modules import ModuleMap

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.restructure.appconfig import ensure_label
from model_w.migrate.restructure.modules import known_modules
from model_w.migrate.restructure.python_refs import collect_jobs, rewrite_all
from model_w.migrate.restructure.text_refs import (
    JS_CONFIG,
    PathRewriter,
    rewrite_modules_everywhere,
)
from model_w.migrate.steps import register
from model_w.migrate.steps.base import Step, StepContext

API = "api"

# Root entries that stay where they are (globs on the first path part).
STAYS = (
    "README*",
    "LICEN[CS]E*",
    "COPYING*",
    "CHANGELOG*",
    "CHANGES*",
    "CONTRIBUTING*",
    "AUTHORS*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "NOTICE*",
    ".git",
    ".git*",
    ".github",
    ".gitlab",
    ".circleci",
    ".travis.yml",
    "Jenkinsfile",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "docker-compose*",
    "compose.y*ml",
    "compose.*.y*ml",
    "docs",
    "doc",
    ".editorconfig",
    ".pre-commit-config.yaml",
    ".prettier*",
    "Makefile",
    "makefile",
    "Procfile*",
    "Dockerfile*",
    "*.Dockerfile",
    ".dockerignore",
    "heroku.yml",
    "app.json",
    "Vagrantfile",
    ".vscode",
    ".idea",
    ".devcontainer",
    "renovate.json",
    ".do",
    "front",
    "frontend",
    ".formatignore",
    "snow.yml",
)
# Root entries that belong to the Django project.
MOVES = (
    "manage.py",
    "requirements*.txt",
    "requirements*.in",
    "requirements",
    "setup.py",
    "setup.cfg",
    "pytest.ini",
    "tox.ini",
    "conftest.py",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    "uv.lock",
    ".python-version",
    "runtime.txt",
    "MANIFEST.in",
    ".coveragerc",
    "mypy.ini",
    ".flake8",
    ".pylintrc",
    ".isort.cfg",
    ".env",
    ".env.*",
    ".env-*",
    "env.example",
    "templates",
    "static",
    "locale",
    "media",
    "fixtures",
    "*.sqlite3",
    "*.sqlite",
    "*.db",
    "*.py",
    "pmanage",
    "gunicorn.conf.py",
)
# Git-ignored outputs of the project: patterns naming them follow it into api/.
GENERATED = (
    "media",
    "staticfiles",
    "static",
    "db.sqlite3",
    "htmlcov",
    ".coverage",
    "celerybeat-schedule",
)
ASSET_FILES = (
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    ".npmrc",
    ".nvmrc",
    ".babelrc",
    ".browserslistrc",
    "babel.config.*",
    "postcss.config.*",
    "tailwind.config.*",
    "tsconfig.json",
    ".eslintrc*",
    ".stylelintrc*",
)


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def plan_root_moves(ws, facts: Facts, answers: Answers) -> tuple[list[str], list[str]]:
    """Root entries that move into api/, and the ones left at the root that look odd."""
    files = ws.files(include_skipped=True)
    tops: dict[str, list[str]] = {}
    for f in files:
        tops.setdefault(f.split("/")[0], []).append(f)
    frontends = {fe.path.split("/")[0]: fe for fe in facts.frontends if fe.path}
    root_pipeline = next(
        (fe for fe in facts.frontends if fe.path == "" and fe.kind == "asset-pipeline"), None
    )
    pipeline_to_api = root_pipeline is not None and answers.asset_pipeline != "front"
    asset_dirs = _asset_dirs(ws) if pipeline_to_api else set()
    moving, unsure = [], []
    for top, members in sorted(tops.items()):
        is_dir = not (len(members) == 1 and members[0] == top)
        if top == API:
            continue
        if top in frontends:
            continue  # front-ends stay; the frontend step moves them
        if pipeline_to_api and (
            _matches(top, ASSET_FILES) or JS_CONFIG.search(top) or top in asset_dirs
        ):
            moving.append(top)
            continue
        if _matches(top, STAYS):
            continue
        if _matches(top, MOVES):
            moving.append(top)
            continue
        if (
            is_dir
            and any(m.endswith(".py") for m in members)
            and not any(m.endswith("package.json") for m in members)
        ):
            moving.append(top)
            continue
        unsure.append(top)
    for local in (".env",):  # git-ignored, next to manage.py: moves too
        if local not in tops and ws.exists(local):
            moving.append(local)
    return moving, unsure


def _asset_dirs(ws) -> set[str]:
    """Root folders a root bundler config reads from (`./assets/js/main.js` -> assets)."""
    found: set[str] = set()
    for path in ws.files():
        if "/" in path or not (JS_CONFIG.search(path) or path == "package.json"):
            continue
        for m in re.finditer(r"[\"'`]\.?/?([\w-]+)/[\w./*-]*[\"'`]", ws.read(path)):
            top = m.group(1)
            if ws.is_dir(top) and not _matches(top, STAYS):
                found.add(top)
    return found


@register
class ApiLayout(Step):
    id = "api-layout"
    title = "Move the Django project into api/"
    why = (
        "A Model W repository is a monorepo with one folder per component: api/ for Django, front/ "
        "for the front-end. Files move with git history, and every reference outside Python "
        "(Docker, compose, CI, Makefile, package.json, ignore files) follows."
    )
    order = 30

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return facts.django is not None

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "no manage.py found"

    def run(self, ctx: StepContext) -> None:
        ws = ctx.workspace
        dj = ctx.facts.django
        assert dj is not None
        if ws.exists(f"{API}/manage.py") or dj.project_dir == API:
            return
        if ws.exists(API) or ws.is_dir(API):
            if not self._resolve_clash(ctx):
                return
        if dj.project_dir:
            moves = [(dj.project_dir, API)]
            cwd_moves = False
        else:
            moving, unsure = plan_root_moves(ws, ctx.facts, ctx.answers)
            moves = [(top, f"{API}/{top}") for top in moving]
            cwd_moves = True
            for top in unsure:
                ctx.follow_up(
                    top,
                    0,
                    f"{top} stayed at the repository root: move it into api/ if it belongs to Django",
                    "info",
                )
        ws.move_many(moves)

        packages = {m.split(".")[0] for m in known_modules(ws.files(), API)}
        path_moves = list(moves)
        if cwd_moves:  # generated, git-ignored folders of the project live in api/ now too
            present = {src for src, _ in moves}
            path_moves += [
                (g, f"{API}/{g}")
                for g in GENERATED
                if g not in present and not ws.is_dir(g) and not ws.exists(g)
            ]
        rewriter = PathRewriter(
            ctx,
            path_moves,
            cwd_moves=cwd_moves,
            new_cwd=API,
            no_bare=packages,
            django_dockerfiles=True,
        )
        rewriter.run()
        if cwd_moves:
            self._crossing_paths(ctx, moves)

    # -- a top-level `api` module -------------------------------------------
    def _resolve_clash(self, ctx: StepContext) -> bool:
        ws = ctx.workspace
        dj = ctx.facts.django
        answer = ctx.answers.name_clashes.get(API, "")
        if not answer.startswith("rename:"):
            ctx.follow_up(
                API,
                0,
                "a top-level api/ already exists; answer name_clashes: {api: 'rename:<new name>'} to rename it",
                "blocker",
            )
            return False
        new = answer.split(":", 1)[1].strip()
        if not new.isidentifier() or ws.exists(new) or ws.is_dir(new):
            ctx.follow_up(
                API, 0, f"cannot rename api/ to {new!r}: not a free Python name", "blocker"
            )
            return False
        root = dj.import_root if dj else ""
        before = ws.files()
        known = known_modules(before, root)
        src = f"{root}/{API}" if root else API
        dst = f"{root}/{new}" if root else new
        label = next((a.label for a in (dj.project_apps if dj else []) if a.path == src), API)
        old_modules = {}
        from model_w.migrate.restructure.modules import module_of

        for old, moved in ws.move(src, dst):
            name = module_of(old, root)
            if name and moved.endswith(".py"):
                old_modules[moved] = name
        mm = ModuleMap({API: new}, known)
        for outcome in rewrite_all(collect_jobs(ws, mm, old_modules, root), mm):
            if outcome.error:
                ctx.follow_up(
                    outcome.path, 0, f"references not rewritten: {outcome.error}", "blocker"
                )
            elif outcome.code is not None:
                ws.write(outcome.path, outcome.code)
        apps_py = f"{dst}/apps.py"
        if ws.exists(apps_py):
            code, configs = ensure_label(ws.read(apps_py), new, label)
            if configs:
                ws.write(apps_py, code)
        else:
            from model_w.migrate.restructure.appconfig import new_apps_py

            ws.write(apps_py, new_apps_py(new, label))
        rewrite_modules_everywhere(ws, mm)
        if src == API:
            PathRewriter(ctx, [(API, new)], no_bare={API}).run()
        ctx.follow_up(
            dst, 0, f"the {API!r} app was renamed to {new!r}; its label stays {label!r}", "info"
        )
        return True

    # -- BASE_DIR-relative paths that now cross api/ ------------------------------
    def _crossing_paths(self, ctx: StepContext, moves: list[tuple[str, str]]) -> None:
        ws = ctx.workspace
        moved = {src for src, _ in moves}
        stayed = {
            f.split("/")[0] for f in ws.files(include_skipped=True) if not f.startswith(API + "/")
        }
        stayed -= moved
        if not stayed:
            return
        names = "|".join(re.escape(s) for s in sorted(stayed, key=len, reverse=True))
        path_re = re.compile(r"BASE_DIR\s*/\s*[\"'](?:" + names + r")(?:/[^\"']*)?[\"']")
        join_re = re.compile(
            r"os\.path\.join\(\s*BASE_DIR\s*,\s*[\"'](?:" + names + r")(?:/[^\"']*)?[\"']"
        )
        generic = re.compile(r"[\"'](?:\.\./)*(?:" + names + r")/[^\"']*[\"']")
        for path in ws.files(API):
            if not path.endswith(".py") or "BASE_DIR" not in (text := ws.read(path)):
                continue
            lines = text.split("\n")
            changed = False
            for i, line in enumerate(lines):
                new = path_re.sub(
                    lambda m: m.group(0).replace("BASE_DIR", "BASE_DIR.parent", 1), line
                )
                new = join_re.sub(
                    lambda m: m.group(0).replace("BASE_DIR", "os.path.dirname(BASE_DIR)", 1), new
                )
                if new != line:
                    lines[i] = new
                    changed = True
                    ctx.follow_up(
                        path,
                        i + 1,
                        "this path now points outside api/ (BASE_DIR is api/); check it",
                        "info",
                    )
                elif "BASE_DIR" in line and generic.search(line):
                    ctx.follow_up(
                        path,
                        i + 1,
                        "a BASE_DIR-relative path here names a folder that stayed at the root; "
                        "it is now outside api/",
                        "todo",
                    )
            if changed:
                ws.write(path, "\n".join(lines))


def _top(path: str) -> str:
    return PurePosixPath(path).parts[0] if path else ""
