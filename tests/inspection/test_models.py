import pytest
from django.db import IntegrityError

from inspection.models import (
    BonusAward,
    BonusCriterion,
    Finding,
    Item,
    MonthlyResult,
    Section,
    Visit,
    VisitStatus,
)

pytestmark = pytest.mark.django_db


def test_the_2009_standard_is_loaded_by_a_migration(standard):
    # 53 items of the source, and B1a-04 added by ruling R2.
    assert standard.items.count() == 54
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


def test_the_red_lines_are_b1a_03_and_b1a_04_each_naming_its_prohibition(standard):
    red_lines = standard.items.filter(red_line=True).select_related("prohibition")
    assert [(i.code, i.prohibition.number, i.prohibition.name) for i in red_lines] == [
        ("B1a-03", 3, "禁令三"),
        ("B1a-04", 1, "禁令一"),
    ]
    assert standard.prohibitions.count() == 5


def test_a_red_line_item_must_name_its_prohibition(standard):
    with pytest.raises(IntegrityError):
        standard.items.filter(code="B1a-03").update(prohibition=None)


def test_a_stores_awards_of_a_month_count_or_not_together(make_visit, store):
    make_visit(store, {})
    with pytest.raises(IntegrityError):
        MonthlyResult.objects.filter(store=store).update(bonus=1, bonus_not_counting=1)


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
