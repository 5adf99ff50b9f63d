"""Turn every way a legacy settings module reads the environment into `env.get(...)`.

Model W reads all configuration through the env manager (model-w.md parts 4
and 5): `env.get(name, default=..., build_default=..., is_yaml=...)`, where
`env` is bound by the settings step's `with EnvManager(ModelWDjango(...)) as
env:` block. This codemod runs before that step, on one settings module, and
rewrites:

- `os.environ["X"]`, `os.environ.get("X", d)`, `os.getenv("X", d)`,
  `os.environ.get("X") or d` (also `from os import environ, getenv`,
  `import os as _os`, and a module-level `env = os.environ`);
- the idioms around them: `bool(int(...))`, `int(...)`, `float(...)`,
  `== "1"`, `.lower() in ("true", ...)`, `strtobool(...)`, `.split(",")`,
  `[x.strip() for x in ....split(",") if x]`, `ast.literal_eval(...)`,
  `json.loads(...)`;
- django-environ (`env = environ.Env(NAME=(type, default))`, `env("X")`,
  `env.bool/int/float/str/list/tuple/dict/json/url/path`, `env.db()`,
  `env.cache()`, `env.email_url()`, `environ.Env.read_env(...)`), environs
  (`Env()`, `env.read_env()`, `env.bool/int/list/str/dj_db_url`...),
  python-decouple (`config("X", default=..., cast=bool|int|float|Csv()|db_url)`),
  `dj_database_url.config()/parse()`, `django_cache_url.config()`;
- python-dotenv `load_dotenv(...)` calls (removed: the env manager loads `.env`);
- thin project helpers defined in the module (`envbool`, `envint`, ...):
  calls are inlined, the definition is removed when unused. Helpers that do
  more (a `<NAME>_FILE` fallback...) are kept with a `# TODO(modelw):`
  comment, or inlined with `helper_policy="inline"`.

Values keep their defaults and types: bool/int/float/list/dict values read
as YAML (`is_yaml=True`, defaults as Python values), strings as plain
strings; a required variable gets a `build_default` so the Docker build's
`collectstatic` works (model-w.md 5.2). Variables the preset reads itself
(DEBUG, SECRET_KEY, DATABASE_URL, REDIS_URL...) are never read with another
signature (model-w.md 5.2, rule 11.7): assignments of preset-owned settings
(`SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "x")`, DATABASES from
`DB_*`, a Redis CACHES or broker) are left as they are and recorded in
`scratch["modelw_preset_owned"]` for the settings step to delete; other reads
of those variables use exactly the preset's signature.

Records: see `envvars.py` (the scratch contract).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider, QualifiedNameProvider, ScopeProvider
from model_w.migrate.codemods.base import ModelWCodemod
from model_w.migrate.codemods.envvars import (
    DEFAULT_RELEASE,
    MISSING,
    PRESET_OWNED_SETTINGS,
    REDIS_ONLY_SETTINGS,
    SYSTEM_VARS,
    URL_BUILD_DEFAULTS,
    EnvVar,
    ReleaseVars,
    StatementDropper,
    add_release_arg,
    build_default_for,
    complete_database_parts,
    convert_default,
    engine_short,
    env_get,
    group_for,
    has_todo,
    is_credential_name,
    is_setting_name,
    literal_of,
    looks_like_secret,
    py_code,
    record_env_var,
    record_preset_owned,
    record_secret,
    repeated_strings,
    schedule_unused_imports,
    tidy_module_start,
    to_bool,
    todo_comment,
    url_from_database_parts,
    walk,
    worth_guarding,
)

HELPER_POLICIES = ("keep-with-todo", "inline")

YAML_KINDS = frozenset({"bool", "int", "float", "list", "dict", "yaml"})

OS_GET = frozenset({"os.environ.get", "os.getenv"})
OS_ENVIRON = "os.environ"
DOTENV_LOADERS = frozenset(
    {
        "dotenv.load_dotenv",
        "dotenv.main.load_dotenv",
        "dotenv.read_dotenv",
        "dotenv.dotenv_values",
    }
)
ENVIRON_READ_ENV = frozenset({"environ.Env.read_env", "environ.environ.Env.read_env"})
LITERAL_EVAL = frozenset({"ast.literal_eval", "json.loads"})
DB_URL_CALLS = frozenset({"dj_database_url.config", "dj_database_url.parse"})
CACHE_URL_CALLS = frozenset({"django_cache_url.config", "django_cache_url.parse"})

#: Constructors whose result, bound to a module-level name, reads the environment.
BINDINGS = {
    "environ.Env": "environ",
    "environ.environ.Env": "environ",
    "environs.Env": "environs",
    "decouple.AutoConfig": "decouple",
    "decouple.Config": "decouple",
    "os.environ": "os",
}

#: django-environ methods: (kind, positional parameters after the name, default var).
ENVIRON_METHODS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "str": ("str", ("default",), None),
    "unicode": ("str", ("default",), None),
    "bytes": ("str", ("default",), None),
    "bool": ("bool", ("default",), None),
    "int": ("int", ("default",), None),
    "float": ("float", ("default",), None),
    "json": ("yaml", ("default",), None),
    "list": ("list", ("cast", "default"), None),
    "tuple": ("tuple", ("cast", "default"), None),
    "dict": ("dict", ("cast", "default"), None),
    "url": ("url", ("default",), None),
    "path": ("path", ("default",), None),
    "db_url": ("db", ("default",), "DATABASE_URL"),
    "db": ("db", ("default",), "DATABASE_URL"),
    "cache_url": ("cache", ("default",), "CACHE_URL"),
    "cache": ("cache", ("default",), "CACHE_URL"),
    "email_url": ("email", ("default",), "EMAIL_URL"),
    "email": ("email", ("default",), "EMAIL_URL"),
}
ENVIRONS_METHODS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "str": ("str", ("default",), None),
    "bool": ("bool", ("default",), None),
    "int": ("int", ("default",), None),
    "float": ("float", ("default",), None),
    "decimal": ("float", ("default",), None),
    "json": ("yaml", ("default",), None),
    "list": ("list", ("default",), None),
    "dict": ("dict", ("default",), None),
    "url": ("url", ("default",), None),
    "path": ("path", ("default",), None),
    "dj_db_url": ("db", ("default",), None),
    "dj_cache_url": ("cache", ("default",), None),
    "dj_email_url": ("email", ("default",), None),
}
CAST_NAMES = {
    "bool": "bool",
    "int": "int",
    "float": "float",
    "str": "str",
    "list": "list",
    "tuple": "tuple",
    "dict": "dict",
}

_HELPER_NAME = "<helper name>"


class _HelperDefault:
    """Marks a default that comes from the helper's call site."""

    def __repr__(self) -> str:
        return "<helper default>"


HELPER_DEFAULT: Any = _HelperDefault()


@dataclass
class Read:
    """One recognised read of an environment variable."""

    name: str | None
    kind: str = "str"
    #: Python value (MISSING: required; HELPER_DEFAULT: from a helper's call).
    default: Any = MISSING
    #: A non-literal default expression (strings only).
    default_node: cst.BaseExpression | None = None
    #: Wrapper around the value: tuple, path, url, db, cache, email.
    wrap: str | None = None
    note: str = ""
    source: str = "os"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.default_node is None


@dataclass
class Helper:
    name: str
    node: cst.FunctionDef
    params: list[str]
    defaults: dict[str, Any]
    template: Read | None
    reason: str = ""

    @property
    def plain(self) -> bool:
        return self.template is not None


@dataclass
class Binding:
    name: str
    kind: str  # environ | environs | decouple | os
    statement: cst.SimpleStatementLine
    assign: cst.Assign
    scheme: dict[str, tuple[str | None, Any]] = field(default_factory=dict)


