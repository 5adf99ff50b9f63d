"""The settings modules and how they chain.

Starting from each default DJANGO_SETTINGS_MODULE, follow star imports
(`from .base import *`), local overrides (`try: from .local_settings import *`)
and django-split-settings `include()` fragments; add the sibling modules of
a settings package (dev, production, test...) even when no default names
them. Settings are found by following imports, never by file name alone.
"""

from __future__ import annotations

import ast
import fnmatch
import re

from model_w.migrate.facts import SettingsModule
from model_w.migrate.inspect.source import (
    RepoView,
    dirname,
    dotted_name,
    join,
    normalize,
    str_const,
)

LOCAL_NAMES = frozenset({"local_settings", "local", "settings_local", "local_config", "locals"})
# package names that hold settings only (a bare `config` package also holds urls/wsgi)
SETTINGS_DIRS = frozenset({"settings", "configs", "configurations", "environments", "envs"})
ROLE_NAMES = {
    "base": ("base", "common", "defaults", "default", "shared", "settings_base", "base_settings"),
    "dev": ("dev", "develop", "development", "local_dev", "dev_settings", "docker", "debug"),
    "production": ("prod", "production", "live", "production_settings", "prod_settings", "deploy"),
    "test": ("test", "tests", "testing", "ci", "test_settings", "settings_test"),
    "local": tuple(sorted(LOCAL_NAMES)),
}


def module_name_for(path: str, import_root: str) -> str:
    """Dotted module name of a file under the import root."""
    rel = (
        path[len(import_root) + 1 :] if import_root and path.startswith(import_root + "/") else path
    )
    rel = rel[:-3] if rel.endswith(".py") else rel
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return rel.replace("/", ".")


