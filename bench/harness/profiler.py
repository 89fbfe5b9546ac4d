"""py-spy attached to a running process (PY_SPY, or py-spy on PATH)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess


def py_spy() -> str:
    found = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not found:
        raise SystemExit("--profile needs py-spy (on PATH or PY_SPY)")
    return found


def record(pid: int, output: str, *, duration: float | None = None, gil: bool = False) -> subprocess.Popen[bytes]:
    """Sample `pid` at 100 Hz into `output` (collapsed stacks), for `duration` seconds or until
    `stop`; `gil`: only samples holding the GIL."""
    command = [py_spy(), "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nonblocking"]
    if duration is not None:
        command += ["--duration", str(int(duration))]
    if gil:
        command.append("--gil")
    return subprocess.Popen([*command, "--output", output], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(spy: subprocess.Popen[bytes]) -> None:
    """Stop a recording; py-spy writes its output on SIGINT."""
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(30)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait()
