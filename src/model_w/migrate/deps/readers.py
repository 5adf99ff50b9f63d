"""Readers for every dependency format a legacy Django project uses.

Requirement syntax is never split by hand: pip's file syntax (options,
includes, continuations, hashes, editables) goes through
pip-requirements-parser, and every requirement string through
`packaging.requirements.Requirement`. setup.py is read with `ast` and never
executed; setup.cfg with configparser; TOML files with tomlkit.

Every reader takes the file's text (read through the Workspace by the
caller) and returns a `ReadResult`.
"""

from __future__ import annotations

import ast
import configparser
import os
import posixpath
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

from model_w.migrate.deps.model import MAIN, Dep

DEV_NAMES = {"dev", "develop", "development", "local", "lint", "linting", "style", "debug", "tools"}
TEST_NAMES = {"test", "tests", "testing", "ci", "check", "checks", "qa"}
DOCS_NAMES = {"docs", "doc", "documentation"}
MAIN_NAMES = {
    "",
    "base",
    "common",
    "core",
    "main",
    "default",
    "prod",
    "production",
    "deploy",
    "deployment",
    "heroku",
    "runtime",
    "server",
    "install",
    "requirements",
}


@dataclass
class ReadResult:
    deps: list[Dep] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)  # canonical name -> specifier
    includes: list[str] = field(default_factory=list)  # -r targets, repo-relative
    constraint_files: list[str] = field(default_factory=list)  # -c targets, repo-relative
    python: str | None = None  # a Python constraint, PEP 440 or Poetry syntax
    sources: list[dict[str, str]] = field(default_factory=list)  # {"name", "url", "priority"}
    notes: list[tuple[str, int, str, str]] = field(
        default_factory=list
    )  # path, line, message, level
    meta: dict[str, Any] = field(default_factory=dict)  # name, version, description
    library: bool = False  # the file packages a library (setup.py / setup.cfg)
    other_config: bool = False  # the file also holds unrelated tool configuration


def group_for_file(path: str) -> str:
    """requirements/dev.txt -> "dev", requirements-test.txt -> "test", base.txt -> "main"."""
    stem = posixpath.basename(path).rsplit(".", 1)[0].lower()
    stem = re.sub(r"(^requirements?[-_.]?|[-_.]?requirements?$)", "", stem)
    return group_for_name(stem)


def group_for_name(name: str) -> str:
    name = name.lower().strip()
    if name in MAIN_NAMES:
        return MAIN
    if name in DEV_NAMES:
        return "dev"
    if name in TEST_NAMES:
        return "test"
    if name in DOCS_NAMES:
        return "docs"
    return re.sub(r"[^a-z0-9-]+", "-", name).strip("-") or MAIN


def ordered(specifier: object) -> str:
    """A SpecifierSet as text, lower bounds first (">=3.13,<4", not "<4,>=3.13")."""
    parts = [str(s) for s in specifier]  # type: ignore[attr-defined]
    return ",".join(sorted(parts, key=lambda s: (not s.startswith((">", "=", "~")), s)))


# -- PEP 508 strings -------------------------------------------------------------------
def dep_from_requirement(req: Requirement, group: str, source: str, line: int) -> Dep:
    dep = Dep(
        name=req.name,
        group=group,
        constraint=ordered(req.specifier),
        extras=sorted(req.extras),
        markers=str(req.marker) if req.marker else None,
        source=source,
        line=line,
    )
    if req.url:
        _set_url(dep, req.url, source)
    return dep


def parse_pep508(text: str, group: str, source: str, line: int, notes: list) -> Dep | None:
    try:
        return dep_from_requirement(Requirement(text), group, source, line)
    except InvalidRequirement as exc:
        notes.append(
            (
                source,
                line,
                f"cannot read requirement {text!r}: {exc}; add it to api/pyproject.toml by hand",
                "todo",
            )
        )
        return None


def _set_url(dep: Dep, url: str, source: str) -> None:
    """A direct reference: VCS (git+...), archive URL or local path."""
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("git+"):
        parts = urlsplit(url[4:])
        path, rev = parts.path, None
        if "@" in path:
            path, rev = path.rsplit("@", 1)
        fragment = dict(p.split("=", 1) for p in parts.fragment.split("&") if "=" in p)
        dep.git = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
        dep.rev = rev
        dep.subdirectory = fragment.get("subdirectory")
    elif scheme in ("http", "https", "ftp"):
        dep.url = url
    elif scheme == "file":
        dep.path = urlsplit(url).path
    elif "+" in scheme:  # hg+, svn+, bzr+: Poetry only knows git
        dep.url = url
    else:
        # pip resolves a local path against the directory it runs in: the repository root
        dep.path = posixpath.normpath(url)