def _package_of(module: str, path: str) -> str:
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def resolve_import(module: str, path: str, node: ast.ImportFrom) -> str:
    """Absolute dotted name of an ImportFrom, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = _package_of(module, path)
    parts = package.split(".") if package else []
    if node.level > 1:
        parts = parts[: len(parts) - (node.level - 1)]
    if node.module:
        parts.append(node.module)
    return ".".join(p for p in parts if p)


class _Analysis(ast.NodeVisitor):
    """Star imports, guarded local imports and include() calls of one module."""

    def __init__(self, module: str, path: str) -> None:
        self.module = module
        self.path = path
        self.star_imports: list[str] = []
        self.local_imports: list[str] = []
        self.includes: list[str] = []
        self.lists: dict[str, list[ast.expr]] = {}
        self.strings: dict[str, str] = {}
        self._guard = 0
        self.include_names: set[str] = set()

    def _guarded(self, node: ast.AST, fields: tuple[str, ...]) -> None:
        self._guard += 1
        for name in fields:
            for child in getattr(node, name, []):
                self.visit(child)
        self._guard -= 1

    def visit_Try(self, node: ast.Try) -> None:
        self._guarded(node, ("body", "handlers", "orelse", "finalbody"))

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self._guarded(node, ("body", "orelse"))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return  # code in functions does not run when settings load

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if isinstance(node.value, ast.List | ast.Tuple):
                self.lists[name] = list(node.value.elts)
            elif str_const(node.value) is not None:
                self.strings[name] = str_const(node.value)  # type: ignore[assignment]
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").startswith("split_settings"):
            self.include_names.update(a.asname or a.name for a in node.names if a.name == "include")
        target = resolve_import(self.module, self.path, node)
        last = target.rpartition(".")[2]
        if last in LOCAL_NAMES:
            self.local_imports.append(target)
        if any(alias.name == "*" for alias in node.names):
            self.star_imports.append(target)

    def visit_Call(self, node: ast.Call) -> None:
        name = dotted_name(node.func) or ""
        if name in self.include_names or name.endswith("split_settings.tools.include"):
            for arg in node.args:
                self.includes.extend(self._include_args(arg))
        self.generic_visit(node)

    def _include_args(self, arg: ast.expr) -> list[str]:
        if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
            items = self.lists.get(arg.value.id, [])
            return [p for item in items for p in self._include_args(item)]
        if isinstance(arg, ast.Call) and (dotted_name(arg.func) or "").endswith("optional"):
            return [p for a in arg.args for p in self._include_args(a)]
        if isinstance(arg, ast.Name) and arg.id in self.strings:
            return [self.strings[arg.id]]
        text = str_const(arg)
        if text is not None:
            return [text]
        if isinstance(arg, ast.JoinedStr):
            return [_render_fstring(arg)]
        return []


def _render_fstring(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue):
            parts.append("{" + ast.unparse(value.value) + "}")
    return "".join(parts)


def _glob(pattern: str) -> str:
    return re.sub(r"\{[^}]*\}", "*", pattern)


class ChainBuilder:
    """Builds the list of SettingsModule for one Django project."""

    def __init__(self, view: RepoView, import_root: str) -> None:
        self.view = view
        self.import_root = import_root
        self.modules: dict[str, SettingsModule] = {}
        self.fragments: set[str] = set()
        # (dotted name, "root" | "star" | "local", importing path) not in the repository
        self.missing: list[tuple[str, str, str]] = []

    def visit(
        self, dotted: str, fragment_path: str | None = None, kind: str = "root", importer: str = ""
    ) -> SettingsModule | None:
        if dotted in self.modules:
            return self.modules[dotted]
        path = fragment_path or self.view.module_file(self.import_root, dotted)
        if path is None:
            if all(m[0] != dotted for m in self.missing):
                self.missing.append((dotted, kind, importer))
            return None
        module = SettingsModule(module=dotted, path=path)
        self.modules[dotted] = module
        if fragment_path:
            self.fragments.add(dotted)
        tree = self.view.tree(path)
        if not isinstance(tree, ast.Module):
            module.parse_error = str(tree)
            return module
        analysis = _Analysis(dotted, path)
        analysis.visit(tree)
        module.star_imports = list(dict.fromkeys(analysis.star_imports))
        module.includes = list(dict.fromkeys(analysis.includes))
        module.local_override = bool(analysis.local_imports)
        locals_ = set(analysis.local_imports)
        for star in module.star_imports:
            if self._is_project_module(star):
                self.visit(star, kind="local" if star in locals_ else "star", importer=path)
        for local in analysis.local_imports:
            if local not in module.star_imports and self._is_project_module(local):
                self.visit(local, kind="local", importer=path)
        for pattern in module.includes:
            for fragment in self._fragment_files(path, pattern):
                self.visit(module_name_for(fragment, self.import_root), fragment)
        return module

    def _is_project_module(self, dotted: str) -> bool:
        """Relative or first-party: its top package is in the repository."""
        top = dotted.split(".")[0]
        return bool(top) and (
            self.view.module_file(self.import_root, top) is not None
            or self.view.module_file(self.import_root, dotted) is not None
        )

    def _fragment_files(self, including: str, pattern: str) -> list[str]:
        target = normalize(join(dirname(including), _glob(pattern)))
        if target is None:
            return []
        return [
            f
            for f in self.view.files
            if fnmatch.fnmatchcase(f, target)
            and not f.endswith("__init__.py")
            and f.endswith(".py")
        ]

    def add_siblings(self, dotted: str) -> None:
        """Other modules of the settings package of `dotted` (dev, production, test...)."""
        path = self.view.module_file(self.import_root, dotted)
        if not path or path.endswith("__init__.py") or "." not in dotted:
            return
        folder = dirname(path)
        if not self.view.exists(join(folder, "__init__.py")):
            return
        chain = set(self.modules)
        for candidate in self.view.files:
            if dirname(candidate) != folder or not candidate.endswith(".py"):
                continue
            if candidate.endswith("__init__.py"):
                continue
            name = module_name_for(candidate, self.import_root)
            if name in self.modules:
                continue
            tree = self.view.parsed(candidate)
            stars = set()
            if tree is not None:
                analysis = _Analysis(name, candidate)
                analysis.visit(tree)
                stars = set(analysis.star_imports)
            if folder.rsplit("/", 1)[-1] in SETTINGS_DIRS or stars & chain:
                self.visit(name)

    def result(self) -> list[SettingsModule]:
        modules = list(self.modules.values())
        star_imported = {s for m in modules for s in m.star_imports}
        main = [
            m
            for m in modules
            if m.module not in self.fragments and _role_by_name(m.module) != "local"
        ]
        for m in modules:
            m.role = _role(m, star_imported, self.fragments, len(main))
        return sorted(modules, key=lambda m: m.path)


def _role_by_name(dotted: str) -> str | None:
    last = dotted.rpartition(".")[2].lower().replace("-", "_")
    for role, names in ROLE_NAMES.items():
        if last in names:
            return role
    return None


def _role(module: SettingsModule, star_imported: set[str], fragments: set[str], main: int) -> str:
    """single, base, dev, production, test, local, fragment or unknown."""
    if module.module in fragments:
        return "fragment"
    by_name = _role_by_name(module.module)
    if by_name:
        return by_name
    if module.module in star_imported:
        return "base"
    if main == 1:
        return "single"
    return "unknown"


def build_settings(
    view: RepoView, import_root: str, roots: list[str]
) -> tuple[list[SettingsModule], list[tuple[str, str, str]]]:
    """Settings modules reachable from the default modules, and what was missing."""
    builder = ChainBuilder(view, import_root)
    for dotted in roots:
        builder.visit(dotted)
    for dotted in roots:
        builder.add_siblings(dotted)
    missing = [m for m in builder.missing if m[0] not in builder.modules]
    return builder.result(), missing
