"""Move hardcoded deployment values out of a settings module into env vars.

Model W configures everything that differs between deployments through
environment variables (model-w.md part 1, rules 11.1 and 11.5), and secret
values must not stay in git (design.md, "Safety rules"). This codemod looks at
module-level assignments whose value is a literal:

- preset-owned settings (SECRET_KEY, DEBUG, BASE_URL, a Postgres or SQLite
  DATABASES dict, a Redis CACHES or CELERY_BROKER_URL, SENTRY_DSN, the
  AWS_* storage keys) are left as they are and only recorded: the settings
  step deletes them, and their literal becomes the local `.env` value of the
  preset's variable (`DEBUG = True` -> `DEBUG=yes`, a postgres DATABASES ->
  `DATABASE_URL=postgres://...`, SQLite -> `scratch["database_engine"]`);
- other deployment settings (a restrictive ALLOWED_HOSTS, EMAIL_HOST/PORT/
  HOST_USER/HOST_PASSWORD, region/endpoint AWS_* values, a non-Redis broker)
  become `env.get("NAME", default=<literal>, is_yaml=...)`;
- any setting whose name looks like a credential (`*_KEY`, `*_SECRET`,
  `*_TOKEN`, `*_PASSWORD`, `*_DSN`, API keys) or whose value does (detect-
  secrets' plugins: high-entropy strings, keywords, known key formats),
  including string values inside dict settings, becomes a required
  `env.get("NAME", build_default="xxx")`; the literal goes to `.env` and to
  `scratch["modelw_secrets"]`.

App constants (EMAIL_USE_TLS, DEFAULT_FROM_EMAIL, TIME_ZONE...) are left alone.
Records: see `envvars.py` (the scratch contract).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import PositionProvider
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.envvars import (
    DEFAULT_RELEASE,
    MISSING,
    PRESET_OWNED_SETTINGS,
    EnvVar,
    ReleaseVars,
    add_release_arg,
    complete_database_parts,
    dotenv_text,
    engine_short,
    env_get,
    group_for,
    is_credential_name,
    literal_of,
    looks_like_secret,
    py_code,
    record_env_var,
    record_preset_owned,
    record_secret,
    repeated_strings,
    secret_kinds,
    url_from_database_parts,
    worth_guarding,
)

#: Deployment-specific settings that become env vars with their literal as default.
DEPLOYMENT_SETTINGS = frozenset(
    {
        "ALLOWED_HOSTS",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "AWS_S3_REGION_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_SESSION_TOKEN",
        "AWS_LOCATION",
    }
)

#: Settings this codemod never touches (handled by other steps, or app constants).
LEFT_ALONE = frozenset({"TIME_ZONE", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL"})

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _module_statements(body: Any) -> Iterator[cst.SimpleStatementLine]:
    """Simple statements at module level, also inside module-level if/try/else blocks."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield stmt
            continue
        blocks: list[Any] = []
        if isinstance(stmt, (cst.If, cst.Try, cst.Else, cst.ExceptHandler, cst.Finally)):
            blocks.append(stmt.body)
        for extra in ("orelse", "finalbody"):
            if getattr(stmt, extra, None) is not None:
                blocks.append(getattr(stmt, extra))
        for handler in getattr(stmt, "handlers", ()):
            blocks.append(handler)
        for block in blocks:
            if isinstance(block, cst.IndentedBlock):
                yield from _module_statements(block.body)
            elif isinstance(block, cst.BaseCompoundStatement):
                yield from _module_statements([block])


