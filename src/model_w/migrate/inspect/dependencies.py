"""Dependency files: requirements (with -r/-c includes), Pipfile, setup.py,
setup.cfg, Poetry, PEP 621 and uv; package names normalised with `packaging`.

Each file also yields the raw requirement text per package, so that the
Django specifier can be reported exactly as written.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from model_w.migrate.facts import DependencyFile
from model_w.migrate.inspect.source import (
    RepoView,
    dirname,
    dotted_name,
    join,
    normalize,
    str_const,
)
from model_w.migrate.inspect.tomlread import load_toml

_REQ_FILE = re.compile(r"(^|/)(requirements[^/]*\.(txt|in|pip)|[^/]*requirements\.(txt|in))$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9_.\-]+)")


@dataclass
class Spec:
    """One declared dependency: normalised name and specifier as written."""

    name: str
    specifier: str
    path: str
    line: int


@dataclass
class ParsedDeps:
    file: DependencyFile
    specs: list[Spec] = field(default_factory=list)
    python: tuple[str, int] | None = None  # python constraint as written, line


def _line_of(text: str, needle: str) -> int:
    pattern = re.compile(rf"(?i)(^|[\s\"'\[]){re.escape(needle)}([\s\"'=<>!~;\[^,]|$)")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.search(line):
            return number
    return 0


def _spec_text(requirement: str, name: str) -> str:
    """The specifier part as written: "Django>=4.2,<5 ; python_version..." -> ">=4.2,<5"."""
    text = requirement.split(";", 1)[0].strip()
    text = text[len(name) :] if text.lower().startswith(name.lower()) else text
    text = re.sub(r"^\s*\[[^\]]*\]", "", text)
    return text.strip().strip("()").replace(" ", "")


def _requirement(text: str) -> tuple[str, str] | None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    return canonicalize_name(req.name), _spec_text(text, req.name) if not req.url else "@" + req.url


def parse_requirements(view: RepoView, path: str) -> ParsedDeps:
    text = view.text_or_none(path) or ""
    result = ParsedDeps(DependencyFile(path=path, kind="requirements"))
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if option:
            target = normalize(join(dirname(path), option.group(2)))
            if target is not None:
                result.file.includes.append(target)
            continue
        if line.startswith("-e ") or line.startswith("--editable"):
            egg = _EGG.search(line)
            if egg:
                result.file.packages.append(canonicalize_name(egg.group(1)))
            continue
        if line.startswith("-"):
            continue
        if "://" in line and "@" not in line.split("://", 1)[0]:
            egg = _EGG.search(line)
            if egg:
                result.file.packages.append(canonicalize_name(egg.group(1)))
            continue
        parsed = _requirement(line)
        if parsed:
            result.file.packages.append(parsed[0])
            result.specs.append(Spec(parsed[0], parsed[1], path, number))
    return result


def _pipfile_spec(value: object) -> str:
    if isinstance(value, str):
        return "" if value.strip() == "*" else value.strip()
    if isinstance(value, dict):
        version = value.get("version")
        return "" if not isinstance(version, str) or version == "*" else version
    return ""


def parse_pipfile(view: RepoView, path: str) -> ParsedDeps:
    text = view.text_or_none(path) or ""
    data = load_toml(text)
    result = ParsedDeps(DependencyFile(path=path, kind="pipfile"))
    for section in ("packages", "dev-packages"):
        for name, value in (data.get(section) or {}).items():
            normal = canonicalize_name(name)
            result.file.packages.append(normal)
            result.specs.append(Spec(normal, _pipfile_spec(value), path, _line_of(text, name)))
    python = (data.get("requires") or {}).get("python_version") or (data.get("requires") or {}).get(
        "python_full_version"
    )
    if isinstance(python, str):
        result.python = (python, _line_of(text, "python_version"))
    return result


def _add_requirements(result: ParsedDeps, items: list[str], text: str) -> None:
    for item in items:
        parsed = _requirement(item.strip())
        if parsed:
            result.file.packages.append(parsed[0])
            result.specs.append(
                Spec(parsed[0], parsed[1], result.file.path, _line_of(text, item.strip()))
            )


def parse_setup_py(view: RepoView, path: str) -> ParsedDeps:
    result = ParsedDeps(DependencyFile(path=path, kind="setup.py"))
    text = view.text_or_none(path) or ""
    tree = view.parsed(path)
    if tree is None:
        return result
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith("setup")):
            continue
        for kw in node.keywords:
            if kw.arg == "install_requires" and isinstance(kw.value, ast.List | ast.Tuple):
                _add_requirements(result, [s for e in kw.value.elts if (s := str_const(e))], text)
            elif kw.arg == "extras_require" and isinstance(kw.value, ast.Dict):
                for value in kw.value.values:
                    if isinstance(value, ast.List | ast.Tuple):
                        _add_requirements(
                            result, [s for e in value.elts if (s := str_const(e))], text
                        )
            elif kw.arg == "python_requires" and str_const(kw.value):
                result.python = (str_const(kw.value), kw.value.lineno)  # type: ignore[assignment]
    return result


def parse_setup_cfg(view: RepoView, path: str) -> ParsedDeps | None:
    text = view.text_or_none(path) or ""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not (parser.has_section("options") or parser.has_section("options.extras_require")):
        return None
    result = ParsedDeps(DependencyFile(path=path, kind="setup.cfg"))
    if parser.has_option("options", "install_requires"):
        _add_requirements(result, parser.get("options", "install_requires").splitlines(), text)
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            _add_requirements(result, value.splitlines(), text)
    if parser.has_option("options", "python_requires"):
        result.python = (
            parser.get("options", "python_requires").strip(),
            _line_of(text, "python_requires"),
        )
    return result


def _poetry_spec(value: object) -> str:
    if isinstance(value, str):
        return "" if value.strip() == "*" else value.strip()
    if isinstance(value, dict) and isinstance(value.get("version"), str):
        return "" if value["version"] == "*" else value["version"]
    return ""


def parse_pyproject(view: RepoView, path: str) -> ParsedDeps | None:
    """Poetry, PEP 621 or uv; None for a pyproject that holds only tool config."""
    text = view.text_or_none(path) or ""
    data = load_toml(text)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    project = data.get("project") or {}
    folder = dirname(path)
    if poetry.get("dependencies") or poetry.get("group") or poetry.get("dev-dependencies"):
        result = ParsedDeps(DependencyFile(path=path, kind="poetry"))
        tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
        tables += [
            (g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()
        ]
        for table in tables:
            for name, value in table.items():
                if name.lower() == "python":
                    result.python = (_poetry_spec(value), _line_of(text, "python"))
                    continue
                normal = canonicalize_name(name)
                result.file.packages.append(normal)
                result.specs.append(Spec(normal, _poetry_spec(value), path, _line_of(text, name)))
        _add_requirements(
            result, [d for d in project.get("dependencies") or [] if isinstance(d, str)], text
        )
    elif (
        "dependencies" in project
        or "optional-dependencies" in project
        or "dependency-groups" in data
    ):
        kind = "uv" if view.exists(join(folder, "uv.lock")) else "pep621"
        result = ParsedDeps(DependencyFile(path=path, kind=kind))
        items = [d for d in project.get("dependencies") or [] if isinstance(d, str)]
        for extra in (project.get("optional-dependencies") or {}).values():
            items += [d for d in extra or [] if isinstance(d, str)]
        for group in (data.get("dependency-groups") or {}).values():
            items += [d for d in group or [] if isinstance(d, str)]
        _add_requirements(result, items, text)
    else:
        return None
    if isinstance(project.get("requires-python"), str):
        result.python = (project["requires-python"], _line_of(text, "requires-python"))
    result.file.packages = list(dict.fromkeys(result.file.packages))
    return result


def find_dependency_files(view: RepoView) -> list[ParsedDeps]:
    """Every dependency file of the repository, root files first."""
    found: list[ParsedDeps] = []
    paths = sorted(view.files, key=lambda p: (p.count("/"), p))
    for path in paths:
        name = posixpath.basename(path)
        parsed: ParsedDeps | None = None
        if _REQ_FILE.search(path) or (
            path.endswith((".txt", ".in")) and "/requirements/" in f"/{path}"
        ):
            parsed = parse_requirements(view, path)
        elif name == "Pipfile":
            parsed = parse_pipfile(view, path)
        elif name == "setup.py":
            parsed = parse_setup_py(view, path)
        elif name == "setup.cfg":
            parsed = parse_setup_cfg(view, path)
        elif name == "pyproject.toml":
            parsed = parse_pyproject(view, path)
        if parsed is not None:
            parsed.file.packages = list(dict.fromkeys(parsed.file.packages))
            found.append(parsed)
    return found
