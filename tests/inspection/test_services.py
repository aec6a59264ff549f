import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspection import services
from inspection.models import (
    BonusCriterion,
    MonthlyResult,
    Standard,
    VisitAmendment,
    VisitStatus,
)
from inspection.months import month_of
from inspection.rules import read_standard_file, standard_load
from stores.models import Category
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 9, 1)


def at(day, hour=10):
    return local(2026, 9, day, hour)


def result_of(store, month=MONTH):
    return MonthlyResult.objects.get(store=store, month=month)


def test_submitting_stores_the_section_scores_and_total(make_visit, store):
    visit = make_visit(store, WORKED_EXAMPLE_FINDINGS, status=VisitStatus.SUBMITTED)
    assert visit.status == VisitStatus.SUBMITTED
    assert visit.total == 58
    assert visit.section_scores["A3"] == 0
    assert visit.findings.get(item__code="B1a-01").deducted == 9


def test_it_refuses_to_submit_a_visit_in_the_future(make_visit, store):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    visit = make_visit(store, {}, visited_at=tomorrow, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError, match="不能晚于现在"):
        services.visit_submit(visit=visit)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT


def test_it_refuses_to_submit_a_visit_before_the_store_opened(make_visit, make_store):
    store = make_store(opened_on=dt.date(2026, 9, 10))
    visit = make_visit(store, {}, visited_at=at(9), status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError, match="开业日期"):
        services.visit_submit(visit=visit)


def test_it_refuses_to_submit_invalid_findings_and_names_the_item(make_visit, store):
    visit = make_visit(store, {"B1a-01": {"points": [6]}}, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.visit_submit(visit=visit)
    assert "B1a-01" in error.value.messages[0]


def test_a_submitted_visit_can_no_longer_be_edited(make_visit, store):
    visit = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.visit_save_findings(visit=visit, findings={"A2-01": {"occurrences": 1}})


def test_returning_needs_a_reason_and_makes_the_visit_a_draft_again(make_visit, store):
    visit = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.visit_return(visit=visit, reason=" ")
    services.visit_return(visit=visit, reason="照片不清楚")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT
    assert visit.return_reason == "照片不清楚"


def test_publishing_creates_the_stores_monthly_result(make_visit, store):
    make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=at(3))
    result = result_of(store)
    assert result.base_score == Decimal("58")
    assert result.total == Decimal("58")
    assert (result.rank_overall, result.rank_category, result.rank_branch) == (1, 1, 1)


def test_unpublished_visits_never_count(make_visit, store):
    make_visit(store, {}, visited_at=at(3), status=VisitStatus.SUBMITTED)
    make_visit(store, {}, visited_at=at(4), status=VisitStatus.DRAFT)
    services.monthly_results_recompute(month=MONTH)
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


def test_an_amendment_records_who_when_why_and_reranks(make_visit, store, hq, make_store):
    rival = make_store()
    make_visit(rival, {"A1-03": {"occurrences": 1}}, visited_at=at(5))
    visit = make_visit(store, {}, visited_at=at(4))
    assert result_of(store).rank_overall == 1
    amendment = services.visit_amend(
        visit=visit, by=hq, reason="录像复核发现未唱收唱付", findings={"A2-03": {"occurrences": 1}}
    )
    assert (amendment.total_before, amendment.total_after) == (100, 96)
    assert amendment.amended_by == hq
    assert amendment.changes == [{"item": "A2-03", "before": {}, "after": {"occurrences": 1}}]
    visit.refresh_from_db()
    assert visit.total == 96
    assert result_of(store).rank_overall == 2


def test_an_amendment_needs_a_reason_and_a_published_visit(make_visit, store, hq):
    draft = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.visit_amend(visit=draft, by=hq, reason="更正", findings={})
    published = make_visit(store, {})
    with pytest.raises(ValidationError):
        services.visit_amend(visit=published, by=hq, reason="", findings={})
    assert not VisitAmendment.objects.exists()


def test_an_invalid_amendment_changes_nothing(make_visit, store, hq):
    visit = make_visit(store, {"A2-01": {"occurrences": 1}})
    with pytest.raises(ValidationError):
        services.visit_amend(
            visit=visit, by=hq, reason="更正", findings={"B1a-01": {"points": [9]}}
        )
    visit.refresh_from_db()
    assert visit.total == 96
    assert visit.findings.get().item.code == "A2-01"


# --- bonus (rule 9) --------------------------------------------------------


@pytest.fixture
def criteria(standard):
    return list(BonusCriterion.objects.filter(standard=standard)[:3])


