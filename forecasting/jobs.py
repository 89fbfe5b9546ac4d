"""The jobs `orbit worker` runs, by name, and the broker that has them registered.

Services enqueue these jobs by name through `server.job_queue` (`RUN_FORECAST` from
`forecasting.runs`, `RUN_REPORT_EXPORT` from `server.documents.exports`); only the worker
imports this module, so what a job runs is never imported by what enqueues it. Every handler is
idempotent: delivery is at least once (`server.job_queue`).
"""

from __future__ import annotations

from collections.abc import Mapping

from forecasting.execution import execute_run
from forecasting.runs import RUN_FORECAST
from server.core.config import Settings
from server.documents.exports import RUN_REPORT_EXPORT, execute_export
from server.job_queue import JobHandler, ReclaimingStreamBroker, register_jobs
from server.job_queue import make_broker as make_queue_broker

JOBS: Mapping[str, JobHandler] = {
    RUN_FORECAST: execute_run,
    RUN_REPORT_EXPORT: execute_export,  # a report's CSV export, run by the same workers
}


def make_broker(settings: Settings, *, consumer_name: str | None = None) -> ReclaimingStreamBroker:
    """The job stream's broker with every job of `JOBS` registered (what a worker listens with;
    its jobs run with the resources `server.job_queue.attach_resources` gives it)."""
    broker = make_queue_broker(settings, consumer_name=consumer_name)
    register_jobs(broker, JOBS)
    return broker
