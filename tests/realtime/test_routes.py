"""The `/ws` edge: the first frame, the documented close codes, refresh and cut-offs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import types
import uuid
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from realtime.client import RealtimeClient
from realtime.connection import RealtimeConfig
from realtime.schemas import (
    AUTH_TIMEOUT,
    BAD_FRAME,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOO_BIG,
    UNKNOWN_TENANT,
    USER_INACTIVE,
    WRONG_TENANT,
)
from server.core.events import publish
from tests.conftest import Api, TenantSession
from tests.realtime.conftest import RunningServer, eventually, hub_config, token_for


async def closed_with(
    server: RunningServer, subdomain: str, *frames: str, within: float = 10
) -> tuple[int, str, list[str]]:
    """Send raw frames and return the close code, reason and whatever was received before."""
    received: list[str] = []
    async with connect(server.url(subdomain), host="127.0.0.1", port=server.port) as websocket:
        for frame in frames:
            await websocket.send(frame)
        try:
            async with asyncio.timeout(within):
                async for message in websocket:
                    received.append(str(message))
        except ConnectionClosed:
            pass
        assert websocket.close_code is not None
        return websocket.close_code, websocket.close_reason or "", received


def auth(token: str, **fields: object) -> str:
    return json.dumps({"type": "auth", "token": token, **fields})


def test_the_auth_deadline_is_five_seconds() -> None:
    assert RealtimeConfig().auth_timeout == 5.0


async def test_no_first_frame_in_time_is_closed_with_auth_timeout(
    server: RunningServer, tenant_a: TenantSession
) -> None:
    with hub_config(server, auth_timeout=0.3):
        code, reason, _ = await closed_with(server, tenant_a.subdomain)
    assert (code, reason) == (AUTH_TIMEOUT.code, "auth_timeout")


@pytest.mark.parametrize(
    "frame",
    [
        json.dumps({"type": "auth"}),
        json.dumps({"type": "auth", "token": ""}),
        json.dumps({"type": "subscribe", "topics": ["sales"]}),
    ],
)
async def test_a_missing_token_is_refused(server: RunningServer, tenant_a: TenantSession, frame: str) -> None:
    code, reason, received = await closed_with(server, tenant_a.subdomain, frame)
    assert (code, reason, received) == (TOKEN_MISSING.code, "token_missing", [])


async def test_an_expired_token_is_refused(server: RunningServer, settings, tenant_a: TenantSession) -> None:
    expired = token_for(settings, tenant_a, lifetime=-5)
    code, reason, received = await closed_with(server, tenant_a.subdomain, auth(expired))
    assert (code, reason, received) == (TOKEN_EXPIRED.code, "token_expired", [])


async def test_a_forged_token_is_refused(server: RunningServer, tenant_a: TenantSession) -> None:
    forged = tenant_a.access_token[:-4] + ("AAAA" if not tenant_a.access_token.endswith("AAAA") else "BBBB")
    code, reason, _ = await closed_with(server, tenant_a.subdomain, auth(forged))
    assert (code, reason) == (TOKEN_INVALID.code, "token_invalid")


async def test_a_token_of_another_tenant_is_refused(
    server: RunningServer, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    code, reason, received = await closed_with(server, tenant_a.subdomain, auth(tenant_b.access_token))
    assert (code, reason, received) == (WRONG_TENANT.code, "wrong_tenant", [])


async def test_an_unknown_host_is_refused(server: RunningServer, tenant_a: TenantSession) -> None:
    code, reason, _ = await closed_with(server, "no-such-shop", auth(tenant_a.access_token))
    assert (code, reason) == (UNKNOWN_TENANT.code, "unknown_tenant")


async def test_malformed_frames_close_the_socket_with_bad_frame(server: RunningServer, tenant_a: TenantSession) -> None:
    code, _, _ = await closed_with(server, tenant_a.subdomain, "not json")
    assert code == BAD_FRAME.code
    code, _, _ = await closed_with(server, tenant_a.subdomain, auth(tenant_a.access_token, extra=1))
    assert code == BAD_FRAME.code


def padded_ping(size: int) -> str:
    """A well-formed `ping` frame of exactly `size` characters (JSON whitespace as padding)."""
    frame = '{"type": "ping"' + " " * (size - len('{"type": "ping"}')) + "}"
    assert len(frame) == size and json.loads(frame) == {"type": "ping"}
    return frame


async def test_a_valid_frame_past_the_limit_closes_with_too_big(server: RunningServer, tenant_a: TenantSession) -> None:
    """The same valid `ping` is answered at the limit and refused one byte past it."""
    limit = server.hub.config.frame_bytes
    assert limit == 16 * 1024
    async with connect(server.url(tenant_a.subdomain), host="127.0.0.1", port=server.port) as websocket:
        await websocket.send(auth(tenant_a.access_token))
        assert json.loads(await websocket.recv())["type"] == "ready"
        await websocket.send(padded_ping(limit))
        async with asyncio.timeout(10):
            while (answer := json.loads(await websocket.recv()))["type"] != "pong":
                pass
        await websocket.send(padded_ping(limit + 1))
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(10):
                while True:
                    await websocket.recv()
    assert answer == {"type": "pong"}
    assert (websocket.close_code, websocket.close_reason) == (TOO_BIG.code, "too_big")


async def test_ready_lists_the_topics_of_the_role(server: RunningServer, api: Api, tenant_a: TenantSession) -> None:
    cashier = await api.add_user(tenant_a, "cashier")
    async with server.client(tenant_a, cashier["access_token"], ("stock",)) as client:
        await client.wait_subscribed()
        ready = next(frame for frame in client.controls if frame["type"] == "ready")
    assert ready["role"] == "cashier" and ready["topics"] == ["stock"]
    assert ready["limits"]["queue_frames"] > 0


@contextlib.contextmanager
def hub_wall_clock(server: RunningServer) -> Iterator[list[float]]:
    """The wall clock the hub checks token expiry against, moved forward by `shift[0]` seconds
    (tokens are still verified at the real time when they arrive)."""
    import realtime.hub

    shift = [0.0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(realtime.hub, "time", types.SimpleNamespace(time=lambda: time.time() + shift[0]))
        yield shift


async def housekeeping_ran(server: RunningServer, client: RealtimeClient) -> None:
    """Return once the hub has checked the client's socket again (it pings on that check)."""
    with hub_config(server, ping_interval=0):
        await client.wait_control("ping", within=5)


