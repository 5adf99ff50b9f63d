"""Keep an app's label when its module moves (`<pkg>/apps/<name>`).

Django derives `AppConfig.label` from the last part of `name`, and the label
names the migrations and the tables. Moving `blog` to `shop.apps.blog`
keeps the last part, but the label is written down anyway, so that a later
rename of the folder cannot change it silently.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node


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
    return any(
        (get_full_name_for_node(b.value) or "").rsplit(".", 1)[-1] == "AppConfig"
        for b in node.bases
    )


def _assigned(stmt: cst.BaseStatement, name: str) -> bool:
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


class _AddLabel(cst.CSTTransformer):
    def __init__(self, label: str, name: str) -> None:
        self.label = label
        self.name = name
        self.configs = 0

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        if not _is_appconfig(updated_node) or not isinstance(updated_node.body, cst.IndentedBlock):
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


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def ensure_label(source: str, name: str, label: str) -> tuple[str, int]:
    """apps.py source with `label` (and `name` if missing) in every AppConfig; and their count."""
    module = cst.parse_module(source)
    tool = _AddLabel(label, name)
    result = module.visit(tool)
    return result.code, tool.configs
