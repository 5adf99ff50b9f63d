"""Static values of settings, found by evaluating literals along the chain.

A tiny evaluator runs a settings module's top-level statements on a
namespace: literals, names, `+` of lists and strings, `+=`, `.append()`,
`.extend()`, `.insert()`, and star imports of other settings modules at
the point they happen. Anything else (calls, f-strings, env reads) is
UNKNOWN. No project code is imported or executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from model_w.migrate.facts import SettingsModule
from model_w.migrate.inspect.settings_chain import resolve_import
from model_w.migrate.inspect.source import RepoView


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass
class Assigned:
    value: Any
    path: str
    line: int


@dataclass
class Namespace:
    values: dict[str, Assigned] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        item = self.values.get(name)
        return item.value if item else UNKNOWN


class Evaluator:
    """Runs settings modules of one project on namespaces."""

    def __init__(self, view: RepoView, modules: list[SettingsModule]) -> None:
        self.view = view
        self.by_name = {m.module: m for m in modules}

    def run(self, dotted: str) -> Namespace:
        ns = Namespace()
        self._run(dotted, ns, [])
        return ns

    def _run(self, dotted: str, ns: Namespace, stack: list[str]) -> None:
        module = self.by_name.get(dotted)
        if module is None or module.parse_error or dotted in stack:
            return
        tree = self.view.parsed(module.path)
        if tree is None:
            return
        for stmt in tree.body:
            self._stmt(stmt, module, ns, [*stack, dotted])

    def _stmt(
        self, stmt: ast.stmt, module: SettingsModule, ns: Namespace, stack: list[str]
    ) -> None:
        path = module.path
        if isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, ns)
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    ns.values[target.id] = Assigned(value, path, stmt.lineno)
                elif isinstance(target, ast.Tuple | ast.List):
                    for elt in target.elts:
                        if isinstance(elt, ast.Name):
                            ns.values[elt.id] = Assigned(UNKNOWN, path, stmt.lineno)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            ns.values[stmt.target.id] = Assigned(self.eval(stmt.value, ns), path, stmt.lineno)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            current = ns.get(name)
            extra = self.eval(stmt.value, ns)
            value = _add(current, extra) if isinstance(stmt.op, ast.Add) else UNKNOWN
            ns.values[name] = Assigned(value, path, stmt.lineno)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._mutation(stmt.value, ns)
        elif isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            self._run(resolve_import(module.module, path, stmt), ns, stack)
        elif isinstance(stmt, ast.If):
            for child in [*stmt.body, *stmt.orelse]:
                self._stmt(child, module, ns, stack)
        elif isinstance(stmt, ast.Try):
            for child in [*stmt.body, *stmt.orelse, *stmt.finalbody]:
                self._stmt(child, module, ns, stack)
        elif isinstance(stmt, ast.With):
            for child in stmt.body:
                self._stmt(child, module, ns, stack)

    def _mutation(self, call: ast.Call, ns: Namespace) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        name, method = func.value.id, func.attr
        current = ns.values.get(name)
        if current is None or not isinstance(current.value, list):
            return
        args = [self.eval(a, ns) for a in call.args]
        items = list(current.value)
        if method == "append" and len(args) == 1:
            items.append(args[0])
        elif method == "extend" and len(args) == 1 and isinstance(args[0], list):
            items.extend(args[0])
        elif method == "insert" and len(args) == 2 and isinstance(args[0], int):
            items.insert(args[0], args[1])
        elif method == "remove" and len(args) == 1 and args[0] in items:
            items.remove(args[0])
        else:
            return
        ns.values[name] = Assigned(items, current.path, current.line)

    def eval(self, node: ast.expr, ns: Namespace) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            result: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self.eval(elt.value, ns)
                    result.extend(inner if isinstance(inner, list) else [UNKNOWN])
                else:
                    result.append(self.eval(elt, ns))
            return result
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    inner = self.eval(value, ns)
                    if isinstance(inner, dict):
                        out.update(inner)
                    continue
                k = self.eval(key, ns)
                if k is not UNKNOWN:
                    out[k] = self.eval(value, ns)
            return out
        if isinstance(node, ast.Name):
            return ns.get(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _add(self.eval(node.left, ns), self.eval(node.right, ns))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("list", "tuple") and len(node.args) == 1:
                inner = self.eval(node.args[0], ns)
                return inner if isinstance(inner, list) else UNKNOWN
        return UNKNOWN


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, list) and isinstance(right, list):
        return left + right
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return UNKNOWN


@dataclass
class SettingsValues:
    """What the settings say, as far as literals tell."""

    primary: Namespace
    per_module: dict[str, Namespace]

    def first(self, name: str) -> Assigned | None:
        """The value in the default settings module, else in any other module."""
        if name in self.primary.values and self.primary.values[name].value is not UNKNOWN:
            return self.primary.values[name]
        for ns in self.per_module.values():
            item = ns.values.get(name)
            if item and item.value is not UNKNOWN:
                return item
        return self.primary.values.get(name)

    def string(self, name: str) -> str | None:
        item = self.first(name)
        return item.value if item and isinstance(item.value, str) else None

    def union_list(self, name: str) -> list[str]:
        """Every string a list setting holds in any module (first seen order)."""
        seen: dict[str, None] = {}
        for ns in [self.primary, *self.per_module.values()]:
            value = ns.get(name)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        seen.setdefault(item, None)
        return list(seen)


def evaluate(view: RepoView, modules: list[SettingsModule], default: str | None) -> SettingsValues:
    evaluator = Evaluator(view, modules)
    primary = evaluator.run(default) if default else Namespace()
    per_module = {m.module: evaluator.run(m.module) for m in modules if m.module != default}
    if default:
        # fragments of django-split-settings share the including module's namespace
        fragments = [m for m in modules if m.role == "fragment"]
        for fragment in fragments:
            for name, item in per_module.get(fragment.module, Namespace()).values.items():
                primary.values.setdefault(name, item)
    return SettingsValues(primary, per_module)
