"""compose.yaml, .env.example, the Caddyfile and the Dockerfile agree with each other and with the
code: no Docker engine is needed to find a service that would not start, a variable nobody sets,
or a port or volume that points nowhere."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from server.cli import parser
from server.core.config import _ENV_NAMES
from server.tenancy.certificates import ASK_PATH

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("migrate", "server", "worker", "scheduler")
# Variables the app reads outside `Settings` (server.job_queue).
OTHER_APP_VARIABLES = {"ORBIT_JOB_REDELIVERY_SECONDS", "ORBIT_JOB_STREAM"}


class StrictLoader(yaml.SafeLoader):
    """YAML as Compose reads it: a key twice in one mapping is an error, not the last one wins."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {repeated}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(COMPOSE.read_text(), Loader=StrictLoader)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def seconds(duration: str) -> float:
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration):
        total += float(amount) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    assert total > 0, duration
    return total


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_every_service_has_a_healthcheck_and_a_stop_period(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", "proxy", *APP_SERVICES} <= set(services)
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, f"{name} has no health check"
        assert seconds(service["stop_grace_period"]) >= 10, f"{name} stops without a grace period"


def test_app_commands_are_real_orbit_commands(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"]["target"] == "app", name
        commands = [service["command"]]
        if service["healthcheck"]["test"][1] == "orbit":
            commands.append(service["healthcheck"]["test"][1:])
        for command in commands:
            assert command[0] == "orbit", f"{name}: {command}"
            try:
                arguments = parser().parse_args(command[1:])
            except SystemExit:
                pytest.fail(f"{name}: `{shlex.join(command)}` is not an orbit command")
            assert callable(arguments.run)
    assert services["server"]["command"][1] == "serve"
    assert services["worker"]["command"][1] == "worker"
    assert services["scheduler"]["command"][1] == "scheduler"
    assert services["migrate"]["command"][1] == "migrate"


def test_workers_scale_and_the_scheduler_is_one(services: dict[str, dict[str, Any]]) -> None:
    for name in ("server", "worker"):
        assert "ports" not in services[name] and "container_name" not in services[name], f"{name} must scale"
        assert "replicas" not in services[name].get("deploy", {})
    assert services["scheduler"]["deploy"]["replicas"] == 1
    for name in ("server", "worker", "scheduler"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_stop_periods_outlast_the_drain_and_the_job_hand_back(services: dict[str, dict[str, Any]]) -> None:
    server, worker = services["server"], services["worker"]
    drain = float(option(server["command"], "--drain-seconds"))
    assert 0 < drain < seconds(server["stop_grace_period"]) - 10, "the drain leaves no time for requests in flight"
    stop = float(option(worker["command"], "--stop-seconds"))
    assert stop < seconds(worker["stop_grace_period"]) - 5, "a job would be killed before it is handed back"
    heartbeat = option(worker["command"], "--heartbeat")
    assert option(worker["healthcheck"]["test"], "--heartbeat") == heartbeat
    scheduler = services["scheduler"]
    assert option(scheduler["healthcheck"]["test"], "--heartbeat") == option(scheduler["command"], "--heartbeat")


def test_every_variable_compose_reads_is_in_env_example() -> None:
    text = COMPOSE.read_text().replace("$$", "")
    read = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)) | set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
    named = env_example()
    assert read, "compose.yaml reads no variable?"
    assert read - set(named) == set(), "read by compose.yaml but missing from .env.example"
    assert set(named) - read == set(), "named in .env.example but read by nothing"
    assert all(value for value in named.values()), "every example has a value"


def test_the_app_reads_every_variable_it_is_given(compose: dict[str, Any], services: dict[str, Any]) -> None:
    environment = compose["x-app"]["environment"]
    known = set(_ENV_NAMES.values()) | OTHER_APP_VARIABLES
    for name in APP_SERVICES:
        given = services[name]["environment"]
        assert set(given) - known == set(), f"{name}: set for the app but read by no code"
        assert environment.items() <= given.items(), f"{name} lacks the common environment"
    for name in ("worker", "scheduler"):
        port = services[name]["environment"]["METRICS_PORT"]
        assert services[name]["expose"] == [port], f"{name}'s metrics port is not the one exposed"
    storage = urlsplit(environment["S3_ENDPOINT_URL"])
    assert environment["STORAGE_BACKEND"] == "s3" and storage.hostname in services
    for name in APP_SERVICES:
        assert services[name]["depends_on"][storage.hostname]["condition"] == "service_healthy"


def test_the_proxy_environment_matches_the_caddyfile(services: dict[str, Any]) -> None:
    caddyfile = CADDYFILE.read_text()
    placeholders = dict(re.findall(r"\{\$([A-Z_]+)(?::([^}]*))?\}", caddyfile))
    environment = services["proxy"]["environment"]
    assert set(environment) - set(placeholders) == set(), "set for the proxy but unused by the Caddyfile"
    required = {name for name in placeholders if f"{{${name}:" not in caddyfile}
    assert required <= set(environment), "the Caddyfile needs these without a default"
    assert environment["ORBIT_TLS"] == "on_demand" and environment["ORBIT_SITE_SCHEME"] == "https"
    for mode in ("on_demand", "off"):
        assert f"(tls_{mode})" in caddyfile


def test_ports_agree(compose: dict[str, Any], services: dict[str, Any]) -> None:
    server = services["server"]
    port = int(option(server["command"], "--port"))
    assert option(server["command"], "--host") == "0.0.0.0"
    ready = urlsplit(option(server["healthcheck"]["test"], "--url"))
    assert (ready.hostname, ready.port, ready.path) == ("127.0.0.1", port, "/ready")
    proxy = services["proxy"]["environment"]
    assert proxy["ORBIT_UPSTREAMS"].split() == [f"server:{port}"]
    ask = urlsplit(proxy["ORBIT_ASK_URL"])
    assert (ask.hostname, ask.port, ask.path) == ("server", port, ASK_PATH)
    assert f"ask {{$ORBIT_ASK_URL:{proxy['ORBIT_ASK_URL']}}}" in CADDYFILE.read_text()
    assert sorted(services["proxy"]["ports"]) == ["443:443", "443:443/udp", "80:80"]
    environment = compose["x-app"]["environment"]
    for variable, service, service_port in (
        ("DATABASE_URL", "postgres", 5432),
        ("MIGRATION_DATABASE_URL", "postgres", 5432),
        ("REDIS_URL", "redis", 6379),
    ):
        url = urlsplit(re.sub(r"\$\{[^}]*\}", "secret", environment[variable]))
        assert (url.hostname, url.port) == (service, service_port), variable
    assert urlsplit(environment["DATABASE_URL"]).path == "/" + services["postgres"]["environment"]["POSTGRES_DB"]
    assert urlsplit(environment["DATABASE_URL"]).username == "orbit_app"


def test_volumes_agree(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used: dict[str, str] = {}
    for service in services.values():
        for mount in service.get("volumes", []):
            source, target = mount.split(":")[:2]
            assert source in declared, f"{source} is not a declared volume"
            assert source not in used, f"{source} is mounted twice"
            used[source] = target
    assert set(used) == declared, "a declared volume is used by nobody"
    assert used["pgdata"] == "/var/lib/postgresql/data"
    assert used["redisdata"] == "/data"
    assert used["caddydata"] == "/data" and used["caddyconfig"] == "/config"
    postgres = " ".join(services["postgres"]["command"])
    archive = re.search(r"archive_command=.*?cp %p (\S+)/%f", postgres)
    assert archive is not None and archive.group(1) == used["pgwal"]
    assert "archive_mode=on" in postgres and "wal_level=replica" in postgres
    assert "--appendonly yes" in " ".join(services["redis"]["command"])


def test_one_dockerfile_node_only_in_the_build_stage(services: dict[str, Any]) -> None:
    stages = re.findall(r"^FROM (\S+) AS (\S+)$", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert stages[0][0].startswith("node:"), "the first stage builds the front ends with Node"
    runtime = {name: image for image, name in stages[1:]}
    assert set(runtime) == {"proxy", "app"}
    assert not any(image.startswith("node") for image in runtime.values())
    text = DOCKERFILE.read_text()
    copied = re.findall(r"COPY --from=(\S+) (\S+)", text)
    assert copied and all(source == stages[0][1] and path.endswith("/dist") for source, path in copied)
    assert "npm" not in text.split("AS proxy")[1], "no Node tooling after the build stage"
    assert {service["build"]["target"] for service in services.values() if "build" in service} == set(runtime)
    assert re.search(r"^FROM caddy:2\.6 AS proxy$", text, flags=re.MULTILINE), "the release the proxy test runs"
