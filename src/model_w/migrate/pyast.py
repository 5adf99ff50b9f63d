"""Small questions about Python syntax trees (`ast`), shared by the inspection
and the fast `ast` paths of the codemods."""

from __future__ import annotations

import ast


def dotted_name(node: ast.AST) -> str | None:
    """'os.environ.get' for an Attribute chain of Names, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def assigned_name(stmt: ast.stmt, through_attributes: bool = False) -> str | None:
    """The top-level name a statement assigns (`X = ...`, `X["k"] += ...`,
    and with through_attributes `X.y = ...`), or None."""
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        targets = [stmt.target]
    wrappers = (ast.Subscript, ast.Attribute) if through_attributes else (ast.Subscript,)
    for target in targets:
        while isinstance(target, wrappers):
            target = target.value
        if isinstance(target, ast.Name):
            return target.id
    return None
