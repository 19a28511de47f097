"""The measurements. Ratios, not absolute times, are the headline: they hold across machines."""

import itertools
import json
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks import ledger
from benchmarks.http import KeepAliveClient, hidden_fields, log_in
from benchmarks.measure import (
    added_multiple,
    child_pids,
    interleaved_samples,
    paired_added_ms,
    peak_rss_mb,
    samples,
    summary,
    throughput,
    workers_cpu_seconds,
)
from benchmarks.world import ACCOUNT, ADMIN_USERNAME, PASSWORD, PEER_ROWS, USERNAME, BenchWorld
from contracts_ui.models import AuditEvent
from fabric_sandbox.testing import SandboxServer

HTMX = {"HX-Request": "true"}
TABLE_QUERY = {"size": "50"}
# The stand-in's `large-org` command at the size the demo uses; the test suite runs it smaller.
LARGE_ORG_CONTRACTS = 100_000


def _result(figure: str, value, target: str, met: bool | None, **details) -> dict:
    return {"figure": figure, "value": value, "target": target, "met": met, "details": details}


def _table_path(organization: str, **query: str) -> str:
    path = reverse(
        "contracts_ui:contract-list",
        kwargs={"account_id": ACCOUNT, "organization_id": organization},
    )
    return f"{path}?{urllib.parse.urlencode({**TABLE_QUERY, **query})}"


def _contract_path(world: BenchWorld, suffix: str = "") -> str:
    kwargs = {
        "account_id": ACCOUNT,
        "organization_id": world.small_org,
        "contract_id": world.contract["_id"],
    }
    if suffix:
        return reverse("contracts_ui:contract-edit", kwargs={**kwargs, "section": suffix})
    return reverse("contracts_ui:contract-detail", kwargs=kwargs)


def _fabric_table_path(organization: str) -> str:
    """The one fabric call behind the console's table page (_table_path), made directly."""
    query = urllib.parse.urlencode(
        {"sortBy": "updatedAt", "sortOrder": "desc", "offset": 0, "limit": 50}
    )
    return f"/data-customer/v1/organizations/{organization}/contracts?{query}"


def _fabric_contract_path(world: BenchWorld) -> str:
    """The bench contract as the console's contract page and saves read it from fabric."""
    return f"/data-customer/v1/organizations/{world.small_org}/contracts/{world.contract['_id']}"


def _fabric_client(world: BenchWorld) -> KeepAliveClient:
    return KeepAliveClient(world.sandbox.url, default_headers=dict(world.fabric_headers))


def _console_client(world: BenchWorld) -> KeepAliveClient:
    client = KeepAliveClient(world.console_url)
    log_in(client, USERNAME, PASSWORD)
    return client


def _timed(client: KeepAliveClient, method: str, path: str, **kwargs) -> float:
    answer = client.request(method, path, **kwargs)
    if answer.status >= 400:
        raise RuntimeError(f"{method} {path} answered {answer.status}")
    return answer.seconds


def _save_cycle(world: BenchWorld, console: KeepAliveClient):
    """Alternate an end date so every save is a real change; return (console, direct) timers."""
    end_dates = itertools.cycle(["2031-01-31", "2031-02-28"])
    edit_path = _contract_path(world, "dates")
    fabric_path = _fabric_contract_path(world)
    start = world.contract["startDate"][:10]

    def console_save() -> float:
        fields = hidden_fields(console.get(edit_path, headers=HTMX).body)
        fields |= {"start_date": start, "end_date": next(end_dates)}
        answer = console.post_form(
            edit_path, fields, headers={**HTMX, "X-CSRFToken": console.cookies["csrftoken"]}
        )
        if answer.status != 200:
            raise RuntimeError(f"save answered {answer.status}")
        return answer.seconds

    fabric = _fabric_client(world)

    def direct_save() -> float:
        body = f'{{"endDate": "{next(end_dates)}T00:00:00.000Z"}}'.encode()
        read = fabric.get(fabric_path).seconds
        write = fabric.request(
            "PUT", fabric_path, body=body, headers={"Content-Type": "application/json"}
        )
        return read + write.seconds

    return console_save, direct_save


