"""Fix `__file__`-relative formulas in a file that moved deeper.

`mysite/settings.py` moving to `shop/django/settings.py` sits one folder
deeper: `Path(__file__).resolve().parent.parent` (the old project root) must
gain one `.parent`, `os.path.dirname(os.path.dirname(__file__))` one
`os.path.dirname(...)`, `parents[1]` becomes `parents[2]`. Only formulas
that climb out of the moved package (more levels than the file's depth
inside it) change.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node


def _has_file(node: cst.BaseExpression) -> bool:
    return any(isinstance(n, cst.Name) and n.value == "__file__" for n in _walk(node))


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


class _Deepen(cst.CSTTransformer):
    def __init__(self, inner_depth: int, extra: int) -> None:
        self.inner_depth = inner_depth  # folders between the file and the moved package root
        self.extra = extra
        self.changed = 0
        self._inner: set[int] = set()

    def _levels_path(self, node: cst.BaseExpression) -> int | None:
        """Number of `.parent` on a Path(__file__) chain, or None."""
        levels = 0
        while isinstance(node, cst.Attribute) and node.attr.value == "parent":
            levels += 1
            node = node.value
        if levels and _has_file(node):
            return levels
        return None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "parent" and isinstance(node.value, cst.Attribute):
            self._inner.add(id(node.value))

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if original_node.attr.value != "parent" or id(original_node) in self._inner:
            return updated_node
        levels = self._levels_path(original_node)
        if levels is None or levels <= self.inner_depth:
            return updated_node
        result: cst.BaseExpression = updated_node
        for _ in range(self.extra):
            result = cst.Attribute(value=result, attr=cst.Name("parent"))
        self.changed += 1
        return result

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        value = original_node.value
        if not (
            isinstance(value, cst.Attribute)
            and value.attr.value == "parents"
            and _has_file(value.value)
        ):
            return updated_node
        if len(original_node.slice) != 1:
            return updated_node
        index = original_node.slice[0].slice
        if not (isinstance(index, cst.Index) and isinstance(index.value, cst.Integer)):
            return updated_node
        n = int(index.value.value)
        if n + 1 <= self.inner_depth:
            return updated_node
        self.changed += 1
        new_index = index.with_changes(value=cst.Integer(str(n + self.extra)))
        return updated_node.with_changes(
            slice=[updated_node.slice[0].with_changes(slice=new_index)]
        )


class _DeepenDirname(cst.CSTTransformer):
    """os.path.dirname chains: wrap the outermost one."""

    def __init__(self, inner_depth: int, extra: int) -> None:
        self.inner_depth = inner_depth
        self.extra = extra
        self.changed = 0
        self._stack: list[bool] = []

    @staticmethod
    def _is_dirname(node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Call) and get_full_name_for_node(node.func) in (
            "os.path.dirname",
            "dirname",
            "path.dirname",
        )

    def visit_Call(self, node: cst.Call) -> None:
        self._stack.append(self._is_dirname(node))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        self._stack.pop()
        if not self._is_dirname(original_node) or (self._stack and self._stack[-1]):
            return updated_node  # not a dirname, or not the outermost of a chain
        levels, node = 0, original_node
        while self._is_dirname(node) and node.args:  # type: ignore[union-attr]
            levels += 1
            node = node.args[0].value  # type: ignore[union-attr]
        if not _has_file(node) or levels <= self.inner_depth:
            return updated_node
        result: cst.BaseExpression = updated_node
        for _ in range(self.extra):
            result = cst.Call(func=updated_node.func, args=[cst.Arg(result)])
        self.changed += 1
        return result


def deepen(source: str, inner_depth: int, extra: int) -> tuple[str, int]:
    """Source with climbing `__file__` formulas one `extra` level deeper; and how many changed."""
    if extra <= 0 or "__file__" not in source:
        return source, 0
    module = cst.parse_module(source)
    first = _Deepen(inner_depth, extra)
    module = module.visit(first)
    second = _DeepenDirname(inner_depth, extra)
    module = module.visit(second)
    return module.code, first.changed + second.changed
