"""Inspection entry points: Facts of a workspace, of a folder.

`inspect_workspace` reads files only through the Workspace (so it sees the
overlay between steps) and never imports project code; each kind of fact
comes from one small module of this package.
"""

from __future__ import annotations

import copy
import weakref
from pathlib import Path

from model_w.migrate.errors import UserError
from model_w.migrate.facts import DjangoFacts, Facts, GitFacts, Location
from model_w.migrate.inspect.apps import split_apps
from model_w.migrate.inspect.clashes import find_clashes
from model_w.migrate.inspect.dependencies import find_dependency_files
from model_w.migrate.inspect.env_reads import inspect_env
from model_w.migrate.inspect.findings import (
    clash_findings,
    database_findings,
    helper_findings,
    project_findings,
    secret_findings,
    settings_findings,
)
from model_w.migrate.inspect.frontends import inspect_frontends
from model_w.migrate.inspect.git_facts import inspect_git
from model_w.migrate.inspect.infra import inspect_infra
from model_w.migrate.inspect.modelw_state import inspect_modelw
from model_w.migrate.inspect.projects import choose_project, find_manage_py
from model_w.migrate.inspect.secrets_scan import find_hardcoded_secrets
from model_w.migrate.inspect.services import inspect_services
from model_w.migrate.inspect.settings_chain import build_settings
from model_w.migrate.inspect.settings_sources import find_sources
from model_w.migrate.inspect.settings_values import evaluate
from model_w.migrate.inspect.source import RepoView, dirname, join
from model_w.migrate.inspect.versions import inspect_versions
from model_w.migrate.workspace import Workspace


def _import_root(view: RepoView, project_dir: str, default: str | None) -> str:
    """The folder on sys.path: manage.py's folder, unless the settings live below it.

    A bare module name ("settings") only moves the import root when exactly
    one file below matches: app-level `settings.py` files are common.
    """
    if not default or view.module_file(project_dir, default):
        return project_dir
    tail = default.replace(".", "/")
    prefix = project_dir + "/" if project_dir else ""
    candidates = []
    for path in view.files:
        if not path.startswith(prefix):
            continue
        for suffix in (f"/{tail}.py", f"/{tail}/__init__.py"):
            if ("/" + path).endswith(suffix):
                candidates.append(
                    path[: len(path) - len(suffix)] if len(path) > len(suffix) else ""
                )
    return candidates[0] if len(set(candidates)) == 1 else project_dir


def _project_package(default: str | None, root_urlconf: str | None, wsgi: str | None) -> str | None:
    for dotted in (root_urlconf, wsgi and wsgi.rpartition(".")[0]):
        if dotted and "." in dotted:
            return dotted.rpartition(".")[0]
    if default and "." in default:
        parts = default.split(".")[:-1]
        if len(parts) > 1 and parts[-1] in ("settings", "conf", "config", "configs"):
            parts = parts[:-1]
        return ".".join(parts)
    return None


# The last inspection of each workspace: its arguments, the file list, the
# answers to every question it asked (RepoView.asked) and its Facts. The
# engine inspects again after every step; when the step changed nothing the
# inspection looks at, the Facts are the same and are not computed again.
_LAST: weakref.WeakKeyDictionary[Workspace, tuple] = weakref.WeakKeyDictionary()


def inspect_workspace(ws: Workspace, git: GitFacts, project_dir: str | None = None) -> Facts:
    """Facts of the workspace; UserError when no (or several) Django projects."""
    view = RepoView(ws)
    try:
        last = _LAST.get(ws)
    except TypeError:  # a stand-in workspace without weak references
        last = None
    if last is not None:
        last_git, last_dir, last_files, asked, last_facts = last
        if (
            last_git == git
            and last_dir == project_dir
            and last_files == view.files
            and RepoView.same_answers(asked, ws)
        ):
            return copy.deepcopy(last_facts)
    facts = _inspect(view, ws, git, project_dir)
    try:
        _LAST[ws] = (copy.deepcopy(git), project_dir, view.files, view.asked, copy.deepcopy(facts))
    except TypeError:
        pass
    return facts


def _inspect(view: RepoView, ws: Workspace, git: GitFacts, project_dir: str | None) -> Facts:
    facts = Facts(root=str(ws.root), git=git)
    found = find_manage_py(view)
    facts.manage_py_files = [m.path for m in found]
    chosen = choose_project(found, str(ws.root), project_dir)
    folder = dirname(chosen.path)

    sources = find_sources(view, folder)
    manage_sources = [s for s in sources if s.path == chosen.path]
    default = (manage_sources or sources or [None])[0]
    default_module = default.value if default else None
    import_root = _import_root(view, folder, default_module)
    roots = list(dict.fromkeys(s.value for s in sources))
    modules, missing = build_settings(view, import_root, roots)
    names = {m.module for m in modules}
    values = evaluate(view, modules, default_module if default_module in names else None)

    installed = values.union_list("INSTALLED_APPS")
    project_apps, third_party = split_apps(view, import_root, installed)
    root_urlconf = values.string("ROOT_URLCONF")
    wsgi = values.string("WSGI_APPLICATION")
    django = DjangoFacts(
        manage_py=chosen.path,
        project_dir=folder,
        import_root=import_root,
        settings_module=default_module,
        settings_module_sources=[Location(s.path, s.line) for s in sources],
        settings=modules,
        root_urlconf=root_urlconf,
        wsgi_application=wsgi,
        asgi_application=values.string("ASGI_APPLICATION"),
        auth_user_model=values.string("AUTH_USER_MODEL"),
        project_package=_project_package(default_module, root_urlconf, wsgi),
        project_apps=project_apps,
        third_party_apps=third_party,
    )
    facts.django = django

    deps = find_dependency_files(view)
    facts.dependency_files = [d.file for d in deps]
    packages = {p for d in deps for p in d.file.packages}
    facts.services, databases = inspect_services(view, modules, values, installed, packages, folder)
    facts.versions = inspect_versions(view, deps, folder)
    extra = [chosen.path] + [
        f
        for f in view.files
        if f.rsplit("/", 1)[-1] in ("wsgi.py", "asgi.py") and f.startswith(join(folder, ""))
    ]
    facts.env = inspect_env(view, import_root, modules, extra)
    facts.frontends = inspect_frontends(view)
    facts.infra = inspect_infra(view.files)
    facts.modelw = inspect_modelw(view, modules)
    clashes = find_clashes(view, import_root, project_apps, installed)
    facts.name_clashes = list(dict.fromkeys(c.name for c in clashes))

    facts.findings = [
        *settings_findings(view, sources, default_module, modules, missing, import_root),
        *database_findings(databases),
        *helper_findings(facts.env.helpers),
        *secret_findings(find_hardcoded_secrets(view, modules)),
        *clash_findings(clashes),
        *project_findings(found, chosen),
    ]
    return facts


def inspect_path(path: Path, project_dir: str | None = None) -> Facts:
    """Facts of a folder (a git work tree or not); UserError when it does not exist."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such directory", "pass the folder of your Django project")
    if not path.is_dir():
        raise UserError(f"{path}: not a directory", "pass the folder of your Django project")
    git = inspect_git(path)
    if git.bare:
        raise UserError(
            f"{path}: is a bare git repository", "run modelw in a clone with a work tree"
        )
    return inspect_workspace(Workspace(path), git, project_dir)
