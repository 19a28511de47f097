"""Bulk jobs against the live stand-in, applied by real `manage.py db_worker` processes.

A worker is its own process on the test database (a file on SQLite, see tests/conftest.py; the
test database on PostgreSQL), so tests using one take `transactional_db`: what the test writes is
committed where the worker reads it.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.conftest import CLIENT_A, SECRET_ENV_A

ROOT = Path(__file__).resolve().parents[2]
# On PostgreSQL (CI's production shape) jobs are taken by two workers at once.
WORKERS_ON_POSTGRES = 2


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """`manage.py db_worker` processes on the test database, stopped (killed if need be) at exit."""

    def __init__(self, sandbox, log_dir: Path, **settings: str) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DATABASE_POOL": "false",
            "FABRIC_BASE_URL": sandbox.url,
            "FABRIC_AUTH_URL": f"{sandbox.url}/auth",
            SECRET_ENV_A: CLIENT_A[1],
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--interval",
                        "0.2",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def kill(self) -> None:
        """SIGKILL every running worker: no chance to finish anything."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(10)

    def log_lines(self) -> list[str]:
        """Every worker's log, a line each, each log headed by its file's name."""
        lines = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            lines += [f"--- {path.name}", *path.read_text(errors="replace").splitlines()]
        return lines

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture
def workers(sandbox, fabric_world, tmp_path, transactional_db):
    pool = Workers(sandbox, tmp_path, BULK_CONCURRENCY="4", FABRIC_BREAKER_FAILURES="0")
    yield pool
    pool.stop()


def worker_count() -> int:
    on_postgres = connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
    return WORKERS_ON_POSTGRES if on_postgres else 1


def wait_for(predicate, *, timeout: float, what: str) -> None:
    """Poll until `predicate()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)
