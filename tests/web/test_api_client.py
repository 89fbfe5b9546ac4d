"""The front ends' typed API client is generated from the live OpenAPI document: this test fails
when the committed types (`packages/shared/src/api/schema.d.ts`) differ from what the app
declares now. Fix with `make api-client`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from server.cli import openapi_json

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "node_modules" / ".bin" / "openapi-typescript"
COMMITTED = ROOT / "packages" / "shared" / "src" / "api" / "schema.d.ts"


def test_committed_api_types_match_the_live_document(tmp_path: Path) -> None:
    assert GENERATOR.exists(), "the npm workspace is not installed (make web-install)"
    document = tmp_path / "openapi.json"
    document.write_bytes(openapi_json())
    generated = tmp_path / "schema.d.ts"
    subprocess.run([str(GENERATOR), str(document), "-o", str(generated)], check=True, capture_output=True, cwd=ROOT)
    assert generated.read_text() == COMMITTED.read_text(), "API types are stale: run `make api-client`"
