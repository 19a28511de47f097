#!/usr/bin/env python
"""`make load`: a bounded load test of the console on its production server configuration.

It starts everything it needs on 127.0.0.1 — the fabric stand-in, a private redis-server (the
shared cache), gunicorn with gunicorn.conf.py and DEBUG off over a fresh SQLite database in
var/load/ — then runs USERS concurrent users for SECONDS seconds, mixing browsing with edits of
each user's own contract, while the stand-in answers a few of those writes with an injected 503.
It prints requests per second, p50/p95/p99 and error counts, then checks that the audit ledger
holds exactly one record per write attempt (against the edit saves sent and the writes fabric
received, request id by request id) and that `manage.py verify_audit` passes. Every process it
started is stopped on exit. Exit status 1 when a check fails.

    python scripts/load.py [--users 50] [--seconds 60] [--faults 6]
"""

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fabric_sandbox.testing import SandboxServer  # noqa: E402 - after the path is set

ACCOUNT = "4c0ad7e5f00d5e7e5a11ab1e"
CLIENT_ID = "console-load-test"
SECRET_ENV = "FABRIC_LOAD_TEST_SECRET"  # noqa: S105 - the variable's name, not a secret
STATUSES = ("ACTIVE", "DRAFT", "INACTIVE")
SORTS = ("updatedAt", "contractId", "startDate", "endDate", "status")
# Logging in costs ~0.7 s of CPU (PBKDF2); users beyond this many share the sessions made.
MAX_LOGINS = 10
REQUEST_TIMEOUT = 30
OK = frozenset({200})
OK_OR_REDIRECT = frozenset({200, 302})
HIDDEN_FIELD = re.compile(r'type="hidden" name="(\w+)" value="([^"]*)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Stop(Exception):
    """SIGTERM or SIGINT: unwind, so every started process is stopped."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _can_connect(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def wait_until(check, what: str, seconds: float = 30) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


@contextmanager
def process(args: list[str], *, env: dict, log: Path, name: str) -> Iterator[subprocess.Popen]:
    """A child in its own process group, stopped (TERM, then KILL) however we leave."""
    with log.open("wb") as output:
        child = subprocess.Popen(  # noqa: S603 - our own fixed command lines
            args, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        stop_process(child, name)


def stop_process(child: subprocess.Popen, name: str, grace: float = 30) -> None:
    if child.poll() is not None:
        return
    os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(grace)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop within {grace:.0f} s; killing it", file=sys.stderr)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


# --- the browser ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    cookies: dict[str, str]
    location: str


class Browser:
    """One user's requests over plain HTTP to gunicorn, as if behind the TLS proxy (so the
    production settings' HTTPS redirect, secure cookies and CSRF origin check all apply)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.origin = f"https://127.0.0.1:{port}"

    def get(self, path: str, *, htmx: bool = False) -> Answer:
        return self.send("GET", path, htmx=htmx)

    def post(self, path: str, fields: dict[str, str], *, htmx: bool = False) -> Answer:
        return self.send("POST", path, body=urllib.parse.urlencode(fields), htmx=htmx)

    def send(self, method: str, path: str, *, body: str | None = None, htmx: bool) -> Answer:
        # A fresh connection per request: a POST never rides a keep-alive connection that a
        # recycled worker has just closed, so "sent" always means "reached gunicorn".
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "contracts-console-load-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            cookies = {}
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, text, cookies, response.headers.get("Location", ""))
        finally:
            connection.close()

    def log_in(self, username: str, password: str) -> None:
        form = self.get("/login/")
        self.cookies.update(form.cookies)
        token = CSRF_FIELD.search(form.text).group(1)
        fields = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        answer = self.post("/login/", fields)
        if answer.status != 302 or "sessionid" not in answer.cookies:
            raise RuntimeError(f"login of {username} failed with {answer.status}")
        self.cookies.update(answer.cookies)