def _overhead_figures(
    name: str, console_seconds: list[float], direct_seconds: list[float], targets: dict
) -> list[dict]:
    """The console's added ms, and its time ÷ the direct calls' at p50 and p95 (a level without
    a target is reported only)."""
    ours, theirs = summary(console_seconds), summary(direct_seconds)
    results = [
        _result(
            f"added by the console, p50 ms: {name}",
            round(paired_added_ms(console_seconds, direct_seconds), 2),
            "-",
            None,
        )
    ]
    for level in ("p50", "p95"):
        ratio = ours[f"{level}_ms"] / theirs[f"{level}_ms"]
        target = targets.get(level)
        results.append(
            _result(
                f"overhead {level}: {name}",
                round(ratio, 3),
                f"<= {target}" if target else "-",
                ratio <= target if target else None,
                console=ours,
                fabric=theirs,
            )
        )
    return results


def overhead(world: BenchWorld, options) -> list[dict]:
    """Console page time ÷ the time of the fabric calls that page needs, made directly."""
    world.sandbox.admin.add_fault(latency_ms=options.latency_ms)
    console, fabric = _console_client(world), _fabric_client(world)
    console_save, direct_save = _save_cycle(world, console)
    pages = {
        "contracts table (50 rows)": (
            lambda: _timed(console, "GET", _table_path(world.small_org)),
            lambda: _timed(fabric, "GET", _fabric_table_path(world.small_org)),
        ),
        "contract page": (
            lambda: _timed(console, "GET", _contract_path(world)),
            lambda: _timed(fabric, "GET", _fabric_contract_path(world)),
        ),
        "save of a date edit": (console_save, direct_save),
    }
    results = []
    for name, (through_console, direct) in pages.items():
        console_seconds, direct_seconds = interleaved_samples(
            through_console, direct, count=options.samples
        )
        results += _overhead_figures(
            name, console_seconds, direct_seconds, {"p50": 1.15, "p95": 1.3}
        )
    world.sandbox.admin.clear_faults()
    return results


def high_latency(world: BenchWorld, options) -> list[dict]:
    """The contracts table again at a live fabric's latency across the internet
    (--high-latency-ms, 100 by default), where the console's share is what users feel less."""
    latency = options.high_latency_ms
    world.sandbox.admin.add_fault(latency_ms=latency)
    console, fabric = _console_client(world), _fabric_client(world)
    console_seconds, direct_seconds = interleaved_samples(
        lambda: _timed(console, "GET", _table_path(world.small_org)),
        lambda: _timed(fabric, "GET", _fabric_table_path(world.small_org)),
        count=options.samples,
    )
    world.sandbox.admin.clear_faults()
    return _overhead_figures(
        f"contracts table (50 rows) at {latency} ms", console_seconds, direct_seconds, {"p50": 1.1}
    )


