"""The overview page: a month's results across the stores in scope."""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum

from inspection.models import BonusAward, MonthlyResult, Standard, Visit, VisitStatus
from inspection.months import month_bounds
from inspection.queries.results import (
    CATEGORY_LABELS,
    CATEGORY_ORDER,
    Deduction,
    deducting_findings,
    deductions_by_item,
    red_line_findings,
    rounded,
)
from stores.models import Store

# Monthly totals run 0–102 (bonus included); finer bands where most stores are.
DISTRIBUTION_BANDS = (
    (Decimal(0), Decimal(60), "< 60"),
    (Decimal(60), Decimal(70), "60–69"),
    (Decimal(70), Decimal(80), "70–79"),
    (Decimal(80), Decimal(85), "80–84"),
    (Decimal(85), Decimal(90), "85–89"),
    (Decimal(90), Decimal(95), "90–94"),
    (Decimal(95), Decimal(100), "95–99"),
    (Decimal(100), Decimal(103), "≥ 100"),
)


@dataclass(frozen=True)
class Average:
    label: str
    stores: int
    average: Decimal


def month_summary(results: QuerySet[MonthlyResult]) -> dict:
    summary = results.aggregate(
        stores=Count("id"),
        average=Avg("total"),
        visits=Sum("visit_count"),
        red_line_visits=Sum("red_line_visits"),
        zeroed_visits=Sum("zeroed_visits"),
    )
    return {**summary, "average": rounded(summary["average"])}


def branch_averages(results: QuerySet[MonthlyResult]) -> list[Average]:
    rows = (
        results.values("store__branch__code", "store__branch__name")
        .annotate(average=Avg("total"), stores=Count("id"))
        .order_by("store__branch__code")
    )
    return [Average(r["store__branch__name"], r["stores"], rounded(r["average"])) for r in rows]


def category_averages(results: QuerySet[MonthlyResult]) -> list[Average]:
    rows = results.values("store__category").annotate(average=Avg("total"), stores=Count("id"))
    ordered = sorted(rows, key=lambda r: CATEGORY_ORDER.get(r["store__category"], 99))
    return [
        Average(
            str(CATEGORY_LABELS.get(r["store__category"], r["store__category"])),
            r["stores"],
            rounded(r["average"]),
        )
        for r in ordered
    ]


@dataclass(frozen=True)
class Band:
    label: str
    stores: int


def score_distribution(results: QuerySet[MonthlyResult]) -> list[Band]:
    """How many stores' monthly totals fall in each band, counted in one query."""
    counts = results.aggregate(
        **{
            f"band{i}": Count("id", filter=Q(total__gte=low, total__lt=high))
            for i, (low, high, _label) in enumerate(DISTRIBUTION_BANDS)
        }
    )
    return [
        Band(label, counts[f"band{i}"]) for i, (_low, _high, label) in enumerate(DISTRIBUTION_BANDS)
    ]


def top_deductions(*, month: dt.date, stores: QuerySet[Store], limit: int = 10) -> list[Deduction]:
    """The items that cost most points in the month across `stores`, with the running share
    of all points lost (a Pareto view). Points are per item, before the section floor."""
    findings = deducting_findings(since=month, until=month).filter(visit__store__in=stores)
    lost = findings.aggregate(points=Sum("deducted"))["points"] or 0
    deductions = deductions_by_item(findings, order_by=("-points", "-times"), limit=limit)
    running = 0
    for index, deduction in enumerate(deductions):
        running += deduction.points
        share = rounded(Decimal(running * 100) / lost) if lost else None
        deductions[index] = replace(deduction, cumulative_percent=share)
    return deductions


def red_line_visits(*, month: dt.date, stores: QuerySet[Store]) -> QuerySet[Visit]:
    """The month's published red-line visits, each with the findings that broke a
    prohibition as `red_line_findings`."""
    start, end = month_bounds(month)
    return (
        Visit.objects.filter(
            status=VisitStatus.PUBLISHED,
            red_line=True,
            visited_at__gte=start,
            visited_at__lt=end,
            store__in=stores,
        )
        .select_related("store__branch", "inspector")
        .prefetch_related(red_line_findings())
        .order_by("visited_at", "pk")
    )


def bonus_candidates(
    *, month: dt.date, stores: QuerySet[Store], standard: Standard
) -> list[MonthlyResult]:
    """Stores whose base score is in the top N of their category (ties at N included),
    and stores whose awards no longer count because they dropped out of it, with this
    month's awards as `month_awards`."""
    awards = BonusAward.objects.filter(month=month).prefetch_related("criteria")
    results = (
        MonthlyResult.objects.filter(
            Q(category_base_rank__lte=standard.bonus_top_n) | Q(bonus_not_counting__gt=0),
            month=month,
            store__in=stores,
        )
        .select_related("store__branch")
        .prefetch_related(Prefetch("store__bonus_awards", queryset=awards, to_attr="month_awards"))
        .order_by("category_base_rank", "store__code")
    )
    return sorted(results, key=lambda r: CATEGORY_ORDER.get(r.store.category, 99))
