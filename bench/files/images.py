"""Product images: upload-to-thumbnails for a 5 MB phone photo, against the raw Pillow calls that
make the same three WebP sizes, measured in the same run.

    .venv/bin/python bench/files/images.py [--runs 7] [--backend local|s3]

What it times (each: one warm-up, then `--runs` runs; median and p95 in milliseconds):

Wall time and this process's CPU time are both given (the server runs in the process, so its
CPU time includes the server's work, every thread).

1. `upload`: `PUT /api/v1/products/{id}/image` through the ASGI app with httpx (in process: no
   sockets): the tenant and token checks, reading the 5 MB body, the sniffing and pixel check,
   decoding, orientation, rendering the three sizes, writing them to object storage (`local`, a
   temporary directory, or `s3`, a SeaweedFS that the benchmark starts on loopback ports), the
   product row, the audit entry, the commit, and deleting the previous version's files. Each run
   sends the photo with a different trailing byte, so each is a new version (nothing is skipped
   as already stored);
2. `pipeline`: `server.catalog.image_files.render` alone on the same bytes (no HTTP, database or
   storage);
3. `baseline`: the raw Pillow calls a straightforward implementation makes: open, decode at full
   size, apply the EXIF orientation, convert to RGB, then for each size `thumbnail` (LANCZOS) from
   the full image and save as WebP with the same quality and method.

The photo is 4032×3024 (a 12-megapixel phone camera), made here: smooth gradients, shapes and
sensor-like noise, JPEG quality 92, with EXIF (camera, GPS position, orientation 6), about 5 MB.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from bench.harness.database import ScratchDatabase  # noqa: E402
from bench.harness.server import BASE_DOMAIN  # noqa: E402
from bench.harness.tenant import check, register_tenant  # noqa: E402
from server.app import close_resources, create_app, open_resources  # noqa: E402
from server.catalog import image_files  # noqa: E402

WIDTH, HEIGHT = 4032, 3024


def make_photo(target_bytes: int = 5_000_000) -> bytes:
    """A 12-megapixel JPEG of about `target_bytes`, with EXIF (orientation 6, GPS)."""
    rng = numpy.random.default_rng(19)
    y, x = numpy.mgrid[0:HEIGHT, 0:WIDTH].astype(numpy.float32)
    base = numpy.stack(
        [
            110 + 80 * numpy.sin(x / 530) * numpy.cos(y / 410),
            120 + 70 * numpy.cos(x / 370 + y / 900),
            100 + 90 * numpy.sin((x + y) / 640),
        ],
        axis=-1,
    )
    for cx, cy, r, colour in ((1200, 900, 500, (230, 60, 40)), (2900, 1900, 700, (40, 90, 200))):
        disc = (x - cx) ** 2 + (y - cy) ** 2 < r**2
        base[disc] = colour
    quality, noise = 92, 9.0
    for _ in range(8):
        pixels = numpy.clip(base + rng.normal(0, noise, base.shape), 0, 255).astype(numpy.uint8)
        image = Image.fromarray(pixels, "RGB")
        exif = Image.Exif()
        exif[0x010F] = "BenchCam"
        exif[0x0112] = 6
        exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 27.0, 0.0), 3: "W", 4: (70.0, 39.0, 0.0)})
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, exif=exif)
        size = buffer.tell()
        if abs(size - target_bytes) < target_bytes * 0.08:
            break
        noise *= (target_bytes / size) ** 1.2
    return buffer.getvalue()


def raw_pillow(data: bytes) -> dict[str, bytes]:
    """The baseline: the same three WebP sizes with the plain Pillow calls."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    files: dict[str, bytes] = {}
    for name, side in image_files.SIZES.items():
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=image_files.WEBP_QUALITY, method=4)
        files[name] = buffer.getvalue()
    return files


async def timed(runs: int, step: Callable[[int], Awaitable[Any]]) -> dict[str, float]:
    """Wall time (median, p95, min) and this process's CPU time (median, every thread: the
    server runs in process) of `runs` runs after one warm-up. On a shared machine the CPU time
    is the steadier figure."""
    await step(-1)
    samples: list[float] = []
    cpu: list[float] = []
    for run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        await step(run)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))], 1),
        "min_ms": round(samples[0], 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
    }


async def measure(runs: int, backend: str, storage: dict[str, Any]) -> dict[str, Any]:
    photo = make_photo()
    database = ScratchDatabase(prefix="orbit_bench_images")
    settings = await database.create(**storage)
    resources = open_resources(settings)
    app = create_app(settings)
    app.state.resources = resources
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{BASE_DOMAIN}", timeout=120) as client:
            tenant = await register_tenant(client, company="Image bench", currency="CLP")
            product = check(
                await client.post(
                    "/api/v1/products", headers=tenant.headers, json={"sku": "PHOTO-1", "name": "Foto", "price": 990}
                ),
                201,
            )
            url = f"/api/v1/products/{product['id']}/image"
            headers = {**tenant.headers, "Content-Type": "image/jpeg"}

            async def upload(run: int) -> None:
                body = photo + b"\0" + str(run).encode()
                check(await client.put(url, headers=headers, content=body))

            async def pipeline(run: int) -> None:
                image_files.render(photo)

            async def baseline(run: int) -> None:
                raw_pillow(photo)

            figures = {
                "upload": await timed(runs, upload),
                "pipeline": await timed(runs, pipeline),
                "baseline": await timed(runs, baseline),
            }
            rendered = image_files.render(photo)
            plain = raw_pillow(photo)
    finally:
        await close_resources(resources)
        await database.drop()
    base = figures["baseline"]["median_ms"]
    return {
        "benchmark": "files/images",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "photo": {"bytes": len(photo), "width": WIDTH, "height": HEIGHT, "format": "JPEG", "exif_orientation": 6},
        "backend": backend,
        "runs": runs,
        "figures": figures,
        "ratios_to_baseline": {name: round(figures[name]["median_ms"] / base, 2) for name in ("upload", "pipeline")},
        "cpu_ratios_to_baseline": {
            name: round(figures[name]["cpu_median_ms"] / figures["baseline"]["cpu_median_ms"], 2)
            for name in ("upload", "pipeline")
        },
        "sizes_bytes": {
            "ours": {name: len(body) for name, body in rendered.files.items()},
            "baseline": {name: len(body) for name, body in plain.items()},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backend", choices=("local", "s3"), default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orbit-bench-images-") as scratch:
        if args.backend == "local":
            result = asyncio.run(measure(args.runs, "local", {"storage_dir": str(Path(scratch) / "objects")}))
        else:
            from tests.seaweedfs import seaweedfs_server

            with seaweedfs_server(Path(scratch)) as server:
                storage = {
                    "storage_backend": "s3",
                    "s3_endpoint_url": server.endpoint_url,
                    "s3_bucket": "orbit-bench",
                    "s3_access_key_id": server.access_key_id,
                    "s3_secret_access_key": server.secret_access_key,
                }
                result = asyncio.run(measure(args.runs, "s3 (SeaweedFS)", storage))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
