"""Adopt the Model W preset: a settings module becomes
`with EnvManager(ModelWDjango(...)) as env:`.

What it rewrites (model-w.md parts 2, 3, 10 and 11; the decision per
setting is the table of 10.2 generalised by the rules of part 11):

- settings equal to what the preset sets are deleted; differing ones stay
  inside the block as overrides, mutating keys (`TEMPLATES[0]["DIRS"] = ...`,
  `REST_FRAMEWORK.update(...)`) rather than replacing the preset's value;
- preset-owned, environment-specific settings (SECRET_KEY, DEBUG, DATABASES,
  a Redis CACHES or broker, BASE_DIR, STATIC_URL/ROOT) are deleted; what they
  held is recorded (`scratch["modelw_adoption"]`) so the step can write the
  matching variables into `.env`;
- settings a `post_` hook forces (EMAIL_BACKEND other than console, mailjet or
  mandrill; SMS_BACKEND; STATICFILES_STORAGE; a LANGUAGE_CODE that is not
  the first language) are assigned after the block (10.3: `if EMAIL_HOST:`);
- INSTALLED_APPS loses the apps the preset injects; apps that must come
  before Django's (modeltranslation, jazzmin, grappelli, ...) are inserted
  after the block; MIDDLEWARE becomes insert/append calls around the
  preset's list, SecurityMiddleware first (2.5);
- LANGUAGES is always set, every `enable_*` flag and `default_time_zone`
  are passed explicitly (2.6), and Django defaults the legacy project relied
  on and the preset changes (AutoField, USE_TZ=False before Django 5, DRF's
  permissive defaults, a LOGGING dict) are restored so it behaves as before;
- code it cannot judge (loops, exec, file reads, conditionals on non-env
  data, sys.argv checks, django_heroku) is kept verbatim inside the block
  under `# TODO(modelw): ...` and reported; nothing is added below a block
  that says nothing may follow it.

A module that already uses the preset is left untouched.
Runs alone: `python -m libcst.tool codemod preset_adoption.PresetAdoption settings.py`.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.envvars import (
    MISSING,
    EnvVar,
    dotenv_text,
    preset_record,
    record_env_var,
    record_preset_owned,
    record_secret,
    tidy_module_start,
    worth_guarding,
)
from model_w.migrate.codemods.settings_values import (
    BASIC,
    SESSION,
    UNKNOWN,
    Evaluator,
    PathValue,
    base_dir_levels,
    code_of,
    cst_dotted,
    literal,
    preset_facts,
    same,
)

TODO = "# TODO(modelw):"

#: S3 settings the preset reads from the variable of the same name when storages are on.
STORAGE_CREDENTIALS = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_STORAGE_BUCKET_NAME"}
)

# Apps that must precede django.contrib.* (admin skins, translation patches,
# runserver_nostatic): they cannot be placed from inside the block (2.4).
ORDER_SENSITIVE_APPS = (
    "modeltranslation",
    "jazzmin",
    "grappelli",
    "admin_interface",
    "colorfield",
    "django_admin_shortcuts",
    "admin_tools",
    "admin_tools.theming",
    "admin_tools.menu",
    "admin_tools.dashboard",
    "dal",
    "dal_select2",
    "whitenoise.runserver_nostatic",
    "unfold",
    "suit",
)

SECURITY_MW = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MW = "whitenoise.middleware.WhiteNoiseMiddleware"

# Names the preset's pre_ hooks inject, and the IDE stub for each.
STUBS: dict[str, str] = {
    "BASE_DIR": "Path()",
    "DEBUG": "False",
    "SECRET_KEY": '""',
    "BASE_URL": '""',
    "ALLOWED_HOSTS": "[]",
    "DATABASES": "{}",
    "CACHES": "{}",
    "MIDDLEWARE": "[]",
    "TEMPLATES": "[]",
    "REST_FRAMEWORK": "{}",
    "STATIC_ROOT": "Path()",
    "STATIC_URL": '""',
    "STATICFILES_DIRS": "[]",
    "STATICFILES_FINDERS": "[]",
    "PASSWORD_HASHERS": "[]",
    "TIME_ZONE": '""',
    "INSTALLED_APPS": "[]",
    "CELERY_BROKER_URL": '""',
    "CHANNEL_LAYERS": "{}",
    "AWS_ACCESS_KEY_ID": '""',
    "AWS_SECRET_ACCESS_KEY": '""',
    "AWS_STORAGE_BUCKET_NAME": '""',
    "STORAGES": "{}",
}

EMAIL_MODES = {
    "django.core.mail.backends.console.EmailBackend": "console",
    "wailer.backends.MailjetEmailBackend": "mailjet",
    "wailer.backends.MandrillEmailBackend": "mandrill",
}
SMTP = "django.core.mail.backends.smtp.EmailBackend"

NOTHING_AFTER = re.compile(
    r"(nothing|no (more )?(code|settings?)|do ?n[o']t (add|put)|don'?t (add|put)|must (be|stay|remain) (the )?last|keep (this|it) (at the )?(end|last|bottom))",
    re.IGNORECASE,
)

LANGUAGE_NAMES = {
    "en": "English",
    "en-us": "English",
    "en-gb": "British English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pt-br": "Brazilian Portuguese",
    "ca": "Catalan",
    "pl": "Polish",
    "ru": "Russian",
    "ja": "Japanese",
    "zh-hans": "Simplified Chinese",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "nb": "Norwegian Bokmål",
    "cs": "Czech",
    "el": "Greek",
    "tr": "Turkish",
}

DB_URL_KEYS = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")


def already_adopted(module: cst.Module) -> bool:
    for stmt in module.body:
        if isinstance(stmt, cst.With):
            for item in stmt.items:
                if isinstance(item.item, cst.Call) and cst_dotted(item.item.func).endswith(
                    "EnvManager"
                ):
                    return True
    return False


def _string_list(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _py(value: Any) -> str:
    """Source for a plain value (repr with double quotes where simple)."""
    if isinstance(value, str):
        if '"' not in value and "\\" not in value:
            return f'"{value}"'
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_py(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _names_loaded(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

        def visit_AssignTarget(self, n: cst.AssignTarget) -> bool:
            return not isinstance(n.target, cst.Name)

        def visit_Arg(self, n: cst.Arg) -> bool:
            n.value.visit(self)
            return False

    node.visit(V())
    return found


def _assigned_name(stmt: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    """`NAME = value` (one target) as (NAME, value)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Name):
            return target.value, small.value
    if (
        isinstance(small, cst.AnnAssign)
        and isinstance(small.target, cst.Name)
        and small.value is not None
    ):
        return small.target.value, small.value
    return None


def _comments(stmt: cst.CSTNode) -> str:
    lines = getattr(stmt, "leading_lines", ())
    return "\n".join(line.comment.value for line in lines if line.comment)


