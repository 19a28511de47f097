"""Files people open in a spreadsheet: CSV streamed row by row, no cell run as a formula."""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), also after
# leading spaces, and some read the full-width forms as the ASCII ones.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_REPLACEMENT = "\ufffd"


def spreadsheet_cell(value: Any) -> str:
    """The value as text a spreadsheet shows as it is: control characters an xlsx file cannot
    hold (openpyxl refuses them) replaced by U+FFFD, and a leading apostrophe where a
    spreadsheet would see a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub(_REPLACEMENT, "" if value is None else str(value))
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(_FORMULA_PREFIXES):
        return f"'{text}"
    return text


class _Echo:
    """A file-like object that hands back what csv.writer writes, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def streaming_csv_response(rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    """A CSV download produced as `rows` are produced: memory stays flat whatever the count."""
    writer = csv.writer(_Echo())
    return StreamingHttpResponse(
        (writer.writerow(row) for row in rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
