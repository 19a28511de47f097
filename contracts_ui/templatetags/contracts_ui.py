"""Small presentational filters and tags: status badges, date cues, the contracts table."""

import re
from datetime import datetime
from html import escape
from urllib.parse import quote, urlencode

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from contracts_ui import approvals
from contracts_ui.fabric.values import format_datetime
from contracts_ui.presentation import Cue, Edge, cue
from contracts_ui.templatetags.cached_urls import reverse_url

register = template.Library()


@register.filter
def status_class(status: str) -> str:
    """The badge modifier for a contract status."""
    return f"badge--{(status or 'unknown').lower()}"


@register.filter
def end_cue(end_date: object) -> SafeString:
    """The cue beside an end date (presentation.cue); '' when none applies or it is no date."""
    return _cue_html(cue(end_date, timezone.localdate(), edge="end"))


@register.filter
def start_cue(start_date: object) -> SafeString:
    """The cue beside a start date (presentation.cue); '' when none applies or it is no date."""
    return _cue_html(cue(start_date, timezone.localdate(), edge="start"))


class _ContractRowsHtml:
    """The contracts table's rows as HTML, written in Python with the stdlib's escape.

    The table is the console's most requested page, and its rows were most of its cost: as
    template markup, then as format_html per cell, 50 rows took longer than fabric's answer.
    Here the per-page work (today's date, the time zone, the URL shape) is done once and each
    row is one f-string. html.escape is what django.utils.html.escape calls.
    """

    _PLACEHOLDER = "__contract__"

    def __init__(self, account_id: str, show_organization: bool, select_form: str = "") -> None:
        self.account_id = account_id
        self.show_organization = show_organization
        self.select_form = select_form
        self.zone = timezone.get_current_timezone()
        self.today = timezone.localdate()
        self._detail_urls: dict[str | None, tuple[str, str]] = {}
        self._select_form = escape(select_form)
        self._badges: dict[str, str] = {}

    def detail_url(self, contract) -> str:
        """One link shape per organization (reverse_url); the id quoted as reverse() would."""
        parts = self._detail_urls.get(contract.party_id)
        if parts is None:
            shape = reverse_url(
                "contracts_ui:contract-detail",
                (self.account_id, contract.party_id, self._PLACEHOLDER),
            )
            parts = self._detail_urls[contract.party_id] = tuple(shape.split(self._PLACEHOLDER))
        # fabric's ids are hex: quote() (a fifth of a row's time) only what needs it.
        id_ = contract.id if _PLAIN.fullmatch(contract.id) else quote(contract.id, safe=_URL_SAFE)
        return f"{parts[0]}{id_}{parts[1]}"

    def date_cell(self, moment: datetime | None, edge: Edge, cell: str = "<td>") -> str:
        """A date and its cue (presentation.cue, as the start_cue and end_cue filters word it)."""
        if moment is None:
            return f"{cell}—</td>"
        day = moment.astimezone(self.zone).date()
        # isoformat, not strftime: the same text in a quarter of the time.
        found = cue(day, self.today, edge=edge)
        if found is None:
            return f"{cell}{day.isoformat()}</td>"
        # The cue's span as _cue_html writes it, with html.escape rather than format_html:
        # format_html was a fifth of a row's time.
        return (
            f'{cell}{day.isoformat()}<span class="cue cue--{escape(found.modifier)}">'
            f"{escape(found.text)}</span></td>"
        )

    def select_cell(self, contract, contract_id_html: str) -> str:
        """A checkbox posting "_id|updatedAt" with the bulk form, so the preview can tell a
        contract changed since the user saw this row."""
        if not self.select_form:
            return ""
        value = f"{contract.id}|{format_datetime(contract.updated_at) or ''}"
        return (
            f'<td><input type="checkbox" name="contract" form="{self._select_form}" '
            f'value="{escape(value)}" aria-label="Select {contract_id_html}"></td>'
        )

    def badge(self, status: str) -> str:
        """The status cell's badge, written once per status and page."""
        html = self._badges.get(status)
        if html is None:
            html = self._badges[status] = (
                f'<span class="badge {escape(status_class(status))}">'
                f"{escape(status.title())}</span>"
            )
        return html

    def organization_cell(self, row) -> str:
        if not self.show_organization:
            return ""
        party_id = row.contract.party_id
        url = reverse_url("contracts_ui:contract-list", (self.account_id, party_id))
        if row.organization_name:
            return f'<td><a href="{escape(url)}">{escape(row.organization_name)}</a></td>'
        return f'<td><a href="{escape(url)}">{escape(party_id)}</a></td>'

    @staticmethod
    def price_list_cell(row) -> str:
        if row.price_list:
            price_list = row.price_list
            return (
                f'{escape(price_list.name)} <span class="muted">'
                f"{escape(price_list.currency)} · #{escape(str(price_list.price_list_id))}</span>"
            )
        if row.contract.price_list_id:
            return f"#{escape(str(row.contract.price_list_id))}"
        return '<span class="muted">none</span>'

    def row(self, row) -> str:
        contract = row.contract
        updated = (
            contract.updated_at.astimezone(self.zone).isoformat(" ", "minutes")[:16]
            if contract.updated_at
            else "—"
        )
        contract_id_html = escape(contract.contract_id)
        return (
            f'<tr id="contract-row-{escape(contract.id)}">'
            f"{self.select_cell(contract, contract_id_html)}"
            f'<td class="mono"><a href="{escape(self.detail_url(contract))}">'
            f"{contract_id_html}</a></td>{self.organization_cell(row)}"
            f"{_MINOR}{escape(contract.contract_type or '—')}</td>"
            f"<td>{self.badge(contract.status)}</td>"
            f"{self.date_cell(contract.start_date, 'start', _MINOR)}"
            f"{self.date_cell(contract.end_date, 'end')}"
            f"{_MINOR}{self.price_list_cell(row)}</td>"
            f"{_MINOR}{'Yes' if contract.on_contract else 'No'}</td>"
            f"{_MINOR}{'Yes' if contract.promotion_stacking else 'No'}</td>"
            f"{_MINOR}{updated}</td></tr>"
        )


