import datetime as dt
from decimal import Decimal

from inspection.models import MonthlyResult
from inspection.queries import overview
from inspection.services.bonus import bonus_award
from inspection.services.visits import visits_publish
from stores.models import Store
from tests.inspection.report_data import criteria, month_of_scores, submit

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def test_top_deductions_add_up_to_a_running_share_of_all_points_lost(ordinary, inspector, standard):
    # 12 = A2-01 ×3; 14 = A2-01 ×3 + A4-01; 11 = A5-01 + A2-01 ×2.
    month_of_scores(
        {ordinary[0]: 88, ordinary[1]: 86, ordinary[2]: 89}, month=APRIL, inspector=inspector
    )
    top = overview.top_deductions(month=APRIL, stores=Store.objects.all())
    assert [(d.code, d.times, d.points, d.cumulative_percent) for d in top] == [
        ("A2-01", 3, 32, Decimal("86.49")),
        ("A5-01", 1, 3, Decimal("94.59")),
        ("A4-01", 1, 2, Decimal("100.00")),
    ]
    assert overview.top_deductions(month=APRIL, stores=Store.objects.none()) == []


def test_the_distribution_counts_each_store_once(ordinary, inspector):
    month_of_scores(
        dict(zip(ordinary[:5], [100, 95, 94, 90, 75], strict=True)),
        month=APRIL,
        inspector=inspector,
    )
    bands = overview.score_distribution(MonthlyResult.objects.filter(month=APRIL))
    assert {b.label: b.stores for b in bands if b.stores} == {
        "≥ 100": 1,
        "95–99": 1,
        "90–94": 2,
        "70–79": 1,
    }


def test_bonus_candidates_are_the_top_five_by_base_score_with_ties(
    ordinary, inspector, hq, standard
):
    scores = dict(zip(ordinary, [98, 97, 96, 95, 94, 94, 90], strict=True))
    month_of_scores(scores, month=APRIL, inspector=inspector)
    # A bonus on the 5th lifts its total, not its base: the tie at 5th stays a candidate.
    bonus_award(
        store=ordinary[4], month=APRIL, points=2, criteria=criteria(3), highlight="亮点", by=hq
    )
    candidates = overview.bonus_candidates(
        month=APRIL, stores=Store.objects.all(), standard=standard
    )
    assert [(c.store, c.category_base_rank) for c in candidates] == [
        (ordinary[0], 1),
        (ordinary[1], 2),
        (ordinary[2], 3),
        (ordinary[3], 4),
        (ordinary[4], 5),
        (ordinary[5], 5),
    ]
    assert [a.points for a in candidates[4].store.month_awards] == [2]


def test_red_line_visits_are_the_months_published_ones_in_scope(
    ordinary, make_store, other_branch, inspector
):
    theirs = make_store(branch=other_branch)
    red = {"B1a-03": {"occurrences": 1}}
    ours = submit(
        ordinary[0], red, inspector=inspector, when=dt.datetime(2025, 4, 3, 2, tzinfo=dt.UTC)
    )
    elsewhere = submit(
        theirs, red, inspector=inspector, when=dt.datetime(2025, 4, 4, 2, tzinfo=dt.UTC)
    )
    submit(ordinary[1], red, inspector=inspector, when=dt.datetime(2025, 4, 5, 2, tzinfo=dt.UTC))
    visits_publish(visits=[ours, elsewhere], by=inspector)
    visits = overview.red_line_visits(month=APRIL, stores=Store.objects.exclude(pk=theirs.pk))
    assert list(visits) == [ours]
