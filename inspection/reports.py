"""Read-side queries behind the rankings, store and overview pages.

Every function runs a fixed number of queries whatever the number of stores:
rows come from the stored `MonthlyResult`s (never from re-scoring visits) and
are fetched in one go, then grouped in Python, never one query per store.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.utils import translation

from inspection.models import (
    BonusAward,
    Finding,
    FindingPhoto,
    MonthlyResult,
    Standard,
    Visit,
    VisitStatus,
)
from inspection.months import month_bounds, next_month, previous_month
from inspection.scoring import round_half_up
from stores.models import Category, Store

VIEW_OVERALL, VIEW_CATEGORY, VIEW_BRANCH = "overall", "category", "branch"
RANK_FIELDS = {
    VIEW_OVERALL: "rank_overall",
    VIEW_CATEGORY: "rank_category",
    VIEW_BRANCH: "rank_branch",
}
CATEGORY_ORDER = {value: index for index, value in enumerate(Category.values)}
CATEGORY_LABELS = dict(Category.choices)

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


def localized(chinese: str, english: str) -> str:
    """The standard's own texts carry an English version beside the Chinese one."""
    language = translation.get_language() or ""
    return english if english and language.startswith("en") else chinese


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


def latest_result_month(store: Store) -> dt.date | None:
    return (
        MonthlyResult.objects.filter(store=store)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


# --- Rankings --------------------------------------------------------------


@dataclass(frozen=True)
class StoreLine:
    """What a ranking row shows of its store; plain values, as thousands are loaded at once."""

    pk: int
    code: str
    name: str
    category: str
    branch_code: str
    branch_name: str

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category))


@dataclass
class RankingRow:
    store: StoreLine
    rank: int
    previous_rank: int | None
    base: Decimal
    bonus: int
    total: Decimal
    red_line_visits: int
    sections: list[float | None]
    in_scope: bool = False

    @property
    def base_display(self) -> Decimal:
        return round_half_up(self.base)

    @property
    def total_display(self) -> Decimal:
        return round_half_up(self.total)

    @property
    def movement(self) -> int | None:
        """Places gained since last month (positive = up); None for a store new to the list."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def places(self) -> int | None:
        movement = self.movement
        return None if movement is None else abs(movement)


@dataclass
class RankingGroup:
    label: str
    rows: list[RankingRow] = field(default_factory=list)


def _filtered(queryset: QuerySet, *, stores, branch, category, prefix: str) -> QuerySet:
    if stores is not None:
        queryset = queryset.filter(**{f"{prefix}in": stores})
    if branch is not None:
        queryset = queryset.filter(**{f"{prefix}branch": branch})
    if category:
        queryset = queryset.filter(**{f"{prefix}category": category})
    return queryset


RANKING_FIELDS = (
    "store_id",
    "store__code",
    "store__name",
    "store__category",
    "store__branch__code",
    "store__branch__name",
    "base_score",
    "bonus",
    "total",
    "red_line_visits",
    "section_scores",
)


def ranking_rows(
    *,
    month: dt.date,
    view: str,
    sections: list[ScoredSection],
    stores: QuerySet[Store] | None = None,
    branch=None,
    category: str = "",
) -> list[RankingRow]:
    """One month's ranked stores with their rank in `view` and that rank a month earlier.

    `stores` limits the rows (a store manager sees only their own); None means all.
    """
    rank_field = RANK_FIELDS[view]
    results = _filtered(
        MonthlyResult.objects.filter(month=month),
        stores=stores,
        branch=branch,
        category=category,
        prefix="store__",
    ).order_by(rank_field, "store__code")
    previous = dict(
        _filtered(
            MonthlyResult.objects.filter(month=previous_month(month)),
            stores=stores,
            branch=branch,
            category=category,
            prefix="store__",
        ).values_list("store_id", rank_field)
    )
    codes = [s.code for s in sections]
    rows = []
    for values in results.values_list(*RANKING_FIELDS, rank_field):
        store_id, code, name, cat, branch_code, branch_name = values[:6]
        base, bonus, total, red_lines, scores, rank = values[6:]
        rows.append(
            RankingRow(
                store=StoreLine(store_id, code, name, cat, branch_code, branch_name),
                rank=rank,
                previous_rank=previous.get(store_id),
                base=base,
                bonus=bonus,
                total=total,
                red_line_visits=red_lines,
                sections=[scores.get(c) for c in codes],
            )
        )
    return rows


# Columns read best highest-first on a first click; the rest lowest-first.
SCORE_COLUMNS = {"move", "base", "bonus", "total", "red"}


def sort_columns(sections: list[ScoredSection]) -> list[str]:
    return [
        "rank",
        "move",
        "store",
        "branch",
        "category",
        *(s.code for s in sections),
        "base",
        "bonus",
        "total",
        "red",
    ]


def _sort_key(column: str, sections: list[ScoredSection]) -> Callable[[RankingRow], object]:
    codes = [s.code for s in sections]
    keys = {
        "rank": lambda row: row.rank,
        "move": lambda row: row.movement,
        "store": lambda row: row.store.code,
        "branch": lambda row: row.store.branch_code,
        "category": lambda row: CATEGORY_ORDER.get(row.store.category, 99),
        "base": lambda row: row.base,
        "bonus": lambda row: row.bonus,
        "total": lambda row: row.total,
        "red": lambda row: row.red_line_visits,
    }
    if column in codes:
        index = codes.index(column)
        return lambda row: row.sections[index]
    return keys[column]


def sort_rows(
    rows: list[RankingRow], column: str, descending: bool, sections: list[ScoredSection]
) -> list[RankingRow]:
    """Sort on one column, ties by rank; rows without a value (new stores' movement) last."""
    key = _sort_key(column, sections)
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    known.sort(key=lambda row: (row.rank, row.store.code))
    known.sort(key=key, reverse=descending)
    return known + unknown


def ranking_groups(rows: list[RankingRow], view: str) -> list[RankingGroup]:
    """The rows split per category or per branch, keeping their order; one group overall."""
    if view == VIEW_OVERALL:
        return [RankingGroup("", rows)]
    groups: dict[object, RankingGroup] = {}
    for row in rows:
        store = row.store
        if view == VIEW_CATEGORY:
            key, label = CATEGORY_ORDER.get(store.category, 99), store.category_label
        else:
            key, label = store.branch_code, store.branch_name
        groups.setdefault(key, RankingGroup(str(label))).rows.append(row)
    return [groups[key] for key in sorted(groups)]


def stores_not_inspected(
    *, month: dt.date, stores: QuerySet[Store], branch=None, category: str = ""
) -> QuerySet[Store]:
    """Active stores, open by the end of the month, without a published visit in it."""
    return (
        _filtered(stores, stores=None, branch=branch, category=category, prefix="")
        .filter(is_active=True)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lt=next_month(month)))
        .exclude(pk__in=MonthlyResult.objects.filter(month=month).values("store_id"))
        .select_related("branch")
        .order_by("branch__code", "code")
    )


