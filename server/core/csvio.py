"""CSV in and out, as shops' spreadsheets produce and expect them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from starlette.responses import Response

from server.core.errors import NUL, ValidationFailed, reject_nul

MAX_CSV_BYTES = 10 * 1024 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def spreadsheet_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading `'` (CSV injection);
    numbers, including negative ones written as text, are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def decode_spreadsheet(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as older spreadsheet programs write."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _unquote(cell: str) -> str:
    """Undo `spreadsheet_safe`, so an exported file imports back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_PREFIXES and cell[1:2] else cell


def read_rows(raw: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header (lower-cased, trimmed) and rows of a comma-, semicolon- or tab-separated file."""
    text = decode_spreadsheet(raw)
    if not text.strip():
        raise ValidationFailed("the file is empty", code="empty_file")
    first_line = text.splitlines()[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [name.strip().lower() for name in next(reader)]
    rows = [dict(zip(header, (_unquote(cell.strip()) for cell in row), strict=False)) for row in reader if any(row)]
    if NUL in text:
        # Located as the importers locate a cell: its line in the file (the header is line 1).
        reject_nul({"header": header, "row": dict(enumerate(rows, start=2))}, "body")
    return header, rows


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A UTF-8 CSV download with a BOM, so spreadsheet programs detect the encoding. Rows are
    read inside the request's transaction, so the whole file is built before it is sent."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return Response(
        buffer.getvalue().encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
