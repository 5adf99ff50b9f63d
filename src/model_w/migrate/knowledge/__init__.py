"""Per-release knowledge of Model W, as data.

Each release has one JSON file (`<release>.json`) describing what its
`modelw-preset-django` sets; `index.json` lists the releases oldest first
with their Python and Django versions. The 2024.10 file is produced by
`scripts/regen_knowledge.py` from the real installed preset.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def _index() -> dict[str, Any]:
    text = resources.files(__name__).joinpath("index.json").read_text(encoding="utf-8")
    return json.loads(text)


def available_releases() -> list[str]:
    """Release names, oldest first."""
    return [r["release"] for r in _index()["releases"]]


@lru_cache(maxsize=None)
def load_release(release: str) -> dict[str, Any]:
    """The knowledge of one release; at least `python` and `django`."""
    for entry in _index()["releases"]:
        if entry["release"] == release:
            detail = resources.files(__name__).joinpath(f"{release}.json")
            data = dict(entry)
            if detail.is_file():
                data.update(json.loads(detail.read_text(encoding="utf-8")))
            return data
    raise KeyError(release)
