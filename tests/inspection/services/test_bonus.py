from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import Action, AuditEvent
from inspection.models import BonusCriterion
from inspection.services.bonus import bonus_award, bonus_revoke
from inspection.services.visits import visit_amend
from stores.models import Category, Role
from tests.inspection.services.september import MONTH, at, result_of

pytestmark = pytest.mark.django_db


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
    bonus_award(store=fifth, month=MONTH, points=2, criteria=criteria, highlight="雨天借伞", by=hq)
    result = result_of(fifth)
    assert (result.base_score, result.bonus, result.total) == (Decimal("92"), 2, Decimal("94"))
    assert result.rank_overall == 4
    assert result.category_base_rank == 5


def test_a_6th_placed_store_is_refused_with_the_reason(six_ordinary_stores, criteria, hq):
    with pytest.raises(ValidationError, match="第6名"):
        bonus_award(
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
    bonus_award(
        store=stores[5], month=MONTH, points=1, criteria=criteria, highlight="老花镜", by=hq
    )
    assert result_of(stores[5]).total == Decimal("93")


def test_a_bonus_is_refused_below_3_criteria_or_without_highlight(
    six_ordinary_stores, criteria, hq
):
    with pytest.raises(ValidationError) as error:
        bonus_award(
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
    bonus_award(store=store, month=MONTH, points=1, criteria=criteria, highlight="a", by=hq)
    bonus_award(store=store, month=MONTH, points=1, criteria=criteria, highlight="b", by=hq)
    with pytest.raises(ValidationError, match="最多加2分"):
        bonus_award(store=store, month=MONTH, points=1, criteria=criteria, highlight="c", by=hq)
    assert result_of(store).total == Decimal("102")


def test_a_store_without_published_visits_gets_no_bonus(store, criteria, hq):
    with pytest.raises(ValidationError, match="没有已发布的检查"):
        bonus_award(store=store, month=MONTH, points=1, criteria=criteria, highlight="x", by=hq)


def test_revoking_a_bonus_restores_the_total(six_ordinary_stores, criteria, hq):
    store = six_ordinary_stores[1]
    award = bonus_award(store=store, month=MONTH, points=2, criteria=criteria, highlight="x", by=hq)
    bonus_revoke(award=award, by=hq)
    assert result_of(store).total == Decimal("98")


def test_a_bonus_stops_counting_when_a_later_publish_pushes_its_store_out_of_the_top_5(
    six_ordinary_stores, criteria, hq, make_store, make_visit
):
    """And it counts again by itself once an amendment lifts the store back."""
    fifth = six_ordinary_stores[4]
    award = bonus_award(
        store=fifth, month=MONTH, points=2, criteria=criteria, highlight="雨天借伞", by=hq
    )
    assert (result_of(fifth).bonus, result_of(fifth).total) == (2, Decimal("94"))

    # A newcomer's visit scoring 94 is published later: base scores now run
    # 100, 98, 96, 94, 94, 92, and the awarded store (92) is 6th.
    newcomer = make_store(category=Category.ORDINARY)
    findings = {"A4-01": {"occurrences": 2}, "A1-04": {"occurrences": 1}}
    late = make_visit(newcomer, findings, visited_at=at(20))
    result = result_of(fifth)
    assert (result.category_base_rank, result.bonus, result.bonus_not_counting) == (6, 0, 2)
    assert result.total == Decimal("92")
    assert result_of(six_ordinary_stores[5]).rank_overall == 7
    award.refresh_from_db()  # still on record

    # The newcomer's visit is corrected down to 90: the store is 5th again.
    visit_amend(
        visit=late,
        by=hq,
        reason="复核录像后更正",
        findings={**findings, "A2-01": {"occurrences": 1}},
    )
    result = result_of(fifth)
    assert (result.category_base_rank, result.bonus, result.bonus_not_counting) == (5, 2, 0)
    assert result.total == Decimal("94")
    assert result.rank_overall == 4


def test_a_revoked_bonus_stays_in_the_audit_log_with_what_was_awarded(
    six_ordinary_stores, criteria, hq, make_user
):
    store = six_ordinary_stores[1]
    award = bonus_award(store=store, month=MONTH, points=2, criteria=criteria, highlight="x", by=hq)
    revoker = make_user(Role.HEADQUARTERS)
    bonus_revoke(award=award, by=revoker)
    awarded, revoked = AuditEvent.objects.exclude(action=Action.PUBLISH).order_by("pk")
    assert (awarded.action, awarded.actor) == (Action.BONUS_AWARD, hq)
    assert (revoked.action, revoked.actor) == (Action.BONUS_REVOKE, revoker)
    assert revoked.object_id == awarded.object_id
    assert revoked.detail == {
        "store": store.code,
        "month": "2026-09",
        "points": 2,
        "criteria": sorted(c.code for c in criteria),
        "highlight": "x",
        "awarded_by": hq.username,
        "awarded_at": awarded.detail["awarded_at"],
    }
