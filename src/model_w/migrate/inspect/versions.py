"""Django and Python version hints.

Django: the specifier of the first dependency file that names Django (root
files first), and the lowest version it allows. Python, in order of
authority: runtime.txt, .python-version, a Dockerfile `FROM python:X`,
pyproject (requires-python or Poetry's python), Pipfile python_version,
setup.py / setup.cfg python_requires.
"""

from __future__ import annotations

import posixpath
import re

from model_w.migrate.facts import Location, Versions
from model_w.migrate.inspect.dependencies import ParsedDeps
from model_w.migrate.inspect.source import RepoView

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")
_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:--\S+\s+)*(?:\S+/)?python:(\d+\.\d+)", re.IGNORECASE | re.MULTILINE
)


def lowest_allowed(specifier: str) -> str | None:
    """'==3.2.25' -> '3.2', '>=4.2,<5' -> '4.2', '^4.0' -> '4.0', '<5' -> None."""
    lows: list[tuple[int, int]] = []
    for part in re.split(r"[,|]", specifier or ""):
        part = part.strip()
        match = re.match(r"^(==|===|>=|~=|\^|~|>)?\s*v?(\d+(?:\.\d+)*)", part)
        if not match or part.startswith(("<", "!=")):
            continue
        numbers = [int(n) for n in match.group(2).split(".")]
        major, minor = numbers[0], numbers[1] if len(numbers) > 1 else 0
        if match.group(1) == ">" and len(numbers) == 1:
            major += 1
        lows.append((major, minor))
    if not lows:
        return None
    major, minor = max(lows)
    return f"{major}.{minor}"


def _major_minor(text: str) -> str | None:
    match = _VERSION.search(text or "")
    if not match or match.group(2) is None:
        return None
    return f"{match.group(1)}.{match.group(2)}"


def inspect_versions(view: RepoView, deps: list[ParsedDeps], project_dir: str) -> Versions:
    versions = Versions()
    for parsed in deps:
        for spec in parsed.specs:
            if spec.name == "django":
                versions.sources.append(Location(spec.path, spec.line))
                if versions.django is None:
                    versions.django = spec.specifier or "*"
                    versions.django_min = lowest_allowed(spec.specifier)
                break
        if versions.django is not None:
            break
    python, where = _python_hint(view, deps, project_dir)
    if python:
        versions.python = python
        versions.sources.append(where)
    return versions


def _python_hint(
    view: RepoView, deps: list[ParsedDeps], project_dir: str
) -> tuple[str | None, Location]:
    folders = list(dict.fromkeys(["", project_dir]))
    for name in ("runtime.txt", ".python-version"):
        for folder in folders:
            path = posixpath.join(folder, name) if folder else name
            if view.exists(path):
                version = _major_minor(view.text_or_none(path) or "")
                if version:
                    return version, Location(path, 1)
    for path in sorted(view.files, key=lambda p: (p.count("/"), p)):
        base = path.rsplit("/", 1)[-1]
        if base == "Dockerfile" or base.startswith("Dockerfile.") or base.endswith(".Dockerfile"):
            text = view.text_or_none(path) or ""
            match = _FROM_PYTHON.search(text)
            if match:
                line = text[: match.start(1)].count("\n") + 1
                return match.group(1), Location(path, line)
    for kinds in (("poetry", "pep621", "uv"), ("pipfile",), ("setup.py", "setup.cfg")):
        for parsed in deps:
            if parsed.file.kind in kinds and parsed.python:
                version = lowest_allowed(parsed.python[0]) or _major_minor(parsed.python[0])
                if version:
                    return version, Location(parsed.file.path, parsed.python[1])
    return None, Location("")