def _env_name_for_key(setting: str, key: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", f"{setting}_{key}".upper()).strip("_")


class HardcodedToEnvCommand(ReleaseVars, ModelWCodemod):
    DESCRIPTION = (
        "Move hardcoded deployment values and credentials of a settings module into "
        "Model W env vars (the literal goes to the local .env)."
    )
    METADATA_DEPENDENCIES = (PositionProvider,)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        add_release_arg(arg_parser)
        arg_parser.add_argument(
            "--no-detect-values",
            dest="detect_values",
            action="store_false",
            default=True,
            help="only judge settings by their names, not their values (detect-secrets)",
        )

    def __init__(
        self, context: CodemodContext, detect_values: bool = True, release: str = DEFAULT_RELEASE
    ) -> None:
        super().__init__(context)
        self.use_release(release)
        self.detect_values = detect_values
        self.tree = cst.Module([])
        self.replacements: dict[cst.CSTNode, cst.CSTNode] = {}
        self._repeated: set[str] = set()

    # --- helpers ----------------------------------------------------------------------

    def _guard(self, value: Any, name: str | None = None) -> None:
        if (
            isinstance(value, str)
            and looks_like_secret(value, name)
            and worth_guarding(value, self._repeated)
        ):
            record_secret(self.context.scratch, value)

    def _value_is_secret(self, value: Any, name: str) -> bool:
        if not isinstance(value, str) or not value:
            return False
        if is_credential_name(name):
            return True
        return self.detect_values and bool(secret_kinds(value))

    # --- the pass ---------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        self.tree = node
        self._repeated = repeated_strings(node)
        for stmt in _module_statements(node.body):
            if len(stmt.body) != 1:
                continue
            small = stmt.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target = small.target
            else:
                continue
            if not isinstance(target, cst.Name) or small.value is None:
                continue
            name = target.value
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name) or name in LEFT_ALONE:
                continue
            self._assignment(name, small.value, stmt)
        return True

    def _assignment(self, name: str, value: cst.BaseExpression, stmt: cst.CSTNode) -> None:
        line = self.line_of(stmt)
        if name == "DATABASES":
            self._databases(value, stmt, line)
            return
        if name == "CACHES":
            self._caches(value, stmt, line)
            return
        literal = literal_of(self.tree, value)
        if literal is MISSING:
            if isinstance(value, cst.Dict):
                self._dict_values(name, value, line)
            return
        if name in ("CELERY_BROKER_URL", "BROKER_URL"):
            if isinstance(literal, str) and literal.startswith(REDIS_SCHEMES):
                self._preset_owned(name, "REDIS_URL", literal, line)
                return
            if isinstance(literal, str):
                self._convert(
                    name, value, literal, line, secret=self._value_is_secret(literal, name)
                )
            return
        if name in PRESET_OWNED_SETTINGS:
            self._preset_owned(name, PRESET_OWNED_SETTINGS[name], literal, line)
            return
        if name == "ALLOWED_HOSTS":
            if isinstance(literal, (list, tuple)) and list(literal) != ["*"]:
                self._convert(name, value, list(literal), line, secret=False)
            return
        if (
            name in DEPLOYMENT_SETTINGS
            or name.startswith("AWS_")
            and name.endswith(("_REGION_NAME", "_ENDPOINT_URL"))
        ):
            if isinstance(literal, (str, int)) and not isinstance(literal, bool):
                self._convert(
                    name, value, literal, line, secret=self._value_is_secret(literal, name)
                )
            return
        if isinstance(literal, str) and self._value_is_secret(literal, name):
            self._convert(name, value, literal, line, secret=True)
            return
        if isinstance(literal, str) and literal == "" and is_credential_name(name):
            self._convert(name, value, literal, line, secret=False)
            return
        if isinstance(literal, dict) and isinstance(value, cst.Dict):
            self._dict_values(name, value, line)

    # --- preset-owned -----------------------------------------------------------------

    def _preset_owned(self, setting: str, env_var: str, literal: Any, line: int) -> None:
        preset = self.preset_vars[env_var]
        if preset.is_yaml and not isinstance(literal, (bool, int, float, list, dict)):
            return
        if not preset.is_yaml and not isinstance(literal, str) and literal is not None:
            return
        var = self.preset_record(
            env_var,
            old_names=[],
            setting=setting,
            legacy_value=literal,
            line=line,
            comment=f"{preset.comment} (was hardcoded as {setting})",
        )
        if isinstance(literal, str) and literal and (var.secret or is_credential_name(setting)):
            var.secret = True
            self._guard(literal, env_var)
        record_env_var(self.context.scratch, var)
        record_preset_owned(self.context.scratch, setting, [], line, env_var)

    def _databases(self, value: cst.BaseExpression, stmt: cst.CSTNode, line: int) -> None:
        aliases = _dict_items(self.tree, value)
        if aliases is None or "default" not in aliases:
            return
        parts = _dict_items(self.tree, aliases["default"])
        if parts is None or "ENGINE" not in parts:
            return
        engine = literal_of(self.tree, parts["ENGINE"])
        if not isinstance(engine, str):
            return
        if re.search(r"\benv\.get\(", self.tree.code_for_node(aliases["default"])):
            return  # read from the environment: env_reads recorded it (and its follow-ups)
        values = {key: literal_of(self.tree, node) for key, node in parts.items()}
        others = [alias for alias in aliases if alias != "default"]
        if others:
            self.report_followup(
                stmt,
                f"DATABASES also defines {', '.join(others)}: Model W only configures "
                "'default' from DATABASE_URL; add the others back inside the block",
                "todo",
            )
        extra = sorted(set(parts) - {"ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"})
        if extra:
            self.report_followup(
                stmt,
                f"DATABASES['default'] also sets {', '.join(extra)}: re-apply them by mutating "
                "DATABASES['default'] inside the Model W block (model-w.md 11.1)",
                "todo",
            )
        url = None
        if any(p in engine for p in ("postgres", "postgis", "psqlextra", "psycopg")):
            if complete_database_parts(values):
                url = url_from_database_parts(engine, values)
            else:
                self.report_followup(
                    stmt,
                    "DATABASES['default'] is not all literals: write DATABASE_URL in .env by hand",
                    "todo",
                )
        else:
            name = values.get("NAME")
            if name is MISSING:
                name_code = (
                    self.tree.code_for_node(parts["NAME"]).strip() if "NAME" in parts else ""
                )
                found = re.findall(r"[\"']([^\"']+)[\"']", name_code)
                name = found[-1] if found else None
            self.context.scratch["database_engine"] = {
                "engine": engine_short(engine),
                "name": name if isinstance(name, str) else None,
                "line": line,
            }
            self.report_followup(
                stmt,
                f"the database engine is {engine_short(engine)}; Model W needs PostgreSQL "
                "(DATABASE_URL=postgres://...): move the data over (dumpdata/loaddata)",
                "blocker",
            )
        var = self.preset_record(
            "DATABASE_URL",
            setting="DATABASES",
            legacy_value=url if url else MISSING,
            line=line,
            comment="PostgreSQL database URL (was a hardcoded DATABASES)",
        )
        password = values.get("PASSWORD")
        if url and isinstance(password, str) and password:
            var.secret = True
            self._guard(password, "PASSWORD")
        record_env_var(self.context.scratch, var)
        record_preset_owned(self.context.scratch, "DATABASES", [], line, "DATABASE_URL")

    def _caches(self, value: cst.BaseExpression, stmt: cst.CSTNode, line: int) -> None:
        aliases = _dict_items(self.tree, value)
        if aliases is None or "default" not in aliases:
            return
        parts = _dict_items(self.tree, aliases["default"])
        if parts is None:
            return
        backend = literal_of(self.tree, parts.get("BACKEND"))
        location = literal_of(self.tree, parts.get("LOCATION"))
        if isinstance(location, (list, tuple)) and location:
            location = location[0]
        is_redis = (isinstance(backend, str) and "redis" in backend.lower()) or (
            isinstance(location, str) and location.startswith(REDIS_SCHEMES)
        )
        if not is_redis:
            return
        if not isinstance(location, str):
            location = MISSING
        record_env_var(
            self.context.scratch,
            self.preset_record(
                "REDIS_URL",
                setting="CACHES",
                legacy_value=location,
                line=line,
                comment="Redis URL (was a hardcoded CACHES LOCATION)",
            ),
        )
        record_preset_owned(self.context.scratch, "CACHES", [], line, "REDIS_URL")

    # --- conversions ------------------------------------------------------------------

    def _convert(
        self, name: str, node: cst.BaseExpression, literal: Any, line: int, secret: bool
    ) -> None:
        is_yaml = not isinstance(literal, str)
        if secret:
            expr = env_get(name, build_default="xxx")
            self._guard(literal, name)
            default = None
            default_code = None
        else:
            default_code = None
            if isinstance(node, cst.SimpleString) and node.prefix.lower() in ("", "u", "r"):
                default_code = node.value
            expr = env_get(name, default=literal, default_code=default_code, is_yaml=is_yaml)
            default = literal
            default_code = default_code or py_code(literal)
        self.replacements[node] = expr
        record_env_var(
            self.context.scratch,
            EnvVar(
                name=name,
                setting=name,
                default=default,
                default_code=default_code,
                has_default=not secret,
                is_yaml=is_yaml,
                secret=secret or is_credential_name(name),
                local_value=dotenv_text(literal, is_yaml),
                comment=f"{name} setting (was hardcoded)",
                group=group_for(name),
                line=line,
                build_default="xxx" if secret else None,
            ),
        )

    def _dict_values(self, setting: str, node: cst.Dict, line: int, prefix: str = "") -> None:
        """Credentials inside a dict setting: `{"API_KEY": "..."}`."""
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = literal_of(self.tree, element.key)
            if not isinstance(key, str):
                continue
            env_name = _env_name_for_key(prefix or setting, key)
            if isinstance(element.value, cst.Dict):
                self._dict_values(setting, element.value, line, env_name)
                continue
            literal = literal_of(self.tree, element.value)
            if not isinstance(literal, str) or not literal:
                continue
            if is_credential_name(key) or (self.detect_values and secret_kinds(literal)):
                self._convert(env_name, element.value, literal, self.line_of(element), secret=True)
                record = self.context.scratch["modelw_env_vars"][-1]
                if record["name"] == env_name:
                    record["setting"] = setting
                    record["comment"] = f"{key} in the {setting} setting (was hardcoded)"

    # --- the transform ----------------------------------------------------------------

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = super().on_leave(original_node, updated_node)
        if original_node in self.replacements:
            return self.replacements[original_node]
        return result


def _dict_items(
    module: cst.Module, node: cst.CSTNode | None
) -> dict[str, cst.BaseExpression] | None:
    if isinstance(node, cst.Dict):
        items: dict[str, cst.BaseExpression] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = literal_of(module, element.key)
            if not isinstance(key, str):
                return None
            items[key] = element.value
        return items
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        items = {}
        for arg in node.args:
            if arg.keyword is None:
                return None
            items[arg.keyword.value] = arg.value
        return items
    return None
