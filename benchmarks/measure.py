"""Timing helpers: samples, percentiles and a bounded throughput run."""

import math
import os
import statistics
import threading
import time
from collections.abc import Callable


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0.5 = median)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 0.50) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "mean_ms": statistics.fmean(values) * 1000,
        "samples": len(values),
    }


def paired_added_ms(ours: list[float], theirs: list[float]) -> float:
    """What `ours` adds to `theirs`, in ms: the median of each sample less its pair, taken right
    after it by interleaved_samples. Pairs, not the difference of two medians, because a slow
    moment of the shared machine lands on both halves of a pair and cancels out."""
    return statistics.median(a - b for a, b in zip(ours, theirs, strict=True)) * 1000


def added_multiple(ours: list[float], theirs: list[float], reference: list[float]) -> float:
    """What `ours` adds to `theirs` (paired_added_ms) as a multiple of the median of `reference`,
    a page sampled in the same interleaved run: the trivial view's floor, or a peer's page."""
    return paired_added_ms(ours, theirs) / (statistics.median(reference) * 1000)


def samples(run_once: Callable[[], float], *, count: int, warmup: int = 5) -> list[float]:
    """Seconds taken by `run_once` (which returns its own duration), after a warm-up."""
    return interleaved_samples(run_once, count=count, warmup=warmup)[0]


def interleaved_samples(
    *runs: Callable[[], float], count: int, warmup: int = 5
) -> list[list[float]]:
    """Samples of several runs taken in turn (a, b, a, b...), so that a shared machine's slow
    moments fall on all of them alike rather than on whichever was measured then."""
    for _ in range(warmup):
        for run_once in runs:
            run_once()
    taken: list[list[float]] = [[] for _ in runs]
    for _ in range(count):
        for run_once, seconds in zip(runs, taken, strict=True):
            seconds.append(run_once())
    return taken


def throughput(
    make_worker: Callable[[], Callable[[], int]], *, threads: int, seconds: float
) -> dict[str, float]:
    """Requests per second with `threads` concurrent keep-alive clients for `seconds`.

    Workers are made (and logged in) before the clock starts; each returns the HTTP status of
    one request, and anything but 200 counts as an error.
    """
    workers = [make_worker() for _ in range(threads)]
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def run(slot: int) -> None:
        while time.perf_counter() < deadline:
            if workers[slot]() == 200:
                counts[slot] += 1
            else:
                errors[slot] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=run, args=(slot,), daemon=True) for slot in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - started
    return {"rps": sum(counts) / elapsed, "requests": sum(counts), "errors": sum(errors)}


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak resident set size (VmHWM) among the processes, in MB."""
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        # The fields after the command name (which may hold spaces); utime is index 11.
        return stat.read().rsplit(")", 1)[1].split()


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time used so far by one process (all its threads)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(master_pid: int) -> float:
    """User plus system CPU time used so far by a server's worker processes: the live ones,
    and those already recycled (their time is in the master's cutime and cstime once reaped)."""
    fields = _stat_fields(master_pid)
    ticks = int(fields[13]) + int(fields[14])
    for pid in child_pids(master_pid):
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers)."""
    children: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            children = [int(child) for child in listing.read().split()]
    except OSError:
        pass
    return children