def _name_from_url(url: str) -> str | None:
    match = re.search(r"[#&]egg=([A-Za-z0-9_.-]+)", url)
    if match:
        return match.group(1)
    filename = posixpath.basename(urlsplit(url).path)
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        return str(parse_sdist_filename(filename)[0])
    except Exception:
        return None


# -- requirements files --------------------------------------------------------------
def read_requirements(text: str, path: str) -> ReadResult:
    """One requirements file (its -r/-c targets are listed, not followed)."""
    import pip_requirements_parser as prp

    result = ReadResult()
    group = group_for_file(path)
    folder = posixpath.dirname(path)
    handle, temp = tempfile.mkstemp(suffix=".txt", prefix="modelw-req-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        parsed = prp.RequirementsFile.from_file(temp, include_nested=False)
    finally:
        os.unlink(temp)

    for option in parsed.options:
        line = option.line_number
        for key, value in option.options.items():
            values = value if isinstance(value, list) else [value]
            if key == "requirements":
                result.includes += [posixpath.normpath(posixpath.join(folder, v)) for v in values]
            elif key == "constraints":
                result.constraint_files += [
                    posixpath.normpath(posixpath.join(folder, v)) for v in values
                ]
            elif key == "index_url":
                result.sources.append({"name": "primary", "url": values[0], "priority": "primary"})
            elif key == "extra_index_urls":
                for index, url in enumerate(values):
                    result.sources.append(
                        {"name": f"extra-{index + 1}", "url": url, "priority": "supplemental"}
                    )
            else:
                result.notes.append(
                    (
                        path,
                        line,
                        f"pip option --{key.replace('_', '-')} is not carried over to Poetry",
                        "info",
                    )
                )
    hashed = False
    for req in parsed.requirements:
        line = req.line_number or 0
        hashed = hashed or bool(req.hash_options)
        link = req.link.url if req.link else None
        if req.req is not None and req.name:
            dep = dep_from_requirement(req.req, group, path, line)
            if req.marker and not dep.markers:
                dep.markers = str(req.marker)  # pip keeps the marker beside the requirement
            if link and not dep.url and not dep.git and not dep.path:
                _set_url(dep, link, path)
        elif link:
            if link in (".", "./") or link.rstrip("/") in (".", ""):
                result.notes.append(
                    (
                        path,
                        line,
                        f"{req.line!r} installs the project itself: Poetry does that",
                        "info",
                    )
                )
                continue
            name = req.name or _name_from_url(link)
            if name is None and not re.match(r"^[a-z+]+://", link):
                name = posixpath.basename(link.rstrip("/"))
            if not name:
                result.notes.append(
                    (
                        path,
                        line,
                        f"cannot name the requirement {req.line!r}: add it by hand",
                        "todo",
                    )
                )
                continue
            dep = Dep(name=name, group=group, source=path, line=line)
            _set_url(dep, link, path)
        else:
            result.notes.append(
                (path, line, f"cannot read requirement {req.line!r}: add it by hand", "todo")
            )
            continue
        dep.develop = bool(req.is_editable)
        if req.is_constraint:
            result.constraints[dep.key] = dep.constraint
            continue
        result.deps.append(dep)
    for invalid in parsed.invalid_lines:
        result.notes.append(
            (
                path,
                invalid.line_number or 0,
                f"cannot read {invalid.line!r} ({invalid.error_message}): add it by hand",
                "todo",
            )
        )
    if hashed:
        result.notes.append(
            (path, 0, "--hash pins are not carried over: poetry.lock records the hashes", "info")
        )
    return result


def read_constraints(text: str, path: str) -> dict[str, str]:
    """A -c file: name -> specifier, applied to requirements without a version."""
    constraints = {}
    for dep in read_requirements(text, path).deps:
        if dep.constraint:
            constraints[dep.key] = dep.constraint
    return constraints


# -- Pipfile ---------------------------------------------------------------------------
def read_pipfile(text: str, path: str) -> ReadResult:
    result = ReadResult()
    doc = tomlkit.parse(text).unwrap()
    for section, entries in doc.items():
        if section in ("source", "requires", "scripts", "pipenv"):
            continue
        if not isinstance(entries, dict):
            continue
        group = (
            MAIN
            if section == "packages"
            else "dev"
            if section == "dev-packages"
            else group_for_name(section)
        )
        for name, value in entries.items():
            dep = Dep(name=name, group=group, source=path, line=_toml_line(text, name))
            if isinstance(value, str):
                dep.constraint = "" if value.strip() == "*" else value.strip()
            elif isinstance(value, dict):
                version = str(value.get("version", "*")).strip()
                dep.constraint = "" if version == "*" else version
                dep.extras = sorted(value.get("extras", []))
                if value.get("markers"):
                    dep.markers = str(value["markers"])
                if value.get("git"):
                    dep.git = str(value["git"]).removeprefix("git+")
                    dep.rev = value.get("ref")
                    dep.subdirectory = value.get("subdirectory")
                elif value.get("file"):
                    dep.url = str(value["file"])
                elif value.get("path"):
                    dep.path = posixpath.normpath(
                        posixpath.join(posixpath.dirname(path), str(value["path"]))
                    )
                dep.develop = bool(value.get("editable"))
                if value.get("index"):
                    result.notes.append(
                        (
                            path,
                            dep.line,
                            f"{name} comes from the index {value['index']!r}: add it as a Poetry source",
                            "info",
                        )
                    )
            if not _valid_specifier(dep.constraint):
                result.notes.append(
                    (
                        path,
                        dep.line,
                        f"{name}: cannot read the version {dep.constraint!r}; kept as any version",
                        "todo",
                    )
                )
                dep.constraint = ""
            result.deps.append(dep)
    requires = doc.get("requires", {})
    if isinstance(requires, dict):
        version = requires.get("python_full_version") or requires.get("python_version")
        if version:
            result.python = f"=={version}.*" if str(version).count(".") == 1 else f"=={version}"
    for source in doc.get("source", []) or []:
        url = str(source.get("url", ""))
        if url and "pypi.org" not in url:
            result.sources.append(
                {"name": str(source.get("name", "extra")), "url": url, "priority": "supplemental"}
            )
    return result


def _valid_specifier(text: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(text)
        return True
    except InvalidSpecifier:
        return False


def _toml_line(text: str, key: str) -> int:
    match = re.search(rf"^\s*\"?{re.escape(key)}\"?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


# -- setup.py / setup.cfg ------------------------------------------------------------
def read_setup_py(text: str, path: str) -> ReadResult:
    """install_requires, extras_require and python_requires of setup(), read with ast."""
    result = ReadResult()
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        result.notes.append(
            (path, exc.lineno or 0, "cannot parse setup.py: carry its dependencies by hand", "todo")
        )
        return result
    assigned: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
    call = next(
        (
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and (
                (isinstance(n.func, ast.Name) and n.func.id == "setup")
                or (isinstance(n.func, ast.Attribute) and n.func.attr == "setup")
            )
        ),
        None,
    )
    if call is None:
        result.notes.append((path, 0, "no setup() call found in setup.py", "info"))
        return result
    for keyword in call.keywords:
        value = keyword.value
        if isinstance(value, ast.Name) and value.id in assigned:
            value = assigned[value.id]
        name = keyword.arg
        if name == "install_requires":
            _setup_list(value, MAIN, path, result)
        elif name in ("extras_require", "tests_require"):
            if name == "tests_require":
                _setup_list(value, "test", path, result)
            elif isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    group = (
                        group_for_name(key.value)
                        if isinstance(key, ast.Constant) and isinstance(key.value, str)
                        else "extra"
                    )
                    if isinstance(item, ast.Name) and item.id in assigned:
                        item = assigned[item.id]
                    _setup_list(item, group, path, result)
            else:
                result.notes.append(
                    (path, value.lineno, "extras_require is computed: carry it by hand", "todo")
                )
        elif name == "python_requires" and isinstance(value, ast.Constant):
            result.python = str(value.value)
        elif name in ("name", "version", "description") and isinstance(value, ast.Constant):
            result.meta[name] = str(value.value)
        elif name in ("packages", "py_modules", "entry_points", "ext_modules"):
            result.library = True
    return result


def _setup_list(node: ast.expr, group: str, path: str, result: ReadResult) -> None:
    if isinstance(node, (ast.List, ast.Tuple)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        for element in node.elts:
            assert isinstance(element, ast.Constant)
            dep = parse_pep508(str(element.value), group, path, element.lineno, result.notes)
            if dep:
                result.deps.append(dep)
        return
    result.notes.append(
        (
            path,
            getattr(node, "lineno", 0),
            "the requirement list is computed (e.g. read from requirements.txt): the files it reads are "
            "converted on their own; check nothing else is missing",
            "info",
        )
    )


def read_setup_cfg(text: str, path: str) -> ReadResult:
    result = ReadResult()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        result.notes.append(
            (
                path,
                0,
                f"cannot parse setup.cfg ({exc.__class__.__name__}): carry its dependencies by hand",
                "todo",
            )
        )
        return result

    def lines(value: str) -> list[str]:
        return [
            v.split("#", 1)[0].strip() for v in value.splitlines() if v.split("#", 1)[0].strip()
        ]

    if parser.has_option("options", "install_requires"):
        for item in lines(parser.get("options", "install_requires")):
            dep = parse_pep508(item, MAIN, path, _cfg_line(text, item), result.notes)
            if dep:
                result.deps.append(dep)
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for item in lines(value):
                dep = parse_pep508(
                    item, group_for_name(extra), path, _cfg_line(text, item), result.notes
                )
                if dep:
                    result.deps.append(dep)
    if parser.has_option("options", "python_requires"):
        result.python = parser.get("options", "python_requires").strip()
    for key in ("name", "version", "description"):
        if parser.has_option("metadata", key):
            result.meta[key] = parser.get("metadata", key).strip()
    if (
        parser.has_option("options", "packages")
        or parser.has_option("options", "py_modules")
        or parser.has_section("options.entry_points")
    ):
        result.library = True
    dependency_sections = {
        "metadata",
        "options",
        "options.extras_require",
        "options.packages.find",
        "options.entry_points",
        "options.package_data",
    }
    result.other_config = any(s not in dependency_sections for s in parser.sections())
    return result


def _cfg_line(text: str, item: str) -> int:
    index = text.find(item)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


# -- pyproject.toml ------------------------------------------------------------------
def read_pyproject(text: str, path: str) -> ReadResult:
    """PEP 621 (+ optional-dependencies), PEP 735 dependency-groups, uv, and Poetry."""
    result = ReadResult()
    doc = tomlkit.parse(text)
    project = doc.get("project", {})
    tool = doc.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}

    for item in project.get("dependencies", []) or []:
        dep = parse_pep508(str(item), MAIN, path, _toml_value_line(text, str(item)), result.notes)
        if dep:
            result.deps.append(dep)
    for extra, items in (project.get("optional-dependencies", {}) or {}).items():
        for item in items:
            dep = parse_pep508(
                str(item),
                group_for_name(extra),
                path,
                _toml_value_line(text, str(item)),
                result.notes,
            )
            if dep:
                result.deps.append(dep)
    groups = doc.get("dependency-groups", {}) or {}
    for group, items in groups.items():
        for item in items:
            if isinstance(item, dict):
                continue  # {include-group = "..."}: that group is read on its own
            dep = parse_pep508(
                str(item),
                group_for_name(group),
                path,
                _toml_value_line(text, str(item)),
                result.notes,
            )
            if dep:
                result.deps.append(dep)
    uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    for item in uv.get("dev-dependencies", []) or []:
        dep = parse_pep508(str(item), "dev", path, _toml_value_line(text, str(item)), result.notes)
        if dep:
            result.deps.append(dep)
    if project.get("requires-python"):
        result.python = str(project["requires-python"])
    for key in ("name", "version", "description"):
        if project.get(key):
            result.meta[key] = str(project[key])

    if poetry:
        tables: list[tuple[str, dict]] = [(MAIN, poetry.get("dependencies", {}) or {})]
        tables.append(("dev", poetry.get("dev-dependencies", {}) or {}))
        for group, body in (poetry.get("group", {}) or {}).items():
            tables.append((group_for_name(group), body.get("dependencies", {}) or {}))
        for group, table in tables:
            for name, value in table.items():
                if name.lower() == "python":
                    result.python = str(value)
                    continue
                plain = value.unwrap() if hasattr(value, "unwrap") else value
                result.deps.append(
                    Dep(
                        name=name,
                        group=group,
                        poetry_value=plain,
                        source=path,
                        line=_toml_line(text, name),
                    )
                )
        for key in ("name", "version", "description"):
            if poetry.get(key) and key not in result.meta:
                result.meta[key] = str(poetry[key])
        for source in poetry.get("source", []) or []:
            result.sources.append({k: str(v) for k, v in source.items()})
    return result


def _toml_value_line(text: str, value: str) -> int:
    index = text.find(value)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


def canonical(name: str) -> str:
    return canonicalize_name(name)