# A column a phone's width leaves out (contract id, status and end date stay; console.css).
_MINOR = '<td class="col-minor">'

# What reverse() leaves unquoted in a path segment (django.urls.resolvers).
_URL_SAFE = "!$&'()*+,;=/~:@"
# An id quote() would leave as it is.
_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")


def _cue_html(found: Cue | None) -> SafeString:
    if found is None:
        return SafeString("")
    return format_html('<span class="cue cue--{}">{}</span>', found.modifier, found.text)


@register.simple_tag
def filter_fields(form, *names: str) -> SafeString:
    """A query-string form's fields, each in the filter bar's field wrapper (PagingForm)."""
    return form.fields_html(names)


# The table's columns after the contract id and organization: (sort field, label, title); a
# column fabric cannot sort by has no field.
# (fabric's sort field or "", label, title, minor: a column a phone's width leaves out)
_COLUMNS = (
    ("", "Type", "", True),
    ("status", "Status", "", False),
    ("startDate", "Start", "", True),
    ("endDate", "End", "", False),
    ("priceListId", "Price list", "", True),
    ("", "On contract", "On contract: the contracted price list is used", True),
    (
        "",
        "Promotions stack",
        "Promotion stacking: contracted prices may also receive promotions",
        True,
    ),
    ("updatedAt", "Last modified", "", True),
)


