"""py-spy attached to a running process (PY_SPY, or py-spy on PATH)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any


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


def summarize(prefix: str, groups: tuple[tuple[str, str], ...], steps: dict[str, str]) -> dict[str, Any]:
    """The busy samples of the collapsed stacks `prefix`.*, with the share of each group of the
    innermost frame (`groups`: label and a frame that marks it; the first match from the leaf up
    wins) and the inclusive share of each step (`steps`: label and a frame that marks it).
    Idle samples (the event loop waiting, a supervisor's pipe) are left out."""
    busy, by_group, by_step = 0, Counter[str](), Counter[str]()
    for path in Path(prefix).parent.glob(Path(prefix).name + ".*"):
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")
            leaf = frames[-1]
            if leaf.startswith(("Runner.run ", "run_forever ", "select (selectors")) or "multiprocessing/" in leaf:
                continue
            samples = int(count)
            busy += samples
            by_group[_group(frames, groups)] += samples
            for name, mark in steps.items():
                if any(mark in frame for frame in frames):
                    by_step[name] += samples

    def share(counter: Counter[str]) -> dict[str, float]:
        return {key: round(100 * value / max(busy, 1), 1) for key, value in counter.most_common()}

    return {"busy_samples": busy, "self_pct_by_package": share(by_group), "inclusive_pct": share(by_step)}


def _group(frames: list[str], groups: tuple[tuple[str, str], ...]) -> str:
    for frame in reversed(frames):
        label = next((name for name, mark in groups if mark in frame), "")
        if label:
            return label
    return "other"


def top_frames(path: str, *, top: int = 40, own: tuple[str, ...] = ("server/", "sync/")) -> dict[str, Any]:
    """The busy samples of one collapsed-stacks file, and the `top` functions by inclusive and by
    self share. A sample whose leaf is the event loop waiting is idle, unless a frame of `own`
    code is on its stack."""
    busy = 0
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].startswith(("Runner.run ", "run_forever ", "select (selectors", "_run_once (")) and not any(
            mark in frame for frame in frames for mark in own
        ):
            continue
        samples = int(count)
        busy += samples
        inclusive.update({frame: samples for frame in set(frames)})
        leaf[frames[-1]] += samples

    def share(counter: Counter[str]) -> dict[str, float]:
        return {name: round(100 * value / max(busy, 1), 1) for name, value in counter.most_common(top)}

    return {"busy_samples": busy, "inclusive_pct": share(inclusive), "self_pct": share(leaf)}
