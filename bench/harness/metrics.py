"""Server-side time, read from the server's own `/metrics` (the request-duration histogram)."""

from __future__ import annotations

import re
from typing import Any

METRIC_LINE = re.compile(r"^orbit_http_request_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.e+-]+)$")


async def server_time(client: Any, route: str) -> tuple[float, int]:
    """(seconds, requests) the server has spent on `route` since it started (every method).
    `client`: an httpx client on the server. Take it before and after a phase and subtract."""
    text = (await client.get("/metrics")).text
    total, count = 0.0, 0
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if match and f'route="{route}"' in match.group(2):
            if match.group(1) == "sum":
                total += float(match.group(3))
            else:
                count += int(float(match.group(3)))
    return total, count
