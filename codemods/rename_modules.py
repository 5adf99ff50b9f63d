"""Rename Python modules everywhere they are referenced, given an old -> new map.

Used by the package-layout step (model-w.md §1.2: settings, urls, wsgi, asgi
and celery live in `<pkg>/django/`, apps in `<pkg>/apps/<name>`) and by the
api-layout step when a top-level `api` app is renamed. It rewrites:

- `import old.mod` / `import old.mod as m` / `from old.mod import x`, and
  `from old import mod` when `old.mod` moved somewhere else (the statement is
  split when its names now live in different modules);
- relative imports whose target no longer sits at the same relative place
  (they become absolute), given the file's old dotted name (`module`);
- uses of a module bound by `import old.mod` (`old.mod.X` -> `new.mod.X`),
  found with libcst's QualifiedNameProvider, so `import old.mod as m` and
  `from old import mod` keep their local names untouched;
- dotted strings: any `"old.mod"`, `"old.mod.Attr"` or `"old.mod:attr"`
  whose prefix is a known module (INSTALLED_APPS AppConfig paths, middleware,
  DRF classes, `include("old.urls")`, `mock.patch("old.mod.x")`, Celery task
  names, DJANGO_SETTINGS_MODULE values); bare names (`"blog"`, `"settings"`)
  only where a module is expected: INSTALLED_APPS and friends, ROOT_URLCONF,
  WSGI/ASGI_APPLICATION, `AppConfig.name`, `patch(...)`, `import_module(...)`,
  Celery `include=`/`autodiscover_tasks(...)`, DJANGO_SETTINGS_MODULE in
  `os.environ.setdefault`/`os.environ[...] =`. `"app_label.Model"` strings
  (ForeignKey targets, AUTH_USER_MODEL) are left alone: app labels do not change.

Two implementations with the same rules: `RenameModulesCommand` (libcst,
qualified names; also runs alone through libcst's CLI with
`--map old=new`) and `fast_rename`, which parses with `ast` and edits the
exact source spans of the nodes it found. `fast_rename` returns None as soon
as a file needs anything beyond span edits (usage chains, split imports,
changed relative imports), and the caller then runs the libcst command.
The tests check that both give the same result on every pattern. This is
the approach django-upgrade takes for speed (field-notes.md).
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.helpers import get_full_name_for_node
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

try:  # inside the installed package
    from model_w.migrate.codemods.base import ModelWCodemod
except ImportError:  # pragma: no cover - run from a checkout by path
    from base import ModelWCodemod  # type: ignore[no-redef]

# Names whose values are module paths even when they have no dot.
MODULE_CONTEXT_NAMES = frozenset(
    {
        "INSTALLED_APPS",
        "ROOT_URLCONF",
        "WSGI_APPLICATION",
        "ASGI_APPLICATION",
        "MIDDLEWARE",
        "MIDDLEWARE_CLASSES",
        "AUTHENTICATION_BACKENDS",
        "DATABASE_ROUTERS",
        "TEST_RUNNER",
        "CELERY_IMPORTS",
        "CELERY_INCLUDE",
        "DJANGO_SETTINGS_MODULE",
        "include",
        "imports",
        "packages",
        "related_name_module",
    }
)
# Calls whose arguments are module paths.
MODULE_CONTEXT_CALLS = frozenset(
    {"patch", "import_module", "__import__", "autodiscover_tasks", "multiple"}
)
ENV_SETTERS = frozenset({"setdefault", "putenv", "setenv"})

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED_RE = re.compile(rf"^({_IDENT}(?:\.{_IDENT})*)((?::{_IDENT}(?:\.{_IDENT})*)?)$")
_SIMPLE_STRING_RE = re.compile(r"^([rRuU]?)('''|\"\"\"|'|\")(.*)\2$", re.S)


def is_context_name(name: str | None) -> bool:
    if not name:
        return False
    return name in MODULE_CONTEXT_NAMES or name.endswith("_APPS")


# -- the map -------------------------------------------------------------------
class ModuleMap:
    """old dotted module -> new dotted module, looked up by longest prefix.

    known: every old module or package name that exists (files moved), used
    to tell `"blog.views.index"` (a module path) from `"blog.Post"` (an app
    label and a model). Without it, a dotted string is a module path when
    its mapped prefix has two parts or it has three parts.
    """

    def __init__(self, mapping: Mapping[str, str], known: Iterable[str] | None = None) -> None:
        self.mapping = {k: v for k, v in mapping.items() if k != v}
        self.known = frozenset(known) if known is not None else None
        self.tops = frozenset(k.split(".")[0] for k in self.mapping)

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def match(self, dotted: str) -> str | None:
        """The longest key that is `dotted` or a dotted prefix of it."""
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            key = ".".join(parts[:i])
            if key in self.mapping:
                return key
        return None

    def map(self, dotted: str) -> str:
        key = self.match(dotted)
        if key is None:
            return dotted
        return self.mapping[key] + dotted[len(key) :]

    def _longest_known(self, dotted: str) -> int:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in self.known:  # type: ignore[operator]
                return i
        return 0

    def map_string(self, text: str, in_context: bool) -> str | None:
        """New text for a string literal holding a module path, or None."""
        m = _DOTTED_RE.match(text)
        if not m:
            return None
        dotted, suffix = m.group(1), m.group(2)
        key = self.match(dotted)
        if key is None:
            return None
        if not in_context:
            if "." not in dotted:
                return None  # "blog", "blog:index" (a URL name)
            if self.known is not None:
                if self._longest_known(dotted) < 2:
                    return None  # "blog.Post": an app label and a model
            elif key.count(".") < 1 and dotted.count(".") < 2:
                return None
        new = self.map(dotted) + suffix
        return new if new != text else None


def parse_map_args(items: Iterable[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise ValueError(f"expected OLD=NEW, got {item!r}")
        mapping[old.strip()] = new.strip()
    return mapping


def resolve_relative(
    module: str | None, level: int, target: str | None, is_package: bool
) -> str | None:
    """Absolute name of a relative import made in `module` (its dotted name)."""
    if not module or level == 0:
        return target
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package) or (level - 1 == len(package) and not target):
        return None
    base = package[: len(package) - (level - 1)]
    if not base and not target:
        return None
    return ".".join([*base, *([target] if target else [])])


def _relative_changes(
    mm: ModuleMap,
    module: str,
    is_package: bool,
    level: int,
    target: str | None,
    names: Iterable[str] = (),
) -> tuple[str, str] | None:
    """(old, new) absolute targets when a relative import no longer resolves the same.

    names: the imported names, which may be submodules that moved apart.
    """
    old_abs = resolve_relative(module, level, target, is_package)
    if old_abs is None:
        return None
    new_abs = mm.map(old_abs)
    new_rel = resolve_relative(mm.map(module), level, target, is_package)
    if new_rel == new_abs and all(mm.map(f"{old_abs}.{n}") == f"{new_rel}.{n}" for n in names):
        return None
    return old_abs, new_abs


# -- libcst implementation -----------------------------------------------------
def _dotted_expr(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _call_name(func: cst.BaseExpression) -> str:
    name = get_full_name_for_node(func) or ""
    return name.rsplit(".", 1)[-1]


def _env_key_literal(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value == "DJANGO_SETTINGS_MODULE"


class RenameModulesCommand(ModelWCodemod):
    DESCRIPTION = "Rename modules in imports, their uses and dotted strings, given OLD=NEW pairs."
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--map",
            dest="mapping",
            action="append",
            default=[],
            help="OLD=NEW module pair (repeatable)",
        )

    def __init__(
        self,
        context: CodemodContext,
        mapping: Mapping[str, str] | Iterable[str] | ModuleMap = (),
        module: str | None = None,
        is_package: bool = False,
        known: Iterable[str] | None = None,
    ) -> None:
        super().__init__(context)
        if isinstance(mapping, ModuleMap):
            self.mm = mapping
        elif isinstance(mapping, Mapping):
            self.mm = ModuleMap(mapping, known)
        else:
            self.mm = ModuleMap(parse_map_args(mapping), known)
        if module is None and context.full_module_name:
            module = context.full_module_name
            is_package = (context.filename or "").endswith("__init__.py")
        self.file_module = module
        self.is_package = is_package
        self._ctx = 0
        self._ctx_stack: list[bool] = []
        self._in_import = 0
        self._concat = 0
        self._classes: list[bool] = []  # True: an AppConfig class body is the innermost scope
        self._split: dict[cst.ImportFrom, list[cst.ImportFrom]] = {}

    # context tracking ---------------------------------------------------------
    def _push(self, flag: bool) -> None:
        self._ctx_stack.append(flag)
        if flag:
            self._ctx += 1

    def _pop(self) -> None:
        if self._ctx_stack.pop():
            self._ctx -= 1

    def _target_is_context(self, target: cst.BaseExpression) -> bool:
        if isinstance(target, cst.Name):
            if target.value == "name" and self._classes and self._classes[-1]:
                return True
            return is_context_name(target.value)
        if isinstance(target, cst.Attribute):
            return is_context_name(target.attr.value)
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            return isinstance(index, cst.Index) and _env_key_literal(index.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = [get_full_name_for_node(b.value) or "" for b in node.bases]
        self._classes.append(any(b.rsplit(".", 1)[-1] == "AppConfig" for b in bases))

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._classes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._classes.append(False)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._classes.pop()
        return updated_node

    def visit_Assign(self, node: cst.Assign) -> None:
        self._push(any(self._target_is_context(t.target) for t in node.targets))

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        self._pop()
        return updated_node

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._push(self._target_is_context(node.target))

    def leave_AugAssign(
        self, original_node: cst.AugAssign, updated_node: cst.AugAssign
    ) -> cst.AugAssign:
        self._pop()
        return updated_node

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._push(self._target_is_context(node.target))

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        self._pop()
        return updated_node

    def visit_Call(self, node: cst.Call) -> None:
        name = _call_name(node.func)
        flag = name in MODULE_CONTEXT_CALLS
        if name in ENV_SETTERS and node.args and _env_key_literal(node.args[0].value):
            flag = True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "append",
            "extend",
            "insert",
        ):
            owner = node.func.value
            flag = flag or (
                isinstance(owner, (cst.Name, cst.Attribute)) and self._target_is_context(owner)
            )
        self._push(flag)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        self._pop()
        return updated_node

    def visit_Arg(self, node: cst.Arg) -> None:
        self._push(node.keyword is not None and is_context_name(node.keyword.value))

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        self._pop()
        return updated_node

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._concat += 1

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.ConcatenatedString:
        self._concat -= 1
        return updated_node

    # strings ------------------------------------------------------------------
    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if self._concat or self._in_import:
            return updated_node
        m = _SIMPLE_STRING_RE.match(updated_node.value)
        if not m or "\\" in m.group(3):
            return updated_node
        new = self.mm.map_string(m.group(3), self._ctx > 0)
        if new is None:
            return updated_node
        return updated_node.with_changes(value=f"{m.group(1)}{m.group(2)}{new}{m.group(2)}")

    # imports ------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self._in_import -= 1
        aliases = []
        for alias in updated_node.names:
            old = get_full_name_for_node(alias.name) or ""
            new = self.mm.map(old)
            if new != old:
                alias = alias.with_changes(name=_dotted_expr(new))
            aliases.append(alias)
        return updated_node.with_changes(names=aliases)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_import += 1

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        self._in_import -= 1
        level = len(updated_node.relative)
        target = get_full_name_for_node(updated_node.module) if updated_node.module else None
        if level:
            if not self.file_module:
                return updated_node
            names = (
                []
                if isinstance(updated_node.names, cst.ImportStar)
                else [get_full_name_for_node(a.name) or "" for a in updated_node.names]
            )
            changed = _relative_changes(
                self.mm, self.file_module, self.is_package, level, target, names
            )
            if changed is None:
                return updated_node
            old_abs, new_abs = changed
            if isinstance(updated_node.names, cst.ImportStar):
                return updated_node.with_changes(relative=(), module=_dotted_expr(new_abs))
            return self._regroup(updated_node, old_abs, new_abs, relative=True)
        if target is None:
            return updated_node
        new_module = self.mm.map(target)
        if isinstance(updated_node.names, cst.ImportStar):
            if new_module == target:
                return updated_node
            return updated_node.with_changes(module=_dotted_expr(new_module))
        return self._regroup(updated_node, target, new_module)

    def _regroup(
        self, node: cst.ImportFrom, old_module: str, new_module: str, relative: bool = False
    ) -> cst.ImportFrom:
        groups: dict[str, list[cst.ImportAlias]] = {}
        assert not isinstance(node.names, cst.ImportStar)
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            full_new = self.mm.map(f"{old_module}.{name}")
            if full_new == f"{new_module}.{name}":
                groups.setdefault(new_module, []).append(alias)
                continue
            parent, _, last = full_new.rpartition(".")
            if last != name and alias.asname is None:
                alias = alias.with_changes(
                    name=cst.Name(last), asname=cst.AsName(name=cst.Name(name))
                )
            elif last != name:
                alias = alias.with_changes(name=cst.Name(last))
            groups.setdefault(parent, []).append(alias)
        if not relative and list(groups) == [old_module]:
            return node
        first, *rest = groups.items()
        aliases = _fix_commas(first[1]) if rest else first[1]
        result = node.with_changes(relative=(), module=_dotted_expr(first[0]), names=aliases)
        if rest:
            self._split[result] = [
                node.with_changes(
                    relative=(),
                    module=_dotted_expr(mod),
                    names=_fix_commas(aliases),
                    lpar=None,
                    rpar=None,
                )
                for mod, aliases in rest
            ]
        return result

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        if not self._split:
            return updated_node
        extra: list[cst.SimpleStatementLine] = []
        for stmt in updated_node.body:
            for more in self._split.pop(stmt, []):  # type: ignore[call-overload]
                extra.append(cst.SimpleStatementLine(body=[more]))
        if not extra:
            return updated_node
        return cst.FlattenSentinel([updated_node, *extra])

    # uses of modules bound by `import a.b` --------------------------------------
    def _rewrite_use(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        if self._in_import:
            return updated
        dotted = get_full_name_for_node(original)
        if not dotted or dotted.split(".")[0] not in self.mm.tops:
            return updated
        try:
            names = self.get_metadata(QualifiedNameProvider, original, set())
        except KeyError:  # pragma: no cover - node created by us
            return updated
        if not any(q.source == QualifiedNameSource.IMPORT and q.name == dotted for q in names):
            return updated
        new = self.mm.map(dotted)
        if new == dotted:
            return updated
        expr = _dotted_expr(new)
        if isinstance(updated, (cst.Name, cst.Attribute)):
            expr = expr.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return expr

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self._rewrite_use(original_node, updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return self._rewrite_use(original_node, updated_node)


def _fix_commas(aliases: list[cst.ImportAlias]) -> list[cst.ImportAlias]:
    result = []
    for i, alias in enumerate(aliases):
        if i == len(aliases) - 1:
            alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        elif alias.comma is cst.MaybeSentinel.DEFAULT:
            alias = alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        result.append(alias)
    return result


# -- ast implementation (fast path) ---------------------------------------------
def _ast_dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _AstScan(ast.NodeVisitor):
    """Collects span edits with the same rules as RenameModulesCommand."""

    def __init__(
        self, mm: ModuleMap, lines: list[bytes], module: str | None, is_package: bool
    ) -> None:
        self.mm = mm
        self.lines = lines
        self.file_module = module
        self.is_package = is_package
        self.edits: list[tuple[int, int, int, int, str]] = []  # line, col, end_line, end_col, text
        self.bound_heads: set[str] = set()
        self.ctx = 0
        self.classes: list[bool] = []
        self.bail = False

    # helpers
    def _segment(self, node: ast.AST) -> str | None:
        ln, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
        eln, ecol = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        if ln != eln:
            return None
        return self.lines[ln - 1][col:ecol].decode("utf-8")

    def _target_is_context(self, target: ast.AST) -> bool:
        if isinstance(target, ast.Name):
            if target.id == "name" and self.classes and self.classes[-1]:
                return True
            return is_context_name(target.id)
        if isinstance(target, ast.Attribute):
            return is_context_name(target.attr)
        if isinstance(target, ast.Subscript):
            s = target.slice
            return isinstance(s, ast.Constant) and s.value == "DJANGO_SETTINGS_MODULE"
        return False

    def _with_ctx(self, flag: bool, nodes: Iterable[ast.AST]) -> None:
        if flag:
            self.ctx += 1
        for n in nodes:
            self.visit(n)
        if flag:
            self.ctx -= 1

    # scopes
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [_ast_dotted(b) or "" for b in node.bases]
        for d in node.decorator_list:
            self.visit(d)
        for b in [*node.bases, *node.keywords]:
            self.visit(b)
        self.classes.append(any(b.rsplit(".", 1)[-1] == "AppConfig" for b in bases))
        for stmt in node.body:
            self.visit(stmt)
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.classes.append(False)
        self.generic_visit(node)
        self.classes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.generic_visit(node)

    # contexts
    def visit_Assign(self, node: ast.Assign) -> None:
        flag = any(self._target_is_context(t) for t in node.targets)
        self._with_ctx(flag, [*node.targets, node.value])

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._with_ctx(self._target_is_context(node.target), [node.target, node.value])

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        parts = [node.target, node.annotation] + ([node.value] if node.value else [])
        self._with_ctx(self._target_is_context(node.target), parts)

    def visit_Call(self, node: ast.Call) -> None:
        name = (_ast_dotted(node.func) or "").rsplit(".", 1)[-1]
        if not name and isinstance(node.func, ast.Attribute):
            name = node.func.attr
        flag = name in MODULE_CONTEXT_CALLS
        if name in ENV_SETTERS and node.args:
            first = node.args[0]
            flag = flag or (
                isinstance(first, ast.Constant) and first.value == "DJANGO_SETTINGS_MODULE"
            )
        if isinstance(node.func, ast.Attribute) and node.func.attr in (
            "append",
            "extend",
            "insert",
        ):
            owner = node.func.value
            flag = flag or (
                isinstance(owner, (ast.Name, ast.Attribute)) and self._target_is_context(owner)
            )
        self.visit(node.func)
        if flag:
            self.ctx += 1
        for a in node.args:
            self.visit(a)
        for kw in node.keywords:
            self._with_ctx(is_context_name(kw.arg), [kw.value])
        if flag:
            self.ctx -= 1

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                self.visit(v)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        new = self.mm.map_string(node.value, self.ctx > 0)
        if new is None:
            return
        seg = self._segment(node)
        if seg is None:
            return  # multi-line: libcst would only match a simple one-line string too
        m = _SIMPLE_STRING_RE.match(seg)
        if not m or "\\" in m.group(3) or m.group(3) != node.value:
            return  # concatenation or escapes: left alone, as libcst does
        self.edits.append(
            (
                node.lineno,
                node.col_offset,
                node.end_lineno,
                node.end_col_offset,  # type: ignore[arg-type]
                f"{m.group(1)}{m.group(2)}{new}{m.group(2)}",
            )
        )

    # imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname is None and alias.name.split(".")[0] in self.mm.tops:
                self.bound_heads.add(alias.name.split(".")[0])
            new = self.mm.map(alias.name)
            if new == alias.name:
                continue
            seg = self._segment(alias)
            if seg is None or not seg.startswith(alias.name):
                self.bail = True
                return
            self.edits.append(
                (
                    alias.lineno,
                    alias.col_offset,
                    alias.lineno,
                    alias.col_offset + len(alias.name),
                    new,
                )
            )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            names = [a.name for a in node.names if a.name != "*"]
            if self.file_module and _relative_changes(
                self.mm, self.file_module, self.is_package, node.level, node.module, names
            ):
                self.bail = True
            return
        if not node.module:
            return
        star = len(node.names) == 1 and node.names[0].name == "*"
        if star:
            new_module = self.mm.map(node.module)
        else:
            parents = set()
            for alias in node.names:
                full_new = self.mm.map(f"{node.module}.{alias.name}")
                if not full_new.endswith("." + alias.name):
                    self.bail = True  # renamed name: libcst adds an alias
                    return
                parents.add(full_new[: -len(alias.name) - 1])
            if len(parents) != 1:
                self.bail = True  # names now live in several modules: libcst splits it
                return
            new_module = parents.pop()
        if new_module == node.module:
            return
        line = self.lines[node.lineno - 1]
        m = re.compile(rb"from\s+(" + re.escape(node.module.encode()) + rb")\b").match(
            line, node.col_offset
        )
        if not m:
            self.bail = True
            return
        self.edits.append((node.lineno, m.start(1), node.lineno, m.end(1), new_module))

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.mm.tops:
            self.used_heads.add(node.id)

    used_heads: set[str]


def fast_rename(
    source: str,
    mapping: ModuleMap | Mapping[str, str],
    module: str | None = None,
    is_package: bool = False,
    known: Iterable[str] | None = None,
) -> str | None:
    """The renamed source using `ast` and span edits; None when libcst must do it."""
    mm = mapping if isinstance(mapping, ModuleMap) else ModuleMap(mapping, known)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    if "\r" in source or "\f" in source:
        return None
    lines = source.encode("utf-8").split(b"\n")
    scan = _AstScan(mm, lines, module, is_package)
    scan.used_heads = set()
    scan.visit(tree)
    if scan.bail or (scan.bound_heads & scan.used_heads):
        return None
    if not scan.edits:
        return source
    for ln, col, eln, ecol, text in sorted(scan.edits, reverse=True):
        assert ln == eln
        raw = lines[ln - 1]
        lines[ln - 1] = raw[:col] + text.encode("utf-8") + raw[ecol:]
    return b"\n".join(lines).decode("utf-8")


def mentions(text: str, mm: ModuleMap) -> bool:
    """Cheap text test: could this source refer to a mapped module?"""
    return any(top in text for top in mm.tops)


__all__ = [
    "ModuleMap",
    "RenameModulesCommand",
    "fast_rename",
    "mentions",
    "parse_map_args",
    "resolve_relative",
]
