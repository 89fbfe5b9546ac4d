"""Turning an uploaded photo into a product's image files (pure: no database, no storage).

The pipeline, per upload:

1. Sniff the type from the first bytes (JPEG, PNG, WebP); the name and the declared content
   type are never trusted. Anything else is a 415.
2. Read the header only and refuse more than `MAX_PIXELS` (a small file can declare a huge
   canvas: a decompression bomb) before decoding anything.
3. Decode, at a reduced scale when the format allows it (JPEG's DCT scaling: a 24-megapixel
   photo decodes at 1/2 or 1/4 of its size, never below the largest rendition), apply the EXIF
   orientation, convert to sRGB when an ICC profile is embedded, and drop every piece of
   metadata (EXIF with its GPS position, XMP, the profile itself).
4. Render each size in `SIZES` as WebP, each from the previous larger one, fitted inside its
   square box with the aspect kept (a product is never cropped; small photos are not enlarged).

`version` is a digest of the upload and of `PIPELINE`, so the same photo uploaded twice is one
version, and changing the sizes or the encoder settings gives new files.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from server.core.errors import UnsupportedMediaType, ValidationFailed

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000
SIZES: dict[str, int] = {"detail": 1200, "grid": 320, "thumb": 96}
"""Rendition name → the side of the square box it fits in, largest first: `detail` for the
product's page, `grid` for the point of sale's tiles (up to 160 CSS pixels at 2×), `thumb` for
rows of the product list (48 CSS pixels at 2×)."""
WEBP_QUALITY = 80
PIPELINE = f"v1:{sorted(SIZES.items())}:q{WEBP_QUALITY}"
CONTENT_TYPE = "image/webp"

_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_SRGB = ImageCms.createProfile("sRGB")


class NotAnImage(UnsupportedMediaType):
    def __init__(self) -> None:
        super().__init__("the file is not a JPEG, PNG or WebP image", code="unsupported_image")


class UnreadableImage(ValidationFailed):
    def __init__(self, detail: str = "the image is damaged or cannot be read") -> None:
        super().__init__(detail, code="unreadable_image")


class TooManyPixels(ValidationFailed):
    def __init__(self, width: int | None = None, height: int | None = None) -> None:
        size = f"{width}×{height} pixels" if width and height else "too many pixels"
        super().__init__(
            f"the image is {size}; at most {MAX_PIXELS // 1_000_000} megapixels are accepted",
            code="image_too_many_pixels",
        )


@dataclass(frozen=True, slots=True)
class RenderedImage:
    version: str
    source_format: str
    width: int
    height: int
    files: dict[str, bytes]
    """Rendition name → WebP bytes, for every name of `SIZES`."""


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce ('JPEG', 'PNG', 'WEBP'), or None."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def image_version(data: bytes) -> str:
    return hashlib.sha256(PIPELINE.encode() + b"\0" + data).hexdigest()[:24]


def open_checked(data: bytes) -> Image.Image:
    """The image's header, opened lazily, after the content and pixel-count checks."""
    kind = sniff(data[:16])
    if kind is None:
        raise NotAnImage()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnreadableImage() from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise TooManyPixels(width, height)
    if width < 1 or height < 1:
        raise UnreadableImage()
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def render(data: bytes) -> RenderedImage:
    """Check, clean and render an upload (CPU-bound: run it in a worker thread)."""
    image = open_checked(data)
    source_format = str(image.format)
    width, height = image.size
    largest = max(SIZES.values())
    try:
        if source_format == "JPEG":
            image.draft("RGB", (largest, largest))
        image.seek(0)
        image.load()
        oriented = ImageOps.exif_transpose(image)
        has_alpha = oriented.mode in ("RGBA", "LA", "PA") or (oriented.mode == "P" and "transparency" in oriented.info)
        pixels = oriented.convert("RGBA" if has_alpha else "RGB")
        pixels.info = {"icc_profile": image.info.get("icc_profile")} if image.info.get("icc_profile") else {}
        pixels = _to_srgb(pixels)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UnreadableImage() from None
    files: dict[str, bytes] = {}
    current = pixels
    for name, side in SIZES.items():
        if current.width > side or current.height > side:
            current = current.copy()
            current.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        current.info = {}
        buffer = io.BytesIO()
        current.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        files[name] = buffer.getvalue()
    return RenderedImage(
        version=image_version(data), source_format=source_format, width=width, height=height, files=files
    )
