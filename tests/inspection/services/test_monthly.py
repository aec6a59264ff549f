from decimal import Decimal

import pytest

from inspection.models import MonthlyResult, VisitStatus
from inspection.months import month_of
from inspection.services.monthly import monthly_results_recompute
from stores.models import Category
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local
from tests.inspection.services.september import MONTH, at, result_of

pytestmark = pytest.mark.django_db


def test_publishing_creates_the_stores_monthly_result(make_visit, store):
    make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=at(3))
    result = result_of(store)
    assert result.base_score == Decimal("58")
    assert result.total == Decimal("58")
    assert (result.rank_overall, result.rank_category, result.rank_branch) == (1, 1, 1)


def test_unpublished_visits_never_count(make_visit, store):
    make_visit(store, {}, visited_at=at(3), status=VisitStatus.SUBMITTED)
    make_visit(store, {}, visited_at=at(4), status=VisitStatus.DRAFT)
    monthly_results_recompute(month=MONTH)
    assert not MonthlyResult.objects.filter(store=store).exists()


def test_the_monthly_base_is_the_mean_of_published_visits(make_visit, store):
    make_visit(store, {}, visited_at=at(3))
    make_visit(store, {"A2-01": {"occurrences": 1}}, visited_at=at(10))
    make_visit(store, {"A2-01": {"occurrences": 2}}, visited_at=at(20))
    result = result_of(store)
    assert result.visit_count == 3
    assert result.base_score == Decimal("96.0000")
    assert result.section_scores["A2"] == pytest.approx(11.0)


def test_a_visit_late_on_the_last_day_counts_in_that_local_month(make_visit, store):
    late = local(2026, 9, 30, 23, 30)
    visit = make_visit(store, {}, visited_at=late)
    assert month_of(visit.visited_at) == MONTH
    assert result_of(store).visit_count == 1


def test_ranks_use_standard_competition_ranking_within_category_and_branch(
    make_visit, make_store, other_branch
):
    a = make_store(category=Category.ORDINARY)
    b = make_store(category=Category.ORDINARY)
    c = make_store(category=Category.FLAGSHIP, branch=other_branch)
    d = make_store(category=Category.ORDINARY)
    make_visit(a, {}, visited_at=at(2))
    make_visit(b, {"A1-03": {"occurrences": 1}}, visited_at=at(2, 11))
    make_visit(c, {"A1-03": {"occurrences": 1}}, visited_at=at(2, 12))
    make_visit(d, {"A1-01": {"occurrences": 1}}, visited_at=at(2, 13))
    ranks = {
        r.store_id: (r.rank_overall, r.rank_category, r.rank_branch)
        for r in MonthlyResult.objects.filter(month=MONTH)
    }
    assert ranks == {a.pk: (1, 1, 1), b.pk: (2, 2, 2), c.pk: (2, 1, 1), d.pk: (4, 3, 3)}


def test_a_zeroed_visit_counts_0_in_every_section_of_the_month(make_visit, store):
    make_visit(store, {}, visited_at=at(3))
    zeroed = make_visit(
        store, {"A2-Z": {"measurement": 25}, "B3-01": {"occurrences": 1}}, visited_at=at(9)
    )
    assert zeroed.section_scores["B3"] == 5  # what it would have scored, kept on the visit
    result = result_of(store)
    assert result.base_score == Decimal("50")
    assert result.zeroed_visits == 1
    assert result.section_scores["B3"] == pytest.approx(5.0)
    assert result.section_scores["A2"] == pytest.approx(7.5)
    assert sum(result.section_scores.values()) == pytest.approx(50)
