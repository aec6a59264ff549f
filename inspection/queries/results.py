"""What the results pages share: the months that have results, the sections they
score, section means, and deductions by item."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum

from inspection.models import Finding, MonthlyResult, MonthRanking, Standard, VisitStatus
from inspection.months import month_bounds
from inspection.rules import localized
from inspection.scoring import round_half_up
from stores.models import Category

CATEGORY_ORDER = {value: index for index, value in enumerate(Category.values)}
CATEGORY_LABELS = dict(Category.choices)


def rounded(value) -> Decimal | None:
    return None if value is None else round_half_up(value)


@dataclass(frozen=True)
class ScoredSection:
    code: str
    name: str
    points: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def month_ranking(month: dt.date) -> MonthRanking | None:
    """Where the month's re-ranking stands, for the pages that show its ranks."""
    return MonthRanking.objects.filter(month=month).first()


def scored_sections(standard: Standard) -> list[ScoredSection]:
    """The leaf sections a visit is scored on (A1 … B3), in the standard's order."""
    return [
        ScoredSection(s.code, localized(s.name, s.name_en), s.points)
        for s in standard.sections.filter(is_scored=True).order_by("order")
    ]


def months_with_results() -> list[dt.date]:
    """Months that have ranked results (publishing always ranks its month), newest first."""
    return list(MonthlyResult.objects.order_by("-month").values_list("month", flat=True).distinct())


def sections_in_force(month: dt.date) -> list[ScoredSection]:
    return scored_sections(Standard.in_force(month))


def _mean_sections(section_rows: Iterable[dict], sections: list[ScoredSection]) -> dict:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for scores in section_rows:
        for code, value in scores.items():
            sums[code] += Decimal(str(value))
            counts[code] += 1
    return {s.code: rounded(sums[s.code] / counts[s.code]) for s in sections if counts[s.code]}


def section_averages(results: QuerySet[MonthlyResult], sections: list[ScoredSection]) -> dict:
    """Mean score of each section over some monthly results, by section code."""
    return _mean_sections(results.values_list("section_scores", flat=True), sections)


@dataclass(frozen=True)
class Deduction:
    code: str
    text: str
    section: str
    times: int
    points: int
    cumulative_percent: Decimal | None = None


def deducting_findings(*, since: dt.date, until: dt.date) -> QuerySet[Finding]:
    """Findings that cost points in published visits of the months [since, until]."""
    start, _end = month_bounds(since)
    _start, end = month_bounds(until)
    return Finding.objects.filter(
        visit__status=VisitStatus.PUBLISHED,
        visit__visited_at__gte=start,
        visit__visited_at__lt=end,
        deducted__gt=0,
    )


def deductions_by_item(
    findings: QuerySet[Finding], *, order_by: tuple[str, ...], limit: int
) -> list[Deduction]:
    """How often each item was deducted among `findings` and how many points it cost,
    the first `limit` items in `order_by` order (ties by item code)."""
    rows = (
        findings.values("item__code", "item__text", "item__text_en", "item__section__code")
        .annotate(times=Count("id"), points=Sum("deducted"))
        .order_by(*order_by, "item__code")[:limit]
    )
    return [
        Deduction(
            code=row["item__code"],
            text=localized(row["item__text"], row["item__text_en"]),
            section=row["item__section__code"],
            times=row["times"],
            points=row["points"],
        )
        for row in rows
    ]


def red_line_findings() -> Prefetch:
    """A visit's findings that broke a prohibition, each with its item and prohibition,
    as the visit's `red_line_findings`."""
    findings = (
        Finding.objects.filter(item__red_line=True, deducted__gt=0)
        .select_related("item__prohibition")
        .order_by("item__order")
    )
    return Prefetch("findings", queryset=findings, to_attr="red_line_findings")
