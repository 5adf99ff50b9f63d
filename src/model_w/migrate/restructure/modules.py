"""Dotted module names of files, and the module map of the Model W layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from model_w.migrate.codemods.rename_modules import ModuleMap


@lru_cache(maxsize=65536)
def module_of(path: str, import_root: str) -> str | None:
    """`api/blog/models.py` with import root `api` -> `blog.models`."""
    prefix = f"{import_root}/" if import_root else ""
    if not path.startswith(prefix) or not path.endswith(".py"):
        return None
    rel = path[len(prefix) : -3]
    if rel.endswith("/") or not rel:
        return None  # `.py`: a hidden file, not a module
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def path_of_package(dotted: str, import_root: str) -> str:
    rel = dotted.replace(".", "/")
    return f"{import_root}/{rel}" if import_root else rel


def join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


@dataclass
class LayoutPlan:
    """What the package-layout step moves and how modules are renamed.

    moves: (src, dst) workspace paths (files or folders), in order.
    mapping: old dotted module -> new dotted module.
    labels: new app module -> label to keep.
    old_modules: new path of every moved .py file -> its old dotted name
    (relative imports are resolved against the old name).
    """

    moves: list[tuple[str, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    app_dirs: dict[str, str] = field(default_factory=dict)  # new app folder -> label
    depth_changes: dict[str, int] = field(default_factory=dict)  # new path -> levels deeper
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message)

    def module_map(self, known: set[str] | None = None) -> ModuleMap:
        return ModuleMap(self.mapping, known)


def known_modules(files: list[str], import_root: str) -> set[str]:
    """Every dotted module and package name under the import root."""
    known: set[str] = set()
    for path in files:
        name = module_of(path, import_root)
        if name is None:
            continue
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            known.add(".".join(parts[:i]))
    return known
