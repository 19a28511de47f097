"""Files people open in a spreadsheet: CSV streamed row by row, no cell run as a formula."""

import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


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
