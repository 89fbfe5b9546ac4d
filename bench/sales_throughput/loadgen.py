"""The sales benchmark's load generator, a process of its own (`loadgen.py CONFIG.json`, started
by `run.py`): `clients` tills, each on one keep-alive HTTP/1.1 connection, ringing sales on
their own registers, every sale with its own Idempotency-Key. It prints `MEASURE` when the
measured window opens, `DONE` when it closes, then `RESULT {json}`."""

from __future__ import annotations

import asyncio
import json
import random
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    length = int(match.group(1)) if match else 0
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _loadgen(config: dict[str, Any]) -> dict[str, Any]:
    """`clients` tills ringing sales on keep-alive connections; only answers received inside the
    measured window count. One function on purpose (just over 80 lines): its tills are closures
    over the window's bounds and counters, which pieces would have to share as state."""
    host, port = config["host"], config["port"]
    clients = config["clients"]
    warmup, duration = config["warmup"], config["duration"]
    products: list[tuple[str, int]] = [tuple(p) for p in config["products"]]  # index n -> (id, price)
    hot = config["hot"]
    registers: list[str] = config["registers"]
    tag = config["tag"]
    third = (len(products) - 1) // 3
    header = (
        f"POST {config['path']} HTTP/1.1\r\nHost: {config['host_header']}\r\n"
        f"Authorization: Bearer {config['token']}\r\nContent-Type: application/json\r\n"
        "User-Agent: orbit-bench\r\n"
    )

    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + warmup
    measure_to = measure_from + duration
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    samples: list[bytes] = []

    def sale_body(client: int, rng: random.Random) -> bytes:
        if hot:
            picks = [0, 0, 0]
        else:
            picks = [rng.randint(1, third), third + rng.randint(1, third), 2 * third + rng.randint(1, third)]
        lines = [{"product_id": products[n][0], "quantity": 1} for n in picks]
        total = sum(products[n][1] for n in picks)
        paid = (total + 999) // 1000 * 1000
        return json.dumps(
            {"register_id": registers[client], "lines": lines, "payments": [{"method": "cash", "amount": paid}]},
            separators=(",", ":"),
        ).encode()

    async def client(index: int) -> None:
        rng = random.Random(f"{tag}-{index}")
        reader, writer = await asyncio.open_connection(host, port)
        number = 0
        try:
            while loop.time() < measure_to:
                number += 1
                body = sale_body(index, rng)
                request = (
                    f"{header}Idempotency-Key: {tag}-{index}-{number}\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                sent = time.perf_counter()
                try:
                    writer.write(request)
                    status, answer = await _read_response(reader)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    errors[type(exc).__name__] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                done = time.perf_counter()
                now = loop.time()
                if measure_from <= now < measure_to:
                    statuses[status] += 1
                    if status == 201:
                        latencies.append(done - sent)
                    elif len(samples) < 5:
                        samples.append(answer[:300])
        finally:
            writer.close()

    tasks = [asyncio.create_task(client(index)) for index in range(clients)]
    await asyncio.sleep(max(0.0, measure_from - loop.time()))
    cpu_from = resource.getrusage(resource.RUSAGE_SELF)
    print("MEASURE", flush=True)
    await asyncio.sleep(max(0.0, measure_to - loop.time()))
    cpu_to = resource.getrusage(resource.RUSAGE_SELF)
    print("DONE", flush=True)
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu = (cpu_to.ru_utime - cpu_from.ru_utime) + (cpu_to.ru_stime - cpu_from.ru_stime)
    return {
        "latencies": latencies,
        "statuses": dict(statuses),
        "errors": dict(errors),
        "error_samples": [sample.decode(errors="replace") for sample in samples],
        "loadgen_cores": cpu / duration,
    }


def loadgen_main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(_loadgen(config))
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    loadgen_main(sys.argv[1])
