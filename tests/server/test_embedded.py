import pathlib
import socket
import subprocess
from collections.abc import Iterator

import pytest
import redis

from server.embedded import EmbeddedPostgres, EmbeddedRedis, ServiceError, embedded_services


@pytest.fixture
def servers() -> Iterator[list[EmbeddedPostgres | EmbeddedRedis]]:
    """Servers appended here are stopped after the test, whatever happens."""
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    yield started
    for server in reversed(started):
        server.stop()


def psql(postgres: EmbeddedPostgres, url: str, sql: str) -> str:
    result = subprocess.run(
        [str(postgres.bin_dir / "psql"), url, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5)


def is_running(server: EmbeddedPostgres | EmbeddedRedis) -> bool:
    pid_file = "postmaster.pid" if isinstance(server, EmbeddedPostgres) else server.pid_file_name
    return (server.data_dir / pid_file).exists()


def test_data_survives_restart(tmp_path: pathlib.Path) -> None:
    postgres = EmbeddedPostgres(tmp_path / "postgres")
    with embedded_services(tmp_path) as (database_url, redis_url):
        assert database_url.startswith("postgresql://postgres@127.0.0.1:")
        assert database_url.endswith("/postgres")
        assert redis_url.startswith("redis://127.0.0.1:")
        assert psql(postgres, database_url, "select 1") == "1"
        psql(postgres, database_url, "create table greeting (word text); insert into greeting values ('hello')")
        with redis_client(redis_url) as client:
            assert client.ping()
            entry_id = client.xadd("events", {"kind": "created"})

    assert not (tmp_path / "postgres" / "postmaster.pid").exists()
    assert not (tmp_path / "redis" / EmbeddedRedis.pid_file_name).exists()

    with embedded_services(tmp_path) as (database_url_again, redis_url_again):
        assert (database_url_again, redis_url_again) == (database_url, redis_url)
        assert psql(postgres, database_url, "select word from greeting") == "hello"
        with redis_client(redis_url) as client:
            assert client.xrange("events") == [(entry_id, {b"kind": b"created"})]


def test_servers_keep_data_and_port(tmp_path: pathlib.Path, servers: list[EmbeddedPostgres | EmbeddedRedis]) -> None:
    postgres = EmbeddedPostgres(tmp_path / "postgres", durable=False)
    cache = EmbeddedRedis(tmp_path / "redis", persistent=True)
    servers += [postgres, cache]

    database_url = postgres.start()
    redis_url = cache.start()
    assert database_url == postgres.url == f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"
    assert redis_url == cache.url == f"redis://127.0.0.1:{cache.port}/0"
    psql(postgres, database_url, "create table greeting (word text); insert into greeting values ('hello')")
    with redis_client(redis_url) as client:
        client.xadd("events", {"kind": "created"})

    postgres.stop()
    cache.stop()
    assert not is_running(postgres)
    assert not is_running(cache)

    assert postgres.start() == database_url
    assert cache.start() == redis_url
    assert psql(postgres, database_url, "select word from greeting") == "hello"
    with redis_client(redis_url) as client:
        assert client.xlen("events") == 1


def test_stop_is_idempotent(tmp_path: pathlib.Path) -> None:
    postgres = EmbeddedPostgres(tmp_path / "postgres", durable=False)
    cache = EmbeddedRedis(tmp_path / "redis", persistent=False)
    postgres.stop()
    cache.stop()
    try:
        postgres.start()
        cache.start()
    finally:
        for server in (postgres, cache):
            server.stop()
            server.stop()
    assert not is_running(postgres)
    assert not is_running(cache)


def test_start_reuses_running_server(tmp_path: pathlib.Path, servers: list[EmbeddedPostgres | EmbeddedRedis]) -> None:
    postgres = EmbeddedPostgres(tmp_path / "postgres", durable=False)
    cache = EmbeddedRedis(tmp_path / "redis", persistent=False)
    servers += [postgres, cache]
    database_url = postgres.start()
    redis_url = cache.start()

    again = EmbeddedPostgres(tmp_path / "postgres", durable=False)
    assert again.start() == database_url
    cache_again = EmbeddedRedis(tmp_path / "redis", persistent=False)
    assert cache_again.start() == redis_url

    again.stop()
    cache_again.stop()
    assert not is_running(postgres)
    assert not is_running(cache)


def test_embedded_services(tmp_path: pathlib.Path) -> None:
    with embedded_services(tmp_path, persistent=False) as (database_url, redis_url):
        postgres = EmbeddedPostgres(tmp_path / "postgres")
        assert psql(postgres, database_url, "select 1") == "1"
        with redis_client(redis_url) as client:
            assert client.ping()
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()
    assert not (tmp_path / "redis" / EmbeddedRedis.pid_file_name).exists()


def test_embedded_services_stop_on_interrupt(tmp_path: pathlib.Path) -> None:
    with pytest.raises(KeyboardInterrupt), embedded_services(tmp_path, persistent=False):
        raise KeyboardInterrupt
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()
    assert not (tmp_path / "redis" / EmbeddedRedis.pid_file_name).exists()


def test_start_failure_reports_log(tmp_path: pathlib.Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        postgres = EmbeddedPostgres(tmp_path / "postgres", port=port, durable=False)
        cache = EmbeddedRedis(tmp_path / "redis", port=port, persistent=False)
        try:
            with pytest.raises(ServiceError, match="already in use"):
                postgres.start()
            with pytest.raises(ServiceError, match="already in use"):
                cache.start()
        finally:
            postgres.stop()
            cache.stop()
