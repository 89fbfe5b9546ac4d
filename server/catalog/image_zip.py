"""Reading a zip of product images named by SKU, defensively (pure: no database, no storage).

A file's SKU is its name without the folders and without a `.jpg`, `.jpeg`, `.png` or `.webp`
ending (any case): `fotos/ABC-123.JPG` is the image of SKU `ABC-123`. Folders, macOS's
`__MACOSX/` copies and hidden files (`.DS_Store`) are passed over. The content decides whether
a file is an image, never its ending.

Refused for the whole zip, whatever `skip_invalid` says (a 4xx and nothing stored):
- not a zip, or an encrypted one;
- more than `MAX_ENTRIES` files;
- a zip bomb: declared sizes past `MAX_TOTAL_BYTES` together, or a file that claims to expand
  more than `MAX_RATIO` times (photos hardly compress).
Reported per file (the zip is refused, or with `skip_invalid` the file is skipped):
- a path in a name (`..`, a leading `/`, a backslash, a drive letter);
- a file larger than `image_files.MAX_IMAGE_BYTES` (declared, or found while reading: a lying
  header cannot make us read more);
- two files for one SKU.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from server.catalog.image_files import MAX_IMAGE_BYTES
from server.catalog.schemas import ImageImportError
from server.core.errors import FieldError, UnsupportedMediaType, ValidationFailed

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 50
MAX_ZIP_BYTES = 512 * 1024 * 1024
IMAGE_ENDINGS = (".jpg", ".jpeg", ".png", ".webp")
_DRIVE = re.compile(r"^[A-Za-z]:")


class NotAZip(UnsupportedMediaType):
    def __init__(self, detail: str = "the file is not a zip archive") -> None:
        super().__init__(detail, code="not_a_zip")


class ZipBomb(ValidationFailed):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, code="zip_bomb", errors=[FieldError(loc=["body"], msg=detail)])


@dataclass
class ZipEntry:
    file: str
    sku: str
    info: zipfile.ZipInfo
    archive: zipfile.ZipFile = field(repr=False)

    def read(self) -> bytes:
        """The file's bytes, never more than `MAX_IMAGE_BYTES` whatever its header says."""
        with self.archive.open(self.info) as member:
            data = member.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ZipBomb(f"{self.file} expands past its declared size")
        return data


def _path_problem(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith("/")
        or "\\" in name
        or bool(_DRIVE.match(name))
        or ".." in parts
        or any("\x00" <= character < " " for character in name)
    )


def sku_of(name: str) -> str:
    base = PurePosixPath(name).name
    lowered = base.lower()
    for ending in IMAGE_ENDINGS:
        if lowered.endswith(ending) and len(base) > len(ending):
            return base[: -len(ending)]
    return base


def _passed_over(info: zipfile.ZipInfo) -> bool:
    base = PurePosixPath(info.filename).name
    return (
        info.is_dir()
        or info.filename.startswith("__MACOSX/")
        or base.startswith(".")
        or base.lower() in ("thumbs.db", "desktop.ini")
    )


def read_zip(archive: bytes | IO[bytes]) -> tuple[list[ZipEntry], list[ImageImportError]]:
    """The usable entries and the per-file problems; raises for a zip refused whole."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(archive) if isinstance(archive, bytes) else archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise NotAZip() from None
    infos = [info for info in opened.infolist() if not _passed_over(info)]
    if len(infos) > MAX_ENTRIES:
        raise ZipBomb(f"the zip holds {len(infos)} files; at most {MAX_ENTRIES} are accepted")
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise ZipBomb("the zip expands to more than 2 GiB")
    for info in infos:
        if info.flag_bits & 0x1:
            raise NotAZip("the zip is encrypted")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise ZipBomb(f"{info.filename} claims to expand {info.file_size // max(info.compress_size, 1)} times")
    entries: list[ZipEntry] = []
    errors: list[ImageImportError] = []
    seen: dict[str, str] = {}
    for info in infos:
        name = info.filename
        if _path_problem(name):
            errors.append(ImageImportError(file=name, message="a file name may not hold a path (.., /, \\ or a drive)"))
            continue
        if info.file_size > MAX_IMAGE_BYTES:
            errors.append(ImageImportError(file=name, message=f"larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB"))
            continue
        sku = sku_of(name)
        if sku.lower() in seen:
            errors.append(ImageImportError(file=name, message=f"{seen[sku.lower()]} is already the SKU's image"))
            continue
        seen[sku.lower()] = name
        entries.append(ZipEntry(file=name, sku=sku, info=info, archive=opened))
    return entries, errors
