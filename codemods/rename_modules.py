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
qualified names, in rename_modules_cst.py and imported from here only on
demand; also runs alone through libcst's CLI with `--map old=new`) and
`fast_rename`, which parses with `ast` and edits the exact source spans of the nodes it found. `fast_rename` returns None as soon
as a file needs anything beyond span edits (usage chains, split imports,
changed relative imports), and the caller then runs the libcst command.
The tests check that both give the same result on every pattern. This is
the approach django-upgrade takes for speed (field-notes.md).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from model_w.migrate.pyast import dotted_name

if TYPE_CHECKING:
    from model_w.migrate.codemods.rename_modules_cst import RenameModulesCommand

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


# -- ast implementation (fast path) ---------------------------------------------
def _skip(_visitor: object, _node: ast.AST) -> None:
    return None


_DISPATCH: dict[type, dict[type, object]] = {}  # visitor class -> node class -> method


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
        self._dispatch = _DISPATCH.setdefault(type(self), {})

    # traversal: NodeVisitor's, with the method lookup cached per node type and
    # leaf nodes without fields (Load, Store, operators) skipped

    # lines of the source that mention a mapped module's top name or hold a
    # relative import: a statement or expression spanning none of them cannot
    # need an edit, so its whole subtree is skipped (most of a real module)
    hit_lines: list[int] | None = None

    def visit(self, node: ast.AST) -> None:
        hits = self.hit_lines
        if hits is not None:
            start = getattr(node, "lineno", None)
            if start is not None:
                decorators = getattr(node, "decorator_list", None)
                if decorators:  # a def's lineno is its `def` line, after its decorators
                    start = min(start, decorators[0].lineno)
                index = bisect_left(hits, start)
                if index == len(hits) or hits[index] > node.end_lineno:  # type: ignore[attr-defined]
                    return
        cls = node.__class__
        method = self._dispatch.get(cls)
        if method is None:
            method = getattr(type(self), "visit_" + cls.__name__, None)
            if method is None:
                method = _AstScan.generic_visit if cls._fields else _skip
            self._dispatch[cls] = method
        method(self, node)  # type: ignore[operator]

    def generic_visit(self, node: ast.AST) -> None:
        visit = self.visit
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
            elif isinstance(value, ast.AST):
                visit(value)

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
        bases = [dotted_name(b) or "" for b in node.bases]
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
        name = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
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
    scan.hit_lines = _hit_lines(source, mm)
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


def words_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly these words, written as a trie of their letters.

    Python's `re` tries the branches of `a|b|c` one by one at every position;
    a trie rejects a position after its first letter, which makes the scan of
    a large repository for a hundred app names several times faster.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alternatives = [
            re.escape(char) + branch(child) for char, child in sorted(node.items()) if char
        ]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


def word_starts(pattern: re.Pattern[str], text: str, after_dot: bool = True) -> Iterator[int]:
    """Where `pattern` (a `words_pattern` then `(?!\\w)`) matches a whole word in `text`.

    The character before is checked here rather than with a leading `\\b`,
    which would keep `re` from scanning for the words' first letters (three
    times slower over a large repository). after_dot=False also refuses a
    word that follows a dot (an attribute, not a module).
    """
    for match in pattern.finditer(text):
        start = match.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before == "_" or (before == "." and not after_dot):
                continue
        yield start


def words_regex(words: Iterable[str]) -> re.Pattern[str]:
    """The compiled pattern `word_starts` expects."""
    return re.compile(rf"{words_pattern(words)}(?!\w)")


_HIT_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+\.", re.M)


def _hit_lines(source: str, mm: ModuleMap) -> list[int]:
    """Sorted line numbers that mention a mapped top name or hold a relative import."""
    pattern = _HIT_PATTERNS.get(mm.tops)
    if pattern is None:
        pattern = _HIT_PATTERNS[mm.tops] = words_regex(mm.tops)
    offsets = list(word_starts(pattern, source, after_dot=False))
    offsets += [m.start() for m in _RELATIVE_IMPORT.finditer(source)]
    return sorted({source.count("\n", 0, offset) + 1 for offset in offsets})


def mentions(text: str, mm: ModuleMap) -> bool:
    """Cheap text test: could this source refer to a mapped module?"""
    return any(top in text for top in mm.tops)


def __getattr__(name: str):
    """The libcst command, imported only when asked for: the `ast` path needs no libcst."""
    if name in _CST_NAMES:
        try:  # inside the installed package
            from model_w.migrate.codemods import rename_modules_cst as impl
        except ImportError:  # pragma: no cover - run from a checkout by path
            import rename_modules_cst as impl  # type: ignore[no-redef]
        return getattr(impl, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_CST_NAMES = frozenset({"RenameModulesCommand"})

__all__ = [
    "ModuleMap",
    "RenameModulesCommand",
    "fast_rename",
    "mentions",
    "parse_map_args",
    "resolve_relative",
]
