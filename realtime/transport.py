"""Writing the same frame bytes to many sockets.

A server→client WebSocket frame is not masked, so an event's frame (header + payload) is the
same bytes for every socket that receives it. `FrameWebSocketProtocol` is uvicorn's WebSocket
protocol plus one ASGI extension, `orbit.websocket.frames`, through which the hub writes those
bytes straight to the socket's transport: the frame is built once per event, several queued
frames of a socket leave in one write, and no per-message ASGI `send` (one frame build and one
write per socket and event) runs at all.

Invariants:
- The extension is offered only for plain text frames: a socket that negotiated
  permessage-deflate compresses each message with its own state, so it gets no sink and goes
  through ASGI `send` (`orbit serve` does not negotiate compression).
- Only whole, unfragmented data frames are written, and only after the handshake and before the
  close frame; uvicorn's own writes (pings, pongs, the close frame) are whole frames too, so
  frames never interleave.
- Flow control is the transport's: `writable()` is false while the transport's buffer is over
  its high-water mark, and the sink calls back once it drained. The hub queues meanwhile (its
  queue is bounded: a socket that stays unwritable is closed as slow).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

FRAMES_EXTENSION = "orbit.websocket.frames"
"""The ASGI scope extension: `{"sink": FrameSink}`."""

_TEXT_FIN = 0x81


def text_frame(payload: bytes) -> bytes:
    """One final, unmasked text frame carrying `payload` (UTF-8), as a server sends it."""
    length = len(payload)
    if length < 126:
        return bytes((_TEXT_FIN, length)) + payload
    if length < 65536:
        return struct.pack("!BBH", _TEXT_FIN, 126, length) + payload
    return struct.pack("!BBQ", _TEXT_FIN, 127, length) + payload


class FrameSink:
    """A socket's transport, for ready-made frames."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: FrameWebSocketProtocol) -> None:
        self._protocol = protocol

    def writable(self) -> bool:
        """Whether a write now goes out without growing the transport's buffer past its mark."""
        return self._protocol.writable.is_set()

    def write(self, frames: bytes) -> bool:
        """Write whole frames; False when the socket is closing or gone (nothing is written)."""
        protocol = self._protocol
        if protocol.close_sent or protocol.disconnected or protocol.transport.is_closing():
            return False
        protocol.transport.write(frames)
        return True

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` (once) when the transport has drained below its low-water mark."""
        self._protocol.drained_callback = callback


class FrameWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, offering a `FrameSink` in the ASGI scope
    (`uvicorn --ws realtime.transport:FrameWebSocketProtocol`)."""

    drained_callback: Callable[[], None] | None = None

    async def run_asgi(self) -> None:
        if not self.conn.extensions:
            extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
            extensions[FRAMES_EXTENSION] = {"sink": FrameSink(self)}
        await super().run_asgi()

    def resume_writing(self) -> None:
        super().resume_writing()
        callback, self.drained_callback = self.drained_callback, None
        if callback is not None:
            callback()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        callback, self.drained_callback = self.drained_callback, None
        if callback is not None:
            callback()


def frame_sink(scope: Any) -> FrameSink | None:
    """The socket's sink, when the server offers one (see the module's invariants)."""
    extension = scope.get("extensions", {}).get(FRAMES_EXTENSION) if isinstance(scope, dict) else None
    return extension.get("sink") if extension else None
