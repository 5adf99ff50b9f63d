"""How settings read the environment: styles, every read, project helpers.

Recognised: `os.environ[...]`, `os.environ.get`, `os.getenv`, django-environ
(`environ.Env`), environs (`environs.Env`), python-decouple (`config`),
dj-database-url (`dj_database_url.config`), python-dotenv (`load_dotenv`),
and project helpers: functions (or lambdas) whose body reads the
environment, defined in a settings module or imported from a project
module. A helper is "plain" when its body is one `return` of one env read
of its first parameter: a codemod can inline it. Anything else (reading a
`<NAME>_FILE`, several statements, an unknown import) is not plain.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from model_w.migrate.facts import EnvFacts, EnvHelper, EnvRead, Location, SettingsModule
from model_w.migrate.inspect.settings_chain import resolve_import
from model_w.migrate.inspect.source import (
    RepoView,
    assigned_name,
    dotted_name,
    keyword,
    str_const,
)

STYLE_ORDER = (
    "os.environ",
    "os.getenv",
    "django-environ",
    "environs",
    "decouple",
    "dj-database-url",
    "dotenv",
    "helper",
)
# django-environ / environs methods that read a variable with a conventional default name
URL_DEFAULTS = {
    "db": "DATABASE_URL",
    "db_url": "DATABASE_URL",
    "dj_db_url": "DATABASE_URL",
    "cache": "CACHE_URL",
    "cache_url": "CACHE_URL",
    "dj_cache_url": "CACHE_URL",
    "email": "EMAIL_URL",
    "email_url": "EMAIL_URL",
    "dj_email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
}
ENV_METHODS = frozenset(
    {
        "str",
        "bool",
        "int",
        "float",
        "list",
        "tuple",
        "dict",
        "json",
        "url",
        "path",
        "decimal",
        "date",
        "datetime",
        "time",
        "timedelta",
        "log_level",
        "uuid",
        "enum",
        "parse_value",
        "get_value",
        "read_env",
        *URL_DEFAULTS,
    }
)
HELPER_NAME = re.compile(r"(^|_)(env|getenv|environ)(_|$)|^env[a-z]+$|^get_?env", re.IGNORECASE)


@dataclass
class _Bindings:
    """Names a module binds to environment readers."""

    os_modules: set[str] = field(default_factory=set)
    environ_objects: set[str] = field(default_factory=set)  # os.environ
    getenv_funcs: set[str] = field(default_factory=set)
    env_modules: dict[str, str] = field(default_factory=dict)  # environ / environs module -> style
    env_classes: dict[str, str] = field(default_factory=dict)  # Env class -> style
    env_objects: dict[str, str] = field(default_factory=dict)  # env instance -> style
    decouple_funcs: set[str] = field(default_factory=set)
    decouple_classes: set[str] = field(default_factory=set)
    dj_database_url: set[str] = field(default_factory=set)
    dotenv_funcs: set[str] = field(default_factory=set)
    dotenv_modules: set[str] = field(default_factory=set)


def _bind_imports(tree: ast.Module) -> _Bindings:
    b = _Bindings()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                if alias.name == "os":
                    b.os_modules.add(local)
                elif alias.name == "environ":
                    b.env_modules[local] = "django-environ"
                elif alias.name == "environs":
                    b.env_modules[local] = "environs"
                elif alias.name == "decouple":
                    b.env_modules[local] = "decouple"
                elif alias.name == "dj_database_url":
                    b.dj_database_url.add(local)
                elif alias.name == "dotenv":
                    b.dotenv_modules.add(local)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module == "os" and alias.name == "environ":
                    b.environ_objects.add(local)
                elif node.module == "os" and alias.name == "getenv":
                    b.getenv_funcs.add(local)
                elif node.module.split(".")[0] == "environ" and alias.name == "Env":
                    b.env_classes[local] = "django-environ"
                elif node.module == "environs" and alias.name == "Env":
                    b.env_classes[local] = "environs"
                elif node.module == "decouple" and alias.name == "config":
                    b.decouple_funcs.add(local)
                elif node.module == "decouple" and alias.name in (
                    "AutoConfig",
                    "Config",
                    "RepositoryEnv",
                ):
                    b.decouple_classes.add(local)
                elif (
                    node.module.split(".")[0] in ("dotenv", "dotenv_values")
                    or node.module == "django_dotenv"
                ):
                    b.dotenv_funcs.add(local)
    # env = environ.Env(...) / env = Env() / config = AutoConfig(...)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = dotted_name(node.value.func) or ""
            style = None
            head, _, last = func.rpartition(".")
            if func in b.env_classes:
                style = b.env_classes[func]
            elif last == "Env" and head in b.env_modules:
                style = b.env_modules[head]
            elif func in b.decouple_classes or (
                last in ("AutoConfig", "Config") and head in b.env_modules
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        b.decouple_funcs.add(target.id)
                continue
            if style:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        b.env_objects[target.id] = style
    return b


@dataclass
class _Read:
    line: int
    style: str
    variable: str | None
    helper: str | None = None


def _first_str(call: ast.Call) -> str | None:
    return str_const(call.args[0]) if call.args else str_const(keyword(call, "var"))


def find_reads(node: ast.AST, b: _Bindings, helpers: dict[str, EnvHelper]) -> list[_Read]:
    """Env reads inside a node (not descending into nested functions)."""
    reads: list[_Read] = []
    for child in _walk_no_functions(node):
        if isinstance(child, ast.Subscript) and isinstance(child.ctx, ast.Load):
            base = dotted_name(child.value) or ""
            if _is_os_environ(base, b):
                reads.append(_Read(child.lineno, "os.environ", str_const(child.slice)))
        elif (
            isinstance(child, ast.Compare)
            and len(child.ops) == 1
            and isinstance(child.ops[0], ast.In | ast.NotIn)
        ):
            if _is_os_environ(dotted_name(child.comparators[0]) or "", b):
                reads.append(_Read(child.lineno, "os.environ", str_const(child.left)))
        elif isinstance(child, ast.Call):
            read = _call_read(child, b, helpers)
            if read:
                reads.append(read)
    return reads


def _walk_no_functions(node: ast.AST):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                stack.append(child)


def _is_os_environ(name: str, b: _Bindings) -> bool:
    head, _, last = name.rpartition(".")
    return (last == "environ" and head in b.os_modules) or name in b.environ_objects


def _call_read(call: ast.Call, b: _Bindings, helpers: dict[str, EnvHelper]) -> _Read | None:
    name = dotted_name(call.func) or ""
    head, _, last = name.rpartition(".")
    line = call.lineno
    if head and _is_os_environ(head, b) and last in ("get", "setdefault", "pop"):
        if last == "setdefault":
            return None  # a write, not a read
        return _Read(line, "os.environ", _first_str(call))
    if (last == "getenv" and head in b.os_modules) or name in b.getenv_funcs:
        return _Read(line, "os.getenv", _first_str(call))
    if name in b.env_objects:
        return _Read(line, b.env_objects[name], _first_str(call))
    if head in b.env_objects and last in ENV_METHODS:
        style = b.env_objects[head]
        if last == "read_env":
            return _Read(line, style, None)
        return _Read(line, style, _first_str(call) or URL_DEFAULTS.get(last))
    if last == "read_env" and (head in b.env_classes or head.rpartition(".")[2] == "Env"):
        module = head.rpartition(".")[0]
        style = b.env_classes.get(head) or b.env_modules.get(module)
        if style:
            return _Read(line, style, None)
    if name in b.decouple_funcs or (
        last == "config" and head in b.env_modules and b.env_modules[head] == "decouple"
    ):
        return _Read(line, "decouple", _first_str(call))
    if head in b.dj_database_url and last == "config":
        return _Read(line, "dj-database-url", str_const(keyword(call, "env")) or "DATABASE_URL")
    if name in b.dotenv_funcs or (
        head in b.dotenv_modules and last in ("load_dotenv", "read_dotenv")
    ):
        if last in ("find_dotenv", "dotenv_values") or name.endswith("find_dotenv"):
            return None
        return _Read(line, "dotenv", None)
    if name in helpers:
        return _Read(line, "helper", _first_str(call), helper=name)
    return None


def _top_statements(body: list[ast.stmt]):
    """Statements run when the module loads, through if/try/with blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If | ast.Try | ast.With | ast.For | ast.While):
            yield stmt, False
            for name in ("body", "orelse", "finalbody"):
                yield from _top_statements(getattr(stmt, name, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _top_statements(handler.body)
        else:
            yield stmt, True


def _function_helper(
    func: ast.FunctionDef | ast.Lambda, name: str, path: str, line: int, b: _Bindings
) -> EnvHelper | None:
    """An EnvHelper when the function reads the environment."""
    body: list[ast.AST] = [func.body] if isinstance(func, ast.Lambda) else list(func.body)
    reads = [r for node in body for r in _reads_anywhere(node, b)]
    if not reads:
        return None
    params = [a.arg for a in func.args.args]
    statements = body
    if (
        statements
        and isinstance(statements[0], ast.Expr)
        and str_const(statements[0].value) is not None
    ):
        statements = statements[1:]  # docstring
    if isinstance(func, ast.Lambda):
        expr: ast.AST | None = func.body
    elif len(statements) == 1 and isinstance(statements[0], ast.Return):
        expr = statements[0].value
    else:
        expr = None
    plain = (
        expr is not None
        and len(reads) == 1
        and bool(params)
        and _reads_param(expr, params[0], b)
        and not any(
            isinstance(n, ast.Call) and dotted_name(n.func) == "open" for n in ast.walk(expr)
        )
    )
    return EnvHelper(name=name, path=path, line=line, plain=plain)


def _reads_anywhere(node: ast.AST, b: _Bindings) -> list[_Read]:
    return find_reads(node, b, {})


def _reads_param(expr: ast.AST, param: str, b: _Bindings) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and _call_read(node, b, {}) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Name) and arg.id == param:
                return True
        if isinstance(node, ast.Subscript) and _is_os_environ(dotted_name(node.value) or "", b):
            if isinstance(node.slice, ast.Name) and node.slice.id == param:
                return True
    return False


def _module_helpers(view: RepoView, path: str, tree: ast.Module) -> dict[str, EnvHelper]:
    b = _bind_imports(tree)
    helpers: dict[str, EnvHelper] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            helper = _function_helper(node, node.name, path, node.lineno, b)
            if helper:
                helpers[node.name] = helper
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Lambda)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            helper = _function_helper(node.value, node.targets[0].id, path, node.lineno, b)
            if helper:
                helpers[node.targets[0].id] = helper
    return helpers


