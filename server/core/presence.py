"""Presence of POS registers, kept in Redis per tenant so every server process sees the same.

The realtime hub writes it (a register's sockets hold leases on it); the managers' dashboard
reads it (`snapshot`). It lives here, outside `realtime/`, so that a domain can read it without
importing realtime, as it publishes events through `server.core.events`.

A socket that declared a register (`auth.register_id`) holds a lease on it: a member
`<register_id>|<connection_id>` of the sorted set `t:{org}:presence:leases`, scored by its expiry
(ms), renewed while the socket talks. The state of each register is a JSON value in the hash
`t:{org}:presence`: `online`, `last_seen` (ms), `queued_sales`, `register_code`, and `version`,
which grows by one on every change. Each change goes out once on the `registers` topic as
`register.presence`, through the one event publisher.

- online: the register has at least one unexpired lease;
- offline: its last socket closed (`release`), or every lease expired because its server process
  died (`sweep`, run by any process watching the tenant, and before every snapshot).

The Lua scripts make each transition atomic, so two processes never announce the same one.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from redis.asyncio import Redis

from server.core.events import publish

logger = logging.getLogger("orbit.presence")

EVENT_TYPE = "register.presence"
LEASE_SECONDS = 60.0


class RegisterPresence(msgspec.Struct, kw_only=True):
    """A register's state, as `register.presence` events and `presence` frames carry it."""

    register_id: str
    register_code: str | None = None
    online: bool
    last_seen: str | None = None
    queued_sales: int = 0
    version: int = 0


def leases_key(organization_id: uuid.UUID) -> str:
    return f"t:{organization_id}:presence:leases"


def states_key(organization_id: uuid.UUID) -> str:
    return f"t:{organization_id}:presence"


_STATE = """
local function load(register)
  local raw = redis.call('HGET', KEYS[2], register)
  if raw then return cjson.decode(raw) end
  return {register_id = register, online = false, queued_sales = 0, version = 0}
end
local function save(state)
  local encoded = cjson.encode(state)
  redis.call('HSET', KEYS[2], state.register_id, encoded)
  return encoded
end
local function has_lease(register, now)
  local prefix = register .. '|'
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
    if string.sub(member, 1, #prefix) == prefix then return true end
  end
  return false
end
"""

_LEASE = (
    _STATE
    + """
-- ARGV: member, register, code, now, expiry, queued ('' = unchanged)
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
local state = load(ARGV[2])
local changed = false
if not state.online then state.online = true; changed = true end
if ARGV[6] ~= '' and state.queued_sales ~= tonumber(ARGV[6]) then
  state.queued_sales = tonumber(ARGV[6]); changed = true
end
state.register_code = ARGV[3]
state.last_seen = tonumber(ARGV[4])
if changed then state.version = state.version + 1 end
local encoded = save(state)
if changed then return encoded end
return false
"""
)

_RELEASE = (
    _STATE
    + """
-- ARGV: member, register, now
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return false end
if has_lease(ARGV[2], ARGV[3]) then return false end
local state = load(ARGV[2])
state.last_seen = tonumber(ARGV[3])
if not state.online then save(state); return false end
state.online = false
state.version = state.version + 1
return save(state)
"""
)

_SWEEP = (
    _STATE
    + """
-- ARGV: now
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
if #expired == 0 then return {} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local changed, seen = {}, {}
for _, member in ipairs(expired) do
  local register = string.match(member, '^([^|]+)|')
  if register and not seen[register] then
    seen[register] = true
    if not has_lease(register, ARGV[1]) then
      local state = load(register)
      if state.online then
        state.online = false
        state.version = state.version + 1
        table.insert(changed, save(state))
      end
    end
  end
end
return changed
"""
)

_state_decoder = msgspec.json.Decoder(dict[str, Any])


def _milliseconds(now: float) -> int:
    return int(now * 1000)


def _presence(raw: bytes | str) -> RegisterPresence:
    state = _state_decoder.decode(raw)
    last_seen = state.get("last_seen")
    return RegisterPresence(
        register_id=str(state["register_id"]),
        register_code=state.get("register_code"),
        online=bool(state.get("online")),
        last_seen=(
            datetime.fromtimestamp(last_seen / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if isinstance(last_seen, int | float)
            else None
        ),
        queued_sales=int(state.get("queued_sales") or 0),
        version=int(state.get("version") or 0),
    )


async def _announce(redis: Redis, organization_id: uuid.UUID, raw: bytes | str | None) -> None:
    if raw:
        await publish(redis, organization_id, "registers", EVENT_TYPE, msgspec.to_builtins(_presence(raw)))


class Presence:
    """The presence operations of one server process (scripts registered once)."""

    def __init__(self, redis: Redis, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self.redis = redis
        self.lease_seconds = lease_seconds
        self._lease = redis.register_script(_LEASE)
        self._release = redis.register_script(_RELEASE)
        self._sweep = redis.register_script(_SWEEP)

    async def lease(
        self,
        organization_id: uuid.UUID,
        register_id: uuid.UUID,
        register_code: str,
        connection_id: str,
        now: float,
        queued_sales: int | None = None,
    ) -> None:
        """Take or renew the lease of a socket on its register; announce a change of state."""
        raw = await self._lease(
            keys=[leases_key(organization_id), states_key(organization_id)],
            args=[
                f"{register_id}|{connection_id}",
                str(register_id),
                register_code,
                _milliseconds(now),
                _milliseconds(now + self.lease_seconds),
                "" if queued_sales is None else queued_sales,
            ],
        )
        await _announce(self.redis, organization_id, raw)

    async def release(self, organization_id: uuid.UUID, register_id: uuid.UUID, connection_id: str, now: float) -> None:
        raw = await self._release(
            keys=[leases_key(organization_id), states_key(organization_id)],
            args=[f"{register_id}|{connection_id}", str(register_id), _milliseconds(now)],
        )
        await _announce(self.redis, organization_id, raw)

    async def sweep(self, organization_id: uuid.UUID, now: float) -> None:
        """Expire the leases of sockets whose process stopped renewing them."""
        changed = await self._sweep(
            keys=[leases_key(organization_id), states_key(organization_id)], args=[_milliseconds(now)]
        )
        for raw in changed or ():
            await _announce(self.redis, organization_id, raw)

    async def snapshot(self, organization_id: uuid.UUID, now: float) -> list[RegisterPresence]:
        """Every register that ever had a socket, by code, once expired leases are swept."""
        await self.sweep(organization_id, now)
        states = await self.redis.hgetall(states_key(organization_id))
        registers = [_presence(raw) for raw in states.values()]
        return sorted(registers, key=lambda state: (state.register_code or "", state.register_id))
