"""`orbit dev` from nothing: embedded services, migrations, demo seed, serving, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from server.demo import DEMO_LOGINS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(url: str, *, body: dict[str, object] | None = None, host: str | None = None) -> tuple[int, dict]:
    headers = {"content-type": "application/json"}
    if host:
        headers["Host"] = host
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw.startswith(b"{") else {"text": raw.decode()}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.slow
def test_orbit_dev_runs_the_system_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    data_dir = tmp_path / "orbit"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "dev",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--demo-products",
            "40",
            "--demo-days",
            "60",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output.append(line)
            if "Press Ctrl-C to stop." in line:
                break
        banner = "".join(output)
        assert "Press Ctrl-C to stop." in banner, banner
        assert f"http://orbitengine.localhost:{port}/api/docs" in banner
        for login in DEMO_LOGINS:
            assert login.email in banner and login.password in banner

        base = f"http://127.0.0.1:{port}"
        status, docs = request(f"{base}/api/docs")
        assert status == 200 and "swagger" in docs["text"].lower()
        status, ready = request(f"{base}/ready")
        assert status == 200, ready

        demo_host = f"demo.orbitengine.localhost:{port}"
        cashier = DEMO_LOGINS[2]
        status, tokens = request(
            f"{base}/api/v1/auth/login", body={"email": cashier.email, "password": cashier.password}, host=demo_host
        )
        assert status == 200, tokens
        status, registered = request(
            f"{base}/api/v1/auth/register",
            host=f"orbitengine.localhost:{port}",
            body={
                "company_name": "Librería Central",
                "admin_name": "Lucía",
                "email": "lucia@libreria.example",
                "password": "a long and unusual passphrase",
                "currency": "USD",
                "locale": "en-US",
                "time_zone": "America/New_York",
            },
        )
        assert status == 201, registered
        assert registered["app_url"] == f"http://libreria-central.orbitengine.localhost:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, "".join(output)
    assert not (data_dir / "postgres" / "postmaster.pid").exists()
    assert (data_dir / "postgres" / "PG_VERSION").exists()
