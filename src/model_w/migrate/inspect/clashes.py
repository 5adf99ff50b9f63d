"""Names Model W's layout needs that the project already uses.

Model W puts Django in a root `api/` folder and the UI in `front/`. A
top-level module, app or folder named `api` (not already a Model W api/),
or a Python module/app named `front`, would collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from model_w.migrate.facts import App
from model_w.migrate.inspect.modelw_state import api_is_modelw
from model_w.migrate.inspect.source import RepoView, join


@dataclass
class Clash:
    name: str
    path: str
    why: str


def _python_module(view: RepoView, folder: str, name: str) -> str | None:
    base = join(folder, name)
    if view.exists(base + ".py"):
        return base + ".py"
    if any(f.startswith(base + "/") and f.endswith(".py") for f in view.files):
        return base
    return None


def find_clashes(
    view: RepoView, import_root: str, apps: list[App], installed: list[str]
) -> list[Clash]:
    clashes: list[Clash] = []
    modelw_api = api_is_modelw(view)
    if not modelw_api:
        for app in apps:
            if app.name == "api" or app.name.split(".")[0] == "api" or app.label == "api":
                clashes.append(Clash("api", app.path, f"the Django app '{app.name}' is named api"))
                break
        else:
            module = _python_module(view, import_root, "api")
            if module:
                clashes.append(
                    Clash("api", module, f"a top-level Python module '{module}' is named api")
                )
            elif any(f.startswith("api/") for f in view.files):
                clashes.append(
                    Clash("api", "api", "a root folder 'api/' exists and is not a Model W api/")
                )
    for app in apps:
        if app.name.split(".")[0] == "front" or app.label == "front":
            clashes.append(Clash("front", app.path, f"the Django app '{app.name}' is named front"))
            break
    else:
        module = _python_module(view, import_root, "front") or (
            _python_module(view, "", "front") if import_root else None
        )
        if module or "front" in installed:
            clashes.append(Clash("front", module or "front", "a Python module is named front"))
    return clashes
