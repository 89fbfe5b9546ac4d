"""The fan-out benchmark's clients: a few processes holding the sockets, each recording the
publish→receive latency of every event it gets (used by bench/ws_fanout/run.py and bench/proxy).

Every target is measured with the same client code, `BenchSocket`: a bare WebSocket client that
reads frames in place, so that thousands of client sockets take as little of the machine as they
can. The parent talks to each client process through a pipe: it first sends back how its sockets
connected, then answers `report` with the latencies recorded since the last report (per step) and
`close` by closing its sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import multiprocessing
import os
import re
import time
from array import array
from multiprocessing.connection import Connection as Pipe
from multiprocessing.process import BaseProcess
from typing import Any, cast

from bench.harness.machine import raise_file_limit
from bench.harness.server import BASE_DOMAIN

Client = tuple[BaseProcess, Pipe]
"""A client process and the parent's end of its pipe."""


class Recorder:
    """Latencies (ms) per step, for the events this process received."""

    def __init__(self) -> None:
        self.latencies: dict[int, array[float]] = {}

    def record(self, step: int, published_at: float) -> None:
        samples = self.latencies.get(step)
        if samples is None:
            samples = self.latencies[step] = array("f")
        samples.append((time.time() - published_at) * 1000)


STAMP = re.compile(rb'"step":(\d+),"seq":\d+,"ts":([0-9.]+)')
"""The end of every benchmark event's data, in both targets' frames."""


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked client frame (payloads here are small control messages)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = bytes((0x80 | opcode, 0x80 | length))
    else:
        head = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    key = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
    return head + mask + masked


class BenchSocket(asyncio.Protocol):
    """One benchmark client socket, the same code for both targets: a bare WebSocket client on
    the event loop's transport that reads server frames in place and, for an event, only the
    publish time at the end of its data. Both targets' protocol chatter (our auth, subscribe and
    pings; Engine.IO's open, connect and pings) is answered with the fewest steps possible, so
    that 5,000 sockets cost the machine as little as they can."""

    def __init__(self, target: str, host: str, path: str, tenant: dict[str, str], recorder: Recorder) -> None:
        self.target = target
        self.tenant = tenant
        self.recorder = recorder
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a TCP connection's transport
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"connection lost: {exc!r}"))

    def send_text(self, text: str) -> None:
        assert self.transport is not None
        self.transport.write(client_frame(0x1, text.encode()))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        if buffer:  # the rest of a frame that came in pieces
            buffer += data
            data = bytes(buffer)
            buffer.clear()
        if not self.upgraded:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                buffer += data
                return
            if not data.startswith(b"HTTP/1.1 101"):
                self.fail(data[:200].decode("latin-1"))
                return
            self.upgraded = True
            data = data[end + 4 :]
            if self.target == "orbit":
                self.send_text(json.dumps({"type": "auth", "token": self.tenant["token"]}))
        offset, size = 0, len(data)
        while size - offset >= 2:
            opcode, length = data[offset] & 0x0F, data[offset + 1] & 0x7F
            start = offset + 2
            if length >= 126:
                width = 2 if length == 126 else 8
                if size - start < width:
                    break
                length, start = int.from_bytes(data[start : start + width], "big"), start + width
            if start + length > size:
                break
            payload = data[start : start + length]
            offset = start + length
            if opcode == 0x1:
                self.on_text(payload)
            elif opcode == 0x9:
                assert self.transport is not None
                self.transport.write(client_frame(0xA, payload))
            elif opcode == 0x8:
                self.fail(f"closed by the server: {payload!r}")
        if offset < size:
            buffer += data[offset:]

    def on_text(self, payload: bytes) -> None:
        stamp = STAMP.search(payload, max(0, len(payload) - 96))
        if stamp is not None:
            self.recorder.record(int(stamp[1]), float(stamp[2]))
        elif self.target == "orbit":
            frame = json.loads(payload)
            kind = frame.get("type")
            if kind == "ready":
                self.send_text('{"type":"subscribe","topics":["sales"]}')
            elif kind == "subscribed" and not self.ready.done():
                self.ready.set_result(None)
            elif kind == "ping":
                self.send_text('{"type":"pong"}')
            elif kind == "error":
                self.fail(payload.decode())
        elif payload == b"2":
            self.send_text("3")
        elif payload.startswith(b"0{"):
            self.send_text("40" + json.dumps({"tenant": self.tenant["subdomain"]}))
        elif payload.startswith(b"40") and not self.ready.done():
            self.ready.set_result(None)
        elif payload.startswith(b"44"):
            self.fail(payload.decode())

    def fail(self, reason: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(reason))
        if self.transport is not None:
            self.transport.close()

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_socket(spec: dict[str, Any], tenant: dict[str, str], recorder: Recorder) -> BenchSocket:
    if spec["target"] == "orbit":
        host, path = f"{tenant['subdomain']}.{BASE_DOMAIN}:{spec['port']}", "/ws"
    else:
        host, path = f"127.0.0.1:{spec['port']}", "/socket.io/?EIO=4&transport=websocket"
    loop = asyncio.get_running_loop()
    bench_socket = BenchSocket(spec["target"], host, path, tenant, recorder)
    await loop.create_connection(lambda: bench_socket, "127.0.0.1", spec["port"])
    try:
        await asyncio.wait_for(asyncio.shield(bench_socket.ready), 120)
    except BaseException:
        await bench_socket.close()
        raise
    return bench_socket


