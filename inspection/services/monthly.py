"""One month's results and ranks, rebuilt from published visits and bonus awards."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum

from inspection import scoring
from inspection.models import BonusAward, MonthlyResult, Visit, VisitStatus
from inspection.months import month_bounds
from stores.models import Store


@transaction.atomic
def monthly_results_recompute(*, month: dt.date) -> list[MonthlyResult]:
    """Rebuild one month's results and ranks from published visits and bonus awards.

    Ranks are computed on exact fractions, so two stores whose means differ only
    beyond the second decimal are not tied.
    """
    month = month.replace(day=1)
    start, end = month_bounds(month)
    visits = Visit.objects.filter(
        status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
    ).values_list("store_id", "total", "section_scores", "red_line", "zeroed")
    per_store = defaultdict(list)
    for store_id, total, sections, red_line, zeroed in visits:
        per_store[store_id].append((total, sections, red_line, zeroed))
    bonuses = dict(
        BonusAward.objects.filter(month=month)
        .values("store_id")
        .annotate(points=Sum("points"))
        .values_list("store_id", "points")
    )
    stores = Store.objects.in_bulk(per_store.keys())

    base = {sid: scoring.monthly_base(v[0] for v in rows) for sid, rows in per_store.items()}
    total = {sid: base[sid] + bonuses.get(sid, 0) for sid in per_store}

    def ranks_within(scores: Mapping[int, Fraction], group_of) -> dict[int, int]:
        groups = defaultdict(dict)
        for sid, value in scores.items():
            groups[group_of(stores[sid])][sid] = value
        ranks = {}
        for members in groups.values():
            ranks.update(scoring.competition_ranks(members))
        return ranks

    overall = scoring.competition_ranks(total)
    by_category = ranks_within(total, lambda s: s.category)
    by_branch = ranks_within(total, lambda s: s.branch_id)
    category_base = ranks_within(base, lambda s: s.category)

    results = []
    for sid, rows in per_store.items():
        section_sums = defaultdict(int)
        for _total, sections, _red, _zero in rows:
            for code, value in sections.items():
                section_sums[code] += value
        results.append(
            MonthlyResult(
                store_id=sid,
                month=month,
                visit_count=len(rows),
                total_sum=sum(r[0] for r in rows),
                base_score=_decimal(base[sid]),
                section_scores={
                    code: float(_decimal(Fraction(value, len(rows))))
                    for code, value in section_sums.items()
                },
                bonus=bonuses.get(sid, 0),
                total=_decimal(total[sid]),
                red_line_visits=sum(1 for r in rows if r[2]),
                zeroed_visits=sum(1 for r in rows if r[3]),
                category_base_rank=category_base[sid],
                rank_overall=overall[sid],
                rank_category=by_category[sid],
                rank_branch=by_branch[sid],
            )
        )
    MonthlyResult.objects.filter(month=month).delete()
    return MonthlyResult.objects.bulk_create(results)


def _decimal(value: Fraction) -> Decimal:
    return scoring.round_half_up(value, places=4)
