"""package-layout: the Model W package layout inside `api/` (model-w.md §1.2).

settings, urls, wsgi, asgi and the Celery app move to `<pkg>/django/`
(modelw-docker derives `<pkg>.django.wsgi:application` and
`<pkg>.django.celery:app` from the package name, §8.2); every project app
moves to `<pkg>/apps/<name>` with its `AppConfig.label` written down, so its
migrations and tables keep their names. Every reference follows: imports in
all Python files and dotted strings in settings (codemods/rename_modules.py),
module names and paths in config files, `__file__` formulas of moved files.
With the answer `package_layout: keep` the step does nothing.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.restructure.appconfig import ensure_label, new_apps_py
from model_w.migrate.restructure.modules import (
    LayoutPlan,
    join,
    known_modules,
    module_of,
    path_of_package,
)
from model_w.migrate.restructure.python_refs import RenamePrefetch, collect_jobs, rewrite_all
from model_w.migrate.restructure.text_refs import rewrite_modules_everywhere
from model_w.migrate.steps import register
from model_w.migrate.steps.base import Step, StepContext


def _module_path(ws, dotted: str, import_root: str) -> str | None:
    """The file or folder of a dotted module in the workspace."""
    base = path_of_package(dotted, import_root)
    if ws.exists(base + ".py"):
        return base + ".py"
    if ws.exists(base + "/__init__.py") or ws.is_dir(base):
        return base
    return None


def _strip_attr(dotted: str | None) -> str | None:
    """`mysite.wsgi.application` -> `mysite.wsgi`; `mysite.asgi:app` -> `mysite.asgi`."""
    if not dotted:
        return None
    dotted = dotted.split(":")[0]
    parts = dotted.split(".")
    if len(parts) > 1 and not parts[-1].islower():
        return ".".join(parts[:-1])
    if parts[-1] in ("application", "app"):
        return ".".join(parts[:-1])
    return dotted


def project_package(facts: Facts) -> str | None:
    dj = facts.django
    if dj is None:
        return None
    if dj.project_package:
        return dj.project_package
    modules = [
        m for m in (dj.settings_module, dj.root_urlconf, _strip_attr(dj.wsgi_application)) if m
    ]
    parents = {m.rsplit(".", 1)[0] for m in modules if "." in m}
    if len(parents) == 1:
        parent = parents.pop()
        # settings packages: config.settings.production -> config
        if dj.settings_module and dj.settings_module.startswith(parent + ".settings."):
            return parent
        return parent
    return None


def plan_layout(ws, facts: Facts, answers: Answers) -> LayoutPlan:
    plan = LayoutPlan()
    dj = facts.django
    if dj is None:
        return plan
    pkg = answers.package
    root = dj.import_root
    target = join(root, pkg)
    django_dir = join(target, "django")
    apps_dir = join(target, "apps")
    project = project_package(facts)
    files = ws.files(include_skipped=True)
    file_set = set(files)

    def under(folder: str) -> list[str]:
        return ws.files(folder, include_skipped=True) if folder else files

    # apps first: they may sit inside the project package
    app_moves: dict[str, str] = {}  # old module -> new module
    for app in dj.project_apps:
        if not app.path:
            continue
        old = module_of(join(app.path, "__init__.py"), root)
        if old is None:
            plan.problems.append(
                (app.path, f"app {app.name!r} is outside the import root {root or '.'}; not moved")
            )
            continue
        if old.startswith(f"{pkg}.apps.") or old == f"{pkg}.django":
            continue
        if any(old.startswith(o + ".") for o in app_moves):
            continue
        if project and old == project:
            plan.labels[f"{pkg}.django"] = app.label
            continue
        new = f"{pkg}.apps.{old.rsplit('.', 1)[-1]}"
        if new in app_moves.values():
            plan.problems.append(
                (app.path, f"two apps would move to {new}; {app.name!r} was not moved")
            )
            continue
        app_moves[old] = new
        plan.labels[new] = app.label
    # nested apps of moved apps keep their relative place; drop them
    for old in list(app_moves):
        if any(old != o and old.startswith(o + ".") for o in app_moves):
            del app_moves[old]

    # the project package (settings, urls, wsgi, asgi, celery and helpers)
    modules_to_django: dict[str, str] = {}
    if project and project != f"{pkg}.django":
        pdir = path_of_package(project, root)
        children = sorted({f[len(pdir) + 1 :].split("/")[0] for f in under(pdir)})
        old_depth = len(project.split("."))
        for child in children:
            child_path = join(pdir, child)
            child_mod = module_of(
                child_path if child.endswith(".py") else join(child_path, "__init__.py"), root
            )
            if child_mod in app_moves:
                continue
            dst = join(django_dir, child)
            plan.moves.append((child_path, dst))
            for f in [child_path] if child_path in file_set else under(child_path):
                if f.endswith(".py"):
                    inner = f[len(pdir) + 1 :].count("/") + 1
                    plan.depth_changes[join(django_dir, f[len(pdir) + 1 :])] = (
                        inner,
                        2 - old_depth,
                    )
            if child_mod and child != "__init__.py":
                modules_to_django[child_mod] = f"{pkg}.django.{child_mod.rsplit('.', 1)[-1]}"
        if project != pkg:
            modules_to_django[project] = f"{pkg}.django"

    # settings, urls, wsgi, asgi outside the project package (a bare "settings" module)
    for dotted in (
        dj.settings_module,
        dj.root_urlconf,
        _strip_attr(dj.wsgi_application),
        _strip_attr(dj.asgi_application),
    ):
        if not dotted or (project and (dotted == project or dotted.startswith(project + "."))):
            continue
        if dotted.startswith(f"{pkg}.django"):
            continue
        top = dotted.split(".")[0]
        if top in modules_to_django or top in app_moves or top == pkg:
            continue
        src = _module_path(ws, top, root)
        if src is None:
            continue
        dst = join(django_dir, PurePosixPath(src).name)
        plan.moves.append((src, dst))
        modules_to_django[top] = f"{pkg}.django.{top}"
        for f in [src] if src in file_set else under(src):
            if f.endswith(".py"):
                inner = 0 if f == src else f[len(src) + 1 :].count("/") + 1
                plan.depth_changes[dst + f[len(src) :]] = (inner, 2)

    for old, new in app_moves.items():
        src = path_of_package(old, root)
        dst = join(apps_dir, new.rsplit(".", 1)[-1])
        plan.moves.append((src, dst))
        plan.app_dirs[dst] = plan.labels[new]
        old_depth = len(old.split("."))
        for f in under(src):
            if f.endswith(".py"):
                inner = f[len(src) + 1 :].count("/") + 1
                plan.depth_changes[join(dst, f[len(src) + 1 :])] = (inner, 3 - old_depth)

    plan.mapping = {**modules_to_django, **app_moves}
    # a folder named like the package that is neither the project package nor an app
    if plan.moves and ws.is_dir(target) and project != pkg and pkg not in app_moves:
        pkg_is_moving = any(src == target for src, _ in plan.moves)
        if not pkg_is_moving and not ws.exists(join(target, "django", "__init__.py")):
            plan.problems.append(
                (
                    target,
                    f"{target}/ already exists and is not the project package or an app; package layout not applied",
                )
            )
            plan.moves = []
            plan.mapping = {}
    return plan


@register
class PackageLayout(Step):
    id = "package-layout"
    title = "Lay out the Python package the Model W way"
    why = (
        "Model W projects keep settings, urls, wsgi, asgi and Celery in <pkg>/django/ and every app "
        "in <pkg>/apps/<name>; modelw-docker finds <pkg>.django.wsgi:application from the package "
        "name alone. App labels are kept, so migrations and table names do not change."
    )
    order = 40

    def applies(self, facts: Facts, answers: Answers) -> bool:
        return answers.package_layout == "modelw" and facts.django is not None

    def skip_reason(self, facts: Facts, answers: Answers) -> str:
        if answers.package_layout != "modelw":
            return "package_layout is 'keep': the project keeps its own package layout"
        return "no Django project found"

    def run(self, ctx: StepContext) -> None:
        ws = ctx.workspace
        facts = ctx.facts
        dj = facts.django
        assert dj is not None
        plan = plan_layout(ws, facts, ctx.answers)
        for path, message in plan.problems:
            ctx.follow_up(path, 0, message, "blocker" if "not applied" in message else "todo")
        if not plan.moves:
            return
        root = dj.import_root
        pkg = ctx.answers.package
        files_before = ws.files()
        known = known_modules(files_before, root)
        mm = plan.module_map(known)

        old_modules: dict[str, str] = {}
        for old, new in ws.move_many(plan.moves):
            if new.endswith(".py"):
                name = module_of(old, root)
                if name:
                    old_modules[new] = name

        target = join(root, pkg)
        for init in (join(target, "__init__.py"), join(target, "django", "__init__.py")):
            if not ws.exists(init):
                ws.write(init, "")
        if plan.app_dirs and not ws.exists(join(target, "apps", "__init__.py")):
            ws.write(join(target, "apps", "__init__.py"), "")

        # imports and dotted strings in every Python file that mentions a moved module
        jobs = collect_jobs(ws, mm, old_modules, root)
        for outcome in rewrite_all(jobs, mm, prefetch=ctx.warm):
            if outcome.error:
                ctx.follow_up(
                    outcome.path, 0, f"references not rewritten: {outcome.error}", "blocker"
                )
                continue
            for line, message, level in outcome.followups:
                ctx.follow_up(outcome.path, line, message, level)
            if outcome.code is not None:
                ws.write(outcome.path, outcome.code)

        self._keep_labels(ctx, plan, root, pkg)
        self._fix_file_depths(ctx, plan)
        rewrite_modules_everywhere(ws, mm)
        self._rewrite_paths(ctx, plan)

    def warm_up(self, ctx: StepContext) -> RenamePrefetch | None:
        """Rewrite the imports of a large repository in the background while the
        steps before this one run: the rename is most of this step's time."""
        facts, ws = ctx.facts, ctx.workspace
        if not self.applies(facts, ctx.answers) or facts.django is None:
            return None
        plan = plan_layout(ws, facts, ctx.answers)
        if not plan.moves:
            return None
        root = facts.django.import_root
        files = ws.files()
        mm = plan.module_map(known_modules(files, root))
        return RenamePrefetch.start(str(ws.root), files, root, mm)

    def _keep_labels(self, ctx: StepContext, plan: LayoutPlan, root: str, pkg: str) -> None:
        ws = ctx.workspace
        for folder, label in plan.app_dirs.items():
            name = module_of(join(folder, "__init__.py"), root) or ""
            apps_py = join(folder, "apps.py")
            if not ws.exists(apps_py):
                ws.write(apps_py, new_apps_py(name, label))
                continue
            source = ws.read(apps_py)
            try:
                code, configs = ensure_label(source, name, label)
            except Exception:
                ctx.follow_up(
                    apps_py, 0, f'set `label = "{label}"` on the AppConfig by hand', "blocker"
                )
                continue
            if configs == 0:
                ctx.follow_up(
                    apps_py,
                    0,
                    f'no AppConfig found: add one with name = "{name}" and label = "{label}"',
                    "blocker",
                )
                continue
            ws.write(apps_py, code)

    def _fix_file_depths(self, ctx: StepContext, plan: LayoutPlan) -> None:
        ws = ctx.workspace
        for path, (inner, extra) in plan.depth_changes.items():
            if extra == 0 or not ws.exists(path):
                continue
            source = ws.read(path)
            if "__file__" not in source:
                continue
            from model_w.migrate.restructure.file_depth import deepen  # libcst: only when needed

            try:
                code, count = deepen(source, inner, extra)
            except Exception:
                ctx.follow_up(path, 0, "check paths computed from __file__: the file moved", "todo")
                continue
            if count:
                ws.write(path, code)
                ctx.follow_up(
                    path,
                    0,
                    f"{count} path(s) computed from __file__ now climb {extra} more folder(s) "
                    "because the file moved deeper; check them",
                    "info",
                )

    def _rewrite_paths(self, ctx: StepContext, plan: LayoutPlan) -> None:
        from model_w.migrate.restructure.text_refs import rewrite_paths_everywhere

        rewrite_paths_everywhere(ctx, plan.moves, cwd_moves=False)
