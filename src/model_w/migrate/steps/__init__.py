"""The step registry. Every module in this package that defines a
`Step` subclass decorated with `@register` is discovered by `all_steps()`.
"""

from __future__ import annotations

import importlib
import pkgutil

from model_w.migrate.steps.base import Step, StepContext

_REGISTRY: dict[str, type[Step]] = {}


def register(cls: type[Step]) -> type[Step]:
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"two steps share the id {cls.id!r}")
    _REGISTRY[cls.id] = cls
    return cls


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


def all_steps() -> list[Step]:
    """Every registered step, in plan order."""
    _discover()
    return [cls() for cls in sorted(_REGISTRY.values(), key=lambda c: (c.order, c.id))]


def step_ids() -> list[str]:
    return [s.id for s in all_steps()]


def get_step(step_id: str) -> Step:
    _discover()
    return _REGISTRY[step_id]()


__all__ = ["Step", "StepContext", "register", "all_steps", "get_step", "step_ids"]
