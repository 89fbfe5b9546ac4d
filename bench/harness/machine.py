"""CPU and memory accounting from /proc (Linux), and the statistics every benchmark prints."""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds each party used over a window of `elapsed` seconds."""

    elapsed: float
    server: float | None
    """The server's process tree (None: no server in this window)."""
    server_user: float
    server_system: float
    """The server's main process only, user and system."""
    postgres: float
    """The PostgreSQL backends of the benchmark's database."""
    client: float
    """This process (the benchmark's own client work)."""
    machine_busy: float
    """All cores of the machine, whoever used them."""
    machine_share: float
    """The machine's busy share (0–1) over the window."""
    load_before: list[float]
    load_after: list[float]

    def cores(self, seconds: float) -> float:
        """`seconds` of CPU over the window, as a number of cores kept busy."""
        return seconds / max(self.elapsed, 1e-9)


class CpuWindow:
    """CPU used by each party between `start()` and `stop()`: the server's processes, the
    PostgreSQL backends of the benchmark's database (polled, so backends that come and go within
    the window count too; other databases on a shared server don't), this process, and the whole
    machine (which shows how much other work was competing)."""

    def __init__(self, database: str, server_pid: int | None) -> None:
        self.database = database
        self.server_pid = server_pid
        self.started = 0.0
        self.marks: dict[str, float] = {}
        self.load_before: list[float] = []
        self.backends: dict[int, tuple[float, float]] = {}  # pid -> (CPU at first sight, latest CPU)
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    def _poll_backends(self, initial: bool = False) -> None:
        for pid, cpu in database_backends(self.database).items():
            first = self.backends.get(pid, (cpu if initial else 0.0, cpu))[0]
            self.backends[pid] = (first, cpu)

    def _poll(self) -> None:
        while not self._stop.wait(0.2):
            self._poll_backends()

    def _sample(self) -> dict[str, float]:
        busy, total = machine_cpu()
        client = resource.getrusage(resource.RUSAGE_SELF)
        sample = {"machine_busy": busy, "machine_total": total, "client": client.ru_utime + client.ru_stime}
        if self.server_pid is not None:
            sample["server"] = tree_cpu(self.server_pid)
            sample["server_user"], sample["server_system"] = process_cpu_split(self.server_pid)
        return sample

    def start(self) -> None:
        self.load_before = load_average()
        self.marks = self._sample()
        self._poll_backends(initial=True)
        self._poller = threading.Thread(target=self._poll, daemon=True)
        self._poller.start()
        self.started = time.perf_counter()

    def stop(self) -> CpuUse:
        elapsed = time.perf_counter() - self.started
        end = self._sample()
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
        self._poll_backends()
        delta = {key: end[key] - self.marks[key] for key in end}
        return CpuUse(
            elapsed=elapsed,
            server=delta.get("server"),
            server_user=delta.get("server_user", 0.0),
            server_system=delta.get("server_system", 0.0),
            postgres=sum(last - first for first, last in self.backends.values()),
            client=delta["client"],
            machine_busy=delta["machine_busy"],
            machine_share=delta["machine_busy"] / max(delta["machine_total"], 1e-9),
            load_before=self.load_before,
            load_after=load_average(),
        )
