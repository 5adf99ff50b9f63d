"""One declared dependency, whatever file it came from, and the merged set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

MAIN = "main"


@dataclass
class Dep:
    """A dependency as Poetry will declare it.

    `constraint` is a PEP 440 specifier ("" for any version) unless
    `poetry_value` is set: then the entry came from a Poetry file and is
    carried over verbatim (a string such as "^1.2" or an inline table).
    """

    name: str
    group: str = MAIN
    constraint: str = ""
    extras: list[str] = field(default_factory=list)
    markers: str | None = None
    url: str | None = None
    git: str | None = None
    rev: str | None = None
    subdirectory: str | None = None
    path: str | None = None  # relative to the repository root
    develop: bool = False
    poetry_value: Any = None
    source: str = ""  # file it was read from
    line: int = 0

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    @property
    def pep440(self) -> SpecifierSet | None:
        """The version constraint as a SpecifierSet, None when unknown or not a version."""
        if self.poetry_value is not None:
            value = self.poetry_value
            if isinstance(value, dict):
                value = value.get("version")
            return poetry_to_specifier(str(value)) if isinstance(value, str) else None
        if self.url or self.git or self.path:
            return None
        try:
            return SpecifierSet(self.constraint)
        except InvalidSpecifier:
            return None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


def poetry_to_specifier(text: str) -> SpecifierSet | None:
    """A Poetry constraint ("^1.2", "~1.2", "1.2.*", ">=1,<2", "*") as a SpecifierSet, when it maps."""
    text = text.strip()
    if text in ("", "*"):
        return SpecifierSet()
    parts: list[str] = []
    for piece in text.split(","):
        piece = piece.strip()
        if piece.startswith("^"):
            numbers = [int(n) for n in piece[1:].split(".") if n.isdigit()]
            if not numbers:
                return None
            first = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
            upper = numbers[: first + 1]
            upper[-1] += 1
            parts += [f">={piece[1:]}", "<" + ".".join(map(str, upper))]
        elif piece.startswith("~") and not piece.startswith("~="):
            numbers = [int(n) for n in piece[1:].split(".") if n.isdigit()]
            if not numbers:
                return None
            upper = numbers[:2] if len(numbers) >= 2 else numbers[:1]
            upper[-1] += 1
            parts += [f">={piece[1:]}", "<" + ".".join(map(str, upper))]
        elif piece[:1].isdigit():
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None


@dataclass
class DepSet:
    """Dependencies per group, first declaration order kept, main winning over groups."""

    deps: dict[str, dict[str, Dep]] = field(default_factory=dict)
    notes: list[tuple[str, int, str, str]] = field(
        default_factory=list
    )  # path, line, message, level

    def add(self, dep: Dep) -> None:
        if dep.group != MAIN and dep.key in self.deps.get(MAIN, {}):
            return
        if dep.group == MAIN:
            for group, entries in self.deps.items():
                if group != MAIN:
                    entries.pop(dep.key, None)
        entries = self.deps.setdefault(dep.group, {})
        existing = entries.get(dep.key)
        if existing is None:
            entries[dep.key] = dep
            return
        entries[dep.key] = self._merge(existing, dep)

    def _merge(self, first: Dep, second: Dep) -> Dep:
        if first.poetry_value is not None or first.url or first.git or first.path:
            return first
        if second.url or second.git or second.path:
            return second
        merged = Dep(**{**first.__dict__})
        specs = [s for s in (first.constraint, second.constraint) if s]
        try:
            merged.constraint = ",".join(dict.fromkeys(",".join(specs).split(","))) if specs else ""
            SpecifierSet(merged.constraint)
        except InvalidSpecifier:
            merged.constraint = first.constraint or second.constraint
        merged.extras = sorted(set(first.extras) | set(second.extras))
        if first.constraint and second.constraint and first.constraint != second.constraint:
            self.notes.append(
                (
                    second.source,
                    second.line,
                    f"{second.name} is declared twice ({first.where}: {first.constraint!r}, "
                    f"{second.where}: {second.constraint!r}); both constraints are kept",
                    "info",
                )
            )
        return merged

    def groups(self) -> list[str]:
        order = [MAIN] + sorted(g for g in self.deps if g != MAIN)
        return [g for g in order if self.deps.get(g)]

    def all(self) -> list[Dep]:
        return [dep for group in self.groups() for dep in self.deps[group].values()]

    def remove(self, dep: Dep) -> None:
        self.deps.get(dep.group, {}).pop(dep.key, None)
