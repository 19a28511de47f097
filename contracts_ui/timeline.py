"""An organization's contracts on one time axis: bar geometry for a server-rendered SVG, month or
year ticks, and where ACTIVE contracts overlap or leave the organization uncovered.

Days are UTC calendar days. A contract covers [start day, end day); a gap is a stretch of at
least one whole day between the latest end so far and the next start of an ACTIVE contract.
Overlaps and coverage come from one sweep over the start and end days (sorted once), so their
cost grows with the contracts and the overlapping pairs, not with every pair of contracts. The
coverage strip above the lanes says, for each stretch, whether one ACTIVE contract covers it,
several overlap (and how many) or none. An end date beyond the axis (open-ended contracts, such
as 9999-12-31) is drawn running off its right edge.
"""

import heapq
import itertools
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from contracts_ui import selectors
from contracts_ui.fabric.types import Contract, ContractQuery, FabricTenant

MAX_BARS = 500
# The axis never reaches further than this from today, so a far-off end date cannot flatten it.
AXIS_REACH_DAYS = 10 * 366
WIDTH = 960
LABEL_WIDTH = 180
RIGHT_MARGIN = 16
AXIS_TOP = 50  # room for the "Today" label and tick labels
STRIP_HEIGHT = 18  # the coverage strip, between the axis labels and the lanes
TOP = AXIS_TOP + STRIP_HEIGHT + 8
ROW_HEIGHT = 22
BAR_HEIGHT = 14
# The overlap list shows this many pairs; the rest are behind "Show all".
OVERLAPS_SHOWN = 5
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Bar:
    contract: Contract
    start: date
    end: date
    x: float
    y: float
    width: float
    label_y: float
    overlaps: bool  # an ACTIVE contract overlapping another ACTIVE one
    open_ended: bool  # ends after the axis: drawn running off its right edge

    @property
    def open_end_path(self) -> str:
        """An arrowhead past the axis's right edge, where an open-ended bar runs on."""
        right, middle = round(self.x + self.width, 1), self.y + BAR_HEIGHT / 2
        return f"M{right} {self.y} L{right + 9} {middle} L{right} {self.y + BAR_HEIGHT} Z"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool


@dataclass(frozen=True)
class Span:
    """An overlap or a gap: the days it covers, where it is drawn, and the contracts around it."""

    start: date
    end: date
    x: float
    width: float
    first: Contract
    second: Contract

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class Coverage:
    """A stretch of the coverage strip: how many ACTIVE contracts run through it (0: a gap)."""

    start: date
    end: date
    x: float
    width: float
    depth: int

    @property
    def center_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def kind(self) -> str:
        return "gap" if self.depth == 0 else "covered" if self.depth == 1 else "overlap"


@dataclass(frozen=True)
class Timeline:
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    overlaps: tuple[Span, ...]
    gaps: tuple[Span, ...]
    coverage: tuple[Coverage, ...]
    today: date
    today_x: float
    axis_start: date
    axis_end: date
    total: int  # contracts fabric counts; only the MAX_BARS most recent are drawn
    width: int = WIDTH
    height: int = TOP
    top: int = TOP
    axis_top: int = AXIS_TOP
    strip_height: int = STRIP_HEIGHT
    bar_height: int = BAR_HEIGHT
    label_x: int = LABEL_WIDTH - 6
    edge_x: int = WIDTH - RIGHT_MARGIN

    @property
    def truncated(self) -> bool:
        return self.total > len(self.bars)

    @property
    def overlaps_shown(self) -> tuple[Span, ...]:
        return self.overlaps[:OVERLAPS_SHOWN]

    @property
    def overlaps_more(self) -> tuple[Span, ...]:
        return self.overlaps[OVERLAPS_SHOWN:]

    @property
    def strip_label_y(self) -> float:
        return self.axis_top + self.strip_height / 2 + 4

    @property
    def plot_bottom(self) -> int:
        return self.height - 4

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.top


def _day(contract: Contract, which: str) -> date | None:
    moment = getattr(contract, which)
    return moment.astimezone(UTC).date() if moment else None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _ticks(axis_start: date, axis_end: date, x_of) -> tuple[Tick, ...]:
    months = (axis_end.year - axis_start.year) * 12 + axis_end.month - axis_start.month
    ticks, month = [], axis_start
    while month <= axis_end:
        if months <= 24:
            label = str(month.year) if month.month == 1 or month == axis_start else ""
            ticks.append(Tick(x_of(month), label or _MONTHS[month.month - 1], month.month == 1))
        elif month.month == 1:
            ticks.append(Tick(x_of(month), str(month.year), True))
        elif months <= 72 and month.month % 3 == 1:
            ticks.append(Tick(x_of(month), "", False))  # quarters, unlabelled
        month = _next_month(month)
    return tuple(ticks)


