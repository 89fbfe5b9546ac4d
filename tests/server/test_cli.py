"""`orbit openapi`: the API document written without a server, database or Redis; `orbit serve`'s
log level."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from server.cli import main

ROOT = Path(__file__).resolve().parents[2]


def sorted_everywhere(value: Any) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(sorted_everywhere(item) for item in value.values())
    if isinstance(value, list):
        return all(sorted_everywhere(item) for item in value)
    return True


def write_document(tmp_path: Path) -> str:
    output = tmp_path / "nested" / "openapi.json"
    main(["openapi", "--output", str(output)])
    assert not list(tmp_path.glob("**/*.tmp"))
    return output.read_text(encoding="utf-8")


async def test_the_written_document_is_the_served_one_pretty_and_sorted(api: Any, tmp_path: Path) -> None:
    raw = write_document(tmp_path)
    assert raw.endswith("}\n") and not raw.endswith("\n\n")
    assert raw.startswith('{\n  "components": {')
    written = json.loads(raw)
    assert sorted_everywhere(written)
    served = (await api.client().get("/api/openapi.json")).json()
    assert written == served
    validate(written, cls=OpenAPIV31SpecValidator)


def test_it_needs_no_database_redis_or_settings(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": "postgresql://nobody@192.0.2.1:1/none",
    }
    environment["REDIS_URL"] = "redis://192.0.2.1:1/0"
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "openapi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    assert "/api/v1/auth/session/refresh" in document["paths"]


def test_the_document_declares_the_session_cookie_and_csrf_header(api: Any, tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    main(["openapi", "-o", str(output)])
    document = json.loads(output.read_text())
    refresh = document["paths"]["/api/v1/auth/session/refresh"]["post"]
    parameters = {(p["in"], p["name"]): p for p in refresh["parameters"] if "in" in p}
    assert parameters[("cookie", "orbit_refresh")]["required"] is False
    assert parameters[("header", "X-Orbit-CSRF")]["schema"] == {"type": "string", "enum": ["1"]}
    assert "requestBody" not in refresh
    assert refresh["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionRead"
    }
    assert set(refresh["responses"]) >= {"200", "401", "403", "404"}
    session = document["components"]["schemas"]["SessionRead"]
    assert set(session["properties"]) == {"access_token", "token_type", "expires_in", "user"}
    logout = document["paths"]["/api/v1/auth/session/logout"]["post"]
    assert "content" not in logout["responses"]["204"]
    pin = document["paths"]["/api/v1/users/{user_id}/pin"]["put"]
    assert pin["security"] == [{"bearerAuth": []}] and "204" in pin["responses"]
    organization = document["paths"]["/api/v1/organization"]
    assert set(organization) == {"get", "patch"}


def serve_once(tmp_path: Path, *flags: str) -> str:
    """Start `orbit serve` with `flags`, ask `/health` once, stop it, and return what it logged."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": "postgresql://nobody@192.0.2.1:1/none",  # never reached: /health needs neither
        "REDIS_URL": "redis://192.0.2.1:1/0",
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *flags]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    return errors.decode()


def test_the_log_level_flag_quiets_every_logger_the_request_lines_too(tmp_path: Path) -> None:
    """`--log-level` wins over LOG_LEVEL for the whole process: the one-line-per-request log
    (`orbit.access`, INFO) is written by default and not under `--log-level warning`, where a
    busy server would otherwise spend its CPU on lines nobody asked for."""
    assert "orbit.access" in serve_once(tmp_path)
    assert "orbit.access" not in serve_once(tmp_path, "--log-level", "warning")