async def test_refresh_extends_the_session(server: RunningServer, settings, resources, tenant_a: TenantSession) -> None:
    short = token_for(settings, tenant_a, lifetime=30)  # inside the 60 s warning
    with hub_wall_clock(server) as shift:
        async with server.client(tenant_a, short, ("sales",), reconnect=False) as client:
            await client.wait_subscribed()
            warning = await client.wait_control("token_expiring", within=5)
            assert warning["expires_at"] <= int(time.time()) + 30
            await client.refresh(token_for(settings, tenant_a))
            refreshed = await client.wait_control("refreshed")
            assert refreshed["expires_at"] > warning["expires_at"] + 60
            shift[0] = 40  # past the first token's expiry, well before the second's
            await housekeeping_ran(server, client)
            await publish(resources.redis, tenant_a.organization_id, "sales", "sale.created", {"n": 1})
            event = await client.next_event()
            assert event.data == {"n": 1}
            assert client.failure is None and client.closes == []


async def test_without_refresh_the_socket_is_closed_at_expiry(
    server: RunningServer, settings, tenant_a: TenantSession
) -> None:
    short = token_for(settings, tenant_a, lifetime=30)
    with hub_wall_clock(server) as shift:
        async with server.client(tenant_a, short, ("sales",), reconnect=False) as client:
            await client.wait_control("token_expiring", within=5)
            await housekeeping_ran(server, client)
            assert client.failure is None  # warned, not yet expired
            shift[0] = 31
            await eventually(lambda: client.failure is not None, within=5)
    assert client.failure is not None and client.failure.code == TOKEN_EXPIRED.code