def _names_in(node: cst.CSTNode) -> Iterator[cst.Name]:
    for sub in walk(node):
        if isinstance(sub, cst.Name):
            yield sub


class EnvReadsCommand(ReleaseVars, ModelWCodemod):
    DESCRIPTION = (
        "Rewrite environment reads (os.environ, django-environ, environs, decouple, "
        "dj-database-url, dotenv, project helpers) as Model W env.get(...) calls."
    )
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider)
    # every read goes through one of these modules or names (helpers read through os
    # too; `env` is also the name of an env manager whose reads are recorded)
    TRIGGER = re.compile(r"environ|getenv|decouple|dj_database_url|django_cache_url|dotenv|\benv\b")

    @classmethod
    def might_change(cls, source: str, **kwargs: Any) -> bool:
        helpers = kwargs.get("helper_policies") or {}
        return super().might_change(source) or any(name in source for name in helpers)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        add_release_arg(arg_parser)
        arg_parser.add_argument(
            "--helper-policy",
            dest="helper_policy",
            choices=HELPER_POLICIES,
            default="keep-with-todo",
            help=(
                "what to do with project env helpers that are not a plain read "
                "(default: keep them with a TODO(modelw) comment)"
            ),
        )

    def __init__(
        self,
        context: CodemodContext,
        helper_policy: str = "keep-with-todo",
        helper_policies: dict[str, str] | None = None,
        release: str = DEFAULT_RELEASE,
    ) -> None:
        """`helper_policy` applies to every helper; `helper_policies` decides per
        helper name (the wizard's or a recipe's `unknown-env-helper:<name>`).
        `release`: the Model W release whose preset variables apply."""
        super().__init__(context)
        self.use_release(release)
        for policy in [helper_policy, *(helper_policies or {}).values()]:
            if policy not in HELPER_POLICIES:
                raise ValueError(
                    f"unknown helper_policy {policy!r}; use one of {', '.join(HELPER_POLICIES)}"
                )
        self.helper_policy = helper_policy
        self.helper_policies = dict(helper_policies or {})
        self.tree: cst.Module = cst.Module([])
        self.replacements: dict[cst.CSTNode, Any] = {}
        self.todo_comments: dict[cst.CSTNode, str] = {}
        self.consumed: set[cst.Name] = set()
        self.bindings: dict[str, Binding] = {}
        self.helpers: dict[str, Helper] = {}
        self.signatures: dict[str, tuple[str | None, str | None, bool]] = {}
        self._helper_ctx: tuple[str, str | None] | None = None
        self._repeated: set[str] = set()
        self._folding = False
        self.dropper = StatementDropper()
        self._gone: list[cst.CSTNode] = []
        self._fstring_quote = ""

    # --- metadata helpers -------------------------------------------------------

    def _qnames(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        except KeyError:
            return set()

    def _code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node).strip()

    def _binding_of(self, node: cst.BaseExpression) -> Binding | None:
        if isinstance(node, cst.Name) and node.value in self.bindings:
            binding = self.bindings[node.value]
            try:
                scope = self.get_metadata(ScopeProvider, node)
            except KeyError:
                return None
            for assignment in scope[node.value] if scope is not None else ():
                if getattr(assignment, "node", None) is binding.assign.targets[0].target:
                    return binding
                if getattr(assignment, "node", None) is binding.assign:
                    return binding
            return None
        return None

    # --- the analysis pass -------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        self.tree = node
        self._repeated = repeated_strings(node)
        self._collect_bindings(node)
        self._collect_helpers(node)
        for stmt in node.body:
            self._scan(stmt, module_level=True, setting_values={})
        self._finish()
        schedule_unused_imports(
            self.context, self.get_metadata(ScopeProvider, node, None), self._gone
        )
        return True

    def _module_statements(self, body: Any) -> Iterator[cst.CSTNode]:
        """Module-level statements, including those inside if/try/with at module level."""
        for stmt in body:
            yield stmt
            if isinstance(stmt, (cst.If, cst.Try, cst.With, cst.Else, cst.ExceptHandler)):
                inner = getattr(stmt, "body", None)
                if isinstance(inner, cst.IndentedBlock):
                    yield from self._module_statements(inner.body)
                for extra in (
                    getattr(stmt, "orelse", None),
                    getattr(stmt, "finalbody", None),
                ):
                    if extra is not None:
                        yield from self._module_statements([extra])
                for handler in getattr(stmt, "handlers", ()):
                    yield from self._module_statements([handler])
            if isinstance(stmt, cst.Finally) and isinstance(stmt.body, cst.IndentedBlock):
                yield from self._module_statements(stmt.body.body)

    def _collect_bindings(self, module: cst.Module) -> None:
        for stmt in self._module_statements(module.body):
            if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                continue
            assign = stmt.body[0]
            if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
                continue
            target = assign.targets[0].target
            if not isinstance(target, cst.Name):
                continue
            value = assign.value
            func = value.func if isinstance(value, cst.Call) else value
            kind = next((BINDINGS[q] for q in self._qnames(func) if q in BINDINGS), None)
            if kind is None or (kind == "os" and not isinstance(value, (cst.Name, cst.Attribute))):
                continue
            if kind != "os" and not isinstance(value, cst.Call):
                continue
            binding = Binding(target.value, kind, stmt, assign)
            if kind == "environ" and isinstance(value, cst.Call):
                for arg in value.args:
                    if arg.keyword is None:
                        continue
                    scheme = self._scheme_entry(arg.value)
                    if scheme is not None:
                        binding.scheme[arg.keyword.value] = scheme
            self.bindings[target.value] = binding

    def _scheme_entry(self, node: cst.BaseExpression) -> tuple[str | None, Any] | None:
        """`(bool, False)` -> ("bool", False); `bool` -> ("bool", MISSING)."""
        if isinstance(node, cst.Name) and node.value in CAST_NAMES:
            return CAST_NAMES[node.value], MISSING
        if isinstance(node, cst.Tuple) and len(node.elements) == 2:
            cast_node, default_node = (e.value for e in node.elements)
            cast = self._cast_kind(cast_node)
            default = literal_of(self.tree, default_node)
            return cast, default
        return None

    def _cast_kind(self, node: cst.BaseExpression | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, cst.Name) and node.value in CAST_NAMES:
            return CAST_NAMES[node.value]
        if isinstance(node, (cst.List, cst.Tuple)) and len(node.elements) == 1:
            # django-environ's `[str]` cast: a list of that type
            return "list"
        qn = self._qnames(node.func if isinstance(node, cst.Call) else node)
        if qn & {"decouple.Csv"}:
            return "list"
        if qn & DB_URL_CALLS:
            return "db"
        if qn & CACHE_URL_CALLS:
            return "cache"
        if qn & {"decouple.Choices"}:
            return "str"
        if any(q.endswith("strtobool") for q in qn):
            return "bool"
        return "?"

    # helpers ---------------------------------------------------------------------

    def _collect_helpers(self, module: cst.Module) -> None:
        for stmt in module.body:
            if not isinstance(stmt, cst.FunctionDef) or stmt.asynchronous is not None:
                continue
            params = [p.name.value for p in stmt.params.params]
            if not params or not self._reads_param(stmt, params[0]):
                continue
            defaults = {
                p.name.value: literal_of(self.tree, p.default)
                for p in stmt.params.params
                if p.default is not None
            }
            template = None
            reason = "its body does more than read one variable"
            body = list(stmt.body.body) if isinstance(stmt.body, cst.IndentedBlock) else []
            if body and self._is_docstring(body[0]):
                body = body[1:]
            if (
                len(body) == 1
                and isinstance(body[0], cst.SimpleStatementLine)
                and len(body[0].body) == 1
                and isinstance(body[0].body[0], cst.Return)
                and body[0].body[0].value is not None
            ):
                self._helper_ctx = (params[0], params[1] if len(params) > 1 else None)
                try:
                    template = self._typed(body[0].body[0].value)
                finally:
                    self._helper_ctx = None
                if template is not None and template.name != _HELPER_NAME:
                    template = None
                if template is not None and template.default_node is not None:
                    template = None
                if template is not None and template.wrap in ("db", "cache", "email"):
                    template = None
                if template is None:
                    reason = "its return value is not a plain environment read"
            self.helpers[stmt.name.value] = Helper(
                stmt.name.value, stmt, params, defaults, template, reason
            )

    @staticmethod
    def _is_docstring(stmt: cst.BaseStatement) -> bool:
        return (
            isinstance(stmt, cst.SimpleStatementLine)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        )

    def _reads_param(self, fn: cst.FunctionDef, param: str) -> bool:
        for sub in walk(fn.body):
            if isinstance(sub, (cst.Attribute, cst.Name)):
                qn = self._qnames(sub)
                if qn & (OS_GET | {OS_ENVIRON}) or self._binding_of(sub) is not None:
                    return any(isinstance(n, cst.Name) and n.value == param for n in walk(fn.body))
        return False

    # --- recognising reads ----------------------------------------------------------

    def _env_name(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if (
            self._helper_ctx is not None
            and isinstance(node, cst.Name)
            and node.value == self._helper_ctx[0]
        ):
            return _HELPER_NAME
        return None

    def _default_of(self, node: cst.BaseExpression) -> tuple[Any, cst.BaseExpression | None]:
        """(python value, None) for a literal, (HELPER_DEFAULT, None), or (MISSING, node)."""
        if self._helper_ctx is not None and self._helper_ctx[1]:
            param = self._helper_ctx[1]
            inner = node
            if (
                isinstance(inner, cst.Call)
                and isinstance(inner.func, cst.Name)
                and inner.func.value == "str"
                and len(inner.args) == 1
            ):
                inner = inner.args[0].value
            if isinstance(inner, cst.Name) and inner.value == param:
                return HELPER_DEFAULT, None
        value = literal_of(self.tree, node)
        if value is MISSING:
            return MISSING, node
        return value, None

    @staticmethod
    def _args(call: cst.Call, positional: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
        """Map a call's arguments after the first onto parameter names."""
        out: dict[str, cst.BaseExpression] = {}
        index = 0
        for arg in call.args:
            if arg.star:
                out["*"] = arg.value
                continue
            if arg.keyword is not None:
                out[arg.keyword.value] = arg.value
            else:
                if index == 0:
                    out["__name__"] = arg.value
                elif index - 1 < len(positional):
                    out[positional[index - 1]] = arg.value
                else:
                    out[f"__{index}__"] = arg.value
                index += 1
        return out

    def _raw(self, node: cst.BaseExpression) -> Read | None:
        """A read returning the raw string (or a typed read from a library)."""
        if isinstance(node, cst.Subscript):
            base = node.value
            is_environ = OS_ENVIRON in self._qnames(base) or (
                (b := self._binding_of(base)) is not None and b.kind == "os"
            )
            if is_environ and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                name = self._env_name(node.slice[0].slice.value)
                if name is not None:
                    return Read(name)
            return None
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            left = self._raw(node.left)
            if self._reads_in(node.right):
                return None
            if left is not None and left.kind == "str" and left.default is None:
                value, default_node = self._default_of(node.right)
                return replace(left, default=value, default_node=default_node)
            return None
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        qn = self._qnames(func)
        if qn & OS_GET or (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get"
            and (b := self._binding_of(func.value)) is not None
            and b.kind == "os"
        ):
            args = self._args(node, ("default",))
            if "__name__" not in args or "*" in args:
                return None
            name = self._env_name(args["__name__"])
            if name is None:
                return Read(None)
            if "default" not in args:
                return Read(name, default=None)
            value, default_node = self._default_of(args["default"])
            return Read(name, default=value, default_node=default_node)
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get"
            and isinstance(func.value, cst.Name)
            and func.value.value == "env"
            and self._binding_of(func.value) is None
            and not qn & OS_GET
        ):
            return self._modelw_read(node)
        if qn & DB_URL_CALLS or qn & CACHE_URL_CALLS:
            return self._url_module_read(node, qn)
        # helper call
        if isinstance(func, cst.Name) and func.value in self.helpers and qn <= {func.value}:
            return self._helper_read(node, self.helpers[func.value])
        # decouple config(...)
        if "decouple.config" in qn or (
            (b := self._binding_of(func)) is not None and b.kind == "decouple"
        ):
            return self._decouple_read(node)
        # django-environ / environs bound instance
        if isinstance(func, cst.Name):
            binding = self._binding_of(func)
            if binding is not None and binding.kind in ("environ", "environs"):
                return self._library_call(node, binding, None)
        if isinstance(func, cst.Attribute):
            binding = self._binding_of(func.value)
            if binding is not None and binding.kind in ("environ", "environs"):
                return self._library_call(node, binding, func.attr.value)
        return None

    def _modelw_read(self, node: cst.Call) -> Read | None:
        """An `env.get(...)` already in Model W form (a second run): recorded, kept."""
        args = self._args(node, ("default", "build_default", "is_yaml"))
        name = self._env_name(args["__name__"]) if "__name__" in args else None
        if name is None:
            return None
        is_yaml = literal_of(self.tree, args["is_yaml"]) is True if "is_yaml" in args else False
        default: Any = MISSING
        default_node = None
        if "default" in args:
            default, default_node = self._default_of(args["default"])
        build_default = (
            literal_of(self.tree, args["build_default"]) if "build_default" in args else MISSING
        )
        return Read(
            name,
            kind="yaml" if is_yaml else "str",
            default=default,
            default_node=default_node,
            source="modelw",
            extra={"build_default": build_default},
        )

    def _url_module_read(self, node: cst.Call, qn: set[str]) -> Read | None:
        kind = "db" if qn & DB_URL_CALLS else "cache"
        source = "dj_database_url" if kind == "db" else "django_cache_url"
        if any(q.endswith(".parse") for q in qn):
            if not node.args:
                return None
            inner = self._raw(node.args[0].value)
            if inner is None or inner.kind != "str":
                return None
            extra = {a.keyword.value: a.value for a in node.args[1:] if a.keyword is not None}
            return replace(inner, wrap=kind, source=source, extra=extra)
        args = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        name = "DATABASE_URL" if kind == "db" else "CACHE_URL"
        if "env" in args:
            env_name = self._env_name(args["env"])
            if env_name is None:
                return Read(None)
            name = env_name
        default: Any = MISSING
        default_node = None
        if "default" in args:
            default, default_node = self._default_of(args["default"])
        extra = {k: v for k, v in args.items() if k not in ("env", "default")}
        return Read(
            name,
            kind="str",
            default=default,
            default_node=default_node,
            wrap=kind,
            source=source,
            extra=extra,
        )

    def _helper_read(self, node: cst.Call, helper: Helper) -> Read | None:
        args: dict[str, cst.BaseExpression] = {}
        for index, arg in enumerate(node.args):
            if arg.star:
                return Read(None)
            key = arg.keyword.value if arg.keyword is not None else None
            if key is None and index < len(helper.params):
                key = helper.params[index]
            if key is None:
                return Read(None)
            args[key] = arg.value
        name_node = args.get(helper.params[0])
        name = self._env_name(name_node) if name_node is not None else None
        if name is None or name == _HELPER_NAME:
            return Read(None)
        template = helper.template
        if template is None:
            if self.policy_for(helper.name) != "inline":
                return None
            lowered = helper.name.lower()
            kind = next(
                (
                    k
                    for hint, k in (
                        ("bool", "bool"),
                        ("int", "int"),
                        ("float", "float"),
                        ("list", "list"),
                        ("csv", "list"),
                    )
                    if hint in lowered
                ),
                "str",
            )
            template = Read(_HELPER_NAME, kind=kind, default=HELPER_DEFAULT)
        default_param = helper.params[1] if len(helper.params) > 1 else None
        read = replace(template, name=name, source="helper", extra={"helper": helper.name})
        if template.default is HELPER_DEFAULT:
            if default_param is not None and default_param in args:
                value, default_node = self._default_of(args[default_param])
            elif default_param is not None and default_param in helper.defaults:
                value, default_node = helper.defaults[default_param], None
            else:
                value, default_node = MISSING, None
            if default_node is not None:
                if read.kind != "str":
                    return Read(None)
                return replace(read, default=MISSING, default_node=default_node)
            converted = convert_default(read.kind, value) if value is not MISSING else MISSING
            if value is not MISSING and value is not None and converted is MISSING:
                return Read(None)
            return replace(read, default=converted)
        return read

    def _decouple_read(self, node: cst.Call) -> Read | None:
        args = self._args(node, ("default", "cast"))
        if "__name__" not in args or "*" in args:
            return None
        name = self._env_name(args["__name__"])
        if name is None:
            return Read(None)
        cast = self._cast_kind(args.get("cast"))
        if cast == "?":
            return Read(None)
        kind = cast or "str"
        wrap = None
        if kind == "tuple":
            kind, wrap = "list", "tuple"
        if kind in ("db", "cache"):
            kind, wrap = "str", kind
        cast_node = args.get("cast")
        if isinstance(cast_node, cst.Call) and any(
            a.keyword is not None
            and a.keyword.value == "post_process"
            and isinstance(a.value, cst.Name)
            and a.value.value == "tuple"
            for a in cast_node.args
        ):
            wrap = "tuple"
        if "default" not in args:
            return Read(name, kind=kind, wrap=wrap, source="decouple")
        value, default_node = self._default_of(args["default"])
        if default_node is not None:
            if kind != "str":
                return Read(None)
            return Read(name, kind=kind, default_node=default_node, wrap=wrap, source="decouple")
        converted = convert_default(kind, value)
        if converted is MISSING:
            return Read(None)
        return Read(name, kind=kind, default=converted, wrap=wrap, source="decouple")

    def _library_call(self, node: cst.Call, binding: Binding, method: str | None) -> Read | None:
        table = ENVIRON_METHODS if binding.kind == "environ" else ENVIRONS_METHODS
        default_var = None
        if method is None:
            positional: tuple[str, ...] = (
                ("cast", "default") if binding.kind == "environ" else ("default",)
            )
            kind = "str"
        elif method in table:
            kind, positional, default_var = table[method]
        else:
            return None
        args = self._args(node, positional)
        if "*" in args:
            return Read(None)
        if "__name__" in args:
            name = self._env_name(args["__name__"])
            if name is None:
                return Read(None)
        elif "var" in args:
            name = self._env_name(args["var"])
            if name is None:
                return Read(None)
        elif default_var is not None:
            name = default_var
        else:
            return None
        scheme_kind, scheme_default = binding.scheme.get(name, (None, MISSING))
        if method is None:
            cast = self._cast_kind(args.get("cast")) if "cast" in args else scheme_kind
            if cast == "?":
                return Read(None)
            kind = cast or "str"
        wrap = None
        if kind == "tuple":
            kind, wrap = "list", "tuple"
        elif kind in ("url", "path", "db", "cache", "email"):
            kind, wrap = "str", kind
        source = binding.kind
        if "default" in args:
            value, default_node = self._default_of(args["default"])
        elif scheme_default is not MISSING:
            value, default_node = scheme_default, None
        else:
            return Read(name, kind=kind, wrap=wrap, source=source)
        if default_node is not None:
            if kind != "str":
                return Read(None)
            return Read(name, kind=kind, default_node=default_node, wrap=wrap, source=source)
        converted = convert_default(kind, value)
        if converted is MISSING:
            return Read(None)
        if isinstance(converted, tuple):
            converted = list(converted)
        extra = {
            k: v
            for k, v in args.items()
            if k not in ("__name__", "var", "default", "cast") and not k.startswith("__")
        }
        return Read(name, kind=kind, default=converted, wrap=wrap, source=source, extra=extra)

    # typed idioms --------------------------------------------------------------------

    def _typed(self, node: cst.BaseExpression) -> Read | None:
        """A read with the idioms around it that give its type."""
        raw = self._raw(node)
        if raw is not None:
            return raw
        if isinstance(node, cst.Call):
            return self._typed_call(node)
        if isinstance(node, cst.Comparison):
            return self._truthiness(node)
        if isinstance(node, cst.ListComp):
            return self._list_comp(node)
        return None

    def _str_read(self, node: cst.BaseExpression) -> Read | None:
        read = self._raw(node)
        if read is None or read.name is None or read.kind != "str" or read.wrap:
            return read if read is not None and read.name is None else None
        return read

    def _typed_call(self, node: cst.Call) -> Read | None:
        func = node.func
        qn = self._qnames(func)
        single = len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star
        if single:
            arg = node.args[0].value
            if (
                isinstance(func, cst.Name)
                and func.value in ("int", "float")
                and qn
                <= {
                    f"builtins.{func.value}",
                    func.value,
                }
            ):
                inner = self._str_read(arg)
                if inner is not None:
                    return self._convert(inner, func.value)
            if isinstance(func, cst.Name) and func.value == "bool":
                inner = self._typed(arg)
                if inner is not None and inner.name is not None and inner.kind in ("int", "bool"):
                    default = inner.default
                    if default not in (MISSING, HELPER_DEFAULT) and default is not None:
                        default = bool(default)
                    return replace(inner, kind="bool", default=default)
                if inner is not None and inner.name is None:
                    return inner
            if any(q.endswith("strtobool") for q in qn) or (
                isinstance(func, cst.Name) and func.value == "strtobool"
            ):
                inner = self._str_read(arg)
                if inner is not None:
                    return self._convert(inner, "bool")
            if qn & LITERAL_EVAL:
                inner = self._str_read(arg)
                if inner is not None:
                    return self._convert(inner, "yaml")
            if isinstance(func, cst.Name) and func.value in ("list", "tuple"):
                inner = self._typed(arg)
                if inner is not None and inner.name is not None and inner.kind == "list":
                    return replace(inner, wrap="tuple" if func.value == "tuple" else inner.wrap)
        if isinstance(func, cst.Attribute) and func.attr.value == "split":
            base = func.value
            strip = False
            if (
                isinstance(base, cst.Call)
                and isinstance(base.func, cst.Attribute)
                and base.func.attr.value == "strip"
                and not base.args
            ):
                base, strip = base.func.value, True
            inner = self._str_read(base)
            if inner is None:
                return None
            if inner.name is None:
                return inner
            sep: Any = None
            if node.args:
                sep = literal_of(self.tree, node.args[0].value)
                if not isinstance(sep, str) or len(node.args) > 1:
                    return Read(None)
            return self._convert(inner, "list", split=sep, strip_all=strip)
        return None

    def _convert(self, read: Read, kind: str, split: Any = ",", strip_all: bool = False) -> Read:
        if read.name is None:
            return read
        note = ""
        if kind == "list":
            sep = split if split is not None else " "
            note = f"was a {'comma' if sep == ',' else repr(sep)}-separated list; now a YAML list"
        if read.default_node is not None:
            if kind in ("int", "float"):
                return replace(read, kind=kind, note=note, extra={**read.extra, "cast_code": kind})
            return Read(None)
        default = read.default
        if default is HELPER_DEFAULT or default is MISSING or default is None:
            return replace(read, kind=kind, note=note)
        if kind == "list" and isinstance(default, str):
            parts = default.split(split) if default.strip() else []
            if strip_all:
                parts = [p.strip() for p in parts]
            value: Any = parts
        elif kind == "bool" and isinstance(default, str):
            value = to_bool(default)
        else:
            value = convert_default(kind, default)
        if value is MISSING:
            return Read(None)
        return replace(read, kind=kind, default=value, note=note)

    def _method_chain(self, node: cst.BaseExpression) -> tuple[cst.BaseExpression, list[str]]:
        """`x.strip().lower()` -> (x, ["strip", "lower"])."""
        methods: list[str] = []
        while (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("lower", "upper", "strip", "casefold")
            and not node.args
        ):
            methods.insert(0, node.func.attr.value)
            node = node.func.value
        return node, methods

    def _truthiness(self, node: cst.Comparison) -> Read | None:
        if len(node.comparisons) != 1:
            return None
        base, methods = self._method_chain(node.left)
        inner = self._str_read(base)
        if inner is None:
            return None
        if inner.name is None:
            return inner
        target = node.comparisons[0]
        operator = target.operator
        expected = literal_of(self.tree, target.comparator)
        if expected is MISSING:
            return Read(None)
        if not isinstance(
            operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn, cst.Is, cst.IsNot)
        ):
            return None
        if inner.default_node is not None:
            return Read(None)

        def evaluate(value: Any) -> Any:
            if value is None and methods:
                value = ""
            for method in methods:
                value = getattr(value, method)()
            if isinstance(operator, cst.Equal):
                return value == expected
            if isinstance(operator, cst.NotEqual):
                return value != expected
            if isinstance(operator, cst.In):
                return value in expected
            if isinstance(operator, cst.NotIn):
                return value not in expected
            if isinstance(operator, cst.Is):
                return value is expected
            return value is not expected

        default = inner.default
        if default is HELPER_DEFAULT:
            return replace(inner, kind="bool")
        if default is MISSING:
            return replace(inner, kind="bool")
        try:
            value = evaluate(default)
        except (AttributeError, TypeError):
            return Read(None)
        return replace(inner, kind="bool", default=bool(value))

    def _list_comp(self, node: cst.ListComp) -> Read | None:
        comp = node.for_in
        if comp.inner_for_in is not None or not isinstance(comp.target, cst.Name):
            return None
        var = comp.target.value

        def is_var(expr: cst.BaseExpression) -> bool | None:
            """True: the variable; None: variable.strip(); False: something else."""
            if isinstance(expr, cst.Name) and expr.value == var:
                return True
            base, methods = self._method_chain(expr)
            if isinstance(base, cst.Name) and base.value == var and methods == ["strip"]:
                return None
            return False

        elt = is_var(node.elt)
        if elt is False:
            return None
        if any(is_var(cond.test) is False for cond in comp.ifs):
            return None
        inner = self._typed(comp.iter)
        if inner is None or inner.name is None or inner.kind != "list":
            return inner if inner is not None and inner.name is None else None
        default = inner.default
        if isinstance(default, list):
            values = [v.strip() if elt is None else v for v in default]
            for cond in comp.ifs:
                values = [v for v in values if (v.strip() if is_var(cond.test) is None else v)]
            return replace(inner, default=values)
        return inner

    # --- the walk ---------------------------------------------------------------------

    def _scan(self, node: cst.CSTNode, module_level: bool, setting_values: dict) -> None:
        if isinstance(node, cst.FunctionDef):
            if module_level and node.name.value in self.helpers:
                return
            for child in node.children:
                self._scan(child, False, {})
            return
        if isinstance(node, cst.ClassDef):
            for child in node.children:
                self._scan(child, False, {})
            return
        if isinstance(node, cst.SimpleStatementLine):
            if self._statement(node, module_level):
                return
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            targets = (
                [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            )
            if (
                len(targets) == 1
                and isinstance(targets[0], cst.Name)
                and node.value is not None
                and is_setting_name(targets[0].value)
            ):
                setting_values = {**setting_values, node.value: targets[0].value}
            if node.value is not None:
                self._scan(node.value, module_level, setting_values)
            return
        if isinstance(node, cst.AugAssign):
            self._scan(node.value, module_level, setting_values)
            return
        if isinstance(node, cst.FormattedString):
            quote, self._fstring_quote = self._fstring_quote, node.start[-1]
            try:
                for child in node.children:
                    self._scan(child, module_level, setting_values)
            finally:
                self._fstring_quote = quote
            return
        if isinstance(node, cst.BaseExpression) and self._expression(
            node, setting_values.get(node)
        ):
            return
        for child in node.children:
            self._scan(child, module_level, setting_values)

    def _statement(self, stmt: cst.SimpleStatementLine, module_level: bool) -> bool:
        """Whole statements: dotenv loads, read_env calls, preset-owned assignments."""
        if len(stmt.body) != 1:
            return False
        small = stmt.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            qn = self._qnames(call.func)
            if qn & DOTENV_LOADERS:
                self._remove(stmt)
                self.report_followup(
                    stmt,
                    f"removed `{self._code(call)}`: Model W's EnvManager loads the `.env` "
                    "next to manage.py itself (model-w.md 5.3); move the values there",
                    "info",
                )
                return True
            is_read_env = bool(qn & ENVIRON_READ_ENV)
            if (
                isinstance(call.func, cst.Attribute)
                and call.func.attr.value in ("read_env", "read_dotenv")
                and self._binding_of(call.func.value) is not None
            ):
                is_read_env = True
            if is_read_env:
                self._remove(stmt)
                self.report_followup(
                    stmt,
                    f"removed `{self._code(call)}`: Model W's EnvManager loads the `.env` "
                    "next to manage.py itself (model-w.md 5.3)",
                    "info",
                )
                return True
            # DATABASES["default"].update(dj_database_url.config(...))
            if (
                isinstance(call.func, cst.Attribute)
                and call.func.attr.value == "update"
                and self._setting_base(call.func.value) in ("DATABASES", "CACHES")
            ):
                setting = self._setting_base(call.func.value)
                return self._preset_assignment(setting, call, stmt, partial=True)
        if not module_level:
            return False
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            if len(targets) != 1:
                return False
            setting = self._setting_base(targets[0])
            if setting in PRESET_OWNED_SETTINGS:
                partial = not isinstance(targets[0], cst.Name)
                return self._preset_assignment(setting, small.value, stmt, partial=partial)
            if (
                isinstance(small, cst.Assign)
                and isinstance(targets[0], cst.Name)
                and targets[0].value in self.bindings
                and self.bindings[targets[0].value].statement is stmt
            ):
                return True
        return False

    def _setting_base(self, node: cst.BaseExpression) -> str | None:
        while isinstance(node, cst.Subscript):
            node = node.value
        return node.value if isinstance(node, cst.Name) else None

    def _remove(self, stmt: cst.CSTNode) -> None:
        self.replacements[stmt] = cst.RemoveFromParent()
        self.consumed.update(_names_in(stmt))
        self._gone.append(stmt)

    def _reads_in(self, node: cst.CSTNode) -> list[tuple[Read, cst.CSTNode]]:
        """Every outermost read inside a node."""
        found: list[tuple[Read, cst.CSTNode]] = []

        def visit(sub: cst.CSTNode) -> None:
            if isinstance(sub, cst.BaseExpression):
                read = self._typed(sub)
                if read is not None and read.name is not None:
                    found.append((read, sub))
                    return
            for child in sub.children:
                visit(child)

        visit(node)
        return found

    # --- one expression ---------------------------------------------------------------

    def _expression(self, node: cst.BaseExpression, setting: str | None) -> bool:
        read = self._typed(node)
        if read is None:
            return False
        line = self.line_of(node)
        if read.name is None:
            if self._mentions_environment(node):
                self.report_followup(
                    node,
                    f"cannot convert `{self._short(node)}` to env.get(...): its name, default "
                    "or cast is not a literal; convert it by hand",
                    "todo",
                )
            return True
        if read.name in SYSTEM_VARS:
            return True
        if read.source == "modelw":
            self._record_modelw(read, node, setting, line)
            return True
        if read.source == "helper" and self.helpers[read.extra["helper"]].template is None:
            self.report_followup(
                node,
                f"inlined {read.extra['helper']}({read.name!r}) as a plain env.get: "
                "the helper's other behaviour is dropped",
                "info",
            )
        replacement = self._emit(read, node, setting, line)
        if replacement is None:
            return True
        if self._fstring_quote:
            # inside f"...{here}...": strings must not reuse the f-string's quote (< 3.12)
            replacement = replacement.visit(_Requote(self._fstring_quote))
        self.replacements[node] = replacement
        self.consumed.update(_names_in(node))
        self._gone.append(node)
        return True

    def _record_modelw(self, read: Read, node: cst.CSTNode, setting: str | None, line: int) -> None:
        assert read.name is not None
        if read.name in self.preset_vars:
            if not self._folding:
                record_env_var(
                    self.context.scratch,
                    self.preset_record(read.name, setting=setting, line=line),
                )
            return
        if self._folding:
            return
        build_default = read.extra.get("build_default", MISSING)
        default_code = self._code(read.default_node) if read.default_node is not None else None
        if default_code is None and read.default is not MISSING:
            default_code = py_code(read.default)
        record_env_var(
            self.context.scratch,
            EnvVar(
                name=read.name,
                setting=setting,
                default=None if read.default is MISSING else read.default,
                default_code=default_code,
                has_default=not read.required,
                is_yaml=read.kind == "yaml",
                secret=is_credential_name(read.name),
                comment=f"{setting} setting" if setting else "Read by the settings",
                group=group_for(read.name),
                line=line,
                build_default=None if build_default is MISSING else build_default,
            ),
        )

    def _mentions_environment(self, node: cst.CSTNode) -> bool:
        for sub in walk(node):
            if isinstance(sub, (cst.Name, cst.Attribute)):
                qn = self._qnames(sub)
                if qn & (OS_GET | {OS_ENVIRON, "decouple.config"}) or self._binding_of(sub):
                    return True
                if isinstance(sub, cst.Name) and sub.value in self.helpers:
                    return True
        return False

    def policy_for(self, helper: str) -> str:
        return self.helper_policies.get(helper, self.helper_policy)

    def _short(self, node: cst.CSTNode) -> str:
        code = " ".join(self._code(node).split())
        return code if len(code) <= 80 else code[:77] + "..."

    def _wrap(self, read: Read, expr: cst.BaseExpression) -> cst.BaseExpression:
        code = self.tree.code_for_node(expr)
        if read.wrap == "tuple":
            return cst.parse_expression(f"tuple({code})")
        if read.wrap == "path":
            AddImportsVisitor.add_needed_import(self.context, "pathlib", "Path")
            return cst.parse_expression(f"Path({code})")
        if read.wrap == "url":
            AddImportsVisitor.add_needed_import(self.context, "urllib.parse", "urlparse")
            return cst.parse_expression(f"urlparse({code})")
        if read.wrap == "db":
            AddImportsVisitor.add_needed_import(self.context, "dj_database_url")
            extra = "".join(
                f", {k}={self._code(v)}"
                for k, v in read.extra.items()
                if k in ("conn_max_age", "ssl_require", "engine", "conn_health_checks")
            )
            return cst.parse_expression(f"dj_database_url.parse({code}{extra})")
        if read.wrap == "cache":
            if read.source == "django_cache_url":
                AddImportsVisitor.add_needed_import(self.context, "django_cache_url")
                return cst.parse_expression(f"django_cache_url.parse({code})")
            AddImportsVisitor.add_needed_import(self.context, "environ")
            return cst.parse_expression(f"environ.Env.cache_url_config({code})")
        if read.wrap == "email":
            AddImportsVisitor.add_needed_import(self.context, "environ")
            return cst.parse_expression(f"environ.Env.email_url_config({code})")
        return expr

    def _emit(
        self, read: Read, node: cst.CSTNode, setting: str | None, line: int
    ) -> cst.BaseExpression | None:
        assert read.name is not None
        old = read.name
        if read.wrap not in (None, "tuple", "path"):
            setting = None  # a URL parsed into a dict: the variable keeps its name
        new = self.env_name_for(old, setting)
        preset = self.preset_vars.get(new)
        if preset is not None:
            return self._emit_preset(read, node, setting, line, new)
        is_yaml = read.kind in YAML_KINDS
        default_code = None
        build_default: Any = MISSING
        secret = is_credential_name(new) or is_credential_name(old)
        local_value = None
        if (
            secret
            and read.default_node is None
            and isinstance(read.default, str)
            and looks_like_secret(read.default, new)
            and worth_guarding(read.default, self._repeated)
        ):
            # A credential committed as a default: it moves to .env, the variable
            # becomes required (with a build default).
            local_value = read.default
            record_secret(self.context.scratch, read.default)
            self.report_followup(
                node,
                f"the default of {new} looked like a real credential: it moved to .env "
                f"and {new} is now required",
                "info",
            )
            read = replace(read, default=MISSING)
        if read.required:
            kind = read.wrap if read.wrap in URL_BUILD_DEFAULTS else read.kind
            build_default = build_default_for(kind, new)
            expr = env_get(new, build_default=build_default, is_yaml=is_yaml)
        elif read.default_node is not None:
            default_code = self._code(read.default_node)
            cast = read.extra.get("cast_code")
            if cast:
                default_code = f"{cast}({default_code})"
            expr = env_get(new, default_code=default_code, is_yaml=is_yaml)
        else:
            default_code = py_code(read.default)
            if read.kind == "str" and isinstance(read.default, str):
                default_code = self._original_default_code(node, read.default) or default_code
            expr = env_get(new, default_code=default_code, is_yaml=is_yaml)
        signature = (
            default_code,
            None if build_default is MISSING else py_code(build_default),
            is_yaml,
        )
        previous = self.signatures.setdefault(new, signature)
        if previous != signature:
            self.report_followup(
                node,
                f"{new} is read twice with different defaults or types; env.get() then fails "
                "with 'get() calls mismatch' (model-w.md 5.2): use one signature",
                "blocker",
            )
        comment_parts = [f"{setting} setting" if setting else "Read by the settings"]
        if old != new:
            comment_parts.append(f"was {old}")
        if read.note:
            comment_parts.append(read.note)
        default_value = None
        if not read.required and read.default_node is None:
            default_value = read.default
        if self._folding:
            return self._wrap(read, expr)
        record_env_var(
            self.context.scratch,
            EnvVar(
                name=new,
                old_names=[old] if old != new else [],
                setting=setting,
                default=default_value,
                default_code=default_code,
                has_default=not read.required,
                is_yaml=is_yaml,
                secret=secret,
                local_value=local_value,
                comment="; ".join(comment_parts),
                group=group_for(new),
                line=line,
                build_default=None if build_default is MISSING else build_default,
            ),
        )
        if read.wrap in ("cache", "email") and read.source in ("environ", "environs"):
            self.report_followup(
                node,
                f"{new} is still parsed by django-environ ({read.wrap} URL); keep "
                "django-environ as a dependency or set the settings from separate variables",
                "info",
            )
        return self._wrap(read, expr)

    def _original_default_code(self, node: cst.CSTNode, value: str) -> str | None:
        for sub in walk(node):
            if isinstance(sub, cst.SimpleString) and sub.evaluated_value == value:
                if sub.prefix.lower() in ("", "r", "u"):
                    return sub.value
        return None

    def _emit_preset(
        self, read: Read, node: cst.CSTNode, setting: str | None, line: int, new: str
    ) -> cst.BaseExpression | None:
        preset = self.preset_vars[new]
        assert read.name is not None
        legacy = read.default if read.default not in (MISSING, HELPER_DEFAULT) else MISSING
        if preset.is_yaml and legacy is not MISSING:
            legacy = to_bool(legacy) if read.kind in ("str", "bool") else legacy
        if self._folding:
            legacy = MISSING  # recorded by _preset_assignment
        record_env_var(
            self.context.scratch,
            self.preset_record(
                new, old_names=[read.name], setting=setting, legacy_value=legacy, line=line
            ),
        )
        if (
            isinstance(legacy, str)
            and looks_like_secret(legacy, new)
            and worth_guarding(legacy, self._repeated)
        ):
            record_secret(self.context.scratch, legacy)
        if not preset.readable:
            if self._folding:
                return None
            self.report_followup(
                node,
                f"{new} is read by the preset itself (only in some modes, or with a "
                "context-dependent default); never read it with env.get (model-w.md 5.2): "
                "use the setting the preset derives from it",
                "todo",
            )
            return None
        allowed = (
            (None, "db", "tuple", "cache", "email") if self._folding else (None, "db", "tuple")
        )
        if read.wrap == "db" and new != "DATABASE_URL" or read.wrap not in allowed:
            self.report_followup(
                node,
                f"{new} is a Model W preset variable; `{self._short(node)}` reads it another "
                "way: adapt it by hand",
                "todo",
            )
            return None
        if preset.is_yaml != (read.kind in YAML_KINDS) and read.wrap is None:
            self.report_followup(
                node,
                f"{new} is read by the preset as {'YAML' if preset.is_yaml else 'a string'}; "
                f"`{self._short(node)}` now gets that type",
                "info",
            )
        return self._wrap(read, self.preset_env_get(new))

    # --- preset-owned assignments ------------------------------------------------------

    def _preset_assignment(
        self, setting: str, value: cst.BaseExpression, stmt: cst.CSTNode, partial: bool
    ) -> bool:
        reads = self._reads_in(value)
        if not reads:
            return False
        env_var = PRESET_OWNED_SETTINGS[setting]
        line = self.line_of(stmt)
        if setting in REDIS_ONLY_SETTINGS and not self._is_redis(setting, value, reads):
            return False
        old_names = [r.name for r, _ in reads if r.name is not None]
        old_names = list(dict.fromkeys(old_names))
        if setting == "DATABASES":
            self._database(value, reads, stmt, line, old_names, partial)
        elif setting in ("CACHES", "CELERY_BROKER_URL", "BROKER_URL"):
            location = self._redis_location(value, reads)
            record_env_var(
                self.context.scratch,
                self.preset_record(
                    "REDIS_URL",
                    old_names=old_names,
                    setting=setting,
                    legacy_value=location,
                    line=line,
                ),
            )
        else:
            legacy: Any = MISSING
            if len(reads) == 1 and reads[0][1] is value:
                read = reads[0][0]
                if read.default not in (MISSING, HELPER_DEFAULT):
                    legacy = read.default
                    if self.preset_vars[env_var].is_yaml and read.kind in ("str", "bool"):
                        legacy = to_bool(legacy)
            else:
                self.report_followup(
                    stmt,
                    f"{setting} is built from {', '.join(old_names)}; Model W reads it from "
                    f"{env_var} alone: set {env_var} accordingly",
                    "info",
                )
            record_env_var(
                self.context.scratch,
                self.preset_record(
                    env_var, old_names=old_names, setting=setting, legacy_value=legacy, line=line
                ),
            )
            if (
                isinstance(legacy, str)
                and looks_like_secret(legacy, env_var)
                and worth_guarding(legacy, self._repeated)
            ):
                record_secret(self.context.scratch, legacy)
        record_preset_owned(self.context.scratch, setting, old_names, line, env_var)
        # The settings step deletes this assignment; its reads are still converted
        # (preset variables with the preset's exact signature) so that the module
        # stays valid and legacy bindings and helpers can go.
        folding, self._folding = self._folding, True
        try:
            self._scan(value, True, {})
        finally:
            self._folding = folding
        return True

    def _is_redis(self, setting: str, value: cst.CSTNode, reads: list) -> bool:
        for read, _node in reads:
            if read.name and "REDIS" in read.name.upper():
                return True
            if isinstance(read.default, str) and read.default.startswith(("redis://", "rediss://")):
                return True
            if read.name == "CACHE_URL" and read.wrap == "cache" and read.required:
                return False
        if setting == "CACHES":
            for sub in walk(value):
                if isinstance(sub, cst.SimpleString):
                    text = sub.evaluated_value
                    if isinstance(text, str) and "redis" in text.lower():
                        return True
        return False

    def _redis_location(self, value: cst.CSTNode, reads: list) -> Any:
        for read, _node in reads:
            if isinstance(read.default, str) and read.default.startswith(("redis", "unix")):
                return read.default
        return MISSING

    def _dict_items(self, node: cst.CSTNode) -> dict[str, cst.BaseExpression] | None:
        if isinstance(node, cst.Dict):
            items: dict[str, cst.BaseExpression] = {}
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return None
                key = literal_of(self.tree, element.key)
                if not isinstance(key, str):
                    return None
                items[key] = element.value
            return items
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "dict"
        ):
            items = {}
            for arg in node.args:
                if arg.keyword is None:
                    return None
                items[arg.keyword.value] = arg.value
            return items
        return None

    def _part_value(self, node: cst.BaseExpression) -> Any:
        value = literal_of(self.tree, node)
        if value is not MISSING:
            return value
        read = self._typed(node)
        if read is not None and read.name is not None and read.default_node is None:
            if read.default is MISSING or read.default is HELPER_DEFAULT:
                return MISSING
            return read.default
        return MISSING

    def _database(
        self,
        value: cst.BaseExpression,
        reads: list,
        stmt: cst.CSTNode,
        line: int,
        old_names: list[str],
        partial: bool,
    ) -> None:
        items = self._dict_items(value)
        default_node: cst.BaseExpression | None = value
        if items is not None and not partial:
            default_node = items.get("default")
            others = [alias for alias in items if alias != "default"]
            if others:
                self.report_followup(
                    stmt,
                    f"DATABASES also defines {', '.join(others)}: Model W only configures "
                    "'default' from DATABASE_URL; add the others back inside the block",
                    "todo",
                )
        url: Any = MISSING
        engine = ""
        db_name: Any = None
        parts = self._dict_items(default_node) if default_node is not None else None
        if parts is not None:
            engine_value = literal_of(self.tree, parts["ENGINE"]) if "ENGINE" in parts else ""
            engine = engine_value if isinstance(engine_value, str) else ""
            values = {key: self._part_value(node) for key, node in parts.items()}
            db_name = values.get("NAME")
            if complete_database_parts(values):
                url = url_from_database_parts(engine, values)
                password = values.get("PASSWORD")
                if (
                    isinstance(password, str)
                    and looks_like_secret(password, "PASSWORD")
                    and worth_guarding(password, self._repeated)
                ):
                    record_secret(self.context.scratch, password)
            extra = sorted(set(parts) - {"ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT"})
            if extra:
                self.report_followup(
                    stmt,
                    f"DATABASES['default'] also sets {', '.join(extra)}: re-apply them by "
                    "mutating DATABASES['default'] inside the Model W block (model-w.md 11.1)",
                    "todo",
                )
        else:
            for read, _node in reads:
                if read.wrap == "db" or read.name == "DATABASE_URL":
                    if isinstance(read.default, str):
                        url = read.default
                    if "conn_max_age" in read.extra:
                        self.report_followup(
                            stmt,
                            "conn_max_age is replaced by POOL_DB_CONNECTIONS=yes "
                            "(CONN_MAX_AGE 60) in Model W",
                            "info",
                        )
                    break
            if isinstance(url, str):
                engine = url.split(":", 1)[0]
        short = engine_short(engine)
        if engine and not any(p in engine for p in ("postgres", "postgis", "psqlextra", "psycopg")):
            if isinstance(url, str) and not url.startswith(("postgres", "postgis")):
                db_name = url.split("/", 3)[-1] if "/" in url else None
            self.context.scratch["database_engine"] = {
                "engine": short,
                "name": db_name if isinstance(db_name, str) else None,
                "line": line,
            }
            self.report_followup(
                stmt,
                f"the database engine is {short}; Model W needs PostgreSQL "
                "(DATABASE_URL=postgres://...): move the data over (dumpdata/loaddata)",
                "blocker",
            )
            url = MISSING
        var = self.preset_record(
            "DATABASE_URL",
            old_names=old_names,
            setting="DATABASES",
            legacy_value=url if isinstance(url, str) else MISSING,
            line=line,
            comment="PostgreSQL database URL"
            + (f" (built from {', '.join(old_names)})" if old_names else ""),
        )
        if isinstance(url, str):
            try:
                password = urlsplit(url).password
            except ValueError:
                password = None
            if password:
                var.secret = True
                if worth_guarding(password, self._repeated):
                    record_secret(self.context.scratch, password)
        record_env_var(self.context.scratch, var)

    # --- after the walk --------------------------------------------------------------

    def _had_refs(self, name: str, node: cst.CSTNode) -> bool:
        try:
            scope = self.get_metadata(ScopeProvider, node)
        except KeyError:
            return False
        return scope is not None and any(a.references for a in scope.assignments[name])

    def _unconsumed_refs(self, name: str, node: cst.CSTNode) -> list[cst.CSTNode]:
        try:
            scope = self.get_metadata(ScopeProvider, node)
        except KeyError:
            return []
        if scope is None:
            return []
        refs: list[cst.CSTNode] = []
        for assignment in scope.assignments[name]:
            for access in assignment.references:
                if access.node not in self.consumed:
                    refs.append(access.node)
        return refs

    def _finish(self) -> None:
        for stmt in self._module_statements(self.tree.body):
            if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                continue
            imp = stmt.body[0]
            if not isinstance(imp, cst.ImportFrom) or isinstance(imp.names, cst.ImportStar):
                continue
            module = self._code(imp.module) if imp.module is not None else ""
            if module.split(".")[0] != "dotenv" or imp.relative:
                continue
            names = [(a.asname.name if a.asname else a.name) for a in imp.names]
            if all(
                isinstance(n, cst.Name) and not self._unconsumed_refs(n.value, stmt) for n in names
            ) and any(self._had_refs(n.value, stmt) for n in names if isinstance(n, cst.Name)):
                self._remove(stmt)
        for helper in self.helpers.values():
            node = helper.node
            refs = self._unconsumed_refs(helper.name, node)
            converted = helper.plain or self.policy_for(helper.name) == "inline"
            if converted and not refs:
                self._remove(node)
                continue
            if helper.plain:
                continue
            if self.policy_for(helper.name) == "inline":
                continue
            message = (
                f"{helper.name}() reads the environment but {helper.reason}; "
                "convert its calls to env.get(...) by hand"
            )
            self.report_followup(node, message, "todo")
            if not has_todo(node):
                self.todo_comments[node] = message
        for stmt in self.tree.body:
            if (
                isinstance(stmt, cst.FunctionDef)
                and stmt.name.value not in self.helpers
                and self._had_refs(stmt.name.value, stmt)
                and not self._unconsumed_refs(stmt.name.value, stmt)
            ):
                # e.g. a project strtobool() only used around converted reads
                self._remove(stmt)
        for binding in self.bindings.values():
            refs = self._unconsumed_refs(binding.name, binding.statement)
            refs = [r for r in refs if r is not binding.assign.targets[0].target]
            if not refs:
                self._remove(binding.statement)
                continue
            if binding.name == "env":
                new_name = {"environ": "environ_env", "environs": "environs_env"}.get(
                    binding.kind, "os_env"
                )
                for ref in [*refs, binding.assign.targets[0].target]:
                    if isinstance(ref, cst.Name):
                        self.replacements[ref] = cst.Name(new_name)
                self.report_followup(
                    binding.statement,
                    f"`env` was renamed {new_name} because Model W binds `env` to the "
                    "EnvManager; convert its remaining uses to env.get(...)",
                    "todo",
                )

    # --- the transform pass -----------------------------------------------------------

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result = super().on_leave(original_node, updated_node)
        if original_node in self.replacements:
            replacement = self.replacements[original_node]
            if isinstance(replacement, cst.RemovalSentinel) and isinstance(
                result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                return self.dropper.mark(result)
            return replacement
        if original_node in self.todo_comments and isinstance(result, cst.FunctionDef):
            return result.with_changes(
                leading_lines=[
                    *result.leading_lines,
                    todo_comment(self.todo_comments[original_node]),
                ]
            )
        return result

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return tidy_module_start(tree, super().transform_module(tree))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self.dropper.body(updated_node.body, True))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self.dropper.body(updated_node.body, False))

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> Any:
        return _drop_empty_if(original_node, updated_node)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> Any:
        return _drop_empty_try(updated_node)


