"""Fixed-window rate limits in Redis, keyed per tenant."""

from __future__ import annotations

from redis.asyncio import Redis

from server.core.errors import TooManyRequests


def limit_key(organization_id: object, name: str, subject: str) -> str:
    return f"t:{organization_id}:rl:{name}:{subject}"


async def remaining_wait(redis: Redis, key: str, limit: int) -> int:
    """Seconds until `key` may be used again, or 0 when it is under its limit."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    if count is not None and int(count) >= limit:
        return max(int(ttl), 1)
    return 0


async def count_hit(redis: Redis, key: str, window_seconds: int) -> int:
    """Count one use of `key` within its window and return the count so far."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=window_seconds, nx=True)
        pipe.incr(key)
        _, count = await pipe.execute()
    return int(count)


async def enforce(redis: Redis, key: str, *, limit: int, window_seconds: int, what: str) -> None:
    """Count a use and refuse it with 429 and Retry-After once over `limit` in the window."""
    wait = await remaining_wait(redis, key, limit)
    if wait:
        raise TooManyRequests(f"too many {what}; try again in {wait} seconds", retry_after=wait, code="rate_limited")
    await count_hit(redis, key, window_seconds)