# --- the load --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What every user saw, shared between threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)  # (kind, status) not expected
    injected_5xx: int = 0
    saves_sent: int = 0
    saves_succeeded: int = 0
    network_errors: Counter = field(default_factory=Counter)

    def record(self, kind: str, seconds: float, status: int, *, expected: bool, injected: bool):
        with self.lock:
            self.timings.setdefault(kind, []).append(seconds)
            self.statuses[status] += 1
            if injected:
                self.injected_5xx += 1
            elif not expected:
                self.unexpected[(kind, status)] += 1


@dataclass(frozen=True)
class World:
    port: int
    organization_id: str
    contract_ids: list[str]  # one per user: only that user edits it
    faulted: frozenset[str]  # contracts whose writes the stand-in may answer with a 503


def run_user(number: int, browser: Browser, world: World, tally: Tally, until: float) -> None:
    """Browse and edit until the end of the run; every third round edits the user's contract."""
    rng = random.Random(number)  # noqa: S311 - a reproducible mix, not a secret
    base = f"/accounts/{ACCOUNT}/"
    organization = f"{base}organizations/{world.organization_id}/"
    own = world.contract_ids[number]
    status = "DRAFT"
    round_number = 0

    def timed(
        kind: str, call, *, injectable: bool = False, expected: frozenset[int] = OK
    ) -> Answer | None:
        started = time.monotonic()
        try:
            answer = call()
        except (OSError, http.client.HTTPException) as error:
            with tally.lock:
                tally.network_errors[f"{kind}: {type(error).__name__}"] += 1
            return None
        injected = injectable and answer.status == 503
        tally.record(
            kind,
            time.monotonic() - started,
            answer.status,
            expected=answer.status in expected,
            injected=injected,
        )
        return answer

    while time.monotonic() < until:
        round_number += 1
        # With a single account the account list sends the user straight to it.
        timed("accounts", lambda: browser.get("/"), expected=OK_OR_REDIRECT)
        timed("organizations", lambda: browser.get(base))
        query = urllib.parse.urlencode(
            {
                "sort": rng.choice(SORTS),
                "order": rng.choice(("asc", "desc")),
                "page": rng.randint(1, 5),
            }
        )
        timed(
            "contracts", lambda q=query: browser.get(f"{organization}?{q}", htmx=rng.random() < 0.5)
        )
        contract = rng.choice(world.contract_ids)
        timed("contract", lambda c=contract: browser.get(f"{organization}contracts/{c}/"))
        if round_number % 3 == 0 and time.monotonic() < until:
            edit = f"{organization}contracts/{own}/edit/status/"
            form = timed("edit-form", lambda e=edit: browser.get(e, htmx=True))
            if form is not None and form.status == 200:
                fields = dict(HIDDEN_FIELD.findall(form.text))
                fields["status"] = rng.choice([s for s in STATUSES if s != status])
                with tally.lock:
                    tally.saves_sent += 1
                saved = timed(
                    "edit-save",
                    lambda e=edit, f=fields: browser.post(e, f, htmx=True),
                    injectable=own in world.faulted,
                )
                if saved is not None and saved.status == 200:
                    status = fields["status"]
                    with tally.lock:
                        tally.saves_succeeded += 1
        time.sleep(rng.uniform(0, 0.2))  # a user reads the page for a moment


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(tally: Tally, seconds: float) -> None:
    everything = [t for timings in tally.timings.values() for t in timings]
    total = len(everything)
    print(f"\nrequests: {total} in {seconds:.1f} s = {total / seconds:.1f} requests/s")
    print(f"{'':14}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    rows = [*sorted(tally.timings.items()), ("all", everything)]
    for kind, timings in rows:
        figures = "".join(f"{percentile(timings, p) * 1000:>9.0f}" for p in (0.5, 0.95, 0.99))
        print(f"{kind:14}{len(timings):>8}{figures}")
    print("statuses:", dict(sorted(tally.statuses.items())))
    print(f"5xx injected by the stand-in's faults: {tally.injected_5xx}")
    unexpected = {f"{kind} {status}": n for (kind, status), n in tally.unexpected.items()}
    print(f"unexpected answers: {sum(unexpected.values())} {unexpected or ''}")
    print(
        f"network errors: {sum(tally.network_errors.values())} {dict(tally.network_errors) or ''}"
    )


# --- setting up and checking -----------------------------------------------------------------


def seed_fabric(sandbox: SandboxServer, secret: str, users: int) -> tuple[str, list[str]]:
    """An account with one organization: 1,000 contracts to browse and one to edit per user."""
    admin = sandbox.admin
    admin.create_account(
        account=ACCOUNT, name="Load Test Supply", client_id=CLIENT_ID, client_secret=secret
    )
    organization = admin.create_organization(ACCOUNT, name="Load Test Buyers")["_id"]
    admin.bulk_contracts(ACCOUNT, organization, 1000)
    headers = {
        "Authorization": f"Bearer {sandbox.token(CLIENT_ID, secret)}",
        "x-site-context": sandbox.site_context(ACCOUNT),
    }
    contract_ids = []
    for number in range(users):
        response = sandbox.call(
            "POST",
            f"/data-customer/v1/organizations/{organization}/contracts",
            headers=headers,
            json={
                "contractId": f"LOAD-{number:03d}",
                "startDate": "2026-01-01",
                "endDate": "2026-12-31",
                "status": "DRAFT",
            },
        )
        contract_ids.append(response.json["_id"])
    return organization, contract_ids


def setup_console(users: int, password: str) -> None:
    """Schema, static files and one editor per login on the load account (this process's env)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from contracts_ui.models import AccountGrant, AccountRole, FabricAccount

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    account = FabricAccount.objects.create(
        account_id=ACCOUNT,
        name="Load Test Supply",
        client_id=CLIENT_ID,
        client_secret_ref=f"env:{SECRET_ENV}",
        stage="production",
        channel=12,
    )
    for number in range(min(users, MAX_LOGINS)):
        user = get_user_model().objects.create_user(f"load{number:02d}", password=password)
        AccountGrant.objects.create(account=account, user=user, role=AccountRole.EDITOR)
    connections.close_all()


def check_ledger(sandbox: SandboxServer, tally: Tally, env: dict) -> list[str]:
    """Every write attempt is exactly one audit record, matched to fabric's log by request id."""
    from django.db import connections

    from contracts_ui.models import AuditEvent, AuditOutcomeKind

    writes = [
        entry
        for method in ("POST", "PUT", "PATCH", "DELETE")
        for entry in sandbox.admin.requests(method=method, path=r"/data-customer/")
    ]
    events = list(AuditEvent.objects.values_list("request_id", "outcome__outcome"))
    connections.close_all()
    outcomes = Counter(outcome for _, outcome in events)
    recorded_ids = Counter(request_id for request_id, _ in events)
    fabric_ids = Counter(entry["request_id"] for entry in writes)
    fabric_503 = sum(1 for entry in writes if entry["status"] == 503)
    print("\naudit ledger")
    print(f"  edit saves sent: {tally.saves_sent} (answered 200: {tally.saves_succeeded})")
    print(f"  write requests fabric received: {len(writes)} (injected 503: {fabric_503})")
    print(f"  audit records: {len(events)} {dict(outcomes)}")
    failures = []
    if not len(events) == len(writes) == tally.saves_sent:
        failures.append("audit records, fabric writes and edit saves sent differ")
    if recorded_ids != fabric_ids:
        lost = sum((fabric_ids - recorded_ids).values())
        extra = sum((recorded_ids - fabric_ids).values())
        failures.append(f"request ids differ: {lost} writes unrecorded, {extra} records unmatched")
    if any(n > 1 for n in recorded_ids.values()):
        failures.append("duplicated audit records for one request id")
    if outcomes.get(None):
        failures.append(f"{outcomes[None]} attempts without an outcome")
    if outcomes.get(AuditOutcomeKind.SUCCEEDED, 0) != tally.saves_succeeded:
        failures.append("succeeded records differ from saves answered 200")
    if outcomes.get(AuditOutcomeKind.FAILED, 0) != fabric_503 or fabric_503 != tally.injected_5xx:
        failures.append("failed records, injected 503s and 503 pages differ")
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print("  manage.py verify_audit: " + " / ".join(verify.stdout.split("\n")).strip(" /"))
    if verify.returncode != 0:
        failures.append(f"verify_audit failed: {verify.stderr.strip()[-300:]}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--faults", type=int, default=6, help="edit saves answered 503")
    options = parser.parse_args()
    if not (1 <= options.users <= 200 and 1 <= options.seconds <= 600):
        parser.error("keep it bounded: 1-200 users, 1-600 seconds")

    def stop(signum, frame):
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    run_dir = ROOT / "var" / "load"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    secret, password = secrets.token_urlsafe(24), secrets.token_urlsafe(16)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "console.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{run_dir / 'console.sqlite3'}",
        "STATIC_ROOT": str(run_dir / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        SECRET_ENV: secret,
    }
    try:
        with (
            SandboxServer(db_path=str(run_dir / "sandbox.sqlite3")) as sandbox,
            _cache(run_dir, env),
        ):
            env["FABRIC_BASE_URL"] = sandbox.url
            env["FABRIC_AUTH_URL"] = f"{sandbox.url}/auth"
            os.environ.update(env)
            organization, contract_ids = seed_fabric(sandbox, secret, options.users)
            setup_console(options.users, password)
            gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "console.wsgi"]
            log = run_dir / "gunicorn.log"
            with process(gunicorn, env=env, log=log, name="gunicorn") as server:
                wait_until(lambda: Browser(port).get("/health/live/").status == 200, "gunicorn", 60)
                print(f"gunicorn (gunicorn.conf.py, DEBUG off) on 127.0.0.1:{port}, log {log}")
                tally, seconds = run_load(
                    options, port, organization, contract_ids, sandbox, password
                )
                stop_process(server, "gunicorn")  # every request finished before we count
            report(tally, seconds)
            problems = check_ledger(sandbox, tally, env)
            if options.faults and tally.injected_5xx == 0:
                problems.append("no injected fault was exercised")
            if tally.unexpected:
                problems.append("answers other than 200 that no injected fault explains")
            if tally.network_errors:
                problems.append("network errors")
    except Stop as signal_name:
        print(f"stopped by {signal_name}", file=sys.stderr)
        return 130
    for problem in problems:
        print(f"FAIL: {problem}")
    print("load test: " + ("FAILED" if problems else "passed, the audit ledger is complete"))
    return 1 if problems else 0