class _ContractTableHead:
    """The contracts table's head row. A sortable column links to the table sorted by it (the
    query string kept, the page dropped, as `{% querystring %}` would write it); the current
    sort column says which way it runs and links to the other way."""

    def __init__(self, query: QueryDict | None, sort: str | None, order: str | None) -> None:
        self.query, self.sort, self.order = query, sort, order
        # The query string's parameters encoded once, as QueryDict.urlencode would, in order;
        # None where each link puts its own sort and order (their place, else the end).
        self._parts: list[str | None] = []
        for key, values in (query or QueryDict()).lists():
            if key in ("sort", "order"):
                self._parts.append(None)
            elif key != "page":
                self._parts.extend(urlencode({key: value}) for value in values)
        self._keys = [key for key in (query or {}) if key in ("sort", "order")]
        for key in ("sort", "order"):
            if key not in self._keys:
                self._keys.append(key)
                self._parts.append(None)

    def _href(self, field: str, order: str) -> str:
        own = iter(urlencode({key: {"sort": field, "order": order}[key]}) for key in self._keys)
        return escape("?" + "&".join(part or next(own) for part in self._parts))

    def cell(self, field: str, label: str, title: str = "", minor: bool = False) -> str:
        th = '<th scope="col"' + (' class="col-minor"' if minor else "")
        if title:
            th += f' title="{escape(title)}"'
        if not field or self.query is None:
            return f"{th}>{escape(label)}</th>"
        if self.sort == field:
            ascending = self.order == "asc"
            href = self._href(field, "desc" if ascending else "asc")
            aria, arrow = ("ascending", "▲") if ascending else ("descending", "▼")
            return (
                f'{th} aria-sort="{aria}"><a href="{href}" hx-get="{href}" '
                f'hx-push-url="true">{escape(label)} <span aria-hidden="true">{arrow}</span>'
                "</a></th>"
            )
        href = self._href(field, "asc")
        return f'{th}><a href="{href}" hx-get="{href}" hx-push-url="true">{escape(label)}</a></th>'

    def row(self, *, show_organization: bool, select_form: str) -> str:
        cells = [
            '<th scope="col"><span class="visually-hidden">Select</span></th>'
            if select_form
            else "",
            self.cell("contractId", "Contract id"),
            '<th scope="col">Organization</th>' if show_organization else "",
            *(self.cell(*column) for column in _COLUMNS),
        ]
        return f"<tr>{''.join(cells)}</tr>"


def contract_rows(
    rows, account_id: str, show_organization: bool = False, select_form: str = ""
) -> SafeString:
    """The contracts table's body: one <tr> per ContractRow; with `select_form`, a first cell
    ticks the row for that (bulk-change) form."""
    html = _ContractRowsHtml(account_id, show_organization, select_form)
    # Every value in a row passes through escape() above (tests/views/test_contract_rows.py).
    return mark_safe("".join(html.row(row) for row in rows))  # noqa: S308  # nosec B308, B703


@register.simple_tag(takes_context=True)
def open_approvals(context) -> int | None:
    """How many proposals wait in the page's account, for an editor's top bar; None (no link)
    where the account has no approval policy or the user is no editor there."""
    access, request = context.get("access"), context.get("request")
    if access is None or request is None:
        return None
    return approvals.open_count(request, access)


@register.simple_tag(takes_context=True)
def contract_table(
    context,
    rows,
    account_id: str,
    *,
    show_organization: bool = False,
    sortable: bool = False,
    select_form: str = "",
) -> SafeString:
    """The contracts table in one pass: its head (with `sortable`, each column fabric sorts by
    links to the table sorted by it, per the page's `form`) and its rows (contract_rows).

    The table is the console's most requested page: written as template includes (a header
    template per column, each with two {% querystring %}), its head cost more than its rows."""
    sorted_by = {}
    if sortable:
        sorted_by = getattr(context.get("form"), "cleaned_data", None) or {}
    head = _ContractTableHead(
        context.request.GET if sortable else None, sorted_by.get("sort"), sorted_by.get("order")
    )
    body = contract_rows(rows, account_id, show_organization, select_form)
    # The head escapes every value it writes, as the rows do.
    return mark_safe(  # noqa: S308  # nosec B308, B703
        '<p class="narrow-note muted">On a narrow screen the table shows contract id, status and'
        " end date; open a contract for the rest.</p>"
        '<div class="table-wrap"><table class="contracts"><thead>'
        f"{head.row(show_organization=show_organization, select_form=select_form)}</thead>"
        f"<tbody>{body}</tbody></table></div>"
    )
