"""Photos made on the spot for the image tests: real JPEG/PNG/WebP files with EXIF and GPS."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def photo(
    width: int = 400, height: int = 200, *, fmt: str = "JPEG", orientation: int | None = None, seed: int = 0
) -> bytes:
    """A photo with a red left half and a blue right half (so orientation can be checked), with
    EXIF (camera make, GPS position, orientation) when the format carries it."""
    image = Image.new("RGB", (width, height), (0, 0, 200 + seed % 50))
    image.paste((220, 20, 20), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[MAKE] = "OrbitCam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (33.0, 27.0, 0.0), 3: "W", 4: (70.0, 39.0, 0.0)})
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.putalpha(200)
        image.save(buffer, "PNG", exif=exif)
    else:
        image.save(buffer, fmt, exif=exif, quality=90)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge canvas (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()