async def client_main_async(pipe: Pipe, spec: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    recorder = Recorder()
    gate = asyncio.Semaphore(spec["connect_concurrency"])
    sockets: list[Any] = []
    failures: list[str] = []

    async def open_one(tenant: dict[str, str]) -> None:
        async with gate:
            try:
                sockets.append(await open_socket(spec, tenant, recorder))
            except Exception as exc:
                failures.append(repr(exc)[:200])

    started = time.monotonic()
    await asyncio.gather(*(open_one(tenant) for tenant in spec["tenants"]))
    # The sockets live for the whole run: keep the collector from walking them again and again
    # (a full collection over a few thousand connections stalls the process for a while).
    gc.collect()
    gc.freeze()
    pipe.send(
        {
            "connected": len(sockets),
            "failures": failures[:5],
            "failed": len(failures),
            "seconds": time.monotonic() - started,
        }
    )
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command == "report":
            pipe.send({step: samples.tobytes() for step, samples in recorder.latencies.items()})
            recorder.latencies = {}
        elif command == "close":
            await asyncio.gather(*(item.close() for item in sockets), return_exceptions=True)
            pipe.send("closed")
            return


def client_main(pipe: Pipe, spec: dict[str, Any]) -> None:
    raise_file_limit()
    import uvloop

    uvloop.run(client_main_async(pipe, spec))


async def connect_clients(
    target: str, args: argparse.Namespace, tenants: list[dict[str, str]], port: int
) -> tuple[list[Client], dict[str, Any]]:
    """`args.sockets` sockets spread over the tenants and the client processes; the processes,
    and how the connecting went."""
    context = multiprocessing.get_context("spawn")
    assignments: list[list[dict[str, str]]] = [[] for _ in range(args.client_processes)]
    for index in range(args.sockets):
        assignments[index % args.client_processes].append(tenants[index % len(tenants)])
    started = time.monotonic()
    clients: list[Client] = []
    for assigned in assignments:
        parent_end, child_end = context.Pipe()
        spec = {"target": target, "port": port, "tenants": assigned, "connect_concurrency": args.connect_concurrency}
        process = context.Process(target=client_main, args=(child_end, spec), daemon=True)
        process.start()
        clients.append((process, parent_end))
    connected = [await asyncio.to_thread(pipe.recv) for _, pipe in clients]
    return clients, {
        "connect_seconds": round(time.monotonic() - started, 1),
        "connected": sum(item["connected"] for item in connected),
        "connect_failures": [failure for item in connected for failure in item["failures"]][:5],
    }


async def close_clients(clients: list[Client]) -> None:
    """Ask every client process to close its sockets and exit; kill the ones that don't."""
    for process, pipe in clients:
        with contextlib.suppress(Exception):
            pipe.send("close")
            await asyncio.wait_for(asyncio.to_thread(pipe.recv), 30)
        process.join(5)
        if process.is_alive():
            process.kill()
