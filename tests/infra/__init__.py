"""Shared test infrastructure: the real Model W preset in a venv, a real PostgreSQL.

Everything here is expensive to build and therefore built once and reused:

- `preset_venv(release)` builds (or reuses) a virtualenv with
  `modelw-preset-django` of that Model W release and the third-party apps the
  fixtures use, in a cache dir shared by pytest-xdist workers, test sessions
  and CI runs on the same machine (`$MODELW_TEST_CACHE`, default
  `~/.cache/modelw-migrate-tests/`).
- `postgres_server()` starts a throw-away PostgreSQL server (initdb + pg_ctl
  on a free port) once per process and stops it at exit.
- `run_manage(python, project_dir, *args)` runs a project's `manage.py` in a
  subprocess with a clean environment.

Pytest fixtures exposing them live in `tests.infra.fixtures`.
"""

from tests.infra.postgres import PostgresServer, postgres_server
from tests.infra.runner import clean_env, run_manage
from tests.infra.venv import cache_dir, preset_venv

__all__ = [
    "PostgresServer",
    "cache_dir",
    "clean_env",
    "postgres_server",
    "preset_venv",
    "run_manage",
]
