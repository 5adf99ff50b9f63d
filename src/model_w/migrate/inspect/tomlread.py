"""TOML reading that never fails: a broken file reads as empty."""

from __future__ import annotations

from typing import Any

try:  # Python 3.11+
    import tomllib as _toml  # type: ignore[import-not-found]
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    _toml = None


def load_toml(text: str) -> dict[str, Any]:
    try:
        if _toml is not None:
            return _toml.loads(text)
        import tomlkit

        return tomlkit.parse(text).unwrap()
    except Exception:
        return {}
