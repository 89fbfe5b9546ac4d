"""Each storage test runs against both backends: the local directory and a real SeaweedFS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
import pytest

from server.app import create_app
from server.core.config import Settings
from server.core.context import Resources
from server.storage import ObjectStorage, storage_for
from tests.seaweedfs import SeaweedFS, seaweedfs_server

BACKENDS = ("local", "s3")


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    with seaweedfs_server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


def backend_settings(settings: Settings, backend: str, request: pytest.FixtureRequest, tmp: Any) -> Settings:
    if backend == "local":
        return msgspec.structs.replace(settings, storage_backend="local", storage_dir=str(tmp / "objects"))
    server: SeaweedFS = request.getfixturevalue("seaweedfs")
    return msgspec.structs.replace(
        settings,
        storage_backend="s3",
        s3_endpoint_url=server.endpoint_url,
        s3_bucket="orbit-test",
        s3_access_key_id=server.access_key_id,
        s3_secret_access_key=server.secret_access_key,
    )


@pytest.fixture(scope="session", params=BACKENDS)
def storage_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return backend_settings(settings, request.param, request, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="session")
def backend(storage_settings: Settings) -> ObjectStorage:
    return storage_for(storage_settings)


@pytest.fixture(scope="session")
async def storage_app(storage_settings: Settings, resources: Resources) -> AsyncIterator[Any]:
    """The application with the backend under test (sharing the suite's database and Redis)."""
    application = create_app(storage_settings)
    application.state.resources = Resources(
        settings=storage_settings, database=resources.database, redis=resources.redis
    )
    yield application