def _imported_helpers(
    view: RepoView,
    import_root: str,
    module: SettingsModule,
    tree: ast.Module,
    known_modules: set[str],
) -> dict[str, EnvHelper]:
    """Helpers imported from project modules; unresolvable env-looking names are not plain."""
    helpers: dict[str, EnvHelper] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or any(a.name == "*" for a in node.names):
            continue
        source = resolve_import(module.module, module.path, node)
        if source in known_modules:
            continue
        top = source.split(".")[0]
        path = view.module_file(import_root, source)
        first_party = view.module_file(import_root, top) is not None or node.level > 0
        defined = {}
        if path:
            source_tree = view.parsed(path)
            defined = _module_helpers(view, path, source_tree) if source_tree else {}
        for alias in node.names:
            local = alias.asname or alias.name
            if alias.name in defined:
                helper = defined[alias.name]
                helpers[local] = EnvHelper(
                    name=local, path=helper.path, line=helper.line, plain=helper.plain
                )
            elif first_party and HELPER_NAME.search(alias.name) and not path:
                helpers[local] = EnvHelper(
                    name=local, path=module.path, line=node.lineno, plain=False
                )
    return helpers


def inspect_env(
    view: RepoView, import_root: str, modules: list[SettingsModule], extra_files: list[str]
) -> EnvFacts:
    """EnvFacts of the settings modules; extra_files (manage.py, wsgi.py) count for dotenv only."""
    facts = EnvFacts()
    helpers: dict[str, EnvHelper] = {}
    styles: set[str] = set()
    known = {m.module for m in modules}
    parsed = [(m, view.parsed(m.path)) for m in modules if not m.parse_error]
    for module, tree in parsed:
        if tree is None:
            continue
        for name, helper in {
            **_imported_helpers(view, import_root, module, tree, known),
            **_module_helpers(view, module.path, tree),
        }.items():
            helpers.setdefault(name, helper)
    for module, tree in parsed:
        if tree is None:
            continue
        b = _bind_imports(tree)
        if b.dj_database_url and any(
            (dotted_name(n.func) or "").rpartition(".")[0] in b.dj_database_url
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
        ):
            styles.add("dj-database-url")
        for stmt, leaf in _top_statements(tree.body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
                continue
            if not leaf:
                # only the test/iterator of a block; its body is visited on its own
                parts = [getattr(stmt, "test", None), getattr(stmt, "iter", None)]
                parts += [item.context_expr for item in getattr(stmt, "items", [])]
                nodes = [p for p in parts if p is not None]
            else:
                nodes = [stmt]
            setting = assigned_name(stmt, through_attributes=True) if leaf else None
            for node in nodes:
                for read in find_reads(node, b, helpers):
                    facts.reads.append(
                        EnvRead(
                            path=module.path,
                            line=read.line,
                            style=read.style,
                            variable=read.variable,
                            setting=setting,
                            helper=read.helper,
                        )
                    )
                    if read.helper:
                        helpers[read.helper].call_sites.append(Location(module.path, read.line))
    for path in extra_files:
        tree = view.parsed(path) if view.exists(path) else None
        if tree is None:
            continue
        b = _bind_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                read = _call_read(node, b, {})
                if read and read.style == "dotenv":
                    styles.add("dotenv")
    facts.reads.sort(key=lambda r: (r.path, r.line))
    used = {r.helper for r in facts.reads if r.helper}
    facts.helpers = sorted(
        (h for n, h in helpers.items() if n in used), key=lambda h: (h.path, h.line)
    )
    styles |= {r.style for r in facts.reads}
    facts.styles = [s for s in STYLE_ORDER if s in styles] or ["hardcoded"]
    return facts
