"""Remove `sentry_sdk.init(...)` from a settings module: the preset initialises Sentry.

`modelw-preset-django` calls `sentry_sdk.init(DjangoIntegration() [+ Celery],
send_default_pii=True, traces_sample_rate=<sentry_sample_rate>,
environment=ENVIRONMENT)` itself whenever SENTRY_DSN is set (model-w.md 3.1
and rule 11.1). A legacy init would run a second time with other options, so
this codemod removes every `sentry_sdk.init(...)` call: at module level,
inside `if` guards (the guard goes when nothing else is left in it), or
inside functions defined in the settings (a function left empty goes, with
its module-level calls). Sentry imports left unused are removed.

What the legacy call configured is reported, not lost:
`scratch["modelw_sentry_options"]` lists each removed call's options (the
settings step passes `traces_sample_rate` as `ModelWDjango(sentry_sample_rate=...)`),
and an info follow-up names the options the preset does not reproduce. A
hardcoded DSN becomes the local value of the preset's SENTRY_DSN variable and
a secret. Records: see `envvars.py` (the scratch contract).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import PositionProvider, QualifiedNameProvider, ScopeProvider
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.envvars import (
    DEFAULT_RELEASE,
    MISSING,
    ReleaseVars,
    StatementDropper,
    add_release_arg,
    literal_of,
    looks_like_secret,
    record_env_var,
    record_secret,
    schedule_unused_imports,
    tidy_module_start,
    walk,
    worth_guarding,
)

SENTRY_INIT = frozenset({"sentry_sdk.init", "sentry_sdk.api.init", "sentry_sdk.hub.init"})

#: Options the preset sets itself (model-w.md 3.1).
PRESET_HANDLED = frozenset(
    {"dsn", "integrations", "send_default_pii", "traces_sample_rate", "environment"}
)


class RemoveSentryInitCommand(ReleaseVars, ModelWCodemod):
    DESCRIPTION = (
        "Remove sentry_sdk.init(...) from settings (Model W's preset initialises Sentry "
        "from SENTRY_DSN) and report the options it set."
    )
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider)
    TRIGGER = re.compile(r"sentry_sdk")

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        add_release_arg(arg_parser)
        arg_parser.add_argument(
            "--keep-empty-functions",
            dest="keep_empty_functions",
            action="store_true",
            default=False,
            help="keep a settings function emptied by the removal (and its calls)",
        )

    def __init__(
        self,
        context: CodemodContext,
        keep_empty_functions: bool = False,
        release: str = DEFAULT_RELEASE,
    ) -> None:
        super().__init__(context)
        self.use_release(release)
        self.keep_empty_functions = keep_empty_functions
        self.tree = cst.Module([])
        self.removals: set[cst.CSTNode] = set()
        self.dropper = StatementDropper()
        self._gone: list[cst.CSTNode] = []

    def _is_init(self, call: cst.CSTNode) -> bool:
        if not isinstance(call, cst.Call):
            return False
        try:
            names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        except KeyError:
            return False
        return bool(names & SENTRY_INIT)

    # --- analysis -----------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        self.tree = node
        emptied: list[cst.FunctionDef] = []
        for sub in walk(node):
            if not isinstance(sub, cst.SimpleStatementLine):
                continue
            if (
                len(sub.body) == 1
                and isinstance(sub.body[0], cst.Expr)
                and self._is_init(sub.body[0].value)
            ):
                self._record(sub.body[0].value)
                self.removals.add(sub)
                self._gone.append(sub)
            else:
                for small in sub.body:
                    for inner in walk(small):
                        if self._is_init(inner):
                            self.report_followup(
                                inner,
                                "sentry_sdk.init(...) is used as a value here, so it was kept; "
                                "the Model W preset already initialises Sentry from SENTRY_DSN: "
                                "remove it by hand",
                                "todo",
                            )
        if not self.keep_empty_functions:
            for stmt in node.body:
                if isinstance(stmt, cst.FunctionDef) and self._emptied(stmt):
                    emptied.append(stmt)
            for fn in emptied:
                self._remove_function(fn)
        schedule_unused_imports(
            self.context, self.get_metadata(ScopeProvider, node, None), self._gone
        )
        return True

    def _emptied(self, fn: cst.FunctionDef) -> bool:
        """A function whose body is only removed statements (and a docstring, `pass`)."""
        if not isinstance(fn.body, cst.IndentedBlock):
            return False
        removed_any = False
        for stmt in fn.body.body:
            if stmt in self.removals:
                removed_any = True
                continue
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, cst.Pass)
                or (isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString))
                or isinstance(s, (cst.Import, cst.ImportFrom))
                for s in stmt.body
            ):
                continue
            if isinstance(stmt, cst.If) and self._block_removed(stmt):
                removed_any = True
                continue
            return False
        return removed_any

    def _block_removed(self, node: cst.If) -> bool:
        if node.orelse is not None or not isinstance(node.body, cst.IndentedBlock):
            return False
        return all(s in self.removals for s in node.body.body)

    def _remove_function(self, fn: cst.FunctionDef) -> None:
        scope = self.get_metadata(ScopeProvider, fn, None)
        if scope is None:
            return
        calls: list[cst.SimpleStatementLine] = []
        for assignment in scope.assignments[fn.name.value]:
            for access in assignment.references:
                statement = self._call_statement(access.node)
                if statement is None:
                    return  # used otherwise: keep the (empty) function
                calls.append(statement)
        self.removals.add(fn)
        self._gone.append(fn)
        for statement in calls:
            self.removals.add(statement)

    def _call_statement(self, name: cst.CSTNode) -> cst.SimpleStatementLine | None:
        """The `f()` statement a reference belongs to, if it is just that."""
        for sub in walk(self.tree):
            if (
                isinstance(sub, cst.SimpleStatementLine)
                and len(sub.body) == 1
                and isinstance(sub.body[0], cst.Expr)
                and isinstance(sub.body[0].value, cst.Call)
                and sub.body[0].value.func is name
            ):
                return sub
        return None

    def _record(self, call: cst.Call) -> None:
        options: dict[str, str] = {}
        literals: dict[str, Any] = {}
        for index, arg in enumerate(call.args):
            if arg.star:
                key = arg.star + self.tree.code_for_node(arg.value).strip()
            elif arg.keyword is not None:
                key = arg.keyword.value
            else:
                key = "dsn" if index == 0 else f"arg{index}"
            options[key] = self.tree.code_for_node(arg.value).strip()
            value = literal_of(self.tree, arg.value)
            if value is not MISSING:
                literals[key] = value
        line = self.line_of(call)
        rate = literals.get("traces_sample_rate")
        entry = {
            "line": line,
            "options": options,
            "literals": literals,
            "traces_sample_rate": rate if isinstance(rate, (int, float)) else None,
        }
        self.context.scratch.setdefault("modelw_sentry_options", []).append(entry)
        dsn = literals.get("dsn")
        if isinstance(dsn, str) and dsn:
            record_env_var(
                self.context.scratch,
                self.preset_record(
                    "SENTRY_DSN",
                    setting=None,
                    legacy_value=dsn,
                    line=line,
                    comment="Sentry DSN (was hardcoded in sentry_sdk.init)",
                ),
            )
            if looks_like_secret(dsn, "SENTRY_DSN") and worth_guarding(dsn):
                record_secret(self.context.scratch, dsn)
        dropped = [k for k in options if k not in PRESET_HANDLED]
        parts = [
            "removed sentry_sdk.init(...): the Model W preset initialises Sentry from "
            "SENTRY_DSN with DjangoIntegration (and Celery), send_default_pii=True and "
            "environment=ENVIRONMENT"
        ]
        if "traces_sample_rate" in options:
            parts.append(
                f"pass traces_sample_rate ({options['traces_sample_rate']}) as "
                "ModelWDjango(sentry_sample_rate=...)"
            )
        if "integrations" in options:
            parts.append(f"integrations were {options['integrations']}")
        if dropped:
            parts.append("not reproduced: " + ", ".join(f"{k}={options[k]}" for k in dropped))
        self.report_followup(call, "; ".join(parts), "info")

    # --- transform ----------------------------------------------------------------

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = super().on_leave(original_node, updated_node)
        if original_node in self.removals:
            if isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return self.dropper.mark(result)
            return cst.RemoveFromParent()
        return result

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self.dropper.body(updated_node.body, True))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self.dropper.body(updated_node.body, False))

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> Any:
        if not isinstance(updated_node.body, cst.IndentedBlock) or updated_node.body.body:
            return updated_node
        if updated_node.orelse is None:
            if any(
                isinstance(n, cst.Call) and not self._pure_call(n) for n in walk(original_node.test)
            ):
                return updated_node.with_changes(
                    body=updated_node.body.with_changes(
                        body=[cst.SimpleStatementLine([cst.Pass()])]
                    )
                )
            return cst.RemoveFromParent()
        return updated_node.with_changes(
            body=updated_node.body.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        )

    def _pure_call(self, node: cst.Call) -> bool:
        """Reads of the environment and friends have no side effects worth keeping."""
        code = self.tree.code_for_node(node.func).strip()
        return code in ("env.get", "os.environ.get", "os.getenv", "getenv", "bool", "int", "str")

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return tidy_module_start(tree, super().transform_module(tree))