def peer(world: BenchWorld, options) -> list[dict]:
    """The table's added time against two pages sampled in the same interleaved run through the
    same gunicorn: the trivial view (the floor of any request) and Django admin's changelist of
    50 local rows (the grants admin, as a logged-in superuser), a page Django's own authors ship
    and nobody calls slow."""
    world.sandbox.admin.add_fault(latency_ms=options.latency_ms)
    console, fabric = _console_client(world), _fabric_client(world)
    admin = KeepAliveClient(world.console_url)
    log_in(admin, ADMIN_USERNAME, PASSWORD)
    anonymous = KeepAliveClient(world.console_url)
    changelist = reverse("admin:contracts_ui_accountgrant_changelist")
    rows = admin.get(changelist).body.count(b'name="_selected_action"')
    if rows != PEER_ROWS:
        raise RuntimeError(f"the grants changelist shows {rows} rows, not {PEER_ROWS}")
    table, direct, changelist_seconds, trivial = interleaved_samples(
        lambda: _timed(console, "GET", _table_path(world.small_org)),
        lambda: _timed(fabric, "GET", _fabric_table_path(world.small_org)),
        lambda: _timed(admin, "GET", changelist),
        lambda: _timed(anonymous, "GET", reverse("health-live")),
        count=options.samples,
    )
    world.sandbox.admin.clear_faults()
    floor_multiple = added_multiple(table, direct, trivial)
    peer_ratio = added_multiple(table, direct, changelist_seconds)
    return [
        _result(
            f"peer: Django admin changelist, {PEER_ROWS} local rows, p50 ms",
            round(summary(changelist_seconds)["p50_ms"], 2),
            "-",
            None,
        ),
        _result(
            "peer: table's added time ÷ Django admin changelist",
            round(peer_ratio, 3),
            "<= 0.25",
            peer_ratio <= 0.25,
            added_ms=paired_added_ms(table, direct),
            changelist=summary(changelist_seconds),
        ),
        _result(
            "table's added time ÷ trivial view's floor",
            round(floor_multiple, 2),
            "<= 5",
            floor_multiple <= 5,
            trivial=summary(trivial),
        ),
    ]


def throughput_ratio(world: BenchWorld, options) -> list[dict]:
    """Requests per second of the table page ÷ those of a trivial view, fabric latency zero."""
    trivial_path = reverse("health-live")

    def table_worker():
        client = _console_client(world)
        return lambda: client.get(_table_path(world.small_org)).status

    def trivial_worker():
        client = KeepAliveClient(world.console_url)
        return lambda: client.get(trivial_path).status

    def run(make_worker) -> dict:
        """rps, and the console's own CPU per request (its workers' user + system time)."""
        cpu_before = workers_cpu_seconds(world.server.pid)
        figures = throughput(make_worker, threads=options.threads, seconds=options.seconds)
        used = workers_cpu_seconds(world.server.pid) - cpu_before
        figures["console_cpu_ms"] = used * 1000 / figures["requests"]
        return figures

    table, trivial = run(table_worker), run(trivial_worker)
    ratio = table["rps"] / trivial["rps"]
    # The stand-in and the load generator share this machine's cores with the console (fabric
    # would not); requests per CPU-second of the console's own processes leave them out.
    cpu_ratio = trivial["console_cpu_ms"] / table["console_cpu_ms"]
    return [
        _result(
            "throughput ratio: table ÷ trivial view",
            round(ratio, 3),
            ">= 0.5",
            ratio >= 0.5,
            table=table,
            trivial=trivial,
        ),
        _result(
            "throughput ratio, console CPU only",
            round(cpu_ratio, 3),
            ">= 0.5",
            cpu_ratio >= 0.5,
        ),
        _result(
            "console CPU ms per request: table page",
            round(table["console_cpu_ms"], 2),
            "-",
            None,
        ),
        _result(
            "console CPU ms per request: trivial view",
            round(trivial["console_cpu_ms"], 2),
            "-",
            None,
        ),
    ]


def floor(world: BenchWorld, options) -> list[dict]:
    """What any logged-in page costs before it asks fabric anything: the account list reads the
    session, the user and the grants and renders the layout, as every console page does."""
    console = _console_client(world)
    path = reverse("contracts_ui:account-list") + "?all=1"
    page = summary(samples(lambda: _timed(console, "GET", path), count=options.samples))
    anonymous = KeepAliveClient(world.console_url)
    trivial = summary(
        samples(lambda: _timed(anonymous, "GET", reverse("health-live")), count=options.samples)
    )
    return [
        _result(
            "floor p50 ms: logged-in page, no fabric call", round(page["p50_ms"], 2), "-", None
        ),
        _result("floor p50 ms: trivial view", round(trivial["p50_ms"], 2), "-", None),
    ]


