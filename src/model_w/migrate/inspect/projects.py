"""Where the Django projects are: every manage.py, and which one is chosen.

A root manage.py that is a symlink to the real one (a common convenience)
counts once, as the real file. Several real manage.py files mean several
Django projects: the user picks one with --project-dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from model_w.migrate.errors import UserError
from model_w.migrate.inspect.source import RepoView, dirname, normalize

SYMLINK = 0o120000


@dataclass
class ManagePy:
    path: str  # as listed in the repository
    real: str  # the file it resolves to (itself unless a symlink)

    @property
    def is_symlink(self) -> bool:
        return self.path != self.real


def _resolve_symlink(view: RepoView, path: str) -> str:
    if view.mode(path) != SYMLINK:
        return path
    try:
        target = os.readlink(view.ws.root / path)
    except OSError:
        return path
    resolved = normalize(os.path.join(dirname(path), target).replace(os.sep, "/"))
    return resolved if resolved and view.exists(resolved) else path


def find_manage_py(view: RepoView) -> list[ManagePy]:
    """Every manage.py, symlinks resolved to the real file."""
    return [ManagePy(path, _resolve_symlink(view, path)) for path in view.named("manage.py")]


def choose_project(found: list[ManagePy], root: str, project_dir: str | None) -> ManagePy:
    """The manage.py of the project to inspect; UserError when none or ambiguous."""
    if project_dir is not None:
        text = project_dir.strip().rstrip("/") or "."
        if os.path.isabs(text):
            text = os.path.relpath(text, root)
        wanted = normalize(text.replace(os.sep, "/")) or ""
        for item in found:
            if dirname(item.real) == wanted or dirname(item.path) == wanted:
                return ManagePy(item.real, item.real)
        where = f"{root}/{wanted}" if wanted else root
        raise UserError(
            f"no manage.py found under {where}",
            "run modelw inside a Django project or pass its folder",
        )
    real = sorted({item.real for item in found})
    if not real:
        raise UserError(
            f"no manage.py found under {root}",
            "run modelw inside a Django project or pass its folder",
        )
    if len(real) > 1:
        folders = ", ".join(dirname(p) or "." for p in real)
        raise UserError(
            f"several Django projects found ({folders})",
            "pick one with --project-dir DIR",
        )
    return ManagePy(real[0], real[0])
