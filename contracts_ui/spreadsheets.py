"""Files people open in a spreadsheet, and the ledger's record of each one handed out.

CSV is streamed row by row; Excel is written row by row to a temporary file, then sent. No cell
runs as a formula. Each export's outcome is recorded once the file is complete (with the rows
written) or as failed: a fabric failure midway ends the file with a line saying it is
incomplete, a download stopped midway or a fault of the console is a failure too.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from contracts_ui import fabric
from contracts_ui.audit import ExportRecord

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), also after
# leading spaces, and some read the full-width forms as the ASCII ones.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_REPLACEMENT = "\ufffd"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _recorded_rows(rows: Iterable[list[Any]], export: ExportRecord) -> Iterator[list[Any]]:
    """`rows`, each failure on the way recorded as the export's outcome."""
    try:
        yield from rows
    except fabric.FabricError as error:
        export.failed(f"fabric failed midway ({error.message})")
        yield ["EXPORT INCOMPLETE", spreadsheet_cell(error.user_message)]
    except Exception as error:
        export.failed(f"the console failed midway ({type(error).__name__})")
        raise


def _csv_lines(rows: Iterable[list[Any]], export: ExportRecord) -> Iterator[str]:
    writer = csv.writer(_Echo())
    try:
        for row in _recorded_rows(rows, export):
            yield writer.writerow(row)
    except GeneratorExit:
        # The server closes the stream early: the client went away, the file is not complete.
        export.failed("the download stopped")
        raise
    export.succeeded()


def _never_cached[R: (FileResponse, StreamingHttpResponse)](response: R) -> R:
    add_never_cache_headers(response)
    return response


def streaming_csv_response(
    rows: Iterable[list[Any]], filename: str, *, export: ExportRecord
) -> StreamingHttpResponse:
    """A CSV download produced as `rows` are produced: memory stays flat whatever the count."""
    return _never_cached(
        StreamingHttpResponse(
            _csv_lines(rows, export),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


def xlsx_response(
    rows: Iterable[list[Any]], filename: str, *, sheet: str, export: ExportRecord
) -> FileResponse:
    """An Excel download of `rows` on one sheet, written (openpyxl write-only) before it is sent."""
    # Deleted when the response closes it, or here if the file cannot be made.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        for row in _recorded_rows(rows, export):
            worksheet.append(row)
        workbook.save(spool)
        spool.seek(0)
    except Exception as error:
        spool.close()
        export.failed(f"the console failed to write the file ({type(error).__name__})")
        raise
    export.succeeded()
    return _never_cached(
        FileResponse(spool, as_attachment=True, filename=filename, content_type=_XLSX)
    )
