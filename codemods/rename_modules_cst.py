"""The libcst implementation of codemods/rename_modules.py: `RenameModulesCommand`.

Kept apart so that the `ast` fast path (`rename_modules.fast_rename`) never
imports libcst; `rename_modules.RenameModulesCommand` still names this class
(a lazy module attribute), for the steps and for libcst's CLI. The rules are
described in rename_modules.py.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.helpers import get_full_name_for_node
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

try:  # inside the installed package
    from model_w.migrate.codemods.base import ModelWCodemod
    from model_w.migrate.codemods.rename_modules import (
        _SIMPLE_STRING_RE,
        ENV_SETTERS,
        MODULE_CONTEXT_CALLS,
        ModuleMap,
        _relative_changes,
        is_context_name,
        parse_map_args,
    )
except ImportError:  # pragma: no cover - run from a checkout by path
    from base import ModelWCodemod  # type: ignore[no-redef]
    from rename_modules import (  # type: ignore[no-redef]
        _SIMPLE_STRING_RE,
        ENV_SETTERS,
        MODULE_CONTEXT_CALLS,
        ModuleMap,
        _relative_changes,
        is_context_name,
        parse_map_args,
    )


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


__all__ = ["RenameModulesCommand"]
