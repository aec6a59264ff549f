"""The rankings page: one month's ranked stores, sorted, grouped, and those not yet
inspected."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from inspection.models import MonthlyResult
from inspection.months import next_month, previous_month
from inspection.queries.results import CATEGORY_LABELS, CATEGORY_ORDER, ScoredSection
from inspection.scoring import round_half_up
from stores.models import Store

VIEW_OVERALL, VIEW_CATEGORY, VIEW_BRANCH = "overall", "category", "branch"
RANK_FIELDS = {
    VIEW_OVERALL: "rank_overall",
    VIEW_CATEGORY: "rank_category",
    VIEW_BRANCH: "rank_branch",
}


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
    bonus_not_counting: int
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
    "bonus_not_counting",
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
        base, bonus, not_counting, total, red_lines, scores, rank = values[6:]
        rows.append(
            RankingRow(
                store=StoreLine(store_id, code, name, cat, branch_code, branch_name),
                rank=rank,
                previous_rank=previous.get(store_id),
                base=base,
                bonus=bonus,
                bonus_not_counting=not_counting,
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
    *, month: dt.date, stores: QuerySet[Store] | None, branch=None, category: str = ""
) -> QuerySet[Store]:
    """Active stores among `stores` (None means every store), open by the end of the month,
    without a published visit in it."""
    stores = Store.objects.all() if stores is None else stores
    return (
        _filtered(stores, stores=None, branch=branch, category=category, prefix="")
        .filter(is_active=True)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lt=next_month(month)))
        .exclude(pk__in=MonthlyResult.objects.filter(month=month).values("store_id"))
        .select_related("branch")
        .order_by("branch__code", "code")
    )
