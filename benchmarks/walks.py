"""Reads that walk many fabric pages, at a near fabric's latency and at a far one: the contracts
export of the 100,000-contract organization and the expiry radar of its account (101,000
contracts), through fabric's account-wide list and organization by organization (the account
marked as lacking that list, as fabric_doctor marks one). Peak RSS is the serving workers' high
water mark so far, so the radar is measured before the export."""

import time

from django.urls import reverse

from benchmarks.http import KeepAliveClient, log_in
from benchmarks.measure import (
    child_pids,
    peak_rss_mb,
    process_cpu_seconds,
    workers_cpu_seconds,
)
from benchmarks.world import ACCOUNT, PASSWORD, USERNAME, BenchWorld
from contracts_ui.models import FabricAccount

# The far profile: a live fabric across the internet.
FAR_LATENCY_MS = 100
EXPORT_TARGET_SECONDS = 30
RADAR_TARGET_SECONDS = 15
RSS_TARGET_MB = 150


def _result(figure: str, value, target: str, met: bool | None, **details) -> dict:
    return {"figure": figure, "value": value, "target": target, "met": met, "details": details}


def _timed_get(client: KeepAliveClient, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    answer = client.get(path)
    seconds = time.perf_counter() - started
    if answer.status != 200:
        raise RuntimeError(f"{path} answered {answer.status}")
    return seconds, answer.body


def _seconds_result(label: str, latency_ms: int, seconds: float, target: float) -> dict:
    if latency_ms != FAR_LATENCY_MS:
        return _result(f"{label} at {latency_ms} ms, seconds", round(seconds, 2), "-", None)
    return _result(
        f"{label} at {latency_ms} ms, seconds",
        round(seconds, 2),
        f"<= {target}",
        seconds <= target,
    )


def _rss_result(label: str, workers: list[int]) -> dict:
    peak = peak_rss_mb(workers)
    return _result(
        f"{label}: peak worker RSS MB", round(peak, 1), f"< {RSS_TARGET_MB}", peak < RSS_TARGET_MB
    )


def walks(world: BenchWorld, options) -> list[dict]:
    console = KeepAliveClient(world.console_url)
    log_in(console, USERNAME, PASSWORD)
    workers = child_pids(world.server.pid)
    latencies = sorted({options.latency_ms, FAR_LATENCY_MS})
    radar_path = reverse("contracts_ui:expiry-radar", kwargs={"account_id": ACCOUNT})
    export_path = reverse(
        "contracts_ui:contract-export-csv",
        kwargs={"account_id": ACCOUNT, "organization_id": world.large_org},
    )
    results = []
    account = FabricAccount.objects.get(account_id=ACCOUNT)
    kept = account.capabilities
    for latency_ms in latencies:
        world.sandbox.admin.add_fault(latency_ms=latency_ms)
        try:
            for missing, how in (([], "account-wide list"), (["contracts"], "organization lists")):
                FabricAccount.objects.filter(pk=account.pk).update(
                    capabilities={**kept, "missing": missing}
                )
                seconds, _ = _timed_get(console, radar_path)
                label = f"radar, 101,000 contracts, {how}"
                results.append(_seconds_result(label, latency_ms, seconds, RADAR_TARGET_SECONDS))
        finally:
            FabricAccount.objects.filter(pk=account.pk).update(capabilities=kept)
            world.sandbox.admin.clear_faults()
    results.append(_rss_result("radar, 101,000 contracts", workers))
    # The stand-in's own CPU shares this machine with the console's; fabric's would not.
    sandbox_pid = world.sandbox._process.pid
    for latency_ms in latencies:
        world.sandbox.admin.add_fault(latency_ms=latency_ms)
        console_cpu = workers_cpu_seconds(world.server.pid)
        sandbox_cpu = process_cpu_seconds(sandbox_pid)
        try:
            seconds, body = _timed_get(console, export_path)
        finally:
            world.sandbox.admin.clear_faults()
        console_cpu = workers_cpu_seconds(world.server.pid) - console_cpu
        sandbox_cpu = process_cpu_seconds(sandbox_pid) - sandbox_cpu
        lines = body.count(b"\n") - 1
        label = f"export: contracts CSV, {lines:,} lines,"
        results.append(_seconds_result(label, latency_ms, seconds, EXPORT_TARGET_SECONDS))
        for whose, cpu in (("console", console_cpu), ("stand-in", sandbox_cpu)):
            figure = f"{label} at {latency_ms} ms, {whose} CPU seconds"
            results.append(_result(figure, round(cpu, 2), "-", None))
    results.append(_rss_result("export: contracts CSV, 100,000 rows", workers))
    return results
