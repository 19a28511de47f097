"""What the benchmark runs against: the stand-in with prepared data, and the console under
gunicorn with production settings (gunicorn.conf.py, less worker recycling) on its own SQLite
file and a private Redis as its shared cache, all on 127.0.0.1."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fabric_sandbox.testing import SandboxServer

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "b3c4d5e6f708192a3b4c5d6e"
CLIENT_ID, SECRET_ENV = "bench-console", "FABRIC_BENCH_SECRET"
USERNAME, PASSWORD = "bench-editor", "bench-" + secrets.token_hex(8)
# A superuser for Django admin's changelist, the peer figure; the grants admin lists PEER_ROWS.
ADMIN_USERNAME = "bench-admin"
PEER_ROWS = 50


@dataclass
class BenchWorld:
    sandbox: SandboxServer
    console_url: str
    server: subprocess.Popen
    small_org: str  # 1,000 contracts
    large_org: str  # 100,000 contracts
    contract: dict  # one contract of the small organization, for the contract page and saves
    fabric_headers: dict[str, str]
    cache: str  # "redis" (as in production) or "locmem" when no redis-server is installed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def console_environment(
    workdir: Path, sandbox_url: str, secret: str, cache_url: str
) -> dict[str, str]:
    """Production settings, pointed at the stand-in; plain HTTP on loopback."""
    return {
        "CACHE_URL": cache_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": f"sqlite:///{workdir / 'console.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "FABRIC_BASE_URL": sandbox_url,
        "FABRIC_AUTH_URL": f"{sandbox_url}/auth",
        "SECURE_SSL_REDIRECT": "false",  # no TLS terminator in front of the benchmark
        "LOG_LEVEL": "WARNING",
        SECRET_ENV: secret,
    }


def _prepare_fabric(sandbox: SandboxServer, secret: str) -> tuple[str, str, dict]:
    admin = sandbox.admin
    admin.create_account(
        account=ACCOUNT, name="Bench Account", client_id=CLIENT_ID, client_secret=secret
    )
    for offset, currency in enumerate(("EUR", "USD", "GBP")):
        admin.create_price_list(
            ACCOUNT, priceListId=100000 + offset, name=f"Bench {currency}", currency=currency
        )
    small = admin.create_organization(ACCOUNT, name="Bench Small Org")["_id"]
    large = admin.create_organization(ACCOUNT, name="Bench Large Org")["_id"]
    admin.bulk_contracts(ACCOUNT, small, 1_000, seed=7)
    admin.bulk_contracts(ACCOUNT, large, 100_000, seed=8)
    headers = {
        "Authorization": f"Bearer {sandbox.token(CLIENT_ID, secret)}",
        "x-site-context": sandbox.site_context(ACCOUNT),
    }
    listing = sandbox.call(
        "GET",
        f"/data-customer/v1/organizations/{small}/contracts",
        headers=headers,
        params={"limit": 1},
    )
    return small, large, listing.json["data"][0] | {"headers": headers}


def _prepare_console() -> None:
    """Migrate and create the benchmark's user, account and grant (in this process)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model

    from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

    account = FabricAccount.objects.create(
        account_id=ACCOUNT,
        name="Bench Account",
        client_id=CLIENT_ID,
        client_secret_ref=f"env:{SECRET_ENV}",
    )
    users = get_user_model().objects
    user = users.create_user(USERNAME, password=PASSWORD)
    AccountGrant.objects.create(account=account, user=user, role=AccountRole.EDITOR)
    users.create_superuser(ADMIN_USERNAME, password=PASSWORD)
    for number in range(1, PEER_ROWS):
        viewer = users.create_user(f"bench-viewer-{number:02d}", password=PASSWORD)
        AccountGrant.objects.create(account=account, user=viewer, role=AccountRole.VIEWER)


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the console server exited during start-up")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the console did not answer at {url} within {timeout} s")


@contextmanager
def private_redis(workdir: Path) -> Iterator[str]:
    """A redis-server of the benchmark's own, as the shared cache production has; the
    in-process cache (each gunicorn worker its own) when none is installed."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        yield "locmemcache://bench"
        return
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed arguments
        [
            *(redis_server, "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def bench_world(workdir: Path):
    secret = secrets.token_urlsafe(24)
    with SandboxServer(token_ttl=3600) as sandbox, private_redis(workdir) as cache_url:
        small, large, contract = _prepare_fabric(sandbox, secret)
        environment = console_environment(workdir, sandbox.url, secret, cache_url)
        os.environ.update(environment)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
        _prepare_console()
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                # No worker recycling during the benchmark: a new worker's start-up CPU would
                # land in whichever throughput run it fell in (the trivial view's, mostly).
                "--max-requests",
                "0",
                "console.wsgi",
            ],
            cwd=ROOT,
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server)
            yield BenchWorld(
                sandbox=sandbox,
                console_url=url,
                server=server,
                small_org=small,
                large_org=large,
                contract=contract,
                fabric_headers=contract.pop("headers"),
                cache="redis" if cache_url.startswith("redis") else "locmem",
            )
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