async def test_a_token_provider_refreshes_by_itself(
    server: RunningServer, settings, resources, tenant_a: TenantSession
) -> None:
    issued: list[str] = []

    async def provide() -> str:
        issued.append(token_for(settings, tenant_a, lifetime=30 if not issued else None))
        return issued[-1]

    with hub_wall_clock(server) as shift:
        async with server.client(tenant_a, provide, ("sales",)) as client:
            await client.wait_subscribed()
            await client.wait_control("refreshed", within=6)
            shift[0] = 40
            await housekeeping_ran(server, client)
            await publish(resources.redis, tenant_a.organization_id, "sales", "sale.created", {"n": 2})
            assert (await client.next_event()).data == {"n": 2}
    assert len(issued) == 2 and client.closes == []


async def test_refresh_with_another_users_token_is_refused(
    server: RunningServer, api: Api, tenant_a: TenantSession
) -> None:
    manager = await api.add_user(tenant_a, "manager")
    async with server.client(tenant_a, topics=("sales",), reconnect=False) as client:
        await client.wait_subscribed()
        await client.refresh(manager["access_token"])
        await eventually(lambda: client.failure is not None)
    assert client.failure is not None and client.failure.code == TOKEN_INVALID.code


async def test_deactivated_users_are_refused_and_cut_off(
    server: RunningServer, api: Api, tenant_a: TenantSession
) -> None:
    manager = await api.add_user(tenant_a, "manager")
    user_id = manager["user"]["id"]
    with hub_config(server, active_check_interval=0.5):
        async with server.client(tenant_a, manager["access_token"], ("sales",), reconnect=False) as client:
            await client.wait_subscribed()
            response = await tenant_a.client.patch(f"/api/v1/users/{user_id}", json={"is_active": False})
            assert response.status_code == 200, response.text
            await eventually(lambda: client.failure is not None, within=5)
        assert client.failure is not None and client.failure.code == USER_INACTIVE.code
        code, reason, _ = await closed_with(server, tenant_a.subdomain, auth(manager["access_token"]))
    assert (code, reason) == (USER_INACTIVE.code, "user_inactive")


async def test_refresh_of_a_deactivated_user_is_refused(
    server: RunningServer, settings, api: Api, tenant_a: TenantSession
) -> None:
    manager = await api.add_user(tenant_a, "manager")
    user_id = manager["user"]["id"]
    async with server.client(tenant_a, manager["access_token"], ("sales",), reconnect=False) as client:
        await client.wait_subscribed()
        await tenant_a.client.patch(f"/api/v1/users/{user_id}", json={"is_active": False})
        await client.refresh(token_for(settings, tenant_a, user_id=uuid.UUID(user_id), role="manager"))
        await eventually(lambda: client.failure is not None)
    assert client.failure is not None and client.failure.code == USER_INACTIVE.code


async def test_sockets_leave_the_hub_when_they_close(server: RunningServer, tenant_a: TenantSession) -> None:
    async with server.client(tenant_a, topics=("sales",)) as client:
        await client.wait_subscribed()
        assert tenant_a.organization_id in server.hub.tenants
    await eventually(
        lambda: not any(c.identity.organization_id == tenant_a.organization_id for c in server.hub.connections)
    )


async def test_a_second_auth_frame_is_an_unexpected_frame_and_the_socket_stays(
    server: RunningServer, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    """An `auth` after the first is answered with an `unexpected_frame` error and changes
    nothing: not the identity (another tenant's token is not taken), not the socket."""
    async with connect(server.url(tenant_a.subdomain), host="127.0.0.1", port=server.port) as websocket:
        await websocket.send(auth(tenant_a.access_token))
        assert json.loads(await websocket.recv())["type"] == "ready"
        await websocket.send(auth(tenant_b.access_token))
        error = json.loads(await websocket.recv())
        assert (error["type"], error["code"]) == ("error", "unexpected_frame"), error
        await websocket.send(json.dumps({"type": "ping"}))
        assert json.loads(await websocket.recv()) == {"type": "pong"}  # still open, nothing else came first
        connection = next(c for c in server.hub.connections if c.identity.organization_id == tenant_a.organization_id)
        assert connection.identity.user_id == tenant_a.admin_id
