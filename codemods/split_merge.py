"""Merge split settings (base + production, fragments, local overrides) into
one module, the shape Model W expects (model-w.md part 2; issue 3, "split
settings").

- `merge_settings(...)` inlines the production module's star-imports of
  base and of settings fragments, in order, so the result evaluates exactly
  as `production` did; relative imports become absolute (the merged module
  may live elsewhere). Identical imports are kept once.
- Values the dev module sets differently become environment variables:
  the merged module reads `env.get(NAME, default=<production value>)`, the
  dev value goes to the local `.env` and the production value is documented
  in `.env-template`. Preset-owned settings (DEBUG, ALLOWED_HOSTS...) keep
  their code (the preset adoption deletes or converts them) and only record
  the dev value. Dev code that is not a literal assignment (e.g.
  `INSTALLED_APPS += ["debug_toolbar"]`) is reported, not carried.
- `RemoveLocalImports` (a codemod, runs alone with libcst's CLI) removes
  `from .local_settings import *` / `from .local import *`, bare or inside
  a `try:` or an existence check, with a follow-up: Model W reads local
  values from `.env` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.envvars import EnvVar, dotenv_text
from model_w.migrate.codemods.settings_values import UNKNOWN, Evaluator, code_of, same

LOCAL_MODULE = re.compile(r"(^|\.)(local_settings|local|settings_local|local_config)$")

# Settings the preset owns or the adoption converts itself: only their dev
# value is recorded, their code is left to the preset adoption.
PRESET_HANDLED = {
    "DEBUG": ("DEBUG", True),
    "SECRET_KEY": ("SECRET_KEY", False),
    "ALLOWED_HOSTS": ("ALLOWED_HOSTS", True),
}
# Dev values that make no sense as env vars: Model W's defaults already
# cover them (console email) or the preset owns them.
NOT_CARRIED = {
    "EMAIL_BACKEND",
    "DATABASES",
    "CACHES",
    "STATIC_URL",
    "STATIC_ROOT",
    "BASE_DIR",
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "TEMPLATES",
    "STATICFILES_STORAGE",
    "STORAGES",
}


@dataclass
class MergeResult:
    code: str
    env_vars: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    inlined: list[str] = field(default_factory=list)  # dotted names merged in


def _star_import_target(stmt: cst.CSTNode, current: str, is_package: bool) -> str | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    imp = stmt.body[0]
    if not isinstance(imp, cst.ImportFrom) or not isinstance(imp.names, cst.ImportStar):
        return None
    return absolute_module(imp, current, is_package)


def absolute_module(imp: cst.ImportFrom, current: str, is_package: bool = False) -> str:
    dots = len(imp.relative)
    name = code_of(imp.module).strip() if imp.module else ""
    if not dots:
        return name
    parts = current.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (dots - 1)] if dots > 1 else base
    return ".".join([*base, name] if name else base)


class _Absolutise(cst.CSTTransformer):
    def __init__(self, current: str, is_package: bool) -> None:
        self.current, self.is_package = current, is_package

    def leave_ImportFrom(self, original, updated):  # noqa: ANN001
        if not updated.relative:
            return updated
        target = absolute_module(updated, self.current, self.is_package)
        return updated.with_changes(relative=[], module=cst.parse_expression(target))


def _is_local_import(stmt: cst.CSTNode, current: str, is_package: bool) -> bool:
    """A star import of local settings, bare or wrapped in try/if."""
    target = _star_import_target(stmt, current, is_package)
    if target and LOCAL_MODULE.search(target):
        return True
    if isinstance(stmt, (cst.Try, cst.If)):
        body = stmt.body.body
        return (
            bool(body)
            and all(
                _is_local_import(s, current, is_package)
                or isinstance(s, cst.SimpleStatementLine)
                and "import" in code_of(s)
                for s in body
            )
            and any(_is_local_import(s, current, is_package) for s in body)
        )
    return False


def _line_of(source: str, stmt: cst.CSTNode) -> int:
    text = code_of(stmt).strip().splitlines()[0] if code_of(stmt).strip() else ""
    for i, line in enumerate(source.splitlines(), 1):
        if text and line.strip() == text.strip():
            return i
    return 0


def merge_settings(
    production: str,
    sources: Callable[[str], tuple[str, str, bool] | None],
    dev: str | None = None,
) -> MergeResult:
    """One module from `production` and what it star-imports.

    `sources(dotted)` returns (source, path, is_package) of a settings module
    of the project, or None for anything else (left as an import).
    """
    result = MergeResult(code="")
    found = sources(production)
    if found is None:
        raise KeyError(production)
    body = _inline(production, found, sources, result, seen=set())
    # identical import lines once; the first keeps its place
    seen_imports: set[str] = set()
    deduped: list[cst.BaseStatement] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            key = code_of(stmt.with_changes(leading_lines=[])).strip()
            if key in seen_imports:
                continue
            seen_imports.add(key)
        deduped.append(stmt)
    # imports first (a merged module with imports in the middle reads badly)
    head = [s for s in deduped if _is_import(s)]
    docstring = []
    rest = [s for s in deduped if not _is_import(s)]
    rest = [s for s in rest if not _is_docstring(s)]
    first = cst.parse_module(found[0]).body
    if first and _is_docstring(first[0]):
        docstring = [first[0]]
    else:
        merged = " and ".join(reversed(result.inlined))
        docstring = [
            cst.parse_statement(f'"""Settings merged from {merged} by modelw-migrate."""\n')
        ]
    if head:
        head[0] = head[0].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    if rest:
        rest[0] = rest[0].with_changes(
            leading_lines=[
                cst.EmptyLine(indent=False),
                *[ln for ln in rest[0].leading_lines if ln.comment],
            ]
        )
    module = cst.Module(
        body=[*docstring, *head[:1], *[h.with_changes(leading_lines=[]) for h in head[1:]], *rest]
    )
    if dev is not None:
        module = _apply_dev(module, dev, sources, result)
    result.code = module.code
    return result


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _inline(
    dotted: str, found: tuple[str, str, bool], sources, result: MergeResult, seen: set[str]
) -> list:  # noqa: ANN001
    source, path, is_package = found
    seen.add(dotted)
    result.inlined.append(dotted)
    module = cst.parse_module(source)
    out: list[cst.BaseStatement] = []
    for stmt in module.body:
        if _is_local_import(stmt, dotted, is_package):
            result.followups.append(
                {
                    "path": path,
                    "line": _line_of(source, stmt),
                    "level": "todo",
                    "message": "local settings import removed: move its values into .env (Model W reads local values from .env only)",
                }
            )
            continue
        target = _star_import_target(stmt, dotted, is_package)
        if target and target not in seen:
            inner = sources(target)
            if inner is not None:
                out.extend(_inline(target, inner, sources, result, seen))
                continue
        out.append(stmt.visit(_Absolutise(dotted, is_package)))
    return out


def _apply_dev(module: cst.Module, dev: str, sources, result: MergeResult) -> cst.Module:  # noqa: ANN001
    found = sources(dev)
    if found is None:
        return module
    dev_source, dev_path, _ = found
    dev_tree = cst.parse_module(dev_source)
    # what production evaluates to, last assignment wins
    ev = Evaluator()
    last_index: dict[str, int] = {}
    for i, stmt in enumerate(module.body):
        named = _assignment(stmt)
        if named:
            ev.names[named[0]] = ev.eval(named[1])
            last_index[named[0]] = i
    prod_values = dict(ev.names)
    dev_ev = Evaluator(names=dict(prod_values))
    body = list(module.body)
    for stmt in dev_tree.body:
        if _star_import_target(stmt, dev, False) or _is_import(stmt) or _is_docstring(stmt):
            continue
        named = _assignment(stmt)
        line = _line_of(dev_source, stmt)
        if not named or not named[0].isupper():
            result.followups.append(
                {
                    "path": dev_path,
                    "line": line,
                    "level": "info",
                    "message": f"dev-only code not carried into the merged settings: {code_of(stmt).strip().splitlines()[0]}",
                }
            )
            continue
        name, node = named
        dev_value = dev_ev.eval(node)
        prod_value = prod_values.get(name, UNKNOWN)
        if dev_value is UNKNOWN:
            result.followups.append(
                {
                    "path": dev_path,
                    "line": line,
                    "level": "info",
                    "message": f"dev value of {name} is computed; not carried (set it in .env by hand if needed)",
                }
            )
            continue
        if same(dev_value, prod_value):
            continue
        is_yaml = not isinstance(dev_value, str)
        if name in PRESET_HANDLED:
            env_name, yaml_flag = PRESET_HANDLED[name]
            result.env_vars.append(
                EnvVar(
                    name=env_name,
                    setting=name,
                    is_yaml=yaml_flag,
                    local_value=dotenv_text(dev_value, yaml_flag),
                    line=line,
                    comment=f"dev: {dev_value!r}",
                    group="django",
                ).to_dict()
            )
            continue
        if name in NOT_CARRIED or name not in last_index or prod_value is UNKNOWN:
            result.followups.append(
                {
                    "path": dev_path,
                    "line": line,
                    "level": "info",
                    "message": f"dev-only setting {name} = {code_of(node).strip()} not carried into the merged settings",
                }
            )
            continue
        i = last_index[name]
        old = body[i]
        default_code = code_of(_assignment(old)[1]).strip()
        yaml_arg = ", is_yaml=True" if is_yaml or not isinstance(prod_value, str) else ""
        new_value = cst.parse_expression(f'env.get("{name}", default={default_code}{yaml_arg})')
        small = old.body[0]
        body[i] = old.with_changes(body=[small.with_changes(value=new_value)])
        yaml = bool(yaml_arg)
        result.env_vars.append(
            EnvVar(
                name=name,
                setting=name,
                default=prod_value,
                default_code=default_code,
                has_default=True,
                is_yaml=yaml,
                local_value=dotenv_text(dev_value, yaml),
                line=line,
                comment=f"production: {dotenv_text(prod_value, yaml)}; dev: {dotenv_text(dev_value, yaml)}",
                group="app",
            ).to_dict()
        )
    return module.with_changes(body=body)


def _assignment(stmt: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return small.targets[0].target.value, small.value
    return None


class RemoveLocalImports(ModelWCodemod):
    """Removes star imports of local settings modules (see the module docstring)."""

    DESCRIPTION = "Remove `from .local_settings import *` style imports, with a follow-up."
    TRIGGER = re.compile(r"\bimport\s+\*")

    def __init__(self, context, module: str = "settings", is_package: bool = False) -> None:  # noqa: ANN001
        super().__init__(context)
        self.dotted, self.is_package = module, is_package

    def _filter(self, body):  # noqa: ANN001
        out = []
        for stmt in body:
            if _is_local_import(stmt, self.dotted, self.is_package):
                self.report_followup(
                    stmt,
                    "local settings import removed: move its values into .env (Model W reads local values from .env only)",
                )
                continue
            out.append(stmt)
        return out

    def leave_Module(self, original, updated):  # noqa: ANN001
        return updated.with_changes(body=self._filter(updated.body))


# --- django-split-settings ------------------------------------------------------------

SPLIT_SETTINGS_MODULES = ("split_settings.tools", "split_settings")
PRODUCTION_STEMS = ("production", "prod", "live")
DEV_STEMS = ("development", "dev", "local", "develop")


@dataclass
class SplitResult:
    code: str
    dev_source: str | None = None  # the dev fragment an env flag chooses, if any
    dev_path: str | None = None
    inlined: list[str] = field(default_factory=list)  # fragment paths merged in
    dropped: list[str] = field(default_factory=list)  # fragment paths not merged in
    followups: list[dict[str, Any]] = field(default_factory=list)


def uses_split_settings(source: str) -> bool:
    return bool(re.search(r"^\s*from\s+split_settings(\.tools)?\s+import\b", source, re.M))


def _glob_to_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\*\*/|\*|\?)", pattern):
        out += {"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(out + r"\Z")


def _fragment_pattern(node: cst.BaseExpression) -> tuple[str, bool, bool] | None:
    """(glob pattern, optional, chosen by a runtime value) of one include() argument."""
    optional = False
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, (cst.Name, cst.Attribute))
        and code_of(node.func).strip().rsplit(".", 1)[-1] == "optional"
        and len(node.args) == 1
    ):
        optional = True
        node = node.args[0].value
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value, optional, False
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
            else:
                text += "*"
        return text, optional, True
    return None


def _rebase_file_refs(source: str, depth: int) -> str:
    """`Path(__file__)...parent` chains of a fragment `depth` folders below the module."""
    if depth <= 0:
        return source

    def fix(m: re.Match[str]) -> str:
        count = m.group(2).count(".parent")
        return m.group(1) + ".parent" * max(count - depth, 0)

    source = re.sub(
        r"(Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?)((?:\.parent)+)", fix, source
    )

    def fix_dirname(m: re.Match[str]) -> str:
        count = m.group(0).count("os.path.dirname(")
        inner = m.group(1)
        keep = max(count - depth, 0)
        return "os.path.dirname(" * keep + inner + ")" * keep

    return re.sub(
        r"(?:os\.path\.dirname\()+(os\.path\.(?:abspath|realpath)\(__file__\))\)+",
        lambda m: (
            fix_dirname(m) if m.group(0).count("(") - 1 == m.group(0).count(")") - 1 else m.group(0)
        ),
        source,
    )


def inline_split_settings(
    source: str,
    path: str,
    files: list[str],
    read: Callable[[str], str],
) -> SplitResult:
    """Replace django-split-settings' `include(...)` by the fragments it includes.

    Fragments are inlined in order at the place of the `include()` call;
    `optional()` fragments that do not exist are skipped; glob patterns take
    every matching file, sorted (as split-settings does). A fragment chosen
    by a runtime value (`f"environments/{ENV}.py"`) cannot be resolved
    statically: the production candidate is inlined, the dev candidate is
    returned as `dev_source` (its differing values become env vars), and
    every other candidate is reported. `split_settings` imports, the list
    fed to `include()` and a variable only used to choose a fragment go.
    """
    result = SplitResult(code=source)
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    module = cst.parse_module(source)
    lists: dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        named = _assignment(stmt)
        if named and isinstance(named[1], (cst.List, cst.Tuple)):
            lists[named[0]] = named[1]
    used_names: set[str] = set()
    body: list[cst.BaseStatement] = []
    seen: set[str] = set()

    def line(stmt: cst.CSTNode) -> int:
        return _line_of(source, stmt)

    def fragment(rel: str, stmt: cst.CSTNode) -> list[cst.BaseStatement]:
        full = posixpath_join(folder, rel)
        if full in seen:
            return []
        seen.add(full)
        result.inlined.append(full)
        depth = rel.count("/")
        original = read(full)
        text = _rebase_file_refs(original, depth)
        if "__file__" in text and depth and text == original:
            result.followups.append(
                {
                    "path": full,
                    "line": 0,
                    "level": "todo",
                    "message": f"{full} uses __file__ and is now part of {path}: check the paths it builds",
                }
            )
        tree = cst.parse_module(text)
        if uses_split_settings(text):
            inner = inline_split_settings(text, full, files, read)
            result.inlined.extend(inner.inlined)
            result.dropped.extend(inner.dropped)
            result.followups.extend(inner.followups)
            tree = cst.parse_module(inner.code)
        return [s for s in tree.body if not _is_docstring(s)]

    def expand(arg: cst.Arg, stmt: cst.CSTNode) -> list[cst.BaseStatement]:
        if arg.star == "*" and isinstance(arg.value, cst.Name) and arg.value.value in lists:
            used_names.add(arg.value.value)
            out: list[cst.BaseStatement] = []
            for element in lists[arg.value.value].elements:
                out.extend(expand(cst.Arg(value=element.value), stmt))
            return out
        spec = _fragment_pattern(arg.value)
        if spec is None:
            result.followups.append(
                {
                    "path": path,
                    "line": line(stmt),
                    "level": "todo",
                    "message": f"include({code_of(arg.value).strip()}) cannot be resolved: inline that fragment by hand",
                }
            )
            return []
        pattern, optional, chosen = spec
        regex = _glob_to_regex(posixpath_join(folder, pattern))
        matches = sorted(f for f in files if regex.match(f) and not f.endswith("/__init__.py"))
        if not chosen:
            if not matches and not optional:
                result.followups.append(
                    {
                        "path": path,
                        "line": line(stmt),
                        "level": "todo",
                        "message": f"include({pattern!r}): no such file; nothing inlined",
                    }
                )
            out = []
            for match in matches:
                out.extend(fragment(posixpath_relative(match, folder), stmt))
            return out
        for sub in _walk_names(arg.value):
            used_names.add(sub)
        stems = {m.rsplit("/", 1)[-1].removesuffix(".py"): m for m in matches}
        prod = next((stems[s] for s in PRODUCTION_STEMS if s in stems), None)
        dev = next((stems[s] for s in DEV_STEMS if s in stems), None)
        others = [m for m in matches if m not in (prod, dev)]
        choice = code_of(arg.value).strip()
        if prod is None:
            result.followups.append(
                {
                    "path": path,
                    "line": line(stmt),
                    "level": "blocker" if matches else "todo",
                    "message": f"include({choice}) is chosen at run time and no production fragment "
                    f"exists among {', '.join(matches) or 'no file'}: inline the right one by hand",
                }
            )
            result.dropped.extend(m for m in matches)
            return []
        note = f"include({choice}) was chosen at run time: {prod} (production) is inlined"
        if dev is not None:
            result.dev_source, result.dev_path = read(dev), dev
            result.dropped.append(dev)
            note += f"; the values {dev} sets differently are env vars with their dev value in .env"
        if others:
            result.dropped.extend(others)
            note += f"; not carried: {', '.join(others)} (set their values in that environment's env vars)"
        result.followups.append(
            {"path": path, "line": line(stmt), "level": "todo", "message": note}
        )
        return fragment(posixpath_relative(prod, folder), stmt)

    for stmt in module.body:
        call = None
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            expr = stmt.body[0]
            if isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call):
                if code_of(expr.value.func).strip().rsplit(".", 1)[-1] == "include":
                    call = expr.value
        if call is None:
            body.append(stmt)
            continue
        inlined: list[cst.BaseStatement] = []
        for arg in call.args:
            if arg.keyword is not None:
                continue  # scope=globals()
            inlined.extend(expand(arg, stmt))
        body.extend(inlined)
    # what only served split-settings goes: its imports, the list fed to
    # include(), then a variable that only chose a fragment
    kept: list[cst.BaseStatement] = []
    for stmt in body:
        named = _assignment(stmt)
        if named and named[0] in used_names and named[0] in lists:
            continue
        kept.append(stmt)
    rest_code = "".join(code_of(s) for s in kept)
    final: list[cst.BaseStatement] = []
    for stmt in kept:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if isinstance(small, (cst.ImportFrom,)) and small.module is not None:
                if code_of(small.module).strip() in SPLIT_SETTINGS_MODULES:
                    continue
            if isinstance(small, cst.Import) and any(
                code_of(a.name).strip().startswith("split_settings") for a in small.names
            ):
                continue
        named = _assignment(stmt)
        if named and named[0] in used_names:
            uses = len(re.findall(rf"\b{re.escape(named[0])}\b", rest_code))
            if uses <= 1:
                continue
        final.append(stmt)
    # imports first, once
    head, seen_imports, rest = [], set(), []
    for stmt in final:
        if _is_import(stmt):
            key = code_of(stmt.with_changes(leading_lines=[])).strip()
            if key not in seen_imports:
                seen_imports.add(key)
                head.append(stmt.with_changes(leading_lines=[]))
            continue
        rest.append(stmt)
    docstring = [rest.pop(0)] if rest and _is_docstring(rest[0]) else []
    if head:
        head[0] = head[0].with_changes(
            leading_lines=[cst.EmptyLine(indent=False)] if docstring else []
        )
    if rest:
        rest[0] = rest[0].with_changes(
            leading_lines=[
                cst.EmptyLine(indent=False),
                *[ln for ln in rest[0].leading_lines if ln.comment],
            ]
        )
    result.code = module.with_changes(body=[*docstring, *head, *rest]).code
    return result


def posixpath_join(folder: str, rel: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(folder, rel)) if folder else posixpath.normpath(rel)


def posixpath_relative(path: str, folder: str) -> str:
    import posixpath

    return posixpath.relpath(path, folder or ".")


def _walk_names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()
    if isinstance(node, cst.Name):
        found.add(node.value)
    for child in node.children:
        found |= _walk_names(child)
    return found
