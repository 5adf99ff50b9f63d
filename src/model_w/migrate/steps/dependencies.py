"""Dependencies to `api/pyproject.toml`, on the preset (model-w.md 1.2, 7 and 9).

Model W's api is a Poetry project whose first `packages` entry is the
project package (modelw-docker derives the WSGI/ASGI/Celery paths from it)
and whose key dependency is `modelw-preset-django` pinned to the release.
This step reads every legacy dependency file (requirements files with their
`-r`/`-c` includes, `requirements/` folders, pip-tools `.in` files, Pipfile,
setup.py, setup.cfg, PEP 621 / uv / Poetry pyproject files) and writes one
Poetry `api/pyproject.toml`:

- the preset with the extras the project needs (celery, channels, wagtail,
  storages, health, ninja, procrastinate, a database driver on 2025+,
  gunicorn for a WSGI deployment on 2024.10);
- what the preset already brings is dropped (a legacy pin that contradicts
  the preset's is reported), and so are env libraries the settings step made
  unnecessary, once no Python file under api/ imports them;
- dev/test/docs files and groups become Poetry groups.

Old dependency files are removed, except a setup.py/setup.cfg that packages
a library or holds other tool configuration (follow-up). No lock file is
invented: a follow-up says to run `poetry lock`.
"""

from __future__ import annotations

import ast
import posixpath
import re

import tomlkit

from model_w.migrate.answers import Answers
from model_w.migrate.deps import preset as preset_mod
from model_w.migrate.deps.model import MAIN, Dep, DepSet, poetry_to_specifier
from model_w.migrate.deps.readers import (
    ReadResult,
    read_constraints,
    read_pipfile,
    read_pyproject,
    read_requirements,
    read_setup_cfg,
    read_setup_py,
)
from model_w.migrate.deps.writer import PyprojectSpec, render
from model_w.migrate.facts import Facts
from model_w.migrate.steps import Step, StepContext, register

REQUIREMENT_FILE = re.compile(
    r"(^|/)(requirements?[^/]*\.(txt|in)|requirements?/[^/]+\.(txt|in)|[^/]*requirements\.(txt|in))$"
)
DRIVER_TRIGGERS = {
    "psycopg2": {"psycopg2", "psycopg2-binary"},
    "psycopg": {"psycopg", "psycopg-binary"},
}


def api_dir(facts: Facts) -> str:
    if facts.django and facts.django.project_dir:
        return facts.django.project_dir
    return "api"


def pyproject_has_deps(text: str) -> bool:
    try:
        doc = tomlkit.parse(text)
    except Exception:
        return False
    project = doc.get("project", {})
    tool = doc.get("tool", {})
    return bool(
        project.get("dependencies")
        or project.get("optional-dependencies")
        or doc.get("dependency-groups")
        or tool.get("poetry", {}).get("dependencies")
        or tool.get("uv", {}).get("dev-dependencies")
    )


