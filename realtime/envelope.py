"""Events as the hub handles them: the published bytes, decoded once, with what routing needs.

`server.core.events` publishes `{"v":1,"id":"<stream id>","topic":"…","type":"…","at":…,"data":…}`
and the stream stores the same envelope without its head, so a live message and a replayed entry
are the same bytes. The id, topic and type are read from the head without decoding the JSON;
anything that does not look like that falls back to a full decode.
"""

from __future__ import annotations

from typing import Any

import msgspec

from realtime.transport import text_frame
from server.core.events import ENVELOPE_HEAD, envelope

_TOPIC_KEY = b'","topic":"'
_TYPE_KEY = b'","type":"'


def stream_key_of(stream_id: str) -> tuple[int, int]:
    """The order of stream ids: `"1712-3"` → (1712, 3); `"0"` → (0, 0)."""
    milliseconds, _, sequence = stream_id.partition("-")
    return int(milliseconds), int(sequence or 0)


class _Head(msgspec.Struct):
    id: str
    topic: str
    type: str


class _RegisterData(msgspec.Struct):
    register_id: str | None = None


class _Registered(msgspec.Struct):
    data: _RegisterData | None = None


class _StockItem(msgspec.Struct):
    product_id: str


class _StockData(msgspec.Struct):
    products: list[_StockItem] = []


class _StockChanged(msgspec.Struct):
    data: _StockData | None = None


_head_decoder = msgspec.json.Decoder(_Head)
_registered_decoder = msgspec.json.Decoder(_Registered)
_stock_decoder = msgspec.json.Decoder(_StockChanged)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


class Event:
    """One published event. Its WebSocket frame (or text and ASGI message, for sockets without a
    frame sink) is made once and the same object goes to every socket."""

    __slots__ = (
        "_frame",
        "_message",
        "_products",
        "_register_id",
        "_register_read",
        "_text",
        "id",
        "order",
        "raw",
        "topic",
        "type",
    )

    def __init__(self, raw: bytes, stream_id: str, topic: str, event_type: str) -> None:
        self.raw = raw
        self.id = stream_id
        self.order = stream_key_of(stream_id)
        self.topic = topic
        self.type = event_type
        self._text: str | None = None
        self._frame: bytes | None = None
        self._message: dict[str, str] | None = None
        self._register_id: str | None = None
        self._register_read = False
        self._products: frozenset[str] | None = None

    @classmethod
    def parse(cls, raw: bytes) -> Event:
        """Read an envelope as published; raises ValueError when it is not one."""
        head = len(ENVELOPE_HEAD)
        if raw.startswith(ENVELOPE_HEAD):
            id_end = raw.find(b'"', head)
            if raw.startswith(_TOPIC_KEY, id_end):
                topic_start = id_end + len(_TOPIC_KEY)
                topic_end = raw.find(b'"', topic_start)
                if raw.startswith(_TYPE_KEY, topic_end):
                    type_start = topic_end + len(_TYPE_KEY)
                    type_end = raw.find(b'"', type_start)
                    if type_end > 0 and b"\\" not in raw[head:type_end]:
                        return cls(
                            raw,
                            raw[head:id_end].decode(),
                            raw[topic_start:topic_end].decode(),
                            raw[type_start:type_end].decode(),
                        )
        try:
            decoded = _head_decoder.decode(raw)
        except msgspec.DecodeError as exc:
            raise ValueError("not an event envelope") from exc
        return cls(raw, decoded.id, decoded.topic, decoded.type)

    @classmethod
    def from_entry(cls, stream_id: bytes | str, tail: bytes) -> Event:
        """An entry read back from a topic's stream."""
        return cls.parse(envelope(stream_id, tail))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.raw.decode()
        return self._text

    @property
    def frame(self) -> bytes:
        """The text frame a server sends with this event (unmasked, so the same for every socket)."""
        if self._frame is None:
            self._frame = text_frame(self.raw)
        return self._frame

    @property
    def message(self) -> dict[str, str]:
        """The ASGI `websocket.send` message, built once and handed to every socket (read-only)."""
        if self._message is None:
            self._message = {"type": "websocket.send", "text": self.text}
        return self._message

    @property
    def register_id(self) -> str | None:
        """`data.register_id`, when the event concerns one register."""
        if not self._register_read:
            try:
                data = _registered_decoder.decode(self.raw).data
            except msgspec.DecodeError:
                data = None
            self._register_id = data.register_id if data else None
            self._register_read = True
        return self._register_id

    @property
    def products(self) -> frozenset[str]:
        """The products a `stock.changed` event reports (for coalescing)."""
        if self._products is None:
            try:
                data = _stock_decoder.decode(self.raw).data
            except msgspec.DecodeError:
                data = None
            self._products = frozenset(item.product_id for item in data.products) if data else frozenset()
        return self._products

    def capped(self, max_bytes: int) -> Event:
        """This event, or when larger than `max_bytes` a stub with the same id and no data
        (`"truncated":true`): the client keeps its place and reloads that entity over REST."""
        if len(self.raw) <= max_bytes:
            return self
        decoded: dict[str, Any] = _any_decoder.decode(self.raw)
        stub = {"topic": self.topic, "type": self.type, "at": decoded.get("at"), "data": None, "truncated": True}
        tail = _encoder.encode(stub)[1:]
        return Event(envelope(self.id, tail), self.id, self.topic, self.type)
