import pytest
from django.db import IntegrityError

from inspection.models import (
    BonusAward,
    BonusCriterion,
    Finding,
    Item,
    Section,
    Visit,
    VisitStatus,
)

pytestmark = pytest.mark.django_db


def test_the_2009_standard_is_loaded_by_a_migration(standard):
    assert standard.items.count() == 53
    assert BonusCriterion.objects.filter(standard=standard).count() == 13
    assert list(
        Section.objects.filter(standard=standard, is_scored=False).values_list("code", flat=True)
    ) == ["B1", "B2"]


def test_every_measured_item_of_the_spec_is_measured(standard):
    measured = set(
        Item.objects.filter(standard=standard, kind__in=["time", "count", "zeroing"]).values_list(
            "code", flat=True
        )
    )
    assert measured == {"A2-Z", "A3-04", "A4-03", "A4-07", "B1b-01", "B2a-01", "B2a-02"}


def test_b1a_03_is_the_only_red_line(standard):
    assert list(standard.items.filter(red_line=True).values_list("code", flat=True)) == ["B1a-03"]


def test_a_submitted_visit_must_carry_its_score(make_visit, store):
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    with pytest.raises(IntegrityError):
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.SUBMITTED)


def test_a_finding_marked_not_applicable_must_give_a_reason(make_visit, store, standard):
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    with pytest.raises(IntegrityError):
        Finding.objects.create(
            visit=visit, item=standard.items.get(code="A2-01"), not_applicable=True
        )


def test_the_same_inspector_cannot_record_the_same_hall_twice_at_one_time(
    make_visit, store, inspector
):
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    with pytest.raises(IntegrityError):
        Visit.objects.create(
            store=store, inspector=inspector, standard=visit.standard, visited_at=visit.visited_at
        )


def test_a_bonus_award_is_worth_at_least_one_point(make_visit, store, hq):
    visit = make_visit(store)
    with pytest.raises(IntegrityError):
        BonusAward.objects.create(
            store=store, month=visit.month, points=0, highlight="亮点", awarded_by=hq
        )