@register
class Dependencies(Step):
    id = "dependencies"
    title = "Move dependencies to api/pyproject.toml on the Model W preset"
    why = (
        "A Model W api is a Poetry project whose key dependency is modelw-preset-django at the "
        "project's release; the preset already brings Django, DRF, the database driver, "
        "WhiteNoise, Redis and Sentry, and modelw-docker needs `packages` to find the project."
    )
    order = 70

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return facts.django is not None

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        return "no Django project found"

    # -- which files -----------------------------------------------------------------
    def _candidates(self, ctx: StepContext, base: str) -> list[str]:
        ws = ctx.workspace
        found = [d.path for d in ctx.facts.dependency_files]
        for folder in ("", base):
            prefix = f"{folder}/" if folder else ""
            for path in ws.files(folder):
                rest = path[len(prefix) :]
                if rest.count("/") > 1:
                    continue
                name = posixpath.basename(rest)
                if REQUIREMENT_FILE.search(rest) or (
                    rest.count("/") == 0
                    and name in ("Pipfile", "setup.py", "setup.cfg", "pyproject.toml")
                ):
                    found.append(path)
        result = []
        for path in dict.fromkeys(found):
            if not ws.exists(path) or path.split("/")[0] in ("docs", "doc"):
                continue
            result.append(path)
        return result

    def run(self, ctx: StepContext) -> None:
        ws, facts = ctx.workspace, ctx.facts
        base = api_dir(facts)
        target = f"{base}/pyproject.toml"
        knowledge = preset_mod.load(ctx.release)
        for note in knowledge.notes:
            ctx.follow_up("", 0, note, "info")

        candidates = self._candidates(ctx, base)
        # a root pyproject with the project's dependencies becomes api/pyproject.toml
        root_pyproject = "pyproject.toml"
        if (
            base
            and root_pyproject in candidates
            and not ws.exists(target)
            and pyproject_has_deps(ws.read(root_pyproject))
        ):
            ws.move(root_pyproject, target)
            if ws.exists("poetry.lock") and not ws.exists(f"{base}/poetry.lock"):
                ws.move("poetry.lock", f"{base}/poetry.lock")
            candidates = [target if c == root_pyproject else c for c in candidates]

        deps = DepSet()
        results: list[ReadResult] = []
        delete: list[str] = []
        existing_extras: set[str] = set()
        constraints: dict[str, str] = {}
        requirement_files = [c for c in candidates if c.endswith((".txt", ".in"))]
        compiled = {
            c
            for c in requirement_files
            if c.endswith(".txt") and c[:-4] + ".in" in requirement_files
        }
        queue = [c for c in requirement_files if c not in compiled]
        seen: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            if not ws.exists(path):
                ctx.follow_up(path, 0, "included requirements file not found", "todo")
                continue
            result = read_requirements(ws.read(path), path)
            results.append(result)
            delete.append(path)
            queue += result.includes
            for constraint_file in result.constraint_files:
                if ws.exists(constraint_file) and constraint_file not in seen:
                    seen.add(constraint_file)
                    constraints.update(read_constraints(ws.read(constraint_file), constraint_file))
                    delete.append(constraint_file)
        for path in sorted(compiled):
            delete.append(path)
            ctx.follow_up(
                path,
                0,
                "compiled by pip-tools from its .in file: its pins are not carried over (poetry lock resolves them)",
                "info",
            )

        for path in candidates:
            name = posixpath.basename(path)
            text = ws.read(path)
            if name == "Pipfile":
                results.append(read_pipfile(text, path))
                delete.append(path)
                if ws.exists(path + ".lock"):
                    delete.append(path + ".lock")
            elif name == "setup.py":
                result = read_setup_py(text, path)
                results.append(result)
                if result.library:
                    ctx.follow_up(
                        path,
                        0,
                        "setup.py packages a library: kept; its dependencies are now declared in "
                        f"{target} too, keep both in step or drop setup.py",
                        "todo",
                    )
                else:
                    delete.append(path)
            elif name == "setup.cfg":
                result = read_setup_cfg(text, path)
                results.append(result)
                if result.library or result.other_config:
                    if result.deps:
                        ctx.follow_up(
                            path,
                            0,
                            f"setup.cfg also holds other configuration: kept; remove its install_requires/extras_require, now in {target}",
                            "todo",
                        )
                else:
                    delete.append(path)
            elif name == "pyproject.toml":
                if path != target and not pyproject_has_deps(text):
                    continue
                result = read_pyproject(text, path)
                results.append(result)
                for dep in result.deps:
                    if dep.key == preset_mod.PRESET and isinstance(dep.poetry_value, dict):
                        existing_extras |= {str(e) for e in dep.poetry_value.get("extras", [])}
                if path != target:
                    ctx.follow_up(
                        path,
                        0,
                        f"dependencies of this pyproject.toml are now in {target}: remove its dependency tables",
                        "todo",
                    )
        for lock in ("uv.lock", f"{base}/uv.lock"):
            if ws.exists(lock):
                delete.append(lock)

        for result in results:
            for dep in result.deps:
                if not dep.constraint and dep.key in constraints and dep.poetry_value is None:
                    dep.constraint = constraints[dep.key]
                deps.add(dep)
            for path, line, message, level in result.notes:
                ctx.follow_up(path, line, message, level)
        for path, line, message, level in deps.notes:
            ctx.follow_up(path, line, message, level)

        extras = self._extras(ctx, knowledge, deps, existing_extras)
        self._drop(ctx, knowledge, deps, extras, base)

        package, packages = self._packages(ctx, base, results)
        meta: dict[str, str] = {}
        for result in results:
            for key, value in result.meta.items():
                meta.setdefault(key, value)
        python = str(ctx.release.get("python", "3.11"))
        for result in results:
            declared = poetry_to_specifier(result.python) if result.python else None
            if declared is not None and not declared.contains(f"{python}.0", prereleases=True):
                ctx.follow_up(
                    "",
                    0,
                    f"the project declared Python {result.python}; Model W {knowledge.release} runs "
                    f"Python ~{python}",
                    "info",
                )
        spec = PyprojectSpec(
            name=package,
            version=meta.get("version", "0.1.0"),
            description=meta.get("description", ""),
            python=python,
            packages=packages,
            groups={g: list(deps.deps[g].values()) for g in deps.groups()},
            preset=(knowledge.pin, sorted(extras)),
            sources=[s for r in results for s in r.sources if s.get("url")],
        )
        existing = ws.read(target) if ws.exists(target) else None
        ws.write(target, render(existing, spec, base))
        for path in dict.fromkeys(delete):
            if ws.exists(path) and path != target:
                ws.delete(path)

        lock = f"{base}/poetry.lock"
        if ws.exists(lock):
            ctx.follow_up(
                lock,
                0,
                f"run `poetry lock` in {base}/: the dependencies changed and this lock file is stale",
                "todo",
            )
        else:
            ctx.follow_up(
                target,
                0,
                f"run `poetry lock` in {base}/ and commit {lock}: the Model W Dockerfile copies it "
                "(no lock file is invented)",
                "todo",
            )

    # -- the preset ---------------------------------------------------------------------
    def _extras(
        self,
        ctx: StepContext,
        knowledge: preset_mod.PresetKnowledge,
        deps: DepSet,
        existing: set[str],
    ) -> set[str]:
        services = ctx.facts.services
        keys = {dep.key for dep in deps.all()}
        third_party = set(ctx.facts.django.third_party_apps if ctx.facts.django else [])
        wanted = set(existing)
        wanted |= {
            e
            for e, flag in (
                ("celery", services.celery),
                ("channels", services.channels),
                ("storages", services.storages),
                ("wagtail", services.wagtail),
            )
            if flag
        }
        for extra, triggers in preset_mod.EXTRA_TRIGGERS.items():
            if keys & triggers:
                wanted.add(extra)
        if any(app == "health_check" or app.startswith("health_check.") for app in third_party):
            wanted.add("health")
        if "gunicorn" in knowledge.extras and "channels" not in wanted:
            wanted.add("gunicorn")  # modelw-docker serves WSGI with gunicorn (model-w.md 8.2)
        if "psycopg" in knowledge.extras and not wanted & {"psycopg", "psycopg2"}:
            if keys & DRIVER_TRIGGERS["psycopg2"]:
                wanted.add("psycopg2")
            else:
                wanted.add("psycopg")
        unknown = wanted - set(knowledge.extras)
        for extra in sorted(unknown):
            ctx.follow_up(
                "",
                0,
                f"modelw-preset-django {knowledge.release} has no `{extra}` extra: add what it "
                "needs by hand",
                "todo",
            )
        return wanted & set(knowledge.extras)

    def _drop(
        self,
        ctx: StepContext,
        knowledge: preset_mod.PresetKnowledge,
        deps: DepSet,
        extras: set[str],
        base: str,
    ) -> None:
        brought = knowledge.brought(sorted(extras))
        if "psycopg2" in brought or "psycopg2" in extras:
            brought.setdefault("psycopg2-binary", "")
        if "psycopg" in brought or "psycopg" in extras:
            brought.setdefault("psycopg-binary", "")
        imported = self._imported_modules(ctx, base)
        dropped: list[str] = []  # the preset brings them
        replaced: list[str] = []  # env readers the env manager replaces
        unused: list[str] = []  # settings libraries the migrated settings no longer use
        for dep in list(deps.all()):
            if dep.key == preset_mod.PRESET:
                deps.remove(dep)
                continue
            if dep.key in brought:
                deps.remove(dep)
                dropped.append(dep.name)
                spec = dep.pep440
                if spec is not None and preset_mod.conflicts(spec, brought[dep.key]):
                    ctx.follow_up(
                        dep.source,
                        dep.line,
                        f"{dep.name}{spec} conflicts with the preset's {dep.key}{brought[dep.key]}: the legacy pin is "
                        f"dropped; check the project works with the preset's version",
                        "todo",
                    )
                continue
            module = next((m for m, d in preset_mod.ENV_LIBRARIES.items() if d == dep.key), None)
            if module is not None:
                if module in imported:
                    ctx.follow_up(
                        imported[module],
                        0,
                        f"{dep.name} is kept: this file still imports {module}",
                        "info",
                    )
                else:
                    deps.remove(dep)
                    (unused if module in preset_mod.SETTINGS_LIBRARIES else replaced).append(
                        dep.name
                    )

        def names(items: list[str]) -> str:
            return ", ".join(sorted(set(items), key=str.lower))

        if dropped:
            ctx.follow_up(
                "", 0, f"dropped, as modelw-preset-django brings them: {names(dropped)}", "info"
            )
        if replaced:
            ctx.follow_up(
                "",
                0,
                "dropped, as the settings now read the environment through Model W's "
                f"env manager: {names(replaced)}",
                "info",
            )
        if unused:
            ctx.follow_up(
                "",
                0,
                f"dropped, as the migrated settings no longer use them: {names(unused)} "
                "(the settings step inlined the include() fragments into one module)",
                "info",
            )

    def _imported_modules(self, ctx: StepContext, base: str) -> dict[str, str]:
        """Env-library module -> a Python file under api/ that still imports it."""
        ws = ctx.workspace
        found: dict[str, str] = {}
        modules = set(preset_mod.ENV_LIBRARIES)
        for path in ws.files(base):
            if not path.endswith(".py") or path.endswith("setup.py"):
                continue
            text = ws.read(path)
            if not any(m in text for m in modules - set(found)):
                continue
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in modules:
                        found.setdefault(top, path)
        return found

    # -- packages -----------------------------------------------------------------------
    def _packages(
        self, ctx: StepContext, base: str, results: list[ReadResult]
    ) -> tuple[str, list[str]]:
        ws = ctx.workspace
        package = ctx.answers.package
        if not ws.exists(f"{base}/{package}/__init__.py") and not ws.is_dir(f"{base}/{package}"):
            project_package = ctx.facts.django.project_package if ctx.facts.django else None
            fallback = project_package.split(".")[0] if project_package else None
            if fallback and ws.is_dir(f"{base}/{fallback}"):
                package = fallback
            else:
                ctx.follow_up(
                    f"{base}/pyproject.toml",
                    0,
                    f'packages = [{{include = "{package}"}}] names a folder '
                    f"that does not exist in {base}/ yet: Model W expects {base}/{package}/django/",
                    "todo",
                )
        packages = [package]
        target = f"{base}/pyproject.toml"
        if ws.exists(target):
            try:
                old = (
                    tomlkit.parse(ws.read(target))
                    .get("tool", {})
                    .get("poetry", {})
                    .get("packages", [])
                )
            except Exception:
                old = []
            for item in old:
                include = str(item.get("include", "")) if isinstance(item, dict) else ""
                if include and include not in packages and ws.is_dir(f"{base}/{include}"):
                    packages.append(include)
        return package, packages


__all__ = ["Dependencies", "Dep", "MAIN"]
