"""The three forms of a project name Model W's project-maker uses."""

from __future__ import annotations

import re
import unicodedata


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", text) if w]


def snake(name: str) -> str:
    """ "My Shop" -> "my_shop": the Python package under api/."""
    words = _words(name) or ["project"]
    result = "_".join(words)
    return f"p_{result}" if result[0].isdigit() else result


def dashed(name: str) -> str:
    """ "My Shop" -> "my-shop": the Celery app and component names."""
    return snake(name).replace("_", "-")


def natural(name: str) -> str:
    """ "my_shop" -> "My Shop": the human title."""
    return " ".join(w.capitalize() for w in _words(name)) or "Project"
