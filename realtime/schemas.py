"""The wire protocol of `/ws` (docs/realtime.md): client frames, server control frames, close codes.

Every frame is one JSON text message. An event is the envelope published by
`server.core.events` and starts with `{"v":1,"id":`; a control frame never has `v` and always has
a `type` without a dot (`ready`, `subscribed`, …), while event types always have one
(`sale.created`). Client frames forbid unknown fields, like every API input.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

import msgspec

from server.core.presence import RegisterPresence

StreamId = Annotated[str, msgspec.Meta(pattern=r"^(0|[0-9]{1,20}-[0-9]{1,20})$", max_length=41)]
Token = Annotated[str, msgspec.Meta(max_length=4096)]
TopicList = Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=16)]


@dataclass(frozen=True, slots=True)
class CloseCode:
    """A WebSocket close code and its machine-readable reason."""

    code: int
    reason: str
    resumable: bool = False
    """Whether the client should reconnect and resume (as opposed to giving up or re-authenticating)."""


BAD_FRAME = CloseCode(4000, "bad_frame")
AUTH_TIMEOUT = CloseCode(4001, "auth_timeout")
TOKEN_MISSING = CloseCode(4002, "token_missing")
TOKEN_INVALID = CloseCode(4003, "token_invalid")
TOKEN_EXPIRED = CloseCode(4004, "token_expired")
WRONG_TENANT = CloseCode(4005, "wrong_tenant")
UNKNOWN_TENANT = CloseCode(4006, "unknown_tenant")
USER_INACTIVE = CloseCode(4007, "user_inactive")
SLOW = CloseCode(4008, "slow", resumable=True)
PING_TIMEOUT = CloseCode(4010, "ping_timeout", resumable=True)
ROLE_CHANGED = CloseCode(4011, "role_changed")
REGISTER_UNKNOWN = CloseCode(4012, "register_unknown")
TOO_BIG = CloseCode(1009, "too_big")
INTERNAL = CloseCode(1011, "internal_error", resumable=True)
RESTARTING = CloseCode(1012, "restarting", resumable=True)

CLOSE_CODES = (
    BAD_FRAME,
    AUTH_TIMEOUT,
    TOKEN_MISSING,
    TOKEN_INVALID,
    TOKEN_EXPIRED,
    WRONG_TENANT,
    UNKNOWN_TENANT,
    USER_INACTIVE,
    SLOW,
    PING_TIMEOUT,
    ROLE_CHANGED,
    REGISTER_UNKNOWN,
    TOO_BIG,
    INTERNAL,
    RESTARTING,
)


class Refused(Exception):
    """The connection must be closed with `close`."""

    def __init__(self, close: CloseCode, detail: str = "") -> None:
        super().__init__(detail or close.reason)
        self.close = close
        self.detail = detail or close.reason


# Client → server ---------------------------------------------------------------------------------


class ClientFrame(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Base of every frame a client may send."""


class Auth(ClientFrame, tag="auth"):
    """The first frame. `register_id` declares the POS register this socket serves (presence,
    and the alerts a cashier may see)."""

    token: Token = ""
    register_id: uuid.UUID | None = None


class Refresh(ClientFrame, tag="refresh"):
    token: Token


class Subscribe(ClientFrame, tag="subscribe"):
    """`since` maps a topic to the id of the last event the client has; the events after it are
    replayed before live ones. A topic without `since` starts live from `position`."""

    topics: TopicList
    since: dict[str, StreamId] = {}


class Unsubscribe(ClientFrame, tag="unsubscribe"):
    topics: TopicList


class Presence(ClientFrame, tag="presence"):
    """A POS register reports how many sales it holds unsynced."""

    queued_sales: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class Ping(ClientFrame, tag="ping"):
    pass


class Pong(ClientFrame, tag="pong"):
    pass


AnyClientFrame = Auth | Refresh | Subscribe | Unsubscribe | Presence | Ping | Pong
_client_decoder: msgspec.json.Decoder[AnyClientFrame] = msgspec.json.Decoder(AnyClientFrame)


def decode_client_frame(text: str | bytes) -> AnyClientFrame:
    """Raise `Refused(BAD_FRAME)` for anything that is not a well-formed client frame."""
    try:
        return _client_decoder.decode(text)
    except msgspec.DecodeError as exc:
        raise Refused(BAD_FRAME, str(exc)[:120]) from None


# Server → client ---------------------------------------------------------------------------------


class ServerFrame(msgspec.Struct, tag_field="type", omit_defaults=True, kw_only=True):
    """Base of every control frame the server sends (events are sent as published)."""


class Limits(msgspec.Struct, kw_only=True):
    queue_frames: int
    frame_bytes: int
    ping_seconds: float
    idle_seconds: float


class Ready(ServerFrame, tag="ready"):
    connection_id: str
    organization_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    topics: list[str]
    expires_at: int
    limits: Limits
    register_id: uuid.UUID | None = None


class Subscribed(ServerFrame, tag="subscribed"):
    """Sent before the topic's replayed events. `recovered: false` means the history no longer
    reaches back to `since`: reload over REST. `position` is the id the subscription is served
    from: store it as the topic's last id when you had none (or were not recovered)."""

    topic: str
    position: str
    recovered: bool = True


class Unsubscribed(ServerFrame, tag="unsubscribed"):
    topic: str


class Error(ServerFrame, tag="error"):
    code: str
    message: str
    topic: str | None = None


class TokenExpiring(ServerFrame, tag="token_expiring"):
    expires_at: int


class Refreshed(ServerFrame, tag="refreshed"):
    expires_at: int
    topics: list[str]


class Resume(ServerFrame, tag="resume"):
    """The server lost its live feed for a while: resubscribe these topics with `since`."""

    topics: list[str]


class PresenceSnapshot(ServerFrame, tag="presence"):
    """The state of every register, sent after `subscribed` for `registers`. Later
    `register.presence` events carry a `version`: apply one only if it is newer."""

    registers: list[RegisterPresence]


class ServerPing(ServerFrame, tag="ping"):
    pass


class ServerPong(ServerFrame, tag="pong"):
    pass


_server_encoder = msgspec.json.Encoder()


def encode(frame: ServerFrame) -> str:
    return _server_encoder.encode(frame).decode()


PING_TEXT = encode(ServerPing())
PONG_TEXT = encode(ServerPong())
