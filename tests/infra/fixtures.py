"""Pytest fixtures for the real preset and a real PostgreSQL server.

Register from tests/conftest.py with `pytest_plugins = ["tests.infra.fixtures"]`
(or on the command line with `-p tests.infra.fixtures`).

- `preset_python`: Path of a venv python with modelw-preset-django 2024.10
  (session scope; the venv itself is cached across sessions).
- `preset_python_2025`: the same for 2025.7 on Python 3.13; skipped when no
  Python 3.13 is installed.
- `postgres`: a running `PostgresServer` (session scope, per xdist worker),
  with `create_database(name)` and `database_url(name)`.
- `pg_database`: a fresh, empty database for one test; its DATABASE_URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra.postgres import (
    PostgresServer,
    postgres_server,
    stop_postgres_server,
)
from tests.infra.venv import preset_venv


@pytest.fixture(scope="session")
def preset_python() -> Path:
    return preset_venv("2024.10")


@pytest.fixture(scope="session")
def preset_python_2025() -> Path:
    return preset_venv("2025.7")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    # No skip: a real PostgreSQL server is part of the suite (scripts/install-system-deps.sh).
    server = postgres_server()
    yield server
    stop_postgres_server()


@pytest.fixture
def pg_database(postgres: PostgresServer) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def poetry_bin() -> Path:
    """Poetry in a cached venv of its own (built once, safe across xdist workers)."""
    import sys

    from tests.infra.venv import _python_version, build_venv, venv_key

    requirements = ["poetry>=1.8"]
    version = _python_version(sys.executable)
    python = build_venv(venv_key("poetry", version, requirements), sys.executable, requirements)
    return python.parent / "poetry"