@pytest.fixture
def six_ordinary_stores(make_store, make_visit):
    """Six 普通营业厅 scoring 100, 98, 96, 94, 92, 90 in September."""
    stores = []
    for n in range(6):
        store = make_store(category=Category.ORDINARY)
        make_visit(store, {"A4-01": {"occurrences": n}} if n else {}, visited_at=at(2 + n))
        stores.append(store)
    return stores


def test_a_top_5_store_gets_its_bonus_and_the_final_ranks_follow(six_ordinary_stores, criteria, hq):
    fifth = six_ordinary_stores[4]
    services.bonus_award(
        store=fifth, month=MONTH, points=2, criteria=criteria, highlight="雨天借伞", by=hq
    )
    result = result_of(fifth)
    assert (result.base_score, result.bonus, result.total) == (Decimal("92"), 2, Decimal("94"))
    assert result.rank_overall == 4
    assert result.category_base_rank == 5


def test_a_6th_placed_store_is_refused_with_the_reason(six_ordinary_stores, criteria, hq):
    with pytest.raises(ValidationError, match="第6名"):
        services.bonus_award(
            store=six_ordinary_stores[5],
            month=MONTH,
            points=1,
            criteria=criteria,
            highlight="便民服务箱",
            by=hq,
        )
    assert result_of(six_ordinary_stores[5]).bonus == 0


def test_a_store_tied_at_5th_may_get_a_bonus(make_store, make_visit, criteria, hq):
    stores = [make_store(category=Category.ORDINARY) for _ in range(6)]
    for n, store in enumerate(stores):
        make_visit(store, {"A4-01": {"occurrences": min(n, 4)}}, visited_at=at(2 + n))
    assert result_of(stores[5]).category_base_rank == 5
    services.bonus_award(
        store=stores[5], month=MONTH, points=1, criteria=criteria, highlight="老花镜", by=hq
    )
    assert result_of(stores[5]).total == Decimal("93")


def test_a_bonus_is_refused_below_3_criteria_or_without_highlight(
    six_ordinary_stores, criteria, hq
):
    with pytest.raises(ValidationError) as error:
        services.bonus_award(
            store=six_ordinary_stores[0],
            month=MONTH,
            points=1,
            criteria=criteria[:2],
            highlight="",
            by=hq,
        )
    assert len(error.value.messages) == 2


def test_a_store_gets_at_most_2_points_a_month(six_ordinary_stores, criteria, hq):
    store = six_ordinary_stores[0]
    services.bonus_award(
        store=store, month=MONTH, points=1, criteria=criteria, highlight="a", by=hq
    )
    services.bonus_award(
        store=store, month=MONTH, points=1, criteria=criteria, highlight="b", by=hq
    )
    with pytest.raises(ValidationError, match="最多加2分"):
        services.bonus_award(
            store=store, month=MONTH, points=1, criteria=criteria, highlight="c", by=hq
        )
    assert result_of(store).total == Decimal("102")


def test_a_store_without_published_visits_gets_no_bonus(store, criteria, hq):
    with pytest.raises(ValidationError, match="没有已发布的检查"):
        services.bonus_award(
            store=store, month=MONTH, points=1, criteria=criteria, highlight="x", by=hq
        )


def test_revoking_a_bonus_restores_the_total(six_ordinary_stores, criteria, hq):
    store = six_ordinary_stores[1]
    award = services.bonus_award(
        store=store, month=MONTH, points=2, criteria=criteria, highlight="x", by=hq
    )
    services.bonus_revoke(award=award)
    assert result_of(store).total == Decimal("98")


# --- standard versions -----------------------------------------------------


def test_a_later_standard_version_needs_no_code_change_and_old_visits_keep_theirs(
    make_visit, store, inspector
):
    data = read_standard_file("standard-2009.json")
    data.update(version="2010", effective_from="2010-01-01")
    a1 = data["parts"][0]["sections"][0]
    a1["items"][2]["points"] = 1  # A1-03 becomes a 1-point item
    standard_2010 = standard_load(data)
    assert Standard.in_force(dt.date(2026, 1, 1)) == standard_2010

    old = make_visit(store, {"A1-03": {"occurrences": 1}})
    assert old.standard.version == "2009"
    assert old.total == 98
    new = services.visit_create(
        store=store, inspector=inspector, visited_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert new.standard == standard_2010
    services.visit_save_findings(visit=new, findings={"A1-03": {"occurrences": 1}})
    services.visit_submit(visit=new)
    assert new.total == 99


def test_a_measured_zero_is_kept_and_scored(make_visit, make_store):
    city_hall = make_store(location_class="city")
    visit = make_visit(city_hall, {"A4-07": {"measurement": 0}})
    assert visit.total == 98
    assert visit.findings.get().measurement == 0