def _overlaps_and_gaps(
    dated: list[tuple[Contract, date, date]], make_span
) -> tuple[list[Span], list[Span]]:
    """Pairs of ACTIVE contracts that overlap, and uncovered stretches between ACTIVE ones.

    A sweep in start order keeps the contracts still running in a heap by end day: each start
    meets only those, so the work is the sort plus the pairs found.
    """
    active = sorted(
        (item for item in dated if item[0].status == "ACTIVE"), key=lambda item: item[1:]
    )
    overlaps, gaps = [], []
    running: list[tuple[date, int]] = []  # (end day, index in `active`)
    covered_by: tuple[Contract, date] | None = None
    for index, (contract, start, end) in enumerate(active):
        while running and running[0][0] <= start:
            heapq.heappop(running)
        if start < end:
            for earlier_end, earlier in sorted(running, key=lambda item: item[1]):
                overlaps.append(
                    make_span(start, min(end, earlier_end), active[earlier][0], contract)
                )
        heapq.heappush(running, (end, index))
        # A difference, not covered_by[1] + 1 day: that overflows at an end of 9999-12-31.
        if covered_by is not None and (start - covered_by[1]).days > 1:
            gaps.append(make_span(covered_by[1], start, covered_by[0], contract))
        if covered_by is None or end > covered_by[1]:
            covered_by = (contract, end)
    return overlaps, gaps


def _coverage(dated: list[tuple[Contract, date, date]], make_coverage) -> list[Coverage]:
    """The strip: from the first ACTIVE start to the last ACTIVE end, each stretch with the number
    of ACTIVE contracts running through it (one sweep over the sorted start and end days)."""
    changes: dict[date, int] = {}
    for contract, start, end in dated:
        if contract.status == "ACTIVE" and start < end:
            changes[start] = changes.get(start, 0) + 1
            changes[end] = changes.get(end, 0) - 1
    stretches, depth, days = [], 0, sorted(changes)
    for day, next_day in itertools.pairwise(days):
        depth += changes[day]
        if stretches and stretches[-1][2] == depth:
            stretches[-1] = (stretches[-1][0], next_day, depth)
        else:
            stretches.append((day, next_day, depth))
    return [make_coverage(start, end, depth) for start, end, depth in stretches]


def build_timeline(
    *, contracts: list[Contract], total: int, today: date, max_bars: int = MAX_BARS
) -> Timeline:
    """The chart for the given contracts (at most `max_bars`, sorted by start date)."""
    dated = []
    for contract in contracts[:max_bars]:
        start, end = _day(contract, "start_date"), _day(contract, "end_date")
        if start and end:
            dated.append((contract, start, max(end, start)))
    dated.sort(key=lambda item: (item[1], item[2], item[0].id))
    reach = timedelta(days=AXIS_REACH_DAYS)
    earliest = min([today, *(start for _, start, _ in dated)])
    # An end beyond the reach (an open-ended contract) runs off the edge rather than set it.
    horizon = today + reach
    latest = max(
        [today, *(start for _, start, _ in dated), *(end for _, _, end in dated if end <= horizon)]
    )
    axis_start = _month_start(max(earliest, today - reach))
    axis_end = _next_month(min(latest, horizon))
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    span_days = (axis_end - axis_start).days

    def x_of(day: date) -> float:
        clamped = min(max(day, axis_start), axis_end)
        return round(LABEL_WIDTH + (clamped - axis_start).days / span_days * plot_width, 1)

    def make_span(start: date, end: date, first: Contract, second: Contract) -> Span:
        x = x_of(start)
        return Span(start, end, x, max(round(x_of(end) - x, 1), 1.0), first, second)

    def make_coverage(start: date, end: date, depth: int) -> Coverage:
        x = x_of(start)
        return Coverage(start, end, x, max(round(x_of(end) - x, 1), 1.0), depth)

    overlaps, gaps = _overlaps_and_gaps(dated, make_span)
    overlapping = {span.first.id for span in overlaps} | {span.second.id for span in overlaps}
    bars = []
    for row, (contract, start, end) in enumerate(dated):
        y = TOP + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x = x_of(start)
        bars.append(
            Bar(
                contract=contract,
                start=start,
                end=end,
                x=x,
                y=y,
                width=max(round(x_of(end) - x, 1), 2.0),
                label_y=y + BAR_HEIGHT - 3,
                overlaps=contract.id in overlapping,
                open_ended=end > axis_end,
            )
        )
    return Timeline(
        bars=tuple(bars),
        ticks=_ticks(axis_start, axis_end, x_of),
        overlaps=tuple(overlaps),
        gaps=tuple(gaps),
        coverage=tuple(_coverage(dated, make_coverage)),
        today=today,
        today_x=x_of(today),
        axis_start=axis_start,
        axis_end=axis_end,
        total=total,
        height=TOP + len(bars) * ROW_HEIGHT + 8,
    )


def organization_timeline(tenant: FabricTenant, *, organization_id: str, today: date) -> Timeline:
    """The organization's most recent contracts (by start date) on a timeline, pages of 100."""
    fetch = selectors.organization_page_fetch(
        tenant,
        organization_id=organization_id,
        query=ContractQuery(sort_by="startDate", sort_order="desc"),
    )
    first = selectors.first_page(fetch)
    contracts = list(selectors.every_contract(fetch, tenant=tenant, first=first, max_rows=MAX_BARS))
    return build_timeline(contracts=contracts, total=first.count, today=today)