# --- Store page ------------------------------------------------------------


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
        .select_related("item__section")
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


@dataclass(frozen=True)
class Deduction:
    code: str
    text: str
    section: str
    times: int
    points: int
    cumulative_percent: Decimal | None = None


def store_frequent_deductions(
    store: Store, *, since: dt.date, until: dt.date, limit: int = 10
) -> list[Deduction]:
    """The items that cost this store points most often in the window."""
    start, _end = month_bounds(since)
    _start, end = month_bounds(until)
    rows = (
        Finding.objects.filter(
            visit__store=store,
            visit__status=VisitStatus.PUBLISHED,
            visit__visited_at__gte=start,
            visit__visited_at__lt=end,
            deducted__gt=0,
        )
        .values("item__code", "item__text", "item__text_en", "item__section__code")
        .annotate(times=Count("id"), points=Sum("deducted"))
        .order_by("-times", "-points", "item__code")[:limit]
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


# --- Overview --------------------------------------------------------------


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
    start, end = month_bounds(month)
    findings = Finding.objects.filter(
        visit__status=VisitStatus.PUBLISHED,
        visit__visited_at__gte=start,
        visit__visited_at__lt=end,
        visit__store__in=stores,
        deducted__gt=0,
    )
    lost = findings.aggregate(points=Sum("deducted"))["points"] or 0
    rows = (
        findings.values("item__code", "item__text", "item__text_en", "item__section__code")
        .annotate(times=Count("id"), points=Sum("deducted"))
        .order_by("-points", "-times", "item__code")[:limit]
    )
    deductions = []
    running = 0
    for row in rows:
        running += row["points"]
        deductions.append(
            Deduction(
                code=row["item__code"],
                text=localized(row["item__text"], row["item__text_en"]),
                section=row["item__section__code"],
                times=row["times"],
                points=row["points"],
                cumulative_percent=rounded(Decimal(running * 100) / lost) if lost else None,
            )
        )
    return deductions


def red_line_visits(*, month: dt.date, stores: QuerySet[Store]) -> QuerySet[Visit]:
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
        .order_by("visited_at", "pk")
    )


def bonus_candidates(
    *, month: dt.date, stores: QuerySet[Store], standard: Standard
) -> list[MonthlyResult]:
    """Stores whose base score is in the top N of their category (ties at N included),
    with this month's awards as `month_awards`."""
    awards = BonusAward.objects.filter(month=month).prefetch_related("criteria")
    results = (
        MonthlyResult.objects.filter(
            month=month, store__in=stores, category_base_rank__lte=standard.bonus_top_n
        )
        .select_related("store__branch")
        .prefetch_related(Prefetch("store__bonus_awards", queryset=awards, to_attr="month_awards"))
        .order_by("category_base_rank", "store__code")
    )
    return sorted(results, key=lambda r: CATEGORY_ORDER.get(r.store.category, 99))
