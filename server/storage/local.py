"""The local filesystem backend: objects as files under one directory (by default `objects/` in
the data directory, so `orbit dev` needs nothing new).

A key `{organization_id}/{name}` is the file `root/{organization_id}/{name}`; its content type
and checksum sit beside it in `{name}.meta` (so names ending in `.meta` are refused). A put
writes a temporary file in the same directory, fsyncs it and renames it over the old one, so
readers see the whole old object or the whole new one. Blocking file calls run in a worker
thread, one chunk at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TypeVar

from server.storage.base import (
    CHUNK_SIZE,
    InvalidObjectName,
    ObjectInfo,
    ObjectNotFound,
    ObjectStorage,
    StoredObject,
    check_key,
    limited,
)

META_SUFFIX = ".meta"
T = TypeVar("T")


async def _run(function: Callable[..., T], *args: object) -> T:
    return await asyncio.to_thread(function, *args)


def _open_for_reading(path: Path) -> IO[bytes]:
    return path.open("rb")


class LocalObject(StoredObject):
    def __init__(self, info: ObjectInfo, handle: IO[bytes]) -> None:
        self.info = info
        self._handle = handle

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await _run(self._handle.read, CHUNK_SIZE):
                yield chunk
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if not self._handle.closed:
            self._handle.close()


class LocalStorage(ObjectStorage):
    name = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    def _path(self, key: str) -> Path:
        check_key(key)
        if key.endswith(META_SUFFIX):
            raise InvalidObjectName(key)
        return self.root / key

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int | None = None
    ) -> ObjectInfo:
        path = self._path(key)
        await _run(path.parent.mkdir, 0o755, True, True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        handle = await _run(open, temporary, "wb")
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        try:
            try:
                async for chunk in limited(chunks, max_bytes):
                    digest.update(chunk)
                    size += len(chunk)
                    await _run(handle.write, chunk)
                await _run(handle.flush)
                await _run(os.fsync, handle.fileno())
            finally:
                await _run(handle.close)
            meta = path.with_name(path.name + META_SUFFIX)
            await _run(meta.write_text, f"{content_type}\n{digest.hexdigest()}\n")
            await _run(os.replace, temporary, path)
        except BaseException:
            await _run(temporary.unlink, True)
            raise
        return await self._info(key, path)

    async def _info(self, key: str, path: Path) -> ObjectInfo:
        def read() -> ObjectInfo:
            stat = path.stat()
            try:
                content_type, etag = path.with_name(path.name + META_SUFFIX).read_text().split("\n")[:2]
            except (OSError, ValueError):
                content_type, etag = "application/octet-stream", f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
            return ObjectInfo(
                key=key,
                size=stat.st_size,
                content_type=content_type,
                etag=etag,
                modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
            )

        return await _run(read)

    async def open(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            handle = await _run(_open_for_reading, path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound() from None
        try:
            return LocalObject(await self._info(key, path), handle)
        except BaseException:
            handle.close()
            raise

    async def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not await _run(path.is_file):
            return None
        try:
            return await self._info(key, path)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await _run(path.unlink, True)
        await _run(path.with_name(path.name + META_SUFFIX).unlink, True)