def run_load(
    options: argparse.Namespace,
    port: int,
    organization: str,
    contract_ids: list[str],
    sandbox: SandboxServer,
    password: str,
) -> tuple[Tally, float]:
    """Log in, arm the injected faults, run every user in its thread until the time is up."""
    logins = [Browser(port) for _ in range(min(options.users, MAX_LOGINS))]
    for number, browser in enumerate(logins):
        browser.log_in(f"load{number:02d}", password)
    faulted = frozenset(contract_ids[:2]) if options.faults else frozenset()
    if faulted:
        sandbox.admin.add_fault(
            method="PUT", path="|".join(faulted), status=503, times=options.faults
        )
    sandbox.admin.clear_requests()
    world = World(port, organization, contract_ids, faulted)
    tally = Tally()
    print(f"{options.users} users for {options.seconds:.0f} s ({len(logins)} logins shared) ...")
    started = time.monotonic()
    until = started + options.seconds
    threads = [
        threading.Thread(
            target=run_user,
            args=(n, Browser(port, logins[n % len(logins)].cookies), world, tally, until),
            daemon=True,
        )
        for n in range(options.users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


@contextmanager
def _cache(run_dir: Path, env: dict) -> Iterator[None]:
    """A private redis-server as the shared cache, as in production; locmem if there is none."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        print("redis-server not found: each gunicorn process uses its own in-memory cache")
        env["CACHE_URL"] = "locmemcache://load"
        yield
        return
    redis_port = free_port()
    args = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1"]
    args += ["--save", "", "--appendonly", "no", "--dir", str(run_dir)]
    with process(args, env=env, log=run_dir / "redis.log", name="redis-server"):
        wait_until(lambda: _can_connect(redis_port), "redis-server")
        env["CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        yield


if __name__ == "__main__":
    sys.exit(main())
