"""Qualified names from a module's imports alone, when that is unambiguous.

libcst's QualifiedNameProvider needs a full scope analysis of the module: on a
URLconf of a hundred routes it is most of a codemod's time. Most URLconfs
bind `path`, `include` and friends once, by a top-level import, and never
again; for those, the imports alone say what a name means. `ImportNames.of`
returns None whenever that is not certain (a star import, an import under a
try, an if or a function, a name imported twice or also bound by an
assignment, a parameter, a loop...), and the codemod
then asks libcst's provider as before.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass


def _bound_names(tree: ast.AST) -> Counter[str]:
    """How many times each name is bound anywhere in the module, in any scope."""
    bound: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound[node.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] += 1
        elif isinstance(node, ast.arg):
            bound[node.arg] += 1
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] += 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bound[name] += 2  # never certain
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound[node.name] += 1
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound[node.rest] += 1
        elif type(node).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
            bound[node.name] += 1  # type: ignore[attr-defined]
    return bound


@dataclass(frozen=True)
class ImportNames:
    imported: dict[str, str]  # local name -> qualified name, from top-level imports
    bound: frozenset[str]  # every name bound anywhere in the module

    @classmethod
    def of(cls, source: str) -> ImportNames | None:
        """The module's import table, or None when the imports alone may mislead."""
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return None
        imported: dict[str, str] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        imported[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        imported[head] = head
            elif isinstance(statement, ast.ImportFrom):
                if statement.level or not statement.module:
                    continue  # relative: never a Django function
                for alias in statement.names:
                    if alias.name == "*":
                        return None
                    imported[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
        top_level = {id(statement) for statement in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top_level:
                return None  # under a try, an if, a function: what it binds depends
        bound = _bound_names(tree)
        if any(bound[name] != 1 for name in imported):
            return None
        return cls(imported, frozenset(bound))

    def qualified(self, dotted: str | None) -> str | None:
        """What `dotted` (a name or attribute chain) names; None for a name bound nowhere."""
        if not dotted:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.imported:
            return self.imported[head] + (f".{rest}" if rest else "")
        return dotted if head in self.bound else None
