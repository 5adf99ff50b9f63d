"""Is the repository already (partly) on Model W?

Signs: settings importing the preset (`ModelWDjango`) or the env manager
(`EnvManager`); an api/pyproject.toml depending on modelw-preset-django;
the `<pkg>/django/` layout under api/; a front/ component. `on_modelw` is
true when the settings use the preset and the api/ layout is in place.
"""

from __future__ import annotations

import ast

from model_w.migrate.facts import ModelWState, SettingsModule
from model_w.migrate.inspect.source import RepoView
from model_w.migrate.inspect.tomlread import load_toml

PRESET_MODULES = ("model_w.preset", "model_w.env_manager")


def settings_use_preset(view: RepoView, module: SettingsModule) -> set[str]:
    tree = view.parsed(module.path) if not module.parse_error else None
    names: set[str] = set()
    for node in ast.walk(tree) if tree else []:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith(PRESET_MODULES)
        ):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PRESET_MODULES):
                    names.add(alias.name)
    return names


def api_is_modelw(view: RepoView) -> bool:
    """api/ holds a Model W Django component (its pyproject names the preset)."""
    for name in ("api/pyproject.toml",):
        if view.exists(name):
            data = load_toml(view.text_or_none(name) or "")
            text = repr(data)
            if "modelw-preset-django" in text:
                return True
    return False


def inspect_modelw(view: RepoView, modules: list[SettingsModule]) -> ModelWState:
    state = ModelWState()
    uses_preset = False
    for module in modules:
        names = settings_use_preset(view, module)
        if "ModelWDjango" in names or any(n.startswith("model_w.preset") for n in names):
            uses_preset = True
            state.signs.append(f"{module.path} uses the preset (ModelWDjango)")
        elif "EnvManager" in names or any(n.startswith("model_w.env_manager") for n in names):
            state.signs.append(f"{module.path} uses EnvManager")
    api = api_is_modelw(view)
    if api:
        state.signs.append("api/pyproject.toml depends on modelw-preset-django")
    if any(f.startswith("api/") and "/django/settings.py" in f for f in view.files):
        state.signs.append("api/<pkg>/django/settings.py layout")
    if view.exists("front/package.json"):
        state.signs.append("front/ component")
    state.on_modelw = uses_preset and api
    return state
