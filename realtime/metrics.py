"""The realtime counters of this process, exposed on /metrics.

Each hub counts into its own `Stats`; the collector, installed once when the first hub starts,
sums the hubs that are running (one in production, several in tests).
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from dataclasses import dataclass, field
from typing import Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from realtime.schemas import CloseCode
from server.core.metrics import REGISTRY


@dataclass
class Stats:
    """Counters of one hub."""

    events: int = 0
    deliveries: int = 0
    coalesced: int = 0
    feed_reconnects: int = 0
    closes: dict[str, int] = field(default_factory=dict)

    def count_close(self, close: CloseCode) -> None:
        self.closes[close.reason] = self.closes.get(close.reason, 0) + 1


class MeasuredHub(Protocol):
    """What the collector reads of a hub."""

    @property
    def connections(self) -> Sized: ...

    @property
    def tenants(self) -> Sized: ...

    @property
    def stats(self) -> Stats: ...


_HUBS: list[MeasuredHub] = []

COUNTERS = (
    ("orbit_realtime_events", "events", "Events received from Redis."),
    ("orbit_realtime_deliveries", "deliveries", "Events handed to local sockets."),
    ("orbit_realtime_coalesced", "coalesced", "Queued stock events replaced by a newer one."),
    ("orbit_realtime_feed_reconnects", "feed_reconnects", "Reconnections of the Redis subscriber."),
)
"""Metric name, `Stats` attribute and help text of each counter summed over the hubs."""


class RealtimeCollector:
    """A Prometheus collector that reads the running hubs at each scrape."""

    def collect(self) -> Iterator[Metric]:
        sockets = GaugeMetricFamily("orbit_realtime_sockets", "Authenticated WebSockets of this process.")
        sockets.add_metric([], sum(len(hub.connections) for hub in _HUBS))
        yield sockets
        tenants = GaugeMetricFamily("orbit_realtime_tenants", "Tenant channels this process is subscribed to.")
        tenants.add_metric([], sum(len(hub.tenants) for hub in _HUBS))
        yield tenants
        for name, attribute, text in COUNTERS:
            counter = CounterMetricFamily(name, text)
            counter.add_metric([], sum(getattr(hub.stats, attribute) for hub in _HUBS))
            yield counter
        closes = CounterMetricFamily(
            "orbit_realtime_closes", "Sockets closed by the server, by reason.", labels=["reason"]
        )
        reasons: dict[str, int] = {}
        for hub in _HUBS:
            for reason, count in hub.stats.closes.items():
                reasons[reason] = reasons.get(reason, 0) + count
        for reason, count in sorted(reasons.items()):
            closes.add_metric([reason], count)
        yield closes


_collector_installed = False


def register_hub(hub: MeasuredHub) -> None:
    """Count a started hub in the metrics (installs the collector the first time)."""
    global _collector_installed
    _HUBS.append(hub)
    if not _collector_installed:
        REGISTRY.register(RealtimeCollector())
        _collector_installed = True


def unregister_hub(hub: MeasuredHub) -> None:
    if hub in _HUBS:
        _HUBS.remove(hub)
