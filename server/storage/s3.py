"""The S3-compatible backend (AWS S3, SeaweedFS, MinIO, Ceph RGW, R2…), through aiobotocore.

Why aiobotocore: it is botocore — the request signing, retries, endpoint and error handling
every AWS SDK for Python uses — on aiohttp, kept by aio-libs and released in step with
botocore; it streams both ways (`StreamingBody.iter_chunks`, multipart uploads) and speaks to
any S3-compatible endpoint with path-style addressing. aioboto3 only adds boto3's resource
layer on top of it, which we do not use.

Streaming: a put reads at most `PART_SIZE` bytes before sending them; a body that ends
within the first part is one `PutObject`, a longer one a multipart upload (aborted on any
failure, so nothing partial is left). A get streams the HTTP body chunk by chunk.

One client per process, opened on first use (so constructing the backend needs no event
loop) and closed with `aclose`. The bucket is created on first use when it is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from server.storage.base import (
    CHUNK_SIZE,
    ObjectInfo,
    ObjectNotFound,
    ObjectStorage,
    StoredObject,
    check_key,
    limited,
)

PART_SIZE = 8 * 1024 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound"}


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3Object(StoredObject):
    def __init__(self, info: ObjectInfo, body: Any) -> None:
        self.info = info
        self._body = body
        self._closed = False

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._body.iter_chunks(CHUNK_SIZE):
                yield chunk
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._body.close()


class S3Storage(ObjectStorage):
    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        create_bucket: bool = True,
    ) -> None:
        self.bucket = bucket
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            "aws_access_key_id": access_key_id or None,
            "aws_secret_access_key": secret_access_key or None,
            "config": AioConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        }
        self._create_bucket = create_bucket
        self._client: Any = None
        self._stack: AsyncExitStack | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Any:
        """The process's S3 client (opened, and the bucket made, on first use)."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                client = await stack.enter_async_context(get_session().create_client("s3", **self._options))
                try:
                    if self._create_bucket:
                        await self._ensure_bucket(client)
                except BaseException:
                    await stack.aclose()
                    raise
                self._stack, self._client = stack, client
        return self._client

    async def _ensure_bucket(self, client: Any) -> None:
        try:
            await client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if not _missing(error) and error.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise
            try:
                await client.create_bucket(Bucket=self.bucket)
            except ClientError as race:
                if race.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str, max_bytes: int | None = None
    ) -> ObjectInfo:
        check_key(key)
        client = await self.client()
        stream = limited(chunks, max_bytes).__aiter__()
        first, ended = await _read_part(stream)
        if ended:
            await client.put_object(Bucket=self.bucket, Key=key, Body=bytes(first), ContentType=content_type)
        else:
            await self._multipart(client, key, first, stream, content_type)
        info = await self.head(key)
        assert info is not None, "an object just written is missing"
        return info

    async def _multipart(
        self, client: Any, key: str, first: bytearray, stream: AsyncIterator[bytes], content_type: str
    ) -> None:
        upload = await client.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=content_type)
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        try:
            part, ended = first, False
            while True:
                number = len(parts) + 1
                sent = await client.upload_part(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=bytes(part)
                )
                parts.append({"PartNumber": number, "ETag": sent["ETag"]})
                if ended:
                    break
                part, ended = await _read_part(stream)
                if not part:
                    break
            await client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            await asyncio.shield(client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id))
            raise

    async def open(self, key: str) -> StoredObject:
        check_key(key)
        client = await self.client()
        try:
            response = await client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                raise ObjectNotFound() from None
            raise
        return S3Object(_info(key, response), response["Body"])

    async def head(self, key: str) -> ObjectInfo | None:
        check_key(key)
        client = await self.client()
        try:
            response = await client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return _info(key, response)

    async def delete(self, key: str) -> None:
        check_key(key)
        client = await self.client()
        await client.delete_object(Bucket=self.bucket, Key=key)

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        """A URL of the S3 service itself that reads the object until it expires (for clients that
        reach the S3 endpoint; the application's own signed URLs go through `/api/v1/files/`)."""
        check_key(key)
        client = await self.client()
        url: str = await client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )
        return url

    async def aclose(self) -> None:
        async with self._lock:
            if self._stack is not None:
                await self._stack.aclose()
            self._stack, self._client = None, None


async def _read_part(stream: AsyncIterator[bytes]) -> tuple[bytearray, bool]:
    """Up to `PART_SIZE` bytes (a little more: whole chunks) and whether the stream ended."""
    part = bytearray()
    while len(part) < PART_SIZE:
        try:
            part += await stream.__anext__()
        except StopAsyncIteration:
            return part, True
    return part, False


def _info(key: str, response: dict[str, Any]) -> ObjectInfo:
    modified = response.get("LastModified")
    return ObjectInfo(
        key=key,
        size=int(response.get("ContentLength", 0)),
        content_type=str(response.get("ContentType") or "application/octet-stream"),
        etag=str(response.get("ETag", "")).strip('"'),
        modified_at=modified if isinstance(modified, datetime) else datetime.now(UTC),
    )
