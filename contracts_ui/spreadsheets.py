"""Files people open in a spreadsheet, and the ledger's record of each one handed out.

Every file starts with its header row, column labels in words; what the file holds (which
account, organization, filters, when, by whom) is on a second sheet "About" in Excel and in the
file name of a CSV. CSV is UTF-8 with a byte-order mark (Excel reads it as UTF-8 then) and is
streamed row by row; Excel is written row by row (openpyxl write-only) to a temporary file, then
sent, with real dates and booleans, a frozen header, an autofilter and widths fitted to the first
rows. No cell runs as a formula. Each export's outcome is recorded once the file is complete (with
the rows written) or as failed: a fabric failure midway ends the file with a line saying it is
incomplete, a download stopped midway or a fault of the console is a failure too.
"""

import csv
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contracts_ui import fabric
from contracts_ui.audit import ExportRecord

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection), also after
# leading spaces, and some read the full-width forms as the ASCII ones.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_REPLACEMENT = "\ufffd"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
INCOMPLETE = "EXPORT INCOMPLETE"
# Column widths are fitted to the header and this many rows (a fabric page), so memory stays flat.
WIDTH_SAMPLE_ROWS = 100
CSV_CHUNK_ROWS = 100
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_FILENAME_PART = 40


def spreadsheet_cell(value: Any) -> str:
    """The value as text a spreadsheet shows as it is: control characters an xlsx file cannot
    hold (openpyxl refuses them) replaced by U+FFFD, and a leading apostrophe where a
    spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    if not text.isprintable():  # no control character is printable: most cells skip the regex
        text = ILLEGAL_CHARACTERS_RE.sub(_REPLACEMENT, text)
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(_FORMULA_PREFIXES):
        return f"'{text}"
    return text


@dataclass(frozen=True)
class Table:
    """An export's content: column labels, rows of Python values (text, numbers, booleans, dates
    and aware datetimes, None for empty) and what the file is, as (label, value) lines."""

    columns: tuple[str, ...]
    rows: Iterable[Sequence[Any]]
    about: tuple[tuple[str, str], ...]


def utc_moment(moment: datetime) -> datetime | date:
    """A moment in UTC without its zone (spreadsheets have none); a midnight is its day."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.date() if naive.time() == time.min else naive


def _csv_value(value: Any) -> str:
    if type(value) is str:  # most cells: one test instead of five
        return spreadsheet_cell(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # what Excel reads as booleans
    if isinstance(value, datetime):
        shown = utc_moment(value) if value.tzinfo else value
        return shown.isoformat(" ", "seconds") if isinstance(shown, datetime) else shown.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return spreadsheet_cell(value)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return utc_moment(value) if value.tzinfo else value
    return None if value is None else spreadsheet_cell(value)


def export_filename(kind: str, *parts: str, moment: datetime, extension: str) -> str:
    """`kind-part-part-YYYYMMDDTHHMMSSZ.ext`, each part slugified and shortened: a CSV carries what
    it holds in its name, since its first line must be the header."""
    words = [slugify(part)[:_FILENAME_PART].strip("-") for part in parts]
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return "-".join([kind, *(word for word in words if word), stamp]) + f".{extension}"


class _Echo:
    """A file-like object that hands back what csv.writer writes, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def _recorded_rows(rows: Iterable[Sequence[Any]], export: ExportRecord) -> Iterator[Sequence[Any]]:
    """`rows`, each failure on the way recorded as the export's outcome."""
    try:
        yield from rows
    except fabric.FabricError as error:
        export.failed(f"fabric failed midway ({error.message})")
        yield [INCOMPLETE, error.user_message]
    except Exception as error:
        export.failed(f"the console failed midway ({type(error).__name__})")
        raise


def _csv_lines(table: Table, export: ExportRecord) -> Iterator[str]:
    writer = csv.writer(_Echo())
    try:
        yield BOM + writer.writerow([spreadsheet_cell(label) for label in table.columns])
        # Rows go out CSV_CHUNK_ROWS at a time (a fabric page): one write to the client each,
        # not one per row, which cost the server a send and an encode per line.
        lines = []
        for row in _recorded_rows(table.rows, export):
            lines.append(writer.writerow([_csv_value(value) for value in row]))
            if len(lines) >= CSV_CHUNK_ROWS:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)
    except GeneratorExit:
        # The server closes the stream early: the client went away, the file is not complete.
        export.failed("the download stopped")
        raise
    export.succeeded()


def _never_cached[R: (FileResponse, StreamingHttpResponse)](response: R) -> R:
    add_never_cache_headers(response)
    return response


def streaming_csv_response(
    table: Table, filename: str, *, export: ExportRecord
) -> StreamingHttpResponse:
    """A CSV download produced as the rows are produced: memory stays flat whatever the count."""
    return _never_cached(
        StreamingHttpResponse(
            _csv_lines(table, export),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


def _shown_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if isinstance(value, bool):
        return 5
    return max((len(line) for line in str(value).splitlines()), default=0)


def _fitted_widths(columns: Sequence[str], sample: Sequence[Sequence[Any]]) -> list[int]:
    widths = [len(label) + 3 for label in columns]  # room for the filter button
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            if value is not None:
                widths[index] = max(widths[index], _shown_width(value) + 2)
    return [min(max(width, _MIN_WIDTH), _MAX_WIDTH) for width in widths]


def _write_data_sheet(workbook: Workbook, sheet: str, table: Table, export: ExportRecord) -> None:
    worksheet = workbook.create_sheet(sheet)
    rows = iter(_recorded_rows(table.rows, export))
    # Widths and the frozen pane go before the first row in a write-only sheet.
    sample = [
        [_xlsx_value(value) for value in row] for row in itertools.islice(rows, WIDTH_SAMPLE_ROWS)
    ]
    for index, width in enumerate(_fitted_widths(table.columns, sample), start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in table.columns:
        cell = WriteOnlyCell(worksheet, value=spreadsheet_cell(label))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    written, incomplete = 0, False
    for row in itertools.chain(sample, ([_xlsx_value(value) for value in row] for row in rows)):
        worksheet.append(row)
        written += 1
        incomplete = row[:1] == [INCOMPLETE]
    # The filter covers the header and the data, not a closing "incomplete" line.
    last_row = written - incomplete + 1
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{last_row}"


def _write_about_sheet(workbook: Workbook, table: Table) -> None:
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = _fitted_widths(
        ("",), [[value] for _, value in table.about]
    )[0]
    for label, value in table.about:
        about.append([spreadsheet_cell(label), spreadsheet_cell(value)])
    about.append([])
    about.append(["Columns", ", ".join(table.columns)])


def xlsx_response(table: Table, filename: str, *, sheet: str, export: ExportRecord) -> FileResponse:
    """An Excel download: the rows on `sheet`, what the file is on "About"; written (openpyxl
    write-only) to a temporary file before it is sent."""
    # Deleted when the response closes it, or here if the file cannot be made.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook = Workbook(write_only=True)
        _write_data_sheet(workbook, sheet, table, export)
        _write_about_sheet(workbook, table)
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
