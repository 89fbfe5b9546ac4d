"""A phase's figures as every benchmark prints them: CPU per party, and latency percentiles."""

from __future__ import annotations

import os
import statistics
from typing import Any

from bench.harness.machine import CpuUse, percentile


def cpu_figures(use: CpuUse) -> dict[str, Any]:
    """A phase's CPU per party, in seconds and in cores: the server's processes (when one ran),
    the PostgreSQL backends of the bench database, the bench client itself, the whole machine,
    and the others (whatever else ran on it)."""
    seconds = {"postgres_backends": use.postgres, "bench_client": use.client}
    if use.server is not None:
        seconds = {"server": use.server, **seconds}
    cores = {name: round(use.cores(value), 2) for name, value in seconds.items()}
    machine_busy = round(use.machine_share * (os.cpu_count() or 1), 2)
    result: dict[str, Any] = {
        "cpu_s": {name: round(value, 2) for name, value in seconds.items()},
        "cores": {**cores, "machine_busy": machine_busy, "others": round(machine_busy - sum(cores.values()), 2)},
        "machine_busy_pct": round(100 * use.machine_share, 1),
        "load_average_before": use.load_before,
        "load_average_after": use.load_after,
    }
    if use.server is not None:
        result["cpu_s"]["server_user"] = round(use.server_user, 2)
        result["cpu_s"]["server_system"] = round(use.server_system, 2)
    return result


def latency_figures(values: list[float]) -> dict[str, float]:
    """p50, p99, mean, min and max of `values` (seconds), in milliseconds."""
    return {
        "p50_ms": round(1000 * percentile(values, 0.50), 1),
        "p99_ms": round(1000 * percentile(values, 0.99), 1),
        "mean_ms": round(1000 * statistics.fmean(values), 1),
        "min_ms": round(1000 * min(values), 1),
        "max_ms": round(1000 * max(values), 1),
    }
