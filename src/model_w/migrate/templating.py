"""Jinja2 templates of the files Model W projects carry.

Templates live in the package folder `templates/<release>/...` when a release needs its own
version, else in `templates/...`; `render` picks the release's first.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("model_w.migrate", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(name: str, release: str | None = None, **context: Any) -> str:
    env = _env()
    if release:
        try:
            return env.get_template(f"{release}/{name}").render(release=release, **context)
        except TemplateNotFound:
            pass
    return env.get_template(name).render(release=release, **context)
