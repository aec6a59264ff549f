"""A store's page: its last twelve months beside its category, its sections against
the category's, and what its published visits found."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Prefetch, Q

from inspection.models import Finding, FindingPhoto, MonthlyResult, Visit, VisitStatus
from inspection.months import month_bounds, previous_month
from inspection.queries.results import (
    Deduction,
    ScoredSection,
    deducting_findings,
    deductions_by_item,
    rounded,
    section_averages,
)
from stores.models import Store


def latest_result_month(store: Store) -> dt.date | None:
    return (
        MonthlyResult.objects.filter(store=store)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


@dataclass(frozen=True)
class HistoryPoint:
    month: dt.date
    total: Decimal | None
    base: Decimal | None
    bonus: int | None
    category_average: Decimal | None


def twelve_months(month: dt.date, count: int = 12) -> list[dt.date]:
    months = [month]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def store_history(store: Store, month: dt.date, count: int = 12) -> list[HistoryPoint]:
    """The store's monthly total for `count` months up to `month`, beside its category's mean."""
    months = twelve_months(month, count)
    window = {"month__gte": months[0], "month__lte": months[-1]}
    own = {r.month: r for r in store.monthly_results.filter(**window)}
    averages = dict(
        MonthlyResult.objects.filter(store__category=store.category, **window)
        .values("month")
        .annotate(average=Avg("total"))
        .values_list("month", "average")
    )
    return [
        HistoryPoint(
            month=m,
            total=own[m].total_display if m in own else None,
            base=own[m].base_display if m in own else None,
            bonus=own[m].bonus if m in own else None,
            category_average=rounded(averages.get(m)),
        )
        for m in months
    ]


@dataclass(frozen=True)
class SectionComparison:
    section: ScoredSection
    score: Decimal | None
    category_average: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.score, self.section.points)

    @property
    def average_percent(self) -> Decimal | None:
        return _percent(self.category_average, self.section.points)

    @property
    def below_average(self) -> bool:
        return (
            self.score is not None
            and self.category_average is not None
            and self.score < self.category_average
        )


def _percent(value, points: int) -> Decimal | None:
    return None if value is None else rounded(Decimal(str(value)) * 100 / points)


def store_sections_against_category(
    result: MonthlyResult | None, store: Store, month: dt.date, sections: list[ScoredSection]
) -> list[SectionComparison]:
    averages = section_averages(
        MonthlyResult.objects.filter(month=month, store__category=store.category), sections
    )
    own = result.section_scores if result else {}
    return [SectionComparison(s, rounded(own.get(s.code)), averages.get(s.code)) for s in sections]


def published_visits(store: Store, *, since: dt.date, until: dt.date) -> list[Visit]:
    """The store's published visits in the months [since, until], newest first, with what
    they found: deductions, notes and items marked N/A, each with its photos as
    `photo_list`; photos of items without such a finding are the visit's `other_photos`."""
    start, _end = month_bounds(since)
    _start, end = month_bounds(until)
    findings = (
        Finding.objects.filter(Q(deducted__gt=0) | ~Q(note="") | Q(not_applicable=True))
        .select_related("item__section", "item__prohibition")
        .order_by("item__order")
    )
    photos = FindingPhoto.objects.select_related("item").order_by(
        "item__order", "uploaded_at", "pk"
    )
    visits = list(
        Visit.objects.filter(
            store=store, status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
        )
        .select_related("inspector")
        .prefetch_related(
            Prefetch("findings", queryset=findings), Prefetch("photos", queryset=photos)
        )
        .order_by("-visited_at")
    )
    for visit in visits:
        by_item = defaultdict(list)
        for photo in visit.photos.all():
            by_item[photo.item_id].append(photo)
        for finding in visit.findings.all():
            finding.photo_list = by_item.pop(finding.item_id, [])
        visit.other_photos = [photo for group in by_item.values() for photo in group]
    return visits


def store_frequent_deductions(
    store: Store, *, since: dt.date, until: dt.date, limit: int = 10
) -> list[Deduction]:
    """The items that cost this store points most often in the window."""
    findings = deducting_findings(since=since, until=until).filter(visit__store=store)
    return deductions_by_item(findings, order_by=("-times", "-points"), limit=limit)
