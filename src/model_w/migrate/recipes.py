"""Recipes: the answers of a migration as a YAML file, replayed without questions.

A recipe is data the wizard could have produced (design.md): a name, a
description, the recipes it `extends`, the target release and branch, the
steps (include, exclude, per-step options), the answers, policies for
findings the tool cannot decide alone, and custom codemods by dotted path.

`load_recipe(path_or_name)` reads a file (or a built-in recipe by name),
validates it against `schemas/recipe.schema.json` plus the checks a schema
cannot make (known step ids, known releases, importable codemods, extends
cycles), and resolves `extends`. Every problem is one line naming the file,
the line and the key path, with the nearest valid name when there is one:

    recipe.yaml:12: steps[3].id: unknown step 'settngs-env' (did you mean 'settings-env'?)

`save_recipe(answers, path)` writes the Answers of a session as a recipe
that replays the same migration.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from model_w.migrate.answers import Answers
from model_w.migrate.errors import UserError

BUILTIN_PACKAGE = "model_w.migrate.builtin_recipes"
MODES = ("apply", "audit")

# Step ids of the plan (notes/CONTRACTS.md), known even before their module
# lands; the registry adds any other registered step (custom-codemods, ...).
CONTRACT_STEP_IDS = (
    "gitignore",
    "settings-env",
    "api-layout",
    "package-layout",
    "back-routing",
    "frontend",
    "dependencies",
    "modelw-files",
    "dotfiles",
    "custom-codemods",
)

# Answers fields a recipe may set (release_reason is shown, never replayed).
ANSWER_KEYS = tuple(f.name for f in fields(Answers) if f.name != "release_reason")

KeyPath = tuple  # of str (mapping keys) and int (list indexes)


# ---------------------------------------------------------------- the model


@dataclass
class Recipe:
    """A validated recipe with its `extends` chain resolved."""

    name: str
    description: str
    data: dict[str, Any]  # resolved: extends merged, steps normalised
    source: str = ""  # file path or "builtin:<name>"
    chain: list[str] = field(default_factory=list)  # sources, most basic first

    @property
    def mode(self) -> str:
        return self.data.get("mode", "apply")

    @property
    def is_audit(self) -> bool:
        """Audit recipes inspect and report only: never a write, never a commit."""
        return self.mode == "audit"

    @property
    def modelw_release(self) -> str | None:
        return self.data.get("modelw_release")

    @property
    def branch(self) -> str | None:
        return self.data.get("branch")

    @property
    def include(self) -> list[str] | None:
        return self.data["steps"]["include"]

    @property
    def exclude(self) -> list[str]:
        return self.data["steps"]["exclude"]

    @property
    def step_options(self) -> dict[str, dict[str, Any]]:
        return self.data["steps"]["options"]

    @property
    def steps(self) -> list[str]:
        """The ids of the steps this recipe runs (when they apply), in plan order."""
        include = self.include
        return [
            s
            for s in known_step_ids()
            if (include is None or s in include) and s not in self.exclude
        ]

    @property
    def answers(self) -> dict[str, Any]:
        return self.data.get("answers", {})

    @property
    def policies(self) -> dict[str, str]:
        return self.data.get("policies", {})

    @property
    def codemods(self) -> list[dict[str, Any]]:
        return self.data.get("codemods", [])

    def answers_overrides(self) -> dict[str, Any]:
        """The Answers fields this recipe sets, for `Answers.merged`.

        Only what the recipe says: everything else keeps the default the
        Facts give (project name, production settings, front-ends...).
        """
        out: dict[str, Any] = copy.deepcopy(self.answers)
        for key in ("modelw_release", "branch"):
            if key in self.data:
                out[key] = self.data[key]
        steps = self.data["steps"]
        if steps["include"] is not None:
            out["steps"] = list(steps["include"])
        if steps["exclude"]:
            out["exclude_steps"] = _union(out.get("exclude_steps", []), steps["exclude"])
        if steps["options"]:
            out["step_options"] = _deep_merge(out.get("step_options", {}), steps["options"])
        if self.policies:
            out["policies"] = {**out.get("policies", {}), **self.policies}
        if self.codemods:
            out["codemods"] = _union(out.get("codemods", []), self.codemods)
        return copy.deepcopy(out)

    def to_yaml(self) -> str:
        """The resolved recipe (extends merged) as YAML."""
        data: dict[str, Any] = {"name": self.name, "description": self.description}
        for key in ("mode", "modelw_release", "branch"):
            if key in self.data:
                data[key] = self.data[key]
        steps = self.data["steps"]
        steps_out: dict[str, Any] = {}
        if steps["include"] is not None:
            steps_out["include"] = steps["include"]
        if steps["exclude"]:
            steps_out["exclude"] = steps["exclude"]
        if steps["options"]:
            steps_out["options"] = steps["options"]
        if steps_out:
            data["steps"] = steps_out
        for key in ("answers", "policies", "codemods"):
            if self.data.get(key):
                data[key] = self.data[key]
        return _dump_yaml(data)


# ---------------------------------------------------------------- public API


def load_recipe(path: str | Path) -> Recipe:
    """A recipe file, or a built-in recipe by name (`full`, `audit`...)."""
    text = str(path)
    candidate = Path(path)
    if candidate.is_file():
        return _load(_Source.from_file(candidate), [])
    if "/" not in text and not text.endswith((".yaml", ".yml")) and text in builtin_names():
        return builtin_recipe(text)
    if candidate.exists():
        raise UserError(f"{text}: is a folder, not a recipe file", "pass a .yaml file")
    if "/" not in text and not text.endswith((".yaml", ".yml")):
        raise UserError(
            f"no recipe file or built-in recipe named '{text}'{_did_you_mean(text, builtin_names())}",
            f"built-in recipes: {', '.join(builtin_names())}",
        )
    raise UserError(f"{text}: no such recipe file", "check the path")


def builtin_recipe(name: str) -> Recipe:
    if name not in builtin_names():
        raise UserError(
            f"no built-in recipe named '{name}'{_did_you_mean(name, builtin_names())}",
            f"built-in recipes: {', '.join(builtin_names())}",
        )
    return _load(_Source.builtin(name), [])


def builtin_names() -> list[str]:
    folder = resources.files(BUILTIN_PACKAGE)
    names = [
        entry.name.rsplit(".", 1)[0]
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and not entry.name.startswith("_")
    ]
    order = {"full": 0, "settings-only": 1, "restructure-only": 2, "audit": 3}
    return sorted(names, key=lambda n: (order.get(n, 99), n))


def builtin_recipes() -> list[Recipe]:
    return [builtin_recipe(n) for n in builtin_names()]


def validate_recipe_text(text: str, filename: str = "recipe.yaml") -> Recipe:
    """Validate recipe text (as if read from `filename`); for tests and tools."""
    base = Path(filename).parent
    return _load(_Source(filename, text, base, f"text:{filename}"), [])


def save_recipe(
    answers: Answers, path: str | Path, name: str | None = None, description: str | None = None
) -> Path:
    """Write `answers` as a recipe that replays the same migration without questions."""
    path = Path(path)
    data = recipe_data_from_answers(answers, name or _slug(path.stem), description)
    text = (
        "# A modelw-migrate recipe: replay with `modelw migrate --recipe "
        f"{path.name} --yes PATH`\n# Format: recipes/README.md in modelw-migrate.\n"
        + _dump_yaml(data)
    )
    # never write something we cannot read back
    validate_recipe_text(text, str(path))
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def recipe_data_from_answers(
    answers: Answers, name: str = "saved", description: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "description": description
        or f"Replays the migration of {answers.project_name} to Model W {answers.modelw_release}.",
        "modelw_release": answers.modelw_release,
        "branch": answers.branch,
    }
    steps: dict[str, Any] = {}
    if answers.steps is not None:
        steps["include"] = list(answers.steps)
    if answers.exclude_steps:
        steps["exclude"] = list(answers.exclude_steps)
    if answers.step_options:
        steps["options"] = copy.deepcopy(answers.step_options)
    if steps:
        data["steps"] = steps
    data["answers"] = {
        "project_name": answers.project_name,
        "production_settings": answers.production_settings,
        "package_layout": answers.package_layout,
        "frontends": dict(answers.frontends),
        "asset_pipeline": answers.asset_pipeline,
        "name_clashes": dict(answers.name_clashes),
    }
    if answers.decisions:
        data["answers"]["decisions"] = dict(answers.decisions)
    if answers.policies:
        data["policies"] = dict(answers.policies)
    if answers.codemods:
        data["codemods"] = copy.deepcopy(answers.codemods)
    return data


def known_step_ids() -> list[str]:
    """Every step id a recipe may name, in plan order."""
    try:
        from model_w.migrate.steps import all_steps

        registered = [(s.order, s.id) for s in all_steps()]
    except Exception:  # a colleague's step module that does not import yet
        registered = []
    order = {sid: i * 10 + 10 for i, sid in enumerate(CONTRACT_STEP_IDS)}
    order["custom-codemods"] = 95
    for o, sid in registered:
        order[sid] = o
    return sorted(order, key=lambda s: (order[s], s))


def step_titles() -> dict[str, str]:
    try:
        from model_w.migrate.steps import all_steps

        return {s.id: s.title for s in all_steps()}
    except Exception:
        return {}


@lru_cache(maxsize=1)
def recipe_schema() -> dict[str, Any]:
    text = (
        resources.files("model_w.migrate")
        .joinpath("schemas/recipe.schema.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


# ---------------------------------------------------------------- loading


@dataclass
class _Source:
    label: str  # what error messages call the file
    text: str
    base: Path  # folder relative `extends` paths start from
    identity: str  # for cycle detection

    @classmethod
    def from_file(cls, path: Path) -> _Source:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{path}: the recipe is not UTF-8 text", "save it as UTF-8") from None
        except OSError as exc:
            raise UserError(f"{path}: cannot read the recipe ({exc.strerror})") from None
        return cls(str(path), text, path.parent, str(path.resolve()))

    @classmethod
    def builtin(cls, name: str) -> _Source:
        entry = resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml")
        return cls(f"{name}.yaml", entry.read_text(encoding="utf-8"), Path("."), f"builtin:{name}")


class _Problem(Exception):
    def __init__(self, path: KeyPath, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line


def _load(source: _Source, stack: list[str]) -> Recipe:
    raw, lines = _parse(source)
    try:
        _check_schema(raw)
        _check_semantics(raw)
    except _Problem as problem:
        raise _error(source, lines, problem) from None

    parents: list[Recipe] = []
    extends = raw.get("extends")
    targets = [extends] if isinstance(extends, str) else list(extends or [])
    for i, target in enumerate(targets):
        key: KeyPath = ("extends",) if isinstance(extends, str) else ("extends", i)
        parent_source = _resolve_extends(source, target, key, lines)
        seen = [*stack, source.identity]
        if parent_source.identity in seen:
            cycle = [*seen[seen.index(parent_source.identity) :], parent_source.identity]
            raise UserError(
                f"{source.label}:{_line(lines, key)}: {_fmt_path(key)}: extends cycle "
                + " -> ".join(_short(c) for c in cycle),
            )
        parents.append(_load(parent_source, seen))

    own = _normalise(raw)
    merged: dict[str, Any] = {"steps": {"include": None, "exclude": [], "options": {}}}
    chain: list[str] = []
    for parent in parents:
        merged = _merge(merged, parent.data)
        chain += [c for c in parent.chain if c not in chain]
    merged = _merge(merged, own)
    chain.append(source.identity)
    name = raw.get("name") or _slug(Path(source.label).stem)
    description = raw.get("description") or (parents[-1].description if parents else "")
    merged.pop("name", None)
    merged.pop("description", None)
    merged.pop("extends", None)
    return Recipe(
        name=name, description=description, data=merged, source=source.identity, chain=chain
    )


def _short(identity: str) -> str:
    if identity.startswith("builtin:"):
        return identity.split(":", 1)[1]
    return Path(identity).name


def _resolve_extends(source: _Source, target: str, key: KeyPath, lines: dict) -> _Source:
    looks_like_path = "/" in target or target.endswith((".yaml", ".yml"))
    if looks_like_path:
        path = (source.base / target) if not Path(target).is_absolute() else Path(target)
        if source.identity.startswith("builtin:") and not Path(target).is_absolute():
            entry = resources.files(BUILTIN_PACKAGE).joinpath(target)
            if entry.is_file():
                return _Source.builtin(Path(target).stem)
        if not path.is_file():
            raise UserError(
                f"{source.label}:{_line(lines, key)}: {_fmt_path(key)}: no recipe file '{target}'"
                f" (relative to {source.base.as_posix() or '.'})"
            )
        return _Source.from_file(path)
    if target in builtin_names():
        return _Source.builtin(target)
    raise UserError(
        f"{source.label}:{_line(lines, key)}: {_fmt_path(key)}: unknown built-in recipe "
        f"'{target}'{_did_you_mean(target, builtin_names())}"
    )


def _parse(source: _Source) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    try:
        node = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "syntax error"
        raise UserError(f"{source.label}:{line}: invalid YAML: {what}") from None
    if node is None:
        raise UserError(
            f"{source.label}:1: the recipe is empty",
            "a recipe is a mapping with name, description, answers, steps... (recipes/README.md)",
        )
    lines: dict[KeyPath, int] = {}
    _walk(node, (), lines, source.label)
    if not isinstance(node, yaml.MappingNode):
        raise UserError(
            f"{source.label}:{node.start_mark.line + 1}: the recipe must be a mapping of keys"
            " (name, description, extends, steps, answers, policies, codemods)"
        )
    try:
        data = yaml.load(source.text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.YAMLError as exc:  # pragma: no cover - compose already parsed it
        raise UserError(f"{source.label}: invalid YAML: {exc}") from None
    return data, lines


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], label: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            sub = (*path, key)
            if key in seen:
                raise UserError(
                    f"{label}:{key_node.start_mark.line + 1}: {_fmt_path(sub)}: duplicate key"
                    f" '{key}'",
                    "keep one of them",
                )
            seen.add(key)
            lines[sub] = key_node.start_mark.line + 1
            _walk(value_node, sub, lines, label)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, label)


# ---------------------------------------------------------------- validation


def _check_schema(raw: Any) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(recipe_schema())
    errors = list(validator.iter_errors(raw))
    if not errors:
        return
    flat = []
    for error in errors:
        flat.extend(_leaves(error))
    # the deepest problem first (most precise), then the first in the file
    flat.sort(key=lambda e: (-len(e.absolute_path), _priority(e)))
    raise _from_schema_error(flat[0])


def _leaves(error: Any) -> list[Any]:
    if error.context:
        out = []
        for sub in error.context:
            out.extend(_leaves(sub))
        return out
    return [error]


def _priority(error: Any) -> int:
    return {"additionalProperties": 0, "required": 1, "enum": 2, "type": 3}.get(error.validator, 5)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _expected(types: Any) -> str:
    words = {
        "string": "a string",
        "object": "a mapping",
        "array": "a list",
        "null": "null",
        "boolean": "true or false",
        "integer": "a number",
        "number": "a number",
    }
    if isinstance(types, str):
        types = [types]
    return " or ".join(words.get(t, t) for t in types)


def _from_schema_error(error: Any) -> _Problem:
    path: KeyPath = tuple(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        key = extra[0]
        what = _container_word(path)
        return _Problem((*path, key), f"unknown {what} '{key}'{_did_you_mean(key, allowed)}")
    if kind == "required":
        missing = error.validator_value
        key = next((k for k in missing if k not in value), missing[0])
        return _Problem(path, f"missing key '{key}'")
    if kind == "enum":
        choices = [str(c) for c in error.validator_value]
        return _Problem(
            path,
            f"'{value}' is not one of {', '.join(choices)}{_did_you_mean(str(value), choices)}",
        )
    if kind == "type":
        return _Problem(
            path, f"expected {_expected(error.validator_value)}, got {_type_name(value)}"
        )
    if kind == "pattern":
        if path and path[-1] == "command":
            return _Problem(
                path,
                f"'{value}' is not a dotted path 'package.module:Command'",
            )
        if path and path[-1] == "modelw_release":
            return _Problem(path, f"'{value}' is not a Model W release (YYYY.MM)")
        if path and path[-1] == "name":
            return _Problem(path, f"'{value}' is not a valid name (letters, digits, - _ .)")
        return _Problem(path, f"'{value}' is not a valid step id")
    if kind == "minLength":
        return _Problem(path, "must not be empty")
    if kind == "propertyNames":  # pragma: no cover - reported through its leaves
        return _Problem(path, "invalid key")
    return _Problem(path, error.message.splitlines()[0])


def _container_word(path: KeyPath) -> str:
    if not path:
        return "key"
    last = [p for p in path if isinstance(p, str)]
    top = last[0] if last else ""
    return {
        "answers": "answer",
        "policies": "policy",
        "steps": "key",
    }.get(top if len(path) == 1 else "", "key")


def _check_semantics(raw: dict[str, Any]) -> None:
    known = known_step_ids()

    def check_step(path: KeyPath, step_id: Any) -> None:
        if isinstance(step_id, str) and step_id not in known:
            raise _Problem(path, f"unknown step '{step_id}'{_did_you_mean(step_id, known)}")

    steps = raw.get("steps")
    if isinstance(steps, dict):
        for key in ("include", "exclude"):
            for i, sid in enumerate(steps.get(key) or []):
                check_step(("steps", key, i), sid)
        for sid in steps.get("options") or {}:
            check_step(("steps", "options", sid), sid)
    elif isinstance(steps, list):
        for i, item in enumerate(steps):
            if isinstance(item, str):
                check_step(("steps", i), item)
            else:
                check_step(("steps", i, "id"), item.get("id"))
    answers = raw.get("answers") or {}
    for key in ("steps", "exclude_steps"):
        for i, sid in enumerate(answers.get(key) or []):
            check_step(("answers", key, i), sid)
    for sid in answers.get("step_options") or {}:
        check_step(("answers", "step_options", sid), sid)

    from model_w.migrate.knowledge import available_releases

    releases = available_releases()
    for path in (("modelw_release",), ("answers", "modelw_release")):
        value = raw.get(path[0]) if len(path) == 1 else answers.get(path[1])
        if value is not None and value not in releases:
            raise _Problem(
                path,
                f"unknown Model W release '{value}' (known: {', '.join(releases)})",
            )

    for base, items in (
        (("codemods",), raw.get("codemods") or []),
        (
            ("answers", "codemods"),
            answers.get("codemods") or [],
        ),
    ):
        for i, item in enumerate(items):
            problem = _codemod_problem(item["command"])
            if problem:
                raise _Problem((*base, i, "command"), problem)


def _codemod_problem(command: str) -> str | None:
    module_name, _, attr = command.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return f"cannot import '{module_name}' ({exc})"
    except Exception as exc:  # the module raised while importing
        return f"importing '{module_name}' failed: {type(exc).__name__}: {exc}"
    if not hasattr(module, attr):
        public = [n for n in dir(module) if not n.startswith("_")]
        return f"'{module_name}' has no '{attr}'{_did_you_mean(attr, public)}"
    return None


def load_codemod(command: str) -> type:
    """The codemod class a recipe names by `package.module:Command`."""
    problem = _codemod_problem(command)
    if problem:
        raise UserError(f"codemod {command}: {problem}")
    module_name, _, attr = command.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _error(source: _Source, lines: dict[KeyPath, int], problem: _Problem) -> UserError:
    line = problem.line or _line(lines, problem.path)
    where = f"{_fmt_path(problem.path)}: " if problem.path else ""
    return UserError(f"{source.label}:{line}: {where}{problem.message}")


def _line(lines: dict[KeyPath, int], path: KeyPath) -> int:
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _fmt_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# ---------------------------------------------------------------- merging


def _normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """One shape for both step forms, with only the keys the file sets."""
    data = copy.deepcopy({k: v for k, v in raw.items() if k != "steps"})
    steps = raw.get("steps")
    norm: dict[str, Any] = {"include": None, "exclude": [], "options": {}}
    if isinstance(steps, dict):
        if "include" in steps:
            norm["include"] = list(steps["include"] or [])
        norm["exclude"] = list(steps.get("exclude") or [])
        norm["options"] = copy.deepcopy(steps.get("options") or {})
    elif isinstance(steps, list):
        norm["include"] = []
        for item in steps:
            if isinstance(item, str):
                norm["include"].append(item)
            else:
                norm["include"].append(item["id"])
                if item.get("options"):
                    norm["options"][item["id"]] = copy.deepcopy(item["options"])
    data["steps"] = norm
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "steps":
            steps = out["steps"]
            if value["include"] is not None:
                steps["include"] = list(value["include"])
                steps["exclude"] = [s for s in steps["exclude"] if s not in value["include"]]
            steps["exclude"] = _union(steps["exclude"], value["exclude"])
            steps["options"] = _deep_merge(steps["options"], value["options"])
        elif key == "codemods":
            out["codemods"] = _union(out.get("codemods", []), value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    out = list(first)
    for item in second:
        if item not in out:
            out.append(item)
    return out


# ---------------------------------------------------------------- output


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return slug or "recipe"
