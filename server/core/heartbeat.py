"""A process's sign of life for container health checks: a file touched on a timer.

The worker and the scheduler serve no HTTP, so their health check (`orbit healthcheck
--heartbeat FILE --max-age S`) asks whether the file was touched recently. The file is touched
from the process's event loop, so a loop that is stuck (not merely busy in a thread) stops the
beat and the container is reported unhealthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

BEAT_SECONDS = 10.0


def beat(path: Path) -> None:
    """Touch `path` now (creating it and its folder when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


async def keep_beating(path: Path, interval: float = BEAT_SECONDS) -> None:
    """Touch `path` every `interval` seconds until cancelled; the file is removed on the way out,
    so a stopped process is not taken for a live one."""
    try:
        while True:
            await asyncio.to_thread(beat, path)
            await asyncio.sleep(interval)
    finally:
        stop_beating(path)


def stop_beating(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since `path` was last touched, or None when it does not exist."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - modified)
