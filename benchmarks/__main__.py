"""`make bench`: what the console costs on top of fabric, measured on this machine.

Starts the stand-in, a private Redis and the console (gunicorn, production settings), then
measures overhead, the table against Django admin's changelist (peer), throughput, scale,
fabric calls and queries per page, response bytes, export memory, the export and the radar at
20 and 100 ms of fabric latency (benchmarks/walks.py), and the table again at a live fabric's
latency (high-latency). Prints a table (each figure with its target) and writes
var/bench/results.json.
"""

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from benchmarks.world import ROOT, bench_world


def machine() -> dict[str, str | int]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_table(results: list[dict]) -> None:
    width = max(len(row["figure"]) for row in results)
    print(f"\n{'figure'.ljust(width)}  {'value':>12}  target        met")
    print("-" * (width + 36))
    for row in results:
        value = row["value"]
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        met = {True: "yes", False: "NO", None: "-"}[row["met"]]
        print(f"{row['figure'].ljust(width)}  {shown:>12}  {row['target']:<12}  {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=60, help="timed requests per page type")
    parser.add_argument("--seconds", type=float, default=8, help="length of each throughput run")
    parser.add_argument("--threads", type=int, default=4, help="clients in throughput runs")
    parser.add_argument("--latency-ms", type=int, default=20, help="fabric latency for overhead")
    parser.add_argument(
        "--high-latency-ms",
        type=int,
        default=100,
        help="fabric latency of the high-latency section (the table at a live fabric's latency)",
    )
    parser.add_argument("--ledger", type=int, default=100_000, help="audit records to export")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "results.json")
    sections = (
        *("overhead", "peer", "throughput", "floor", "scale", "counts", "bytes", "exports"),
        *("walks", "high-latency", "bulk"),
    )
    parser.add_argument(
        "--sections",
        type=lambda text: text.split(","),
        default=list(sections),
        help=f"comma-separated, from: {','.join(sections)} (default: all)",
    )
    options = parser.parse_args()
    unknown = set(options.sections) - set(sections)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="console-bench-") as workdir,
        bench_world(Path(workdir)) as world,
    ):
        # Imported once bench_world has configured and set up Django for this process.
        from benchmarks import scenarios, walks

        # The bulk section moves end dates the radar reads, so the walks go before it.
        scenarios.SECTIONS["walks"] = walks.walks
        results = scenarios.run_all(world, options)
    print_table(results)
    report = {
        "machine": machine(),
        "cache": world.cache,
        "options": {k: str(v) for k, v in vars(options).items()},
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(report, indent=2))
    print(f"\nmachine: {report['machine']['cpu']}, {report['machine']['cores']} cores")
    print(f"shared cache: {world.cache}")
    print(f"written to {options.out} in {report['seconds']} s")


if __name__ == "__main__":
    main()