def scale(world: BenchWorld, options) -> list[dict]:
    """The table of a 100,000-contract organization against a 1,000-contract one, with fabric's
    latency as in the overhead runs; also the console's own share (page time less the same
    fabric call made directly), which is what must not grow with an organization's size."""
    world.sandbox.admin.add_fault(latency_ms=options.latency_ms)
    console, fabric = _console_client(world), _fabric_client(world)
    runs = []
    for organization in (world.small_org, world.large_org):
        runs.append(lambda org=organization: _timed(console, "GET", _table_path(org)))
        runs.append(lambda org=organization: _timed(fabric, "GET", _fabric_table_path(org)))
    taken = interleaved_samples(*runs, count=options.samples)
    world.sandbox.admin.clear_faults()
    measured = {
        "small": {"console": summary(taken[0]), "fabric": summary(taken[1])},
        "large": {"console": summary(taken[2]), "fabric": summary(taken[3])},
    }
    small, large = measured["small"], measured["large"]
    ratio = large["console"]["p50_ms"] / small["console"]["p50_ms"]
    share = {
        "small": paired_added_ms(taken[0], taken[1]),
        "large": paired_added_ms(taken[2], taken[3]),
    }
    share_ratio = share["large"] / share["small"]
    return [
        _result(
            "scale: table p50, 100,000 ÷ 1,000 contracts",
            round(ratio, 3),
            "<= 1.1",
            ratio <= 1.1,
            **measured,
        ),
        _result(
            "scale: the console's share, 100,000 ÷ 1,000",
            round(share_ratio, 3),
            "<= 1.1",
            share_ratio <= 1.1,
            added_ms=share,
        ),
    ]


