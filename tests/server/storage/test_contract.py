"""The storage contract, the same for every backend (parametrized: local and a real SeaweedFS)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from server.storage import (
    CHUNK_SIZE,
    InvalidObjectName,
    ObjectNotFound,
    ObjectStorage,
    ObjectTooLarge,
    TenantStorage,
    bytes_chunks,
)
from server.storage.s3 import PART_SIZE

SECRET = "contract-secret-0123456789-0123456789"


def tenant(backend: ObjectStorage) -> TenantStorage:
    return TenantStorage(backend, uuid.uuid4(), SECRET)


async def counted(data: bytes, pulled: list[int], size: int = 1 << 20) -> AsyncIterator[bytes]:
    """`data` in chunks, recording how many bytes the consumer has pulled so far."""
    for start in range(0, len(data), size):
        pulled.append(start)
        yield data[start : start + size]


async def test_put_then_open_streams_the_same_bytes(backend: ObjectStorage) -> None:
    files = tenant(backend)
    body = os.urandom(200_000)
    info = await files.put("docs/one.bin", bytes_chunks(body, 7_000), content_type="application/x-test")
    assert (info.size, info.content_type, info.key) == (len(body), "application/x-test", files.key("docs/one.bin"))
    async with await files.open("docs/one.bin") as stored:
        assert stored.info.size == len(body) and stored.info.etag == info.etag
        chunks = [chunk async for chunk in stored.chunks()]
    assert b"".join(chunks) == body
    assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE
    head = await files.head("docs/one.bin")
    assert head is not None and head.size == len(body)


async def test_replacing_changes_body_and_etag(backend: ObjectStorage) -> None:
    files = tenant(backend)
    first = await files.put_bytes("a.txt", b"first", content_type="text/plain")
    second = await files.put_bytes("a.txt", b"second body", content_type="text/csv")
    assert first.etag != second.etag
    async with await files.open("a.txt") as stored:
        assert await stored.read() == b"second body"
        assert stored.info.content_type == "text/csv"


async def test_a_large_object_streams_in_parts(backend: ObjectStorage) -> None:
    """Past one multipart part (S3) the body still round-trips byte for byte; the producer is
    never drained ahead of the upload by more than a part."""
    files = tenant(backend)
    body = os.urandom(PART_SIZE + 3 * 1024 * 1024)
    pulled: list[int] = []
    info = await files.put("big.bin", counted(body, pulled), content_type="application/octet-stream")
    assert info.size == len(body)
    async with await files.open("big.bin") as stored:
        assert await stored.read() == body


async def test_too_large_stores_nothing_and_keeps_the_old_object(backend: ObjectStorage) -> None:
    files = tenant(backend)
    with pytest.raises(ObjectTooLarge):
        await files.put("new.bin", bytes_chunks(b"x" * 5000, 1000), content_type="x/y", max_bytes=4096)
    assert await files.head("new.bin") is None
    await files.put_bytes("kept.bin", b"old", content_type="x/y")
    with pytest.raises(ObjectTooLarge):
        await files.put("kept.bin", bytes_chunks(b"y" * 5000, 1000), content_type="x/y", max_bytes=4096)
    async with await files.open("kept.bin") as stored:
        assert await stored.read() == b"old"


async def test_a_failing_stream_stores_nothing(backend: ObjectStorage) -> None:
    files = tenant(backend)

    async def broken() -> AsyncIterator[bytes]:
        yield b"part of it"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await files.put("half.bin", broken(), content_type="x/y")
    assert await files.head("half.bin") is None


async def test_missing_objects(backend: ObjectStorage) -> None:
    files = tenant(backend)
    with pytest.raises(ObjectNotFound):
        await files.open("nothing/here.txt")
    assert await files.head("nothing/here.txt") is None
    await files.delete("nothing/here.txt")


async def test_delete_and_delete_many(backend: ObjectStorage) -> None:
    files = tenant(backend)
    for name in ("x/1", "x/2", "x/3"):
        await files.put_bytes(name, name.encode(), content_type="text/plain")
    await files.delete("x/1")
    assert await files.head("x/1") is None
    await files.delete_many(["x/2", "x/3"])
    assert await files.head("x/2") is None and await files.head("x/3") is None


async def test_tenants_never_share_a_name(backend: ObjectStorage) -> None:
    alice, bob = tenant(backend), tenant(backend)
    await alice.put_bytes("logo.png", b"alice's", content_type="image/png")
    assert await bob.head("logo.png") is None
    with pytest.raises(ObjectNotFound):
        await bob.open("logo.png")
    await bob.delete("logo.png")
    async with await alice.open("logo.png") as stored:
        assert await stored.read() == b"alice's"
    # Another tenant's key spelled as a name is refused, not followed.
    with pytest.raises(InvalidObjectName):
        await bob.open(f"../{alice.organization_id}/logo.png")


@pytest.mark.parametrize(
    "name", ["../x", "/x", "a//b", ".hidden", "a/../b", "a\\b", "x\x00y", "", "a/", "é.png", "x" * 401, "a.meta"]
)
async def test_names_with_path_tricks_are_refused(backend: ObjectStorage, name: str) -> None:
    files = tenant(backend)
    if name == "a.meta" and backend.name != "local":
        pytest.skip("only the local backend keeps metadata beside the file")
    with pytest.raises(InvalidObjectName):
        await files.put_bytes(name, b"nope", content_type="text/plain")
    assert await files.head("x") is None


async def test_concurrent_puts_leave_one_whole_object(backend: ObjectStorage) -> None:
    files = tenant(backend)
    bodies = [bytes([n]) * 300_000 for n in range(4)]
    await asyncio.gather(*(files.put_bytes("race.bin", body, content_type="x/y") for body in bodies))
    async with await files.open("race.bin") as stored:
        assert await stored.read() in bodies