class _RenameBaseDir(cst.CSTTransformer):
    """Points references of a legacy BASE_DIR at the preset's one."""

    def __init__(self, replacement: str) -> None:
        self.replacement = cst.parse_expression(replacement)

    def leave_BinaryOperation(self, original, updated):  # noqa: ANN001
        if isinstance(updated.operator, cst.Add):
            for side in ("left", "right"):
                node = getattr(updated, side)
                if isinstance(node, cst.Name) and node.value == "BASE_DIR":
                    updated = updated.with_changes(**{side: cst.parse_expression("str(BASE_DIR)")})
        return updated

    def leave_Name(self, original, updated):  # noqa: ANN001
        if updated.value == "BASE_DIR":
            return self.replacement
        return updated

    def leave_Attribute(self, original, updated):  # noqa: ANN001
        return updated.with_changes(attr=original.attr)


class PresetAdoption(ModelWCodemod):
    DESCRIPTION = "Wrap a settings module in the Model W preset (EnvManager + ModelWDjango)."

    @staticmethod
    def add_args(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--release", default="2024.10", help="Model W release to target")
        parser.add_argument(
            "--enable",
            action="append",
            default=[],
            help="an enable_* flag to pass as True (repeatable)",
        )
        parser.add_argument(
            "--settings-rel-dir",
            default=None,
            help="folder of the settings file relative to manage.py's folder",
        )
        parser.add_argument(
            "--legacy-django", default=None, help="the project's Django version (e.g. 3.2)"
        )

    def __init__(
        self,
        context: CodemodContext,
        release: str = "2024.10",
        flags: dict[str, bool] | None = None,
        enable: list[str] | None = None,
        settings_rel_dir: str | None = None,
        legacy_django: str | None = None,
        uses_drf: bool | None = None,
    ) -> None:
        super().__init__(context)
        self.preset = preset_facts(release)
        self.flags = dict(flags or {})
        for name in enable or []:
            self.flags[name if name.startswith("enable_") else f"enable_{name}"] = True
        self.settings_rel_dir = settings_rel_dir
        self.legacy_django = legacy_django
        self.uses_drf = uses_drf

    # -- helpers -------------------------------------------------------------
    def followup(self, node: cst.CSTNode | None, message: str, level: str = "todo") -> None:
        items = self.context.scratch.setdefault("modelw_followups", [])
        items.append(
            {
                "path": self.context.filename or "",
                "line": self.line_of(node),
                "message": message,
                "level": level,
            }
        )

    def env_var(self, name: str, node: cst.CSTNode | None, **info: Any) -> None:
        """Record a variable in the shared contract (codemods/envvars.py)."""
        local = info.pop("local_value", None)
        is_yaml = info.get("is_yaml", False)
        var = EnvVar(
            name=name, line=self.line_of(node), local_value=dotenv_text(local, is_yaml), **info
        )
        record_env_var(self.context.scratch, var)

    @staticmethod
    def _stmt(code: str, comment: str | None = None, blank: bool = False) -> cst.BaseStatement:
        node = cst.parse_statement(code if code.endswith("\n") else code + "\n")
        lines = []
        if blank:
            lines.append(cst.EmptyLine(indent=False))
        if comment:
            for text in comment.splitlines():
                lines.append(
                    cst.EmptyLine(
                        comment=cst.Comment(text if text.startswith("#") else f"# {text}")
                    )
                )
        return node.with_changes(leading_lines=lines)

    # -- main ----------------------------------------------------------------
    def transform_module(self, tree: cst.Module) -> cst.Module:
        # the imports this rewrite left unused are removed after it (libcst)
        return tidy_module_start(tree, super().transform_module(tree))

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if already_adopted(tree):
            return tree
        return self._adopt(tree)

    def _split(self, body: list[cst.BaseStatement]) -> tuple[list, list, list]:
        head: list[cst.BaseStatement] = []
        i = 0
        while i < len(body):
            stmt = body[i]
            if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
            ):
                head.append(stmt)
            elif (
                i == 0
                and isinstance(stmt, cst.SimpleStatementLine)
                and isinstance(stmt.body[0], cst.Expr)
                and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
            ):
                head.append(stmt)
            else:
                break
            i += 1
        rest = body[i:]
        tail_at = len(rest)
        for j, stmt in enumerate(rest):
            if NOTHING_AFTER.search(_comments(stmt)) and re.search(
                r"(after|below|last|end|bottom)", _comments(stmt), re.I
            ):
                tail_at = j
                break
        return head, list(rest[:tail_at]), list(rest[tail_at:])

    def _adopt(self, tree: cst.Module) -> cst.Module:  # noqa: C901 - one pass, many settings
        head, middle, tail = self._split(list(tree.body))
        self.ev = Evaluator()
        self.block: list[cst.BaseStatement] = []
        self.after: list[cst.BaseStatement] = []
        self.restore: list[cst.BaseStatement] = []
        self.info: dict[str, Any] = {"deleted": [], "database": None, "languages": None}
        self.seen: set[str] = set()
        self.base_dir_replacement: str | None = None
        self.lang_code: Any = None
        self.default_time_zone: Any = None
        self.enable_postgis = False
        # STORAGES aliases for releases whose preset sets STORAGES (2025.7+):
        # literal key -> (key code, value code)
        self.storages: dict[Any, tuple[str, str]] = {}
        if "enable_cache" not in self.flags:
            self.flags["enable_cache"] = False

        assigned_later: dict[int, str] = {}
        all_assigned = {}
        for idx, stmt in enumerate(middle):
            named = _assigned_name(stmt)
            if named:
                all_assigned.setdefault(named[0], []).append(idx)
        self.module_assigns = set(all_assigned)
        # a plain assignment overwritten later without being read in between is dead
        dead: set[int] = set()
        for name, idxs in all_assigned.items():
            for a, b in zip(idxs, idxs[1:], strict=False):
                between = middle[a + 1 : b + 1]
                value_b = _assigned_name(middle[b])[1]  # type: ignore[index]
                reads = (
                    set().union(*(_names_loaded(s) for s in between[:-1]))
                    if between[:-1]
                    else set()
                )
                if name not in reads and name not in _names_loaded(value_b):
                    dead.add(a)
        del assigned_later
        self.reads_later: list[set[str]] = []
        loads = [_names_loaded(s) for s in middle]
        self.loaded_before = set().union(*loads) if loads else set()
        tail_loads = set().union(*(_names_loaded(s) for s in tail)) if tail else set()
        for idx in range(len(middle)):
            later = set().union(*loads[idx + 1 :]) if idx + 1 < len(loads) else set()
            self.reads_later.append(later | tail_loads)

        for idx, stmt in enumerate(middle):
            self.idx = idx
            if self.base_dir_replacement:
                stmt = stmt.visit(_RenameBaseDir(self.base_dir_replacement))
            if idx in dead:
                named = _assigned_name(stmt)
                if named:
                    self.seen.add(named[0])
                    self.ev.names[named[0]] = self.ev.eval(named[1])
                continue
            self._statement(stmt)

        self._restore_defaults()
        return self._assemble(tree, head, tail)

    # -- one statement ---------------------------------------------------------
    def _statement(self, stmt: cst.BaseStatement) -> None:
        named = _assigned_name(stmt)
        if named and named[0].isupper() or (named and named[0] == "BASE_DIR"):
            name, value = named
            self.seen.add(name)
            handler = getattr(self, f"_set_{name}", None)
            evaluated = self.ev.eval(value)
            if handler is not None:
                handler(stmt, value, evaluated)
            else:
                self._generic(stmt, name, value, evaluated)
            if (
                name not in self.ev.names
                or self.ev.names[name] is UNKNOWN
                or evaluated is not UNKNOWN
            ):
                self.ev.names[name] = evaluated
            return
        if named:
            if named[0] == "env":
                self.followup(
                    stmt,
                    "`env` is rebound here and shadows the EnvManager's `env`; rename it",
                    "blocker",
                )
            self.ev.names[named[0]] = self.ev.eval(named[1])
            self.block.append(stmt)
            return
        if self._understood(stmt):
            self.block.append(stmt)
            return
        self._keep_with_todo(stmt, self._why_unknown(stmt))

    def _understood(self, stmt: cst.BaseStatement) -> bool:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return True
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom, cst.Pass)):
                    continue
                if isinstance(small, cst.ImportFrom) or isinstance(small, cst.Import):
                    continue
                if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                    targets = small.targets if isinstance(small, cst.Assign) else [small]
                    for t in targets:
                        target = t.target
                        base = target
                        while isinstance(base, (cst.Subscript, cst.Attribute)):
                            base = base.value
                        if not isinstance(base, cst.Name):
                            return False
                    if "__file__" in code_of(small) and "open(" in code_of(small):
                        return False
                    if re.search(r"\b(open|exec|eval|__import__)\(", code_of(small)):
                        return False
                    continue
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    func = small.value.func
                    if (
                        isinstance(func, cst.Attribute)
                        and func.attr.value
                        in (
                            "append",
                            "insert",
                            "extend",
                            "update",
                            "remove",
                            "setdefault",
                            "pop",
                        )
                        and isinstance(func.value, (cst.Name, cst.Subscript))
                    ):
                        continue
                    return False
                if isinstance(small, cst.Expr) and isinstance(
                    small.value, (cst.SimpleString, cst.ConcatenatedString)
                ):
                    continue
                return False
            return True
        if isinstance(stmt, cst.If):
            names = _names_loaded(stmt.test)
            text = code_of(stmt.test)
            if "sys.argv" in text or "argv" in names:
                return False
            env_names = {"DEBUG", "env", "os", "environ", "getenv", "get", "True", "False", "None"}
            return names <= env_names and self._body_understood(stmt)
        return False

    def _body_understood(self, stmt: cst.If) -> bool:
        blocks = [stmt.body]
        orelse = stmt.orelse
        while orelse is not None:
            blocks.append(orelse.body)
            orelse = getattr(orelse, "orelse", None)
        for block in blocks:
            for inner in block.body:
                if not self._understood(inner):
                    return False
        return True

    def _why_unknown(self, stmt: cst.BaseStatement) -> str:
        text = code_of(stmt)
        if "sys.argv" in text:
            return "depends on sys.argv; check it still makes sense with the preset"
        if "django_heroku" in text:
            return "django_heroku rewrites settings the preset now owns; remove it once checked"
        if "sentry_sdk" in text:
            return "the preset initialises Sentry from SENTRY_DSN; remove this once checked"
        if re.search(r"\bexec\(|\beval\(|__import__\(", text):
            return "runs dynamic code while settings load; kept verbatim, check it"
        if re.search(r"\bopen\(|read_text\(|json\.load", text):
            return "reads a file while settings load; kept verbatim, check the path still holds"
        if isinstance(stmt, (cst.For, cst.While)):
            return "a loop the tool cannot judge; kept verbatim, check it"
        if isinstance(stmt, cst.Try):
            return "a try block the tool cannot judge; kept verbatim, check it"
        if isinstance(stmt, cst.If):
            return "a condition on data other than the environment; kept verbatim, check it"
        return "code the tool cannot judge; kept verbatim, check it"

    def _keep_with_todo(self, stmt: cst.BaseStatement, why: str) -> None:
        self.followup(stmt, f"kept verbatim inside the preset block: {why}")
        lines = list(getattr(stmt, "leading_lines", ()))
        lines.append(cst.EmptyLine(comment=cst.Comment(f"{TODO} {why}")))
        self.block.append(stmt.with_changes(leading_lines=lines))

    def _keep(self, stmt: cst.BaseStatement) -> None:
        self.block.append(stmt)

    def _delete(self, stmt: cst.BaseStatement, name: str, reason: str) -> None:
        self.info["deleted"].append({"setting": name, "reason": reason, "line": self.line_of(stmt)})

    def _generic(self, stmt, name, value, evaluated) -> None:  # noqa: ANN001
        if name in STORAGE_CREDENTIALS and self.flags.get("enable_storages"):
            # read by the preset's pre_storages from the variable of the same name
            self.ev.env_reads.clear()
            self.ev.eval(value)
            self._delete(stmt, name, f"set by the preset from {name} (enable_storages)")
            self._preset_env(stmt, name, evaluated)
            return
        preset_value = self.preset.settings.get(name, UNKNOWN)
        if (
            preset_value is not UNKNOWN
            and self._preset_sets(name)
            and same(evaluated, preset_value)
        ):
            self._delete(stmt, name, "equal to the preset")
            return
        self._keep(stmt)

    def _preset_sets(self, name: str) -> bool:
        if name.startswith("CELERY_"):
            return bool(self.flags.get("enable_celery"))
        if name.startswith("AWS_"):
            return bool(self.flags.get("enable_storages"))
        return True

    # -- preset-owned settings -----------------------------------------------
    def _set_BASE_DIR(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        levels = base_dir_levels(value)
        parts = (
            [p for p in (self.settings_rel_dir or "").split("/") if p]
            if self.settings_rel_dir is not None
            else None
        )
        if levels is None or parts is None:
            self.followup(
                stmt, "BASE_DIR is not the usual formula; kept as LEGACY_BASE_DIR, check its uses"
            )
            self.block.append(
                stmt.with_changes(
                    body=[
                        stmt.body[0].with_changes(
                            targets=[cst.AssignTarget(cst.Name("LEGACY_BASE_DIR"))]
                        )
                    ]
                )
            )
            self.base_dir_replacement = "LEGACY_BASE_DIR"
            self.ev.names["BASE_DIR"] = UNKNOWN
            return
        expected = len(parts) + 1
        if levels == expected:
            self._delete(stmt, "BASE_DIR", "the preset injects BASE_DIR (the manage.py folder)")
            self.ev.names["BASE_DIR"] = PathValue("BASE_DIR")
            return
        if 1 <= levels < expected:
            sub = "/".join(parts[: len(parts) - (levels - 1)])
            self._delete(
                stmt, "BASE_DIR", "the preset injects BASE_DIR; legacy paths now start below it"
            )
            self.base_dir_replacement = f'(BASE_DIR / "{sub}")'
            self.ev.names["BASE_DIR"] = PathValue("BASE_DIR", tuple(sub.split("/")))
            return
        self.followup(
            stmt,
            "BASE_DIR points above the manage.py folder; kept as LEGACY_BASE_DIR, check its uses",
        )
        self.block.append(
            stmt.with_changes(
                body=[
                    stmt.body[0].with_changes(
                        targets=[cst.AssignTarget(cst.Name("LEGACY_BASE_DIR"))]
                    )
                ]
            )
        )
        self.base_dir_replacement = "LEGACY_BASE_DIR"

    def _preset_env(self, stmt, name: str, evaluated: Any, setting: str | None = None) -> None:  # noqa: ANN001
        """A preset-owned setting deleted: its variable, with the legacy value for .env."""
        old = [n for n in self.ev.env_reads if isinstance(n, str) and n != name]
        self.ev.env_reads.clear()
        setting = setting or name
        var = preset_record(
            name,
            old_names=old,
            setting=setting,
            legacy_value=MISSING if evaluated is UNKNOWN else evaluated,
            line=self.line_of(stmt),
        )
        record_env_var(self.context.scratch, var)
        record_preset_owned(self.context.scratch, setting, old, self.line_of(stmt), name)
        if var.secret and isinstance(evaluated, str) and worth_guarding(evaluated):
            record_secret(self.context.scratch, evaluated)

    def _set_SECRET_KEY(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self.ev.env_reads.clear()
        self.ev.eval(value)
        self._delete(stmt, "SECRET_KEY", "set by the preset from SECRET_KEY")
        self._preset_env(stmt, "SECRET_KEY", evaluated)

    def _set_DEBUG(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self.ev.env_reads.clear()
        self.ev.eval(value)
        self._delete(stmt, "DEBUG", "set by the preset from DEBUG (YAML)")
        self._preset_env(stmt, "DEBUG", evaluated if isinstance(evaluated, bool) else UNKNOWN)

    def _set_ALLOWED_HOSTS(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        hosts = _string_list(evaluated)
        if hosts is not None and (hosts == ["*"] or hosts == []):
            self._delete(stmt, "ALLOWED_HOSTS", 'the preset allows every host ("*")')
            if hosts == []:
                self.followup(
                    stmt,
                    'ALLOWED_HOSTS was empty; the preset allows "*" (routing is done by the platform)',
                    "info",
                )
            return
        if hosts is not None and literal(value) is not UNKNOWN:
            self.block.append(
                stmt.with_changes(
                    body=[
                        stmt.body[0].with_changes(
                            value=cst.parse_expression(
                                f'env.get("ALLOWED_HOSTS", default={code_of(value).strip()}, is_yaml=True)'
                            )
                        )
                    ]
                )
            )
            self.env_var(
                "ALLOWED_HOSTS",
                stmt,
                setting="ALLOWED_HOSTS",
                default=hosts,
                default_code=code_of(value).strip(),
                has_default=True,
                is_yaml=True,
                local_value=hosts,
                comment="Host names this site answers to (YAML list)",
                group="django",
            )
            return
        self._keep(stmt)

    def _same_or_keep(self, stmt, name, evaluated, info_msg: str | None = None) -> None:  # noqa: ANN001
        if same(evaluated, self.preset.settings.get(name, UNKNOWN)):
            self._delete(stmt, name, "equal to the preset")
            return
        if info_msg:
            self.followup(stmt, info_msg, "info")
        self._keep(stmt)

    def _set_SECURE_PROXY_SSL_HEADER(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._same_or_keep(stmt, "SECURE_PROXY_SSL_HEADER", evaluated)

    def _set_USE_X_FORWARDED_HOST(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._same_or_keep(stmt, "USE_X_FORWARDED_HOST", evaluated)

    def _set_DATABASES(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        text = code_of(value)
        if (
            not isinstance(evaluated, dict)
            or "default" not in evaluated
            or not isinstance(evaluated["default"], dict)
        ):
            if "DATABASE_URL" in text or "dj_database_url" in text or ".db(" in text:
                self._delete(stmt, "DATABASES", "set by the preset from DATABASE_URL")
                self.info["database"] = {"engine": None, "from_url": True}
                return
            self._keep_with_todo(
                stmt,
                "DATABASES is built in a way the tool cannot read; the preset sets it from DATABASE_URL",
            )
            return
        default = evaluated["default"]
        engine = default.get("ENGINE")
        db = {
            k.lower(): (None if default.get(k) is UNKNOWN else default.get(k))
            for k in DB_URL_KEYS
            if k in default
        }
        db["engine"] = engine if isinstance(engine, str) else None
        self.info["database"] = db
        if isinstance(engine, str) and "postgis" in engine:
            self.enable_postgis = True
        self._delete(stmt, "DATABASES", "set by the preset from DATABASE_URL")
        # keys a URL cannot carry are re-applied on the preset's dict
        default_node = None
        if isinstance(value, cst.Dict):
            for el in value.elements:
                if isinstance(el, cst.DictElement) and literal(el.key) == "default":
                    default_node = el.value
                elif isinstance(el, cst.DictElement):
                    alias = code_of(el.key).strip()
                    self.block.append(
                        self._stmt(
                            f"DATABASES[{alias}] = {code_of(el.value).strip()}",
                            f'{TODO} a second database; Model W configures only "default"',
                        )
                    )
                    self.followup(
                        stmt,
                        f"second database {alias} kept as is; Model W configures only the default one",
                    )
        if (
            isinstance(default_node, cst.Dict)
            and isinstance(engine, str)
            and "postgres" in engine
            or (isinstance(engine, str) and "postgis" in engine)
        ):
            for el in default_node.elements if isinstance(default_node, cst.Dict) else []:
                if (
                    isinstance(el, cst.DictElement)
                    and literal(el.key) == "DISABLE_SERVER_SIDE_CURSORS"
                    and "enable_cursors" in self.preset.constructor_flags
                    and isinstance(literal(el.value), bool)
                ):
                    # the release's constructor owns it: enable_cursors=not value
                    self.flags["enable_cursors"] = not literal(el.value)
                    continue
                if isinstance(el, cst.DictElement) and literal(el.key) not in DB_URL_KEYS:
                    self.info.setdefault("database_reapplied", []).append(literal(el.key))
                    self.block.append(
                        self._stmt(
                            f'DATABASES["default"][{code_of(el.key).strip()}] = {code_of(el.value).strip()}'
                        )
                    )

    def _set_CACHES(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        backend = (
            evaluated.get("default", {}).get("BACKEND")
            if isinstance(evaluated, dict) and isinstance(evaluated.get("default"), dict)
            else None
        )
        text = code_of(value)
        if (
            isinstance(backend, str)
            and "redis" in backend.lower()
            or ("REDIS" in text and "BACKEND" not in text)
        ):
            self.flags["enable_cache"] = True
            self.ev.env_reads.clear()
            self.ev.eval(value)
            location = (
                evaluated.get("default", {}).get("LOCATION")
                if isinstance(evaluated, dict)
                else None
            )
            self._delete(stmt, "CACHES", "Redis cache set by the preset from REDIS_URL")
            self._preset_env(
                stmt,
                "REDIS_URL",
                location if isinstance(location, str) else UNKNOWN,
                setting="CACHES",
            )
            return
        self.flags["enable_cache"] = False
        if (
            isinstance(backend, str)
            and backend.endswith("locmem.LocMemCache")
            and set(evaluated["default"]) <= {"BACKEND"}
            and len(evaluated) == 1
        ):
            self._delete(stmt, "CACHES", "equal to Django's default (the preset's cache is off)")
            return
        self._keep(stmt)

    def _set_CELERY_BROKER_URL(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        text = code_of(value)
        if (isinstance(evaluated, str) and evaluated.startswith("redis")) or "REDIS_URL" in text:
            self.ev.env_reads.clear()
            self.ev.eval(value)
            self._delete(stmt, "CELERY_BROKER_URL", "set by the preset from REDIS_URL")
            if "REDIS_URL" not in {
                r.get("name") for r in self.context.scratch.get("modelw_env_vars", [])
            }:
                self._preset_env(stmt, "REDIS_URL", evaluated, setting="CELERY_BROKER_URL")
            return
        self.followup(
            stmt,
            "a broker other than Redis: the preset skips its Celery key prefix; install django_celery_results yourself",
            "info",
        )
        self._keep(stmt)

    def _set_CELERY_TIMEZONE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if isinstance(evaluated, str) and self.default_time_zone in (None, evaluated):
            self.default_time_zone = evaluated
            self._delete(stmt, "CELERY_TIMEZONE", "the preset sets it from default_time_zone")
            return
        if isinstance(value, cst.Name) and value.value == "TIME_ZONE":
            self._delete(stmt, "CELERY_TIMEZONE", "the preset sets it from default_time_zone")
            return
        self._keep(stmt)

    def _set_TIME_ZONE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if isinstance(evaluated, str) or evaluated is None:
            self.default_time_zone = evaluated if evaluated is not None else "UTC"
            self._delete(
                stmt,
                "TIME_ZONE",
                "passed as default_time_zone; the TIME_ZONE env var still overrides it",
            )
            return
        self._keep_with_todo(
            stmt,
            "TIME_ZONE is computed; the preset reads TIME_ZONE itself, pass default_time_zone instead",
        )

    def _set_LANGUAGE_CODE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self.lang_code = evaluated
        if isinstance(evaluated, str) and "LANGUAGE_CODE" not in self.reads_later[self.idx]:
            self._delete(stmt, "LANGUAGE_CODE", "forced by the preset to LANGUAGES[0][0]")
            return
        self._keep(stmt)

    def _set_LANGUAGES(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self.info["languages"] = evaluated
        self._keep(stmt)

    def _set_STATIC_URL(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._delete(stmt, "STATIC_URL", "Model W convention: /back/static/ (url_prefix)")
        if isinstance(evaluated, str) and evaluated.strip("/") not in ("static", "back/static"):
            self.followup(
                stmt,
                f"STATIC_URL was {evaluated!r}; it is now /back/static/, fix hard-coded static URLs",
                "info",
            )

    def _set_STATIC_ROOT(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._delete(stmt, "STATIC_ROOT", "Model W convention: BASE_DIR / 'static'")

    def _set_STATICFILES_STORAGE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if isinstance(evaluated, str) and (
            "whitenoise" in evaluated or evaluated.startswith("django.contrib.staticfiles.storage.")
        ):
            self._delete(stmt, "STATICFILES_STORAGE", "forced by the preset to WhiteNoise")
            return
        if self.preset.uses_storages_dict:
            self._delete(
                stmt, "STATICFILES_STORAGE", 'removed in Django 5.1: now STORAGES["staticfiles"]'
            )
            self._custom_staticfiles(stmt, f'{{"BACKEND": {code_of(value).strip()}}}')
            return
        self.after.append(
            stmt.with_changes(
                leading_lines=[
                    cst.EmptyLine(
                        comment=cst.Comment(
                            f"{TODO} STATICFILES_STORAGE is forced to WhiteNoise by the preset; this legacy value overrides it"
                        )
                    )
                ]
            )
        )
        self.followup(
            stmt,
            "STATICFILES_STORAGE differs from the preset's WhiteNoise; kept after the block, check it",
        )

    def _set_DEFAULT_FILE_STORAGE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if (
            isinstance(evaluated, str)
            and evaluated.endswith("S3Boto3Storage")
            and self.flags.get("enable_storages")
        ):
            self._delete(stmt, "DEFAULT_FILE_STORAGE", "set by the preset (enable_storages)")
            return
        if evaluated == "django.core.files.storage.FileSystemStorage":
            self._delete(stmt, "DEFAULT_FILE_STORAGE", "equal to Django's default")
            return
        if self.preset.uses_storages_dict:
            self._delete(
                stmt, "DEFAULT_FILE_STORAGE", 'removed in Django 5.1: now STORAGES["default"]'
            )
            self.storages["default"] = ('"default"', f'{{"BACKEND": {code_of(value).strip()}}}')
            return
        self._keep(stmt)

    def _custom_staticfiles(self, stmt: cst.BaseStatement, value_code: str) -> None:
        """A legacy static files storage other than WhiteNoise: set after the block."""
        self.after.append(
            self._stmt(
                f'STORAGES["staticfiles"] = {value_code}',
                f'{TODO} the preset forces STORAGES["staticfiles"] to WhiteNoise when the block\n'
                "# exits; this legacy storage overrides it, check it",
                blank=True,
            )
        )
        self.followup(
            stmt,
            "the legacy static files storage differs from the preset's WhiteNoise; "
            'set as STORAGES["staticfiles"] after the block, check it',
        )

    @staticmethod
    def _is_default_static(backend: Any) -> bool:
        return isinstance(backend, str) and (
            "whitenoise" in backend or backend.startswith("django.contrib.staticfiles.storage.")
        )

    def _set_STORAGES(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if not isinstance(evaluated, dict):
            self._keep_with_todo(stmt, "STORAGES is computed; convert it by hand for the preset")
            return
        default = evaluated.get("default") if isinstance(evaluated.get("default"), dict) else {}
        backend = default.get("BACKEND")
        options = default.get("OPTIONS") or {}
        if self.preset.uses_storages_dict:
            if not isinstance(value, cst.Dict) or not all(
                isinstance(el, cst.DictElement) for el in value.elements
            ):
                self._keep_with_todo(
                    stmt, "STORAGES uses ** unpacking; check it merges with the preset's"
                )
                return
            for el in value.elements:
                key = literal(el.key)
                value_code = code_of(el.value).strip()
                if key == "staticfiles":
                    static = self.ev.eval(el.value)
                    backend_static = static.get("BACKEND") if isinstance(static, dict) else UNKNOWN
                    if not self._is_default_static(backend_static):
                        self._custom_staticfiles(stmt, value_code)
                    continue
                if (
                    key == "default"
                    and isinstance(backend, str)
                    and backend.endswith("S3Boto3Storage")
                    and self.flags.get("enable_storages")
                    and not options
                ):
                    continue  # the preset's own default
                self.storages[key] = (code_of(el.key).strip(), value_code)
            self._delete(stmt, "STORAGES", "merged into the preset's STORAGES")
            return
        self._delete(
            stmt, "STORAGES", "Django 4.2 refuses STORAGES next to the preset's STATICFILES_STORAGE"
        )
        if (
            isinstance(backend, str)
            and not (backend.endswith("S3Boto3Storage") and self.flags.get("enable_storages"))
            and backend != "django.core.files.storage.FileSystemStorage"
        ):
            self.block.append(
                self._stmt(
                    f"DEFAULT_FILE_STORAGE = {_py(backend)}",
                    'Legacy STORAGES["default"], in the form preset 2024.10 expects',
                )
            )
        if options:
            self.followup(
                stmt,
                f'STORAGES["default"]["OPTIONS"] ({", ".join(map(str, options))}) must become plain settings (AWS_* for S3); not converted',
            )

    def _set_EMAIL_BACKEND(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        mode = EMAIL_MODES.get(evaluated) if isinstance(evaluated, str) else None
        if mode == "console":
            self._delete(stmt, "EMAIL_BACKEND", "the preset's default (EMAIL_MODE=console)")
            return
        if mode:
            self._delete(stmt, "EMAIL_BACKEND", f"set by the preset with EMAIL_MODE={mode}")
            self.env_var(
                "EMAIL_MODE",
                stmt,
                setting="EMAIL_BACKEND",
                default="console",
                default_code='"console"',
                has_default=True,
                local_value=mode,
                group="email",
                comment="console, mailjet or mandrill",
                preset_owned=True,
            )
            return
        guard = evaluated == SMTP and "EMAIL_HOST" in self.module_assigns
        line = f"EMAIL_BACKEND = {code_of(value).strip()}"
        comment = (
            "EMAIL_BACKEND is forced by the preset's post_email hook, so it can only be\n"
            "# overridden once the block has exited."
        )
        if guard:
            self.after.append(
                self._stmt(
                    f"if EMAIL_HOST:\n    {line}\n",
                    comment + " Without EMAIL_HOST it stays on console.",
                    blank=True,
                )
            )
            self.followup(
                stmt,
                "SMTP is used only when EMAIL_HOST is set; otherwise Model W prints emails on the console",
                "info",
            )
        else:
            self.after.append(self._stmt(line, comment, blank=True))

    def _set_SMS_BACKEND(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if evaluated == "sms.backends.console.SmsBackend":
            self._delete(stmt, "SMS_BACKEND", "the preset's default")
            return
        self.after.append(
            self._stmt(
                f"SMS_BACKEND = {code_of(value).strip()}",
                "SMS_BACKEND is forced by the preset's post_sms hook.",
                blank=True,
            )
        )

    def _set_LOGGING(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._keep(stmt)
        if "LOGGING_CONFIG" not in self.module_assigns:
            self.block.append(
                self._stmt(
                    'LOGGING_CONFIG = "logging.config.dictConfig"',
                    "The preset disables Django's logging setup; the legacy LOGGING needs it back.",
                )
            )

    def _set_USE_L10N(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if self.preset.django_major >= 5:
            self._delete(stmt, "USE_L10N", "removed in Django 5.0 (localization is always on)")
            if evaluated is not True:
                self.followup(
                    stmt,
                    f"USE_L10N was {code_of(value).strip()}; Django 5 always formats data "
                    "with the current locale, check dates and numbers in templates",
                    "info",
                )
            return
        self._generic(stmt, "USE_L10N", value, evaluated)

    def _set_DEFAULT_AUTO_FIELD(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        self._same_or_keep(stmt, "DEFAULT_AUTO_FIELD", evaluated)

    # -- lists and dicts mutated, not replaced -------------------------------
    def _set_INSTALLED_APPS(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        apps = _string_list(evaluated)
        if apps is None:
            self._keep_with_todo(
                stmt, "INSTALLED_APPS is computed; remove the apps the preset injects by hand"
            )
            return
        self.info["installed_apps"] = apps
        if "rest_framework" in apps and self.uses_drf is None:
            self.uses_drf = True
        injected = self.preset.injected_for(self.flags)
        early = [
            a
            for a in apps
            if a in ORDER_SENSITIVE_APPS
            or a.split(".")[0] in ("modeltranslation", "jazzmin", "grappelli")
        ]
        if self.flags.get("enable_channels") and "daphne" in apps:
            early = [a for a in early if a != "daphne"]
        elif "daphne" in apps and "daphne" not in early:
            early.insert(0, "daphne")
        kept = [a for a in apps if a not in injected and a not in early]
        dropped = [a for a in apps if a in injected]
        items = "".join(f"    {_py(a)},\n" for a in kept)
        code = f"INSTALLED_APPS = [\n{items}]" if kept else "INSTALLED_APPS = []"
        comment = None
        if dropped:
            comment = "The preset installs Django's contrib apps, DRF, wailer and what the enable_* flags turn on."
        new = self._stmt(code, comment)
        new = new.with_changes(leading_lines=list(stmt.leading_lines) + list(new.leading_lines))
        self.block.append(new)
        if early:
            inserts = "\n".join(
                f"INSTALLED_APPS.insert({i}, {_py(a)})" for i, a in enumerate(early)
            )
            self.after.append(
                self._stmt(
                    inserts.split("\n")[0],
                    "These apps must come before Django's own apps, which the preset\n# injects when the block exits.",
                    blank=True,
                )
            )
            for line in inserts.split("\n")[1:]:
                self.after.append(self._stmt(line))
            self.followup(
                stmt,
                f"order-sensitive apps inserted after the preset block: {', '.join(early)}",
                "info",
            )

    def _set_MIDDLEWARE(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        legacy = _string_list(evaluated)
        if legacy is None:
            self._keep_with_todo(
                stmt, "MIDDLEWARE is computed; SecurityMiddleware must stay first for the preset"
            )
            return
        preset = list(self.preset.settings["MIDDLEWARE"])
        wanted = [m for m in legacy if m != WHITENOISE_MW]
        if SECURITY_MW in wanted:
            pos = wanted.index(SECURITY_MW)
            if pos:
                moved = wanted[:pos]
                wanted = [SECURITY_MW] + moved + wanted[pos + 1 :]
                self.followup(
                    stmt,
                    f"{', '.join(moved)} now after SecurityMiddleware (and WhiteNoise): the preset requires SecurityMiddleware first",
                    "info",
                )
        else:
            wanted = [SECURITY_MW] + wanted
            self.followup(
                stmt, "SecurityMiddleware was missing; the preset requires it first", "info"
            )
        lines: list[str] = []
        common = [m for m in wanted if m in preset]
        preset_kept = [m for m in preset if m in wanted]
        if common != preset_kept:
            lines = ["MIDDLEWARE = [\n" + "".join(f"    {_py(m)},\n" for m in wanted) + "]"]
        else:
            for m in preset:
                if m not in wanted:
                    lines.append(f"MIDDLEWARE.remove({_py(m)})")
            current = [m for m in preset if m in wanted]
            for i, m in enumerate(wanted):
                if i < len(current) and current[i] == m:
                    continue
                if i >= len(current):
                    lines.append(f"MIDDLEWARE.append({_py(m)})")
                else:
                    lines.append(f"MIDDLEWARE.insert({i}, {_py(m)})")
                current.insert(i, m)
        for j, line in enumerate(lines):
            new = self._stmt(line)
            if j == 0:
                new = new.with_changes(leading_lines=stmt.leading_lines)
            self.block.append(new)

    def _set_TEMPLATES(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if (
            not isinstance(value, (cst.List, cst.Tuple))
            or not value.elements
            or not isinstance(value.elements[0].value, cst.Dict)
        ):
            self._keep_with_todo(
                stmt, "TEMPLATES is computed; mutate the preset's TEMPLATES instead of replacing it"
            )
            return
        preset = self.preset.settings["TEMPLATES"][0]
        first = value.elements[0].value
        out: list[str] = []
        keys_seen = set()
        for el in first.elements:
            if not isinstance(el, cst.DictElement):
                self._keep_with_todo(stmt, "TEMPLATES uses ** unpacking; left as is")
                return
            key = literal(el.key)
            keys_seen.add(key)
            if key == "OPTIONS" and isinstance(el.value, cst.Dict):
                opts_seen = set()
                for opt in el.value.elements:
                    if not isinstance(opt, cst.DictElement):
                        out.append(f'TEMPLATES[0]["OPTIONS"] = {code_of(el.value).strip()}')
                        break
                    okey = literal(opt.key)
                    opts_seen.add(okey)
                    if not same(self.ev.eval(opt.value), preset["OPTIONS"].get(okey, UNKNOWN)):
                        out.append(
                            f'TEMPLATES[0]["OPTIONS"][{code_of(opt.key).strip()}] = {code_of(opt.value).strip()}'
                        )
                for okey in preset["OPTIONS"]:
                    if okey not in opts_seen:
                        out.append(f'TEMPLATES[0]["OPTIONS"].pop({_py(okey)})')
                continue
            if not same(self.ev.eval(el.value), preset.get(key, UNKNOWN)):
                out.append(f"TEMPLATES[0][{code_of(el.key).strip()}] = {code_of(el.value).strip()}")
        for key in preset:
            if key not in keys_seen and key in ("DIRS", "OPTIONS"):
                out.append(f"TEMPLATES[0][{_py(key)}] = {_py({'DIRS': [], 'OPTIONS': {}}[key])}")
            elif key not in keys_seen and key == "APP_DIRS":
                out.append('TEMPLATES[0]["APP_DIRS"] = False')
        for extra in value.elements[1:]:
            out.append(f"TEMPLATES.append({code_of(extra.value).strip()})")
        for j, line in enumerate(out):
            new = self._stmt(line)
            if j == 0:
                new = new.with_changes(leading_lines=stmt.leading_lines)
            self.block.append(new)
        if not out:
            self._delete(stmt, "TEMPLATES", "equal to the preset")

    def _set_REST_FRAMEWORK(self, stmt, value, evaluated) -> None:  # noqa: ANN001, N802
        if not isinstance(value, cst.Dict):
            self._keep_with_todo(
                stmt, "REST_FRAMEWORK is computed; mutate the preset's dict instead of replacing it"
            )
            return
        self.uses_drf = True
        self.preset.settings["REST_FRAMEWORK"]
        given: dict[str, cst.BaseExpression] = {}
        for el in value.elements:
            if not isinstance(el, cst.DictElement) or not isinstance(literal(el.key), str):
                self._keep_with_todo(stmt, "REST_FRAMEWORK uses ** unpacking; left as is")
                return
            given[literal(el.key)] = el.value
        self._rest_framework(stmt, given)

    def _rest_framework(self, stmt, given: dict[str, cst.BaseExpression]) -> None:  # noqa: ANN001
        preset = self.preset.settings["REST_FRAMEWORK"]
        drf = self.preset.drf_defaults
        updates: list[tuple[str, str]] = []
        for key, node in given.items():
            if not same(self.ev.eval(node), preset.get(key, drf.get(key, UNKNOWN))):
                updates.append((key, code_of(node).strip()))
        for key, pvalue in preset.items():
            if key in given:
                continue
            legacy = drf.get(key, UNKNOWN)
            if legacy is UNKNOWN or same(legacy, pvalue):
                continue
            if isinstance(legacy, list) and len(legacy) > 1:
                items = "".join(f"        {_py(v)},\n" for v in legacy)
                updates.append((key, f"(\n{items}    )"))
            else:
                updates.append(
                    (key, _py(tuple(legacy)) if isinstance(legacy, list) else _py(legacy))
                )
        if not updates:
            if stmt is not None:
                self._delete(stmt, "REST_FRAMEWORK", "equal to the preset")
            return
        if all(k.isidentifier() for k, _ in updates):
            args = "".join(f"    {k}={v},\n" for k, v in updates)
        else:
            args = "    {\n" + "".join(f"        {_py(k)}: {v},\n" for k, v in updates) + "    }\n"
        comment = (
            None
            if stmt is not None
            else "DRF's own defaults, which the legacy project relied on (the preset's differ)"
        )
        new = self._stmt(f"REST_FRAMEWORK.update(\n{args})", comment)
        if stmt is not None:
            new = new.with_changes(leading_lines=stmt.leading_lines)
            self.block.append(new)
        else:
            self.restore.append(new)

    # -- legacy defaults the preset changes ------------------------------------
    def _restore_defaults(self) -> None:
        dj = self.preset.django_defaults
        if "LANGUAGES" not in self.seen:
            code = self.lang_code if isinstance(self.lang_code, str) else dj["LANGUAGE_CODE"]
            name = LANGUAGE_NAMES.get(
                code.lower(), LANGUAGE_NAMES.get(code.split("-")[0].lower(), code)
            )
            self.restore.append(
                self._stmt(
                    f"LANGUAGES = [({_py(code)}, {_py(name)})]",
                    "The preset requires LANGUAGES; its first entry becomes LANGUAGE_CODE.",
                )
            )
            self.info["languages"] = [(code, name)]
        elif isinstance(self.lang_code, str):
            langs = self.info.get("languages")
            if isinstance(langs, (list, tuple)) and langs and langs[0][0] != self.lang_code:
                self.after.append(
                    self._stmt(
                        f"LANGUAGE_CODE = {_py(self.lang_code)}",
                        "LANGUAGE_CODE is forced to LANGUAGES[0][0] by the preset.",
                        blank=True,
                    )
                )
        if "DEFAULT_AUTO_FIELD" not in self.seen:
            self.restore.append(
                self._stmt(
                    f"DEFAULT_AUTO_FIELD = {_py(dj['DEFAULT_AUTO_FIELD'])}",
                    "Django's default, which the legacy project used: keeps migrations unchanged.",
                )
            )
        if "USE_TZ" not in self.seen and self._legacy_major() < 5:
            self.restore.append(
                self._stmt(
                    "USE_TZ = False", "Django's default before 5.0, which the legacy project used."
                )
            )
        if self.default_time_zone is None and "TIME_ZONE" not in self.seen:
            self.default_time_zone = dj["TIME_ZONE"]
        if "REST_FRAMEWORK" not in self.seen and self.uses_drf:
            self._rest_framework(None, {})
        if self.preset.uses_storages_dict:
            self._storages()
        if "EMAIL_BACKEND" not in self.seen:
            self.followup(
                None,
                "the legacy project sent email through SMTP (Django's default); Model W prints it on the console unless EMAIL_MODE says otherwise",
                "info",
            )

    def _storages(self) -> None:
        """STORAGES for a preset that sets it (2025.7+), whose post_ hook adds "staticfiles".

        Without enable_storages the preset defines no STORAGES["default"], and
        Django 5.1+ has no DEFAULT_FILE_STORAGE to fall back on: media files
        need it, so Django's own default is written out.
        """
        aliases = dict(self.storages)
        storages_on = bool(self.flags.get("enable_storages"))
        if not storages_on and "default" not in aliases:
            aliases = {
                "default": (
                    '"default"',
                    '{"BACKEND": "django.core.files.storage.FileSystemStorage"}',
                ),
                **aliases,
            }
        if not aliases:
            return
        if storages_on:
            lines = [f"STORAGES[{key}] = {code}" for key, code in aliases.values()]
            comment = (
                'The preset sets STORAGES["default"] (S3) and, when the block exits,\n'
                '# STORAGES["staticfiles"] (WhiteNoise); the legacy storages:'
            )
        else:
            items = "".join(f"    {key}: {code},\n" for key, code in aliases.values())
            lines = [f"STORAGES = {{\n{items}}}"]
            comment = (
                "Django 5.1+ reads file storages from STORAGES only; the preset adds\n"
                '# "staticfiles" (WhiteNoise) when the block exits.'
            )
        self.restore.append(self._stmt(lines[0], comment))
        for line in lines[1:]:
            self.restore.append(self._stmt(line))

    def _legacy_major(self) -> int:
        try:
            return int(str(self.legacy_django).split(".")[0])
        except ValueError:
            return 4

    # -- output -----------------------------------------------------------------
    def _constructor(self) -> str:
        args: list[str] = []
        if self.default_time_zone is not None:
            args.append(f"default_time_zone={_py(self.default_time_zone)}")
        if self.enable_postgis:
            args.append("enable_postgis=True")
        # enable_cursors=True keeps Django's server-side cursors, as the legacy project had
        defaults = {"enable_cursors": True, "enable_security": False, "enable_ninja": False}
        for flag in self.preset.constructor_flags:
            value = self.flags.get(flag, defaults.get(flag, False))
            args.append(f"{flag}={bool(value)}")
        self.info["constructor"] = args
        inner = "".join(f"        {a},\n" for a in args)
        return f"with EnvManager(\n    ModelWDjango(\n{inner}    )\n) as env:\n    pass\n"

    def _assemble(self, tree: cst.Module, head: list, tail: list) -> cst.Module:
        block = [self._clean(s) for s in self.block]
        if self.restore:
            first = self.restore[0]
            lines = [cst.EmptyLine(indent=False)] + list(first.leading_lines)
            block.extend([first.with_changes(leading_lines=lines), *self.restore[1:]])
        if not block:
            block = [cst.SimpleStatementLine([cst.Pass()])]
        first = block[0]
        block[0] = first.with_changes(
            leading_lines=[ln for ln in first.leading_lines if ln.comment]
        )
        with_stmt = cst.parse_statement(self._constructor())
        with_stmt = with_stmt.with_changes(
            body=with_stmt.body.with_changes(body=block),
            leading_lines=[cst.EmptyLine(indent=False)],
        )
        reads = set()
        for s in block + self.after + tail:
            reads |= _names_loaded(s)
        stubs = [n for n in STUBS if n in reads]
        head_code = "".join(code_of(s) for s in head)
        new_head = list(head)
        imports = []
        if stubs and "BASE_DIR" in stubs or "STATIC_ROOT" in stubs:
            if not re.search(r"^from pathlib import .*\bPath\b", head_code, re.M):
                imports.append("from pathlib import Path")
        imports.append("from model_w.env_manager import EnvManager")
        imports.append("from model_w.preset.django import ModelWDjango")
        for j, imp in enumerate(imports):
            node = self._stmt(imp, blank=(j == 0 and bool(head)))
            new_head.append(node)
        stub_nodes = []
        for j, name in enumerate(stubs):
            comment = (
                "Injected by the preset inside the block; declared here for IDEs/linters only."
                if j == 0
                else None
            )
            stub_nodes.append(self._stmt(f"{name} = {STUBS[name]}", comment, blank=j == 0))
        after = list(self.after)
        if after:
            after[0] = after[0].with_changes(
                leading_lines=[cst.EmptyLine(indent=False)]
                + [ln for ln in after[0].leading_lines if ln.comment]
            )
        tail = list(tail)
        if tail:
            tail[0] = tail[0].with_changes(
                leading_lines=[cst.EmptyLine(indent=False)] + list(tail[0].leading_lines)
            )
        self._drop_imports_made_unused(
            head, [*stub_nodes, with_stmt, *after, *tail], self.loaded_before
        )
        self.context.scratch["modelw_adoption"] = {
            **self.info,
            "flags": {k: v for k, v in self.flags.items()},
            "enable_postgis": self.enable_postgis,
            "default_time_zone": self.default_time_zone,
            "stubs": stubs,
        }
        return tree.with_changes(body=[*new_head, *stub_nodes, with_stmt, *after, *tail])

    def _drop_imports_made_unused(self, head: list, body: list, loaded_before: set[str]) -> None:
        """Schedule the removal of the head's imports this rewrite left unused.

        Only names the legacy module used and the new one does not: an
        import that was already unused is the project's business.
        """
        from libcst.codemod.visitors import RemoveImportsVisitor

        loaded_after = set().union(*(_names_loaded(s) for s in body)) if body else set()
        for stmt in head:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = cst_dotted(alias.name)
                        bound = alias.evaluated_alias or dotted.split(".")[0]
                        if bound in loaded_before and bound not in loaded_after:
                            RemoveImportsVisitor.remove_unused_import(
                                self.context, dotted, asname=alias.evaluated_alias
                            )
                elif (
                    isinstance(small, cst.ImportFrom)
                    and not small.relative
                    and small.module is not None
                    and not isinstance(small.names, cst.ImportStar)
                ):
                    module = cst_dotted(small.module)
                    if module == "__future__":
                        continue
                    for alias in small.names:
                        name = cst_dotted(alias.name)
                        bound = alias.evaluated_alias or name
                        if bound in loaded_before and bound not in loaded_after:
                            RemoveImportsVisitor.remove_unused_import(
                                self.context, module, obj=name, asname=alias.evaluated_alias
                            )

    @staticmethod
    def _clean(stmt: cst.BaseStatement) -> cst.BaseStatement:
        """Blank lines inside the block carry no indentation (no trailing spaces)."""
        lines = getattr(stmt, "leading_lines", None)
        if lines is None:
            return stmt
        fixed = [ln.with_changes(indent=False) if ln.comment is None else ln for ln in lines]
        # collapse runs of blank lines to one
        out: list[cst.EmptyLine] = []
        for ln in fixed:
            if ln.comment is None and out and out[-1].comment is None:
                continue
            out.append(ln)
        return stmt.with_changes(leading_lines=out)


__all__ = ["PresetAdoption", "already_adopted", "ORDER_SENSITIVE_APPS", "BASIC", "SESSION"]
