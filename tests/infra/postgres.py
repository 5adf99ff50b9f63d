"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl on a free port.

`postgres_server()` starts one server per process (so one per pytest-xdist
worker) the first time it is called, in a temp dir, listening on 127.0.0.1
only, with `trust` authentication and durability switched off (tests do not
need fsync). It is stopped at process exit, or earlier by `stop()` (the
session fixture does that).

PostgreSQL refuses to run as root: when the tests run as root, initdb and
pg_ctl are run as the `postgres` system user (created if missing) through
`runuser -u postgres --`, and the temp dir is handed to that user.

Binaries come from `$MODELW_PG_BIN` or the newest `/usr/lib/postgresql/*/bin`
(Debian's `postgresql` package). Without them the tests that need a server
are skipped, except under CI (`CI` set), where that is an error.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
PASSWORD = "postgres"  # ignored by trust auth, but URLs look like real ones
RUN_AS = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def pg_bin_dir() -> Path | None:
    if os.environ.get("MODELW_PG_BIN"):
        return Path(os.environ["MODELW_PG_BIN"])
    candidates = [
        Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").exists()
    ]
    if not candidates:
        found = shutil.which("initdb")
        return Path(found).parent if found else None

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return 0.0

    return max(candidates, key=major)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
            timeout=60,
        )


@dataclass
class PostgresServer:
    """A running server; `database_url(name)` for the settings under test."""

    host: str
    port: int
    user: str  # a superuser
    password: str
    bin_dir: Path
    base_dir: Path
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def database_url(self, name: str = "postgres", scheme: str = "postgres") -> str:
        """A `DATABASE_URL` (dj-database-url form) for database `name`."""
        return (
            f"{scheme}://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(name, safe='')}"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with the superuser through `psql`; returns its output."""
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"},
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed on {sql!r}: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str, *, drop_existing: bool = False) -> str:
        """Create database `name` (optionally dropping it first); returns its URL."""
        ident = '"' + name.replace('"', '""') + '"'
        if drop_existing:
            self.psql(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {ident}")
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        ident = '"' + name.replace('"', '""') + '"'
        self.psql(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        _run_pg(
            self.bin_dir / "pg_ctl",
            ["stop", "-D", str(self.data_dir), "-m", "immediate", "-w"],
            check=False,
        )
        shutil.rmtree(self.base_dir, ignore_errors=True)


def _as_pg_user() -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", RUN_AS, "--"]
    return []


def _run_pg(binary: Path, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*_as_pg_user(), str(binary), *args],
        capture_output=True,
        text=True,
        timeout=120,
        # a cwd the postgres user can read; LC_ALL keeps initdb from guessing
        cwd="/",
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{binary.name} {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def start_server() -> PostgresServer:
    """Start a new server (the caller stops it)."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's `postgresql` "
            "package, or point MODELW_PG_BIN at their folder"
        )
    base = Path(tempfile.mkdtemp(prefix="modelw-pg-"))
    if os.geteuid() == 0:
        _ensure_system_user(RUN_AS)
        user = pwd.getpwnam(RUN_AS)
        os.chown(base, user.pw_uid, user.pw_gid)
    base.chmod(0o700)
    data = base / "data"
    _run_pg(
        bin_dir / "initdb",
        [
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
    )
    last_error = ""
    for _attempt in range(3):
        port = free_port()
        options = " ".join(
            [
                f"-p {port}",
                f"-k {base}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=100",
            ]
        )
        result = _run_pg(
            bin_dir / "pg_ctl",
            [
                "start",
                "-D",
                str(data),
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
            ],
            check=False,
        )
        if result.returncode == 0:
            server = PostgresServer(
                host="127.0.0.1",
                port=port,
                user=SUPERUSER,
                password=PASSWORD,
                bin_dir=bin_dir,
                base_dir=base,
            )
            _wait_ready(server)
            return server
        log = base / "server.log"
        last_error = result.stderr + (log.read_text(errors="replace") if log.exists() else "")
        time.sleep(0.5)
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"could not start PostgreSQL:\n{last_error}")


def _wait_ready(server: PostgresServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run(
            [str(server.bin_dir / "pg_isready"), "-h", server.host, "-p", str(server.port)],
            capture_output=True,
            timeout=30,
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL on port {server.port} is not ready")
        time.sleep(0.2)


_SERVER: PostgresServer | None = None
_LOCK = threading.Lock()


def postgres_server() -> PostgresServer:
    """The process's server, started on first use and stopped at exit."""
    global _SERVER
    with _LOCK:
        if _SERVER is None or _SERVER._stopped:
            _SERVER = start_server()
            atexit.register(_SERVER.stop)
        return _SERVER


def stop_postgres_server() -> None:
    global _SERVER
    with _LOCK:
        if _SERVER is not None:
            _SERVER.stop()
            _SERVER = None