class _Requote(cst.CSTTransformer):
    """Rewrite string literals that use `quote` with the other quote character."""

    def __init__(self, quote: str) -> None:
        super().__init__()
        self.quote = quote
        self.other = "'" if quote == '"' else '"'

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        prefix = updated_node.prefix
        body = updated_node.value[len(prefix) :]
        if not body.startswith(self.quote) or body.startswith(self.quote * 3):
            return updated_node
        inner = body[1:-1]
        if self.other in inner:
            return updated_node
        return updated_node.with_changes(value=f"{prefix}{self.other}{inner}{self.other}")


def _is_pass_only(block: cst.BaseSuite) -> bool:
    body = block.body if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            if not all(isinstance(s, cst.Pass) for s in stmt.body):
                return False
        elif isinstance(stmt, cst.Pass):
            continue
        else:
            return False
    return True


def _drop_empty_if(original: cst.If, updated: cst.If) -> Any:
    """An `if` whose body was emptied by a removal: drop it when nothing remains."""
    if not isinstance(updated.body, cst.IndentedBlock) or updated.body.body:
        return updated
    if updated.orelse is None or (
        isinstance(updated.orelse, cst.Else) and _is_pass_only(updated.orelse.body)
    ):
        if not any(isinstance(n, cst.Call) for n in walk(updated.test)):
            return cst.RemoveFromParent()
        return updated.with_changes(orelse=None)
    return updated


def _drop_empty_try(updated: cst.Try) -> Any:
    if not isinstance(updated.body, cst.IndentedBlock) or updated.body.body:
        return updated
    if updated.finalbody is not None or updated.orelse is not None:
        return updated
    if all(_is_pass_only(h.body) for h in updated.handlers):
        return cst.RemoveFromParent()
    return updated
