"""One month's results and ranks, rebuilt from published visits and bonus awards.

What a result is comes from `inspection.scoring.month_standings` (pure); this module
loads its inputs and writes what it returns.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Sum

from inspection import scoring
from inspection.models import MonthlyResult, VisitStatus
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


@transaction.atomic
def monthly_results_recompute(*, month: dt.date) -> list[MonthlyResult]:
    """Rebuild one month's results and ranks from published visits and bonus awards."""
    month = month.replace(day=1)
    results = [
        MonthlyResult(store_id=store_id, month=month, **result_fields(standing))
        for store_id, standing in month_standings(month=month).items()
    ]
    MonthlyResult.objects.filter(month=month).delete()
    return MonthlyResult.objects.bulk_create(results)


def _decimal(value: Fraction) -> Decimal:
    return scoring.round_half_up(value, places=4)
