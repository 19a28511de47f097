"""The production shape under test: a fresh PostgreSQL database, a Redis, gunicorn processes.

PostgreSQL and Redis are the machine's own on 127.0.0.1 (CI provides them); tests that need
them are skipped, saying so, where they are not reachable, and fail under CI (`require`).
Everything started here listens on 127.0.0.1 and is stopped by the fixture that started it.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from tests.conftest import ACCOUNT_A, CLIENT_A, SECRET_ENV_A

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def require(*, postgres: bool = False, redis: bool = False) -> None:
    """Skip the test where PostgreSQL or Redis is not reachable on 127.0.0.1; under CI, which
    provides both, fail instead, so a lost service is never a quiet skip there."""
    missing = [
        name
        for name, wanted, reachable in (
            ("PostgreSQL", postgres, postgres_reachable),
            ("Redis", redis, redis_reachable),
        )
        if wanted and not reachable()
    ]
    if not missing:
        return
    reason = f"needs {' and '.join(missing)} on 127.0.0.1"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI provides them)", pytrace=False)
    pytest.skip(f"{reason} (CI provides them)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str, port: int | None = None) -> str:
    """The admin URL pointed at database `name` (and at `port`, e.g. a proxy in front)."""
    parts = urlsplit(POSTGRES_ADMIN_URL)
    netloc = parts.netloc if port is None else f"{parts.netloc.rsplit(':', 1)[0]}:{port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))


@contextmanager
def fresh_database():
    """A new, empty PostgreSQL database for this run; dropped (connections and all) afterwards."""
    name = f"console_prod_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production console on plain-HTTP loopback (no TLS in a test)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CACHE_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_FORMAT="json",
    )
    env.update(overrides)
    return env


def sqlite_console_env(folder: Path, sandbox, **overrides: str) -> dict[str, str]:
    """A production console of its own in `folder`: SQLite, its process's own cache, the
    stand-in as fabric (the demo's shape, behind gunicorn)."""
    return production_env(
        DATABASE_URL=f"sqlite:///{folder / 'console.sqlite3'}",
        CACHE_URL=f"locmemcache://{folder.name}",
        STATIC_ROOT=str(folder / "static"),
        FABRIC_BASE_URL=sandbox.url,
        FABRIC_AUTH_URL=f"{sandbox.url}/auth",
        **overrides,
    )


# set_up's seed for account A with two editors, alice and admin (a superuser).
ALICE_AND_ADMIN_SEED = f"""
from django.contrib.auth import get_user_model
from contracts_ui.models import AccountGrant, AccountRole, FabricAccount
account = FabricAccount.objects.create(
    account_id="{ACCOUNT_A}", name="Acme Industrial", client_id="{CLIENT_A[0]}",
    client_secret_ref="env:{SECRET_ENV_A}",
)
alice = get_user_model().objects.create_user("alice", password="pw-alice-long-enough-1")
admin = get_user_model().objects.create_superuser("admin", password="pw-admin-long-enough-1")
for user in (alice, admin):
    AccountGrant.objects.create(account=account, user=user, role=AccountRole.EDITOR)
"""


def manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py with `env`; its output, or the test fails with it."""
    done = subprocess.run(  # noqa: S603 - this interpreter running our manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


_SET_UP = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
"""


def set_up(env: dict[str, str], seed: str = "") -> None:
    """What a deployment does before it serves (migrate, collectstatic), then `seed` (Python run
    by `manage.py shell`), all in one process: each manage.py process costs a Django start-up."""
    manage(env, "shell", "-v", "0", "-c", _SET_UP + seed)


@contextmanager
def started_console(env: dict[str, str], log_path: Path, seed: str = "") -> Iterator["Gunicorn"]:
    """set_up(env, seed), then one console process tree on it, live; stopped on the way out."""
    set_up(env, seed)
    console = Gunicorn(env, log_path)
    try:
        console.wait_until_live()
        yield console
    finally:
        console.stop()


class Gunicorn:
    """One console process tree (gunicorn with gunicorn.conf.py) on a free loopback port."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self._process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed args
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "console.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_live(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn not up in {timeout}s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._log.close()
