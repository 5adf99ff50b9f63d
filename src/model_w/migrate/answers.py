"""Answers: the choices a person makes, from the wizard or from a recipe.

Nothing downstream knows which of the two produced them. `Answers.defaults`
derives every default from the Facts, so `--yes` and `--dry-run` need no
questions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from model_w.migrate import names
from model_w.migrate.facts import Facts

DEFAULT_BRANCH = "modelw/migrate"
PACKAGE_LAYOUTS = ("modelw", "keep")
ASSET_PIPELINE_PLACES = ("api", "front")


@dataclass
class Answers:
    project_name: str = "project"
    modelw_release: str = "2024.10"
    branch: str = DEFAULT_BRANCH
    production_settings: str | None = None  # dotted module merged with base
    package_layout: str = "modelw"
    # package.json folder -> destination ("front" or "keep")
    frontends: dict[str, str] = field(default_factory=dict)
    asset_pipeline: str = "api"  # where a root asset build that feeds Django static goes
    # name clash ("api", "front") -> how it is resolved, e.g. {"api": "rename:api_app"}
    name_clashes: dict[str, str] = field(default_factory=dict)
    # step ids to run; None means every step that applies
    steps: list[str] | None = None
    exclude_steps: list[str] = field(default_factory=list)
    step_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    # policies for findings the tool cannot decide alone
    policies: dict[str, str] = field(default_factory=dict)
    # per-finding decisions, keyed "<code>:<subject>" (e.g. "unknown-env-helper:envsecret")
    decisions: dict[str, str] = field(default_factory=dict)
    # custom codemods from recipes: [{"command": "pkg.mod:Cmd", "args": {...}, "paths": [...]}]
    codemods: list[dict[str, Any]] = field(default_factory=list)
    release_reason: str = ""  # why this release was chosen (shown, not replayed)

    @property
    def package(self) -> str:
        return names.snake(self.project_name)

    @property
    def dashed_name(self) -> str:
        return names.dashed(self.project_name)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("release_reason", None)
        return data

    @classmethod
    def defaults(cls, facts: Facts) -> Answers:
        """Every answer derived from the Facts alone."""
        from model_w.migrate.release import choose_release

        project = default_project_name(facts)
        release, reason = choose_release(facts)
        production = default_production_settings(facts)
        frontends = {
            fe.path: ("front" if fe.kind == "ui" and i == 0 else "keep")
            for i, fe in enumerate(f for f in facts.frontends if f.kind == "ui")
        }
        clashes = {name: f"rename:{name}_app" for name in facts.name_clashes}
        return cls(
            project_name=project,
            modelw_release=release,
            production_settings=production,
            frontends=frontends,
            name_clashes=clashes,
            release_reason=reason,
        )

    def merged(self, overrides: dict[str, Any]) -> Answers:
        """A copy with recipe or wizard values applied over these."""
        data = asdict(self)
        for key, value in overrides.items():
            if key not in data:
                raise KeyError(key)
            data[key] = value
        return Answers(**data)


def default_project_name(facts: Facts) -> str:
    django = facts.django
    if django and django.project_package:
        return django.project_package.split(".")[0]
    if django and django.settings_module:
        first = django.settings_module.split(".")[0]
        if first not in ("settings", "config", "core", "conf"):
            return first
    from pathlib import Path

    return names.snake(Path(facts.root).name) or "project"


def default_production_settings(facts: Facts) -> str | None:
    django = facts.django
    if not django:
        return None
    for role in ("production",):
        for module in django.settings:
            if module.role == role:
                return module.module
    return None
