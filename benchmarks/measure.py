"""Timing helpers: samples, percentiles and a bounded throughput run."""

import statistics
import threading
import time
from collections.abc import Callable


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction 0.5 = median)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(values, 0.50) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "mean_ms": statistics.fmean(values) * 1000,
        "samples": len(values),
    }


def samples(run_once: Callable[[], float], *, count: int, warmup: int = 5) -> list[float]:
    """Seconds taken by `run_once` (which returns its own duration), after a warm-up."""
    for _ in range(warmup):
        run_once()
    return [run_once() for _ in range(count)]


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


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (gunicorn's workers)."""
    children: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            children = [int(child) for child in listing.read().split()]
    except OSError:
        pass
    return children
