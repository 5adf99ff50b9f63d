"""Write `api/pyproject.toml` in the Poetry form Model W expects (model-w.md 1.2).

Edited with tomlkit, so an existing file keeps its comments and every tool
table (`[tool.pytest.ini_options]`, `[tool.ruff]`, ...). What is written:

- `[project]`: name, version, `requires-python` matching the release's
  Python, `dynamic = ["dependencies"]` (Poetry 2 then takes the
  dependencies from `[tool.poetry]`, and `poetry check` is clean);
- `[tool.poetry]`: name and `packages = [{include = "<pkg>"}]` first
  (modelw-docker derives `<pkg>.django.wsgi` from that first entry);
- `[tool.poetry.dependencies]`: `python = "~3.11"`, the preset, then the
  project's own dependencies; one `[tool.poetry.group.<g>.dependencies]`
  per dev/test/... group;
- `[build-system]`: poetry-core.

Legacy dependency tables of the same file (PEP 621 `dependencies`,
`optional-dependencies`, `[dependency-groups]`, `[tool.uv] dev-dependencies`,
old Poetry tables) are replaced.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.items import Table

from model_w.migrate.deps.model import MAIN, Dep


@dataclass
class PyprojectSpec:
    name: str
    version: str
    python: str  # "3.11"
    packages: list[str]  # include names, Model W package first
    groups: dict[str, list[Dep]]  # group -> deps, MAIN first
    preset: tuple[str, list[str]]  # (version pin, extras)
    description: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)


def poetry_value(dep: Dep, base: str) -> Any:
    """The Poetry form of a dependency (a string or an inline table)."""
    if dep.poetry_value is not None:
        return _plain_to_toml(dep.poetry_value)
    table: dict[str, Any] = {}
    if dep.git:
        table["git"] = dep.git
        if dep.rev:
            table["rev"] = dep.rev
        if dep.subdirectory:
            table["subdirectory"] = dep.subdirectory
    elif dep.url:
        table["url"] = dep.url
    elif dep.path:
        table["path"] = posixpath.relpath(dep.path, base or ".")
        if dep.develop:
            table["develop"] = True
    elif dep.extras or dep.markers:
        table["version"] = dep.constraint or "*"
    if dep.extras:
        table["extras"] = list(dep.extras)
    if dep.markers:
        table["markers"] = dep.markers
    if not table:
        return dep.constraint or "*"
    return _plain_to_toml(table)


def _plain_to_toml(value: Any) -> Any:
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        for key, item in value.items():
            inline[key] = _plain_to_toml(item)
        return inline
    if isinstance(value, list):
        array = tomlkit.array()
        for item in value:
            array.append(_plain_to_toml(item))
        return array
    return value


def _table(parent: Table | tomlkit.TOMLDocument, key: str, super_table: bool = False) -> Table:
    if key not in parent or not isinstance(parent[key], Table):
        parent[key] = tomlkit.table(is_super_table=super_table)
    return parent[key]  # type: ignore[return-value]


def render(existing: str | None, spec: PyprojectSpec, base: str) -> str:
    doc = tomlkit.parse(existing) if existing else tomlkit.document()

    # [project]: Poetry 2 requires a name when the table exists
    project = doc.get("project")
    if project is None:
        project = tomlkit.table()
        fresh = tomlkit.document()
        fresh.add("project", project)
        for key, value in doc.items():
            fresh.add(key, value)
        doc = fresh
        project["name"] = spec.name
        project["version"] = spec.version
        if spec.description:
            project["description"] = spec.description
    else:
        project["name"] = spec.name
        if "version" not in project:
            project["version"] = spec.version
    for key in ("dependencies", "optional-dependencies"):
        if key in project:
            del project[key]
    major, minor = (int(p) for p in spec.python.split(".")[:2])
    project["requires-python"] = f">={major}.{minor},<{major}.{minor + 1}"
    dynamic = [str(d) for d in project.get("dynamic", []) if str(d) != "dependencies"]
    project["dynamic"] = [*dynamic, "dependencies"]
    if "dependency-groups" in doc:
        del doc["dependency-groups"]

    tool = _table(doc, "tool", super_table=True)
    if "uv" in tool:
        uv = tool["uv"]
        for key in ("dev-dependencies",):
            if key in uv:
                del uv[key]
        if not uv:
            del tool["uv"]
    poetry = _table(tool, "poetry")
    poetry["name"] = spec.name
    packages = tomlkit.array()
    for include in spec.packages:
        item = tomlkit.inline_table()
        item["include"] = include
        packages.append(item)
    poetry["packages"] = packages
    carried = {key: poetry[key] for key in ("extras", "source") if key in poetry}
    for key in ("dependencies", "dev-dependencies", "group", "extras", "source"):
        if key in poetry:
            del poetry[key]

    present = {dep.key for deps in spec.groups.values() for dep in deps}
    if "extras" in carried:
        extras = carried["extras"]
        for extra in list(extras):
            from packaging.utils import canonicalize_name

            kept = [n for n in extras[extra] if canonicalize_name(str(n)) in present]
            if kept:
                extras[extra] = kept
            else:
                del extras[extra]
        if not extras:
            del carried["extras"]

    dependencies = tomlkit.table()
    dependencies["python"] = f"~{major}.{minor}"
    pin, extras_needed = spec.preset
    preset = tomlkit.inline_table()
    if extras_needed:
        preset["extras"] = sorted(extras_needed)
    preset["version"] = pin
    dependencies["modelw-preset-django"] = preset
    for dep in spec.groups.get(MAIN, []):
        dependencies[dep.name] = poetry_value(dep, base)
    poetry["dependencies"] = dependencies
    others = [g for g in spec.groups if g != MAIN and spec.groups[g]]
    if others:
        group_table = tomlkit.table(is_super_table=True)
        for group in others:
            body = tomlkit.table(is_super_table=True)
            deps = tomlkit.table()
            for dep in spec.groups[group]:
                deps[dep.name] = poetry_value(dep, base)
            body["dependencies"] = deps
            group_table[group] = body
        poetry["group"] = group_table
    if "extras" in carried:
        poetry["extras"] = carried["extras"]
    if spec.sources or "source" in carried:
        sources = carried.get("source")
        if sources is None:
            sources = tomlkit.aot()
        existing_urls = {str(s.get("url")) for s in sources}
        poetry["source"] = sources
        for source in spec.sources:
            if source["url"] in existing_urls:
                continue
            table = tomlkit.table()
            for key, value in source.items():
                table[key] = value
            sources.append(table)

    build = tomlkit.table()
    build["requires"] = ["poetry-core>=2.0"]
    build["build-backend"] = "poetry.core.masonry.api"
    current = doc.get("build-system")
    if current is None or current.get("build-backend") != "poetry.core.masonry.api":
        if current is not None:
            del doc["build-system"]
        doc["build-system"] = build
    return tomlkit.dumps(doc)
