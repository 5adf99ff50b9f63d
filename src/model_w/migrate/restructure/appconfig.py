"""Keep an app's label when its module moves (`<pkg>/apps/<name>`).

Django derives `AppConfig.label` from the last part of `name`, and the label
names the migrations and the tables. Moving `blog` to `shop.apps.blog`
keeps the last part, but the label is written down anyway, so that a later
rename of the folder cannot change it silently.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_") if p) or "App"


def new_apps_py(name: str, label: str) -> str:
    return (
        "from django.apps import AppConfig\n\n\n"
        f"class {_camel(name.rsplit('.', 1)[-1])}Config(AppConfig):\n"
        f'    name = "{name}"\n'
        f'    label = "{label}"\n'
    )


def _is_appconfig(node: cst.ClassDef) -> bool:
    from libcst.helpers import get_full_name_for_node

    return any(
        (get_full_name_for_node(b.value) or "").rsplit(".", 1)[-1] == "AppConfig"
        for b in node.bases
    )


def _assigned(stmt: cst.BaseStatement, name: str) -> bool:
    import libcst as cst

    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, cst.Assign):
            if any(
                isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
            ):
                return True
        if (
            isinstance(small, cst.AnnAssign)
            and isinstance(small.target, cst.Name)
            and small.target.value == name
        ):
            return True
    return False


def _add_label_class():
    """The libcst transformer, built on first use so that importing this module needs no libcst."""
    import libcst as cst

    class _AddLabel(cst.CSTTransformer):
        def __init__(self, label: str, name: str) -> None:
            self.label = label
            self.name = name
            self.configs = 0

        def leave_ClassDef(
            self, original_node: cst.ClassDef, updated_node: cst.ClassDef
        ) -> cst.ClassDef:
            if not _is_appconfig(updated_node) or not isinstance(
                updated_node.body, cst.IndentedBlock
            ):
                return updated_node
            self.configs += 1
            body = list(updated_node.body.body)
            if any(_assigned(s, "label") for s in body):
                return updated_node
            label = cst.parse_statement(f'label = "{self.label}"\n')
            index = next((i + 1 for i, s in enumerate(body) if _assigned(s, "name")), None)
            if index is None:
                name = cst.parse_statement(f'name = "{self.name}"\n')
                start = 1 if body and _is_docstring(body[0]) else 0
                body[start:start] = [name, label]
            else:
                body.insert(index, label)
            return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    return _AddLabel


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    import libcst as cst

    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def ensure_label(source: str, name: str, label: str) -> tuple[str, int]:
    """apps.py source with `label` (and `name` if missing) in every AppConfig; and their count."""
    fast = _fast_ensure_label(source, label)
    if fast is not None:
        return fast
    import libcst as cst

    module = cst.parse_module(source)
    tool = _add_label_class()(label, name)
    result = module.visit(tool)
    return result.code, tool.configs


def _ast_base_name(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id if not parts else parts[0]


def _ast_assigns(stmt: ast.stmt, name: str) -> bool:
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    return (
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and (stmt.target.id == name)
    )


def _fast_ensure_label(source: str, label: str) -> tuple[str, int] | None:
    """The libcst result from `ast` and one inserted line, or None when unsure.

    Handles the usual apps.py: AppConfig classes with an indented body that
    either set `label` already or set `name` on a line of its own (the label
    goes on the next line, at the same indentation, as the libcst path does).
    """
    if "\r" in source or "\f" in source or "\\\n" in source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    lines = source.split("\n")
    inserts: list[tuple[int, str]] = []
    configs = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        names = [_ast_base_name(b) for b in node.bases]
        if None in names:
            return None  # a base libcst may name differently
        if "AppConfig" not in names:
            continue
        first = node.body[0]
        if lines[first.lineno - 1][: first.col_offset].strip():
            return None  # `class X(AppConfig): ...` on one line
        configs += 1
        if any(_ast_assigns(s, "label") for s in node.body):
            continue
        named = [s for s in node.body if _ast_assigns(s, "name")]
        if not named:
            return None
        stmt = named[0]
        others = [
            s
            for s in node.body
            if s is not stmt and (s.lineno <= stmt.end_lineno and s.end_lineno >= stmt.lineno)  # type: ignore[operator]
        ]
        line = lines[stmt.lineno - 1]
        indent = line[: stmt.col_offset]
        if others or indent.strip() or stmt.end_lineno is None:
            return None
        if lines[stmt.end_lineno - 1].rstrip().endswith(";"):
            return None
        inserts.append((stmt.end_lineno, f'{indent}label = "{label}"'))
    for after, text in sorted(inserts, reverse=True):
        lines.insert(after, text)
    return "\n".join(lines), configs
