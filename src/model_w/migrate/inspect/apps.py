"""Project apps (folders in the repository) versus third-party apps.

An INSTALLED_APPS entry is a project app when its package is a folder of
the repository under the import root; an AppConfig path
("shop.apps.ShopConfig") counts through its package. The label is the
AppConfig's `label` when set, else the last dotted part, as in Django.
"""

from __future__ import annotations

import ast

from model_w.migrate.facts import App
from model_w.migrate.inspect.source import RepoView, join, str_const


def _config_classes(view: RepoView, path: str) -> dict[str, dict[str, str]]:
    """Class name -> {"name": ..., "label": ...} for AppConfig-like classes of a module."""
    tree = view.parsed(path) if view.exists(path) else None
    result: dict[str, dict[str, str]] = {}
    if tree is None:
        return result
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        attrs: dict[str, str] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                value = str_const(stmt.value)
                if isinstance(target, ast.Name) and value is not None:
                    attrs[target.id] = value
        bases = [ast.unparse(b) for b in node.bases]
        if any(b.endswith("AppConfig") for b in bases) or "name" in attrs:
            result[node.name] = attrs
    return result


def classify_app(view: RepoView, import_root: str, entry: str) -> App | None:
    """An App for a project app, None for a third-party one."""
    folder = join(import_root, entry.replace(".", "/"))
    if view.is_package_dir(folder):
        label = entry.rpartition(".")[2]
        for attrs in _config_classes(view, join(folder, "apps.py")).values():
            if attrs.get("name") == entry and attrs.get("label"):
                label = attrs["label"]
        return App(name=entry, label=label, path=folder)
    module, _, cls = entry.rpartition(".")
    if module:
        module_path = view.module_file(import_root, module)
        if module_path:
            attrs = _config_classes(view, module_path).get(cls)
            if attrs is not None:
                package = attrs.get("name") or module.rpartition(".")[0]
                app_folder = join(import_root, package.replace(".", "/"))
                if not view.is_package_dir(app_folder):
                    app_folder = module_path.rpartition("/")[0]
                label = attrs.get("label") or package.rpartition(".")[2]
                return App(name=entry, label=label, path=app_folder)
    return None


def split_apps(
    view: RepoView, import_root: str, installed: list[str]
) -> tuple[list[App], list[str]]:
    """(project apps, third-party apps); Django's own contrib apps are in neither."""
    project: list[App] = []
    third: list[str] = []
    for entry in installed:
        app = classify_app(view, import_root, entry)
        if app is not None:
            project.append(app)
        elif not entry.startswith("django."):
            third.append(entry)
    return project, third
