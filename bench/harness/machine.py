"""CPU and memory accounting from /proc (Linux), and the statistics every benchmark prints."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat from "state" (field 3) on; None if the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def process_cpu(pid: int, *, children: bool = False) -> float | None:
    """CPU seconds (user + system) of a live process, plus its reaped children's if asked; None
    if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLK_TCK


def process_cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a live process, zeros if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0, 0.0
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def all_processes() -> list[tuple[int, int, str]]:
    """(pid, ppid, comm) of every process."""
    rows = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rows.append((int(entry), int(raw[raw.rindex(")") + 2 :].split()[1]), comm))
    return rows


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its live descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in all_processes():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += process_cpu(pid) or 0.0
        stack.extend(children.get(pid, []))
    return total


def database_backends(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (found by its process title,
    `postgres: … user database host(port) state`)."""
    marker = f" {database} ".encode()
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            title = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres:") and marker in title:
            found[int(entry)] = process_cpu(int(entry)) or 0.0
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def idle_machine_busy(seconds: float = 1.0) -> float:
    """Share of the machine (%) busy over `seconds` while the benchmark itself does nothing."""
    busy0, total0 = machine_cpu()
    time.sleep(seconds)
    busy1, total1 = machine_cpu()
    return round(100 * (busy1 - busy0) / max(total1 - total0, 1e-9), 1)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def raise_file_limit() -> int:
    """Raise this process's open-file limit to the hard limit; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0–1) of `values`, nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
