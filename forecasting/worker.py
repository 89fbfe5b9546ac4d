"""`orbit worker`: one process that runs forecasting jobs, one at a time.

The receiver runs in this process (no child processes), so killing the process kills the job
with it and its message is redelivered to another worker (`forecasting.jobs`). Messages are
acknowledged only once the task has finished and its result is saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from taskiq.acks import AcknowledgeType
from taskiq.api import run_receiver_task

from forecasting import model as forecasting_model
from forecasting.jobs import make_broker
from server.core.config import Settings
from server.core.context import Resources

logger = logging.getLogger("orbit.worker")

_resources: Resources | None = None


def current_resources() -> Resources:
    """The worker's database pool and Redis client (set while `run_worker` runs)."""
    if _resources is None:
        raise RuntimeError("forecasting tasks run only inside `orbit worker`")
    return _resources


async def run_worker(settings: Settings) -> None:
    """Listen for jobs until SIGINT or SIGTERM."""
    global _resources
    from server.app import close_resources, open_resources

    _resources = open_resources(settings)
    # The first run would otherwise pay the libraries' import (seconds) on top of its own work.
    await asyncio.to_thread(forecasting_model.load_libraries)
    broker = make_broker(settings)
    broker.is_worker_process = True
    await broker.startup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receiver = asyncio.create_task(
        run_receiver_task(broker, max_async_tasks=1, ack_time=AcknowledgeType.WHEN_SAVED, run_startup=False)
    )
    logger.info("worker listening for jobs")
    try:
        await asyncio.wait([receiver, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver
        await broker.shutdown()
        await close_resources(_resources)
        _resources = None
