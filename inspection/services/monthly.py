"""One month's results and ranks, rebuilt from published visits and bonus awards.

What a result is comes from `inspection.scoring.month_standings` (pure); this module
loads its inputs and writes what it returns. Writers do not re-rank: they mark the
month (`month_rerank_request`) and a background job re-ranks it (`month_rerank_run`),
one job for a burst of changes; `MonthRanking` says how the two stay in order.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from functools import partial

from django.apps import apps as global_apps
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from inspection import scoring
from inspection.models import MonthlyResult, MonthRanking, VisitStatus
from inspection.models.standard import standard_in_force
from inspection.months import month_bounds


def month_standings(*, month: dt.date, apps=global_apps) -> dict[int, scoring.Standing]:
    """Each ranked store's result for the month, by store id, as the stored visits and
    awards make it now. `apps` lets a data migration pass its historical models."""
    Visit = apps.get_model("inspection", "Visit")
    BonusAward = apps.get_model("inspection", "BonusAward")
    Standard = apps.get_model("inspection", "Standard")
    Store = apps.get_model("stores", "Store")
    month = month.replace(day=1)
    start, end = month_bounds(month)
    visits = defaultdict(list)
    for store_id, total, sections, zeroed, red_line in Visit.objects.filter(
        status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
    ).values_list("store_id", "total", "section_scores", "zeroed", "red_line"):
        visits[store_id].append(scoring.PublishedVisit(total, sections, zeroed, red_line))
    awarded = dict(
        BonusAward.objects.filter(month=month)
        .values("store_id")
        .annotate(points=Sum("points"))
        .values_list("store_id", "points")
    )
    stores = Store.objects.in_bulk(visits.keys())
    return scoring.month_standings(
        {
            store_id: scoring.StoreMonth(
                category=stores[store_id].category,
                branch=stores[store_id].branch_id,
                visits=tuple(store_visits),
                awarded=awarded.get(store_id, 0),
            )
            for store_id, store_visits in visits.items()
        },
        bonus_top_n=standard_in_force(Standard.objects.all(), month).bonus_top_n,
    )


def result_fields(standing: scoring.Standing) -> dict:
    """A standing as MonthlyResult field values: exact fractions kept to 4 decimals."""
    return {
        "visit_count": standing.visit_count,
        "total_sum": standing.total_sum,
        "base_score": _decimal(standing.base),
        "section_scores": {
            code: float(_decimal(value)) for code, value in standing.sections.items()
        },
        "bonus": standing.bonus,
        "bonus_not_counting": standing.bonus_not_counting,
        "total": _decimal(standing.total),
        "red_line_visits": standing.red_line_visits,
        "zeroed_visits": standing.zeroed_visits,
        "category_base_rank": standing.category_base_rank,
        "rank_overall": standing.rank_overall,
        "rank_category": standing.rank_category,
        "rank_branch": standing.rank_branch,
    }


RESULT_FIELDS = [
    field.name
    for field in MonthlyResult._meta.concrete_fields
    if field.name not in ("id", "store", "month")
]
# A mark this old whose job never took it: the job was lost (say, the process died
# between the commit and the enqueue), so the next change queues another.
LOST_AFTER = dt.timedelta(minutes=10)
# The first key of the advisory lock that orders the storing of a month's results
# (the second is the month), apart from any other advisory lock on the database.
STORE_LOCK = 0x52414E4B


@transaction.atomic
def month_rankings_lock(*, months: Iterable[dt.date]) -> dict[dt.date, MonthRanking]:
    """Lock the months' ranking rows, creating them, in month order.

    Every writer takes its months' rows before any visit or store row, so two
    writers never wait for each other in a cycle."""
    months = sorted({month.replace(day=1) for month in months})
    MonthRanking.objects.bulk_create(
        [MonthRanking(month=month) for month in months], ignore_conflicts=True
    )
    return {
        ranking.month: ranking
        for ranking in MonthRanking.objects.select_for_update()
        .filter(month__in=months)
        .order_by("month")
    }


@transaction.atomic
def month_rerank_request(*, months: Iterable[dt.date]) -> None:
    """Mark the months' ranks out of date in the caller's transaction; the first mark
    since a job took the last one queues a re-rank job once the transaction commits.

    A month already marked is not queued again: its job cannot take the mark before
    this transaction commits (the row stays locked until then), so it covers this
    change too."""
    from inspection.tasks import month_rerank

    now = timezone.now()
    for month, ranking in month_rankings_lock(months=months).items():
        if ranking.requested_at is not None and ranking.requested_at > now - LOST_AFTER:
            continue
        ranking.requested_at = now
        ranking.save(update_fields=["requested_at"])
        transaction.on_commit(partial(month_rerank.enqueue, month=month.isoformat()))


def month_rerank_run(*, month: dt.date) -> bool:
    """Take the month's re-rank mark and store fresh ranks. False when the month was
    not marked (another job took the mark) or a later job stored its ranks first."""
    month = month.replace(day=1)
    with transaction.atomic():
        ranking = (
            MonthRanking.objects.select_for_update()
            .filter(month=month, requested_at__isnull=False)
            .first()
        )
        if ranking is None:
            return False
        claim = _claim(ranking)
    # Outside any transaction: writers mark the month while this computes.
    return _results_store(month, claim, month_standings(month=month))


@transaction.atomic
def monthly_results_recompute(*, month: dt.date) -> None:
    """Re-rank a month at once, holding it while computing: for seeding and scripts.
    The app's writers mark the month instead (`month_rerank_request`)."""
    month = month.replace(day=1)
    _store_lock(month)
    claim = _claim(month_rankings_lock(months=[month])[month])
    _results_store(month, claim, month_standings(month=month))


def _claim(ranking: MonthRanking) -> int:
    ranking.requested_at = None
    ranking.claims += 1
    ranking.save(update_fields=["requested_at", "claims"])
    return ranking.claims


def _store_lock(month: dt.date) -> None:
    """Let one job at a time store a month's results, without taking the month's row:
    writers lock that row, and must not wait for an upsert of thousands of rows. On
    PostgreSQL an advisory lock, held until the transaction ends; on SQLite the
    transaction, begun IMMEDIATE, is already the only writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [STORE_LOCK, month.year * 100 + month.month],
            )


@transaction.atomic
def _results_store(month: dt.date, claim: int, standings: dict[int, scoring.Standing]) -> bool:
    """Upsert the rows whose values changed and delete those of stores no longer
    ranked, unless a later claim's results are stored already (computations may
    overlap; the newest one wins)."""
    _store_lock(month)
    rankings = MonthRanking.objects.filter(month=month)
    if rankings.values_list("ranked_claim", flat=True).get() > claim:
        return False
    stored = {result.store_id: result for result in MonthlyResult.objects.filter(month=month)}
    changed = []
    for store_id in sorted(standings):
        fields = result_fields(standings[store_id])
        result = stored.get(store_id)
        if result is None or any(getattr(result, name) != fields[name] for name in fields):
            changed.append(MonthlyResult(store_id=store_id, month=month, **fields))
    MonthlyResult.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["store", "month"],
        update_fields=RESULT_FIELDS,
    )
    MonthlyResult.objects.filter(
        month=month, store_id__in=stored.keys() - standings.keys()
    ).delete()
    # The month's row is locked only now, for the moment until the commit.
    rankings.update(ranked_claim=claim, ranked_at=timezone.now())
    return True


def _decimal(value: Fraction) -> Decimal:
    return scoring.round_half_up(value, places=4)