def large_org_command() -> list[dict]:
    """`python -m fabric_sandbox large-org` at full size: how long it takes, and that a stand-in
    on its file then serves every contract, down to the last page sorted by contract id."""
    with tempfile.TemporaryDirectory(prefix="console-bench-large-org-") as workdir:
        db = Path(workdir) / "large.sqlite3"
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
            [
                *(sys.executable, "-m", "fabric_sandbox", "large-org", "--db", str(db)),
                *("--account", ACCOUNT, "--contracts", str(LARGE_ORG_CONTRACTS)),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        organization = json.loads(done.stdout)["organizationId"]
        secret = secrets.token_urlsafe(16)
        with SandboxServer(db_path=db) as server:
            server.admin.create_account(
                account=ACCOUNT, name="Large", client_id="large", client_secret=secret
            )
            last_page = server.call(
                "GET",
                f"/data-customer/v1/organizations/{organization}/contracts",
                params={"offset": LARGE_ORG_CONTRACTS - 10, "sortBy": "contractId"},
                headers={
                    "Authorization": f"Bearer {server.token('large', secret)}",
                    "x-site-context": server.site_context(ACCOUNT),
                },
            ).json
    served = (last_page["query"]["count"], len(last_page["data"]))
    return [
        _result(
            "scale: large-org command, 100,000 contracts, seconds", round(seconds, 1), "-", None
        ),
        _result(
            "scale: large-org served, count / last page rows",
            f"{served[0]:,} / {served[1]}",
            "100,000 / 10",
            served == (LARGE_ORG_CONTRACTS, 10),
        ),
    ]


def calls_and_queries(world: BenchWorld) -> list[dict]:
    """fabric calls per page over the real server; database queries per page in-process."""
    console = _console_client(world)
    admin = world.sandbox.admin
    console_save, _ = _save_cycle(world, console)

    def fabric_calls(action) -> int:
        action()  # warm the token and the cached look-ups
        admin.clear_requests()
        action()
        return admin.request_count()

    results = [
        _result(
            "fabric calls: contracts table page",
            fabric_calls(lambda: console.get(_table_path(world.small_org))),
            "1",
            None,
        ),
        _result(
            "fabric calls: contracts table page, 100,000 contracts",
            fabric_calls(lambda: console.get(_table_path(world.large_org))),
            "1",
            None,
        ),
        _result(
            "fabric calls: contract page",
            fabric_calls(lambda: console.get(_contract_path(world))),
            "1",
            None,
        ),
    ]
    console.get(_contract_path(world, "dates"), headers=HTMX)
    admin.clear_requests()
    console_save()
    saves = admin.request_count() - 1  # the form itself was fetched once inside the cycle
    results.append(_result("fabric calls: save (re-read + write)", saves, "2", saves == 2))
    for row in results[:3]:
        row["met"] = row["value"] == 1

    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    queries = {}
    for size in ("10", "100"):
        path = _table_path(world.large_org, size=size)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries[size] = len(captured)
    same = queries["10"] == queries["100"]
    results.append(
        _result(
            "db queries: table page, 10 vs 100 rows",
            f"{queries['10']} / {queries['100']}",
            "equal",
            same,
        )
    )
    return results


def response_bytes(world: BenchWorld) -> list[dict]:
    console = _console_client(world)
    filtered = _table_path(world.small_org, status="ACTIVE")
    full = len(console.get(filtered).body)
    partial = len(console.get(filtered, headers=HTMX).body)
    page = len(console.get(_contract_path(world)).body)
    edit_path = _contract_path(world, "dates")
    fields = hidden_fields(console.get(edit_path, headers=HTMX).body)
    fields |= {"start_date": world.contract["startDate"][:10], "end_date": "2032-03-31"}
    saved = console.post_form(
        edit_path, fields, headers={**HTMX, "X-CSRFToken": console.cookies["csrftoken"]}
    )
    save_share = len(saved.body) / page
    return [
        _result(
            "bytes: filter change, partial ÷ full page",
            round(partial / full, 3),
            "smaller",
            partial < full,
            partial=partial,
            full=full,
        ),
        _result(
            "bytes: save response ÷ full contract page",
            round(save_share, 3),
            "<= 0.05",
            save_share <= 0.05,
            save=len(saved.body),
            page=page,
        ),
    ]


def exports(world: BenchWorld, options) -> list[dict]:
    """Stream the audit ledger and the largest organization as CSV; peak memory of the serving
    worker must stay flat whatever the row count. The ledger grows to 100,000 records here, so
    the contract page (which shows its contract's history) is timed before and after too."""
    console = _console_client(world)
    workers = child_pids(world.server.pid)
    results = []

    def measure(label: str, path: str) -> None:
        started = time.perf_counter()
        answer = console.get(path)
        seconds = time.perf_counter() - started
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status}")
        rows = answer.body.count(b"\n") - 1
        peak = peak_rss_mb(workers)
        results.append(
            _result(f"export: {label}, {rows:,} lines, seconds", round(seconds, 2), "-", None)
        )
        results.append(
            _result(
                f"export: {label}, {rows:,} lines, peak worker RSS MB",
                round(peak, 1),
                "< 150",
                peak < 150,
            )
        )

    fabric = _fabric_client(world)

    def contract_page() -> tuple[int, float, float]:
        """(ledger size, page p50 ms, the console's share in ms), sampled against the same
        fabric read made directly, as in the overhead runs."""
        world.sandbox.admin.add_fault(latency_ms=options.latency_ms)
        page_seconds, direct_seconds = interleaved_samples(
            lambda: _timed(console, "GET", _contract_path(world)),
            lambda: _timed(fabric, "GET", _fabric_contract_path(world)),
            count=options.samples,
        )
        world.sandbox.admin.clear_faults()
        return (
            AuditEvent.objects.count(),
            summary(page_seconds)["p50_ms"],
            paired_added_ms(page_seconds, direct_seconds),
        )

    # The contract page shows the contract's history: its cost must not follow the ledger's size.
    small_ledger = contract_page()
    audit_path = reverse("contracts_ui:audit-export", kwargs={"account_id": ACCOUNT})
    for count in (options.ledger // 10, options.ledger):
        ledger.fill(account_id=ACCOUNT, total=count)
        measure("audit CSV", audit_path)
    large_ledger = contract_page()
    sizes = f"ledger of {large_ledger[0]:,} ÷ {small_ledger[0]:,}"
    ratio = large_ledger[1] / small_ledger[1]
    share_ratio = large_ledger[2] / small_ledger[2]
    results += [
        _result(
            f"scale: contract page p50, {sizes}",
            round(ratio, 3),
            "<= 1.1",
            ratio <= 1.1,
            small_ledger_p50_ms=small_ledger[1],
            large_ledger_p50_ms=large_ledger[1],
        ),
        _result(
            f"scale: the console's share of the contract page, {sizes}",
            round(share_ratio, 3),
            "<= 1.1",
            share_ratio <= 1.1,
            added_ms={"small_ledger": small_ledger[2], "large_ledger": large_ledger[2]},
        ),
    ]
    contracts_path = reverse(
        "contracts_ui:contract-export-csv",
        kwargs={"account_id": ACCOUNT, "organization_id": world.large_org},
    )
    measure("contracts CSV", contracts_path)
    return results


def bulk_apply(world: BenchWorld, options) -> list[dict]:
    """A 1,000-contract bulk change (every contract of the small organization, end date + 12
    months) applied by one `manage.py db_worker` at fabric latency `--latency-ms`: seconds from
    queued to finished, and writes per second at BULK_CONCURRENCY."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from contracts_ui import bulk, selectors
    from contracts_ui.access import reachable_accounts
    from contracts_ui.fabric.types import ContractQuery
    from contracts_ui.models import BulkAction, BulkJobState

    user = get_user_model().objects.get(username=USERNAME)
    access = reachable_accounts(user)[0]
    job = bulk.create_preview(
        access=access,
        user=user,
        organization_id=world.small_org,
        change=bulk.BulkChange(action=BulkAction.EXTEND_END, months=12),
        contracts=selectors.bulk_selection(
            access.tenant,
            organization_id=world.small_org,
            query=ContractQuery(),
            max_rows=settings.BULK_MAX_CONTRACTS,
        ),
        selection="all matching the filter",
    )
    world.sandbox.admin.add_fault(latency_ms=options.latency_ms)
    world.sandbox.admin.clear_requests()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        bulk.start(job)
        deadline = started + 600
        while job.state != BulkJobState.FINISHED and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()
        seconds = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(30)
        world.sandbox.admin.clear_faults()
    writes = world.sandbox.admin.request_count("PUT", f"/organizations/{world.small_org}/")
    done = bulk.counts(job)["done"]
    return [
        _result(
            f"bulk: {job.total} contracts at {options.latency_ms} ms, "
            f"concurrency {settings.BULK_CONCURRENCY} (s)",
            round(seconds, 1),
            "report",
            None,
            done=done,
            writes=writes,
        ),
        _result(
            "bulk: writes per second",
            round(writes / seconds, 1),
            "report",
            None,
        ),
        _result("bulk: contracts done / selected", f"{done}/{job.total}", "all", done == job.total),
    ]


SECTIONS = {
    "overhead": overhead,
    "peer": peer,
    "throughput": throughput_ratio,
    "floor": floor,
    "scale": lambda world, options: scale(world, options) + large_org_command(),
    "counts": lambda world, options: calls_and_queries(world),
    "bytes": lambda world, options: response_bytes(world),
    "exports": exports,
    "high-latency": high_latency,
    # Last: it moves the small organization's end dates, which the other sections read.
    "bulk": bulk_apply,
}


def run_all(world: BenchWorld, options) -> list[dict]:
    results = []
    for name in options.sections:
        results.extend(SECTIONS[name](world, options))
    return results
