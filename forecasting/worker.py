"""`orbit worker`: one process that runs the jobs of `forecasting.jobs` (forecasting runs and
report exports), one at a time.

The receiver runs in this process (no child processes), so killing the process kills the job
with it and its message is redelivered to another worker (`server.job_queue`). Messages are
acknowledged only once the task has finished and its result is saved. The worker opens the same
process-wide resources as the web application (`server.resources`), not the application.

A stop (SIGTERM, SIGINT) takes no new message and lets the job in progress finish for up to
`stop_seconds`. A job still running then is handed back: its message is put on the stream again
and the old delivery acknowledged in one transaction, so another worker takes it at once instead
of after the redelivery timeout, and the process exits at once, as if killed (a task cannot be
relied on to stop when cancelled: Taskiq's receiver swallows the cancellation, and a model being
fitted in a thread runs on). Its transaction dies with its connection; the run is idempotent and
resumes from its checkpoint, so a job handed back completes its run exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path
from typing import Any

from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver

from forecasting import model as forecasting_model
from forecasting.jobs import make_broker
from server.core.config import Settings
from server.core.heartbeat import keep_beating, stop_beating
from server.job_queue import ReclaimingStreamBroker, attach_resources, hand_back
from server.resources import close_resources, open_resources

logger = logging.getLogger("orbit.worker")


async def run_worker(settings: Settings, *, heartbeat: Path | None = None, stop_seconds: float = 30.0) -> None:
    """Run jobs until SIGINT or SIGTERM, then stop as the module says."""
    resources = open_resources(settings)
    beating = asyncio.create_task(keep_beating(heartbeat)) if heartbeat else None
    # The first run would otherwise pay the libraries' import (seconds) on top of its own work.
    await asyncio.to_thread(forecasting_model.load_libraries)
    broker = make_broker(settings)
    attach_resources(broker, resources)
    broker.is_worker_process = True
    await broker.startup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    receiver = Receiver(broker, max_async_tasks=1, run_startup=False, ack_type=AcknowledgeType.WHEN_SAVED)
    logger.info("worker listening for jobs")
    try:
        finished = await _receive(broker, receiver, stop, stop_seconds)
        if not finished:
            handed = await hand_back(broker)
            logger.warning(
                "the job in progress did not finish in %.0f s: handed %d back; exiting", stop_seconds, handed
            )
            if heartbeat is not None:
                stop_beating(heartbeat)
            logging.shutdown()
            os._exit(0)  # the job's thread would keep the process alive; its work is handed back
    finally:
        try:
            handed = await hand_back(broker)
            if handed:
                logger.warning("handed %d unfinished job(s) back to the queue", handed)
        finally:
            if beating is not None:
                beating.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beating
            await broker.shutdown()
            attach_resources(broker, None)
            await close_resources(resources)


async def _receive(
    broker: ReclaimingStreamBroker, receiver: Receiver, stop: asyncio.Event, stop_seconds: float
) -> bool:
    """Take one message at a time until `stop`; on `stop`, give the job in progress
    `stop_seconds` to finish, then cancel it (`run_worker` hands back what is unacknowledged)."""
    messages = broker.listen()
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            fetch: asyncio.Task[Any] = asyncio.create_task(anext(messages))
            await asyncio.wait([fetch, stopping], return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await fetch
                return True
            message = fetch.result()
            if stop.is_set():
                return True  # not started: handed back with the rest
            job = asyncio.create_task(receiver.callback(message=message, raise_err=False))
            await asyncio.wait([job, stopping], return_when=asyncio.FIRST_COMPLETED)
            if job.done():
                job.result()
                continue
            logger.info("stopping: the job in progress may finish for %.0f s", stop_seconds)
            done, _ = await asyncio.wait([job], timeout=stop_seconds)
            return bool(done)
        return True
    finally:
        stopping.cancel()
        with contextlib.suppress(Exception):
            await messages.aclose()
