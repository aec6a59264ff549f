import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from inspection.models import VisitAssignment, VisitStatus
from inspection.services.planning import (
    assignment_delete,
    assignment_set,
    assignment_start,
    assignments_add,
    assignments_autoplan,
    assignments_reassign,
)
from stores.models import Role


@pytest.fixture
def december():
    return dt.date(2026, 12, 1)


def test_assigning_an_inspector_of_the_stores_own_branch_is_refused(
    store, make_user, branch, hq, december
):
    local = make_user(Role.INSPECTOR, branch=branch)
    with pytest.raises(ValidationError):
        assignment_set(store=store, month=december, inspector=local, planned_on=None, by=hq)


def test_only_inspectors_can_be_assigned(store, hq, december):
    with pytest.raises(ValidationError):
        assignment_set(store=store, month=december, inspector=hq, planned_on=None, by=hq)


def test_a_planned_date_outside_the_month_is_refused(store, inspector, hq, december):
    with pytest.raises(ValidationError):
        assignment_set(
            store=store, month=december, inspector=inspector, planned_on=dt.date(2027, 1, 3), by=hq
        )


def test_autoplan_balances_load_and_keeps_existing_assignments(
    make_store, make_user, other_branch, branch, inspector, hq, december
):
    stores = [make_store() for _ in range(5)]
    second = make_user(Role.INSPECTOR, branch=other_branch)
    make_user(Role.INSPECTOR, branch=branch)  # a local: never chosen
    assignment_set(store=stores[0], month=december, inspector=inspector, planned_on=None, by=hq)
    created = assignments_autoplan(month=december, stores=stores, visits_per_store=2, by=hq)
    assert len(created) == 9
    loads = sorted(VisitAssignment.objects.filter(inspector=i).count() for i in (inspector, second))
    assert loads == [5, 5]
    # Two visits to one store go to two different people when there are two.
    for store in stores:
        assert (
            VisitAssignment.objects.filter(store=store).values("inspector").distinct().count() == 2
        )


def test_autoplan_refuses_when_no_stranger_is_available(store, hq, december):
    with pytest.raises(ValidationError):
        assignments_autoplan(month=december, stores=[store], visits_per_store=1, by=hq)
    assert not VisitAssignment.objects.exists()


def test_starting_an_assignment_twice_gives_the_same_draft(store, inspector, hq):
    month = timezone.localdate().replace(day=1)
    assignment = assignment_set(
        store=store, month=month, inspector=inspector, planned_on=None, by=hq
    )
    visit = assignment_start(assignment=assignment)
    assert assignment_start(assignment=assignment) == visit
    assert visit.status == VisitStatus.DRAFT and visit.inspector == inspector


def test_a_started_assignment_cannot_be_changed_or_deleted(
    store, inspector, hq, make_user, other_branch
):
    month = timezone.localdate().replace(day=1)
    assignment = assignment_set(
        store=store, month=month, inspector=inspector, planned_on=None, by=hq
    )
    assignment_start(assignment=assignment)
    assignment.refresh_from_db()
    other = make_user(Role.INSPECTOR, branch=other_branch)
    with pytest.raises(ValidationError):
        assignment_set(
            store=store, month=month, inspector=other, planned_on=None, by=hq, assignment=assignment
        )
    with pytest.raises(ValidationError):
        assignment_delete(assignment=assignment, by=hq)


def test_plan_changes_are_in_the_audit_log(
    store, make_store, other_branch, inspector, hq, december
):
    assignment = assignment_set(
        store=store, month=december, inspector=inspector, planned_on=None, by=hq
    )
    assignment_delete(assignment=assignment, by=hq)
    assignments_autoplan(month=december, stores=[store], visits_per_store=1, by=hq)
    events = list(AuditEvent.objects.order_by("pk"))
    assert [(e.action, e.actor) for e in events] == [
        (Action.PLAN_SET, hq),
        (Action.PLAN_DELETE, hq),
        (Action.PLAN_AUTO, hq),
    ]
    assert events[1].detail == {
        "store": store.code,
        "month": "2026-12",
        "inspector": inspector.username,
        "planned_on": None,
    }
    assert events[2].detail == {"month": "2026-12", "created": 1, "stores": 1}


def test_autoplan_of_a_scope_plans_only_the_stores_given(
    make_store, other_branch, inspector, hq, december
):
    mine = [make_store() for _ in range(3)]
    elsewhere = make_store(branch=other_branch)
    assignments_autoplan(month=december, stores=mine, visits_per_store=1, by=hq)
    assert VisitAssignment.objects.filter(store__in=mine).count() == 3
    assert not VisitAssignment.objects.filter(store=elsewhere).exists()


def test_reassigning_moves_every_selected_visit(
    make_store, make_user, other_branch, inspector, hq, december
):
    other = make_user(Role.INSPECTOR, branch=other_branch)
    visits = [
        assignment_set(
            store=make_store(), month=december, inspector=inspector, planned_on=None, by=hq
        )
        for _ in range(3)
    ]
    moved = assignments_reassign(
        assignments=visits[:2],
        month=december,
        inspector=other,
        planned_on=dt.date(2026, 12, 4),
        by=hq,
    )
    assert moved == 2
    assert [
        (a.inspector, a.planned_on)
        for a in VisitAssignment.objects.filter(inspector=other).order_by("store__code")
    ] == [(other, dt.date(2026, 12, 4))] * 2
    visits[2].refresh_from_db()
    assert visits[2].inspector == inspector


def test_reassigning_only_the_day_keeps_the_inspector(store, inspector, hq, december):
    assignment = assignment_set(
        store=store, month=december, inspector=inspector, planned_on=None, by=hq
    )
    assignments_reassign(
        assignments=[assignment],
        month=december,
        inspector=None,
        planned_on=dt.date(2026, 12, 20),
        by=hq,
    )
    assignment.refresh_from_db()
    assert (assignment.inspector, assignment.planned_on) == (inspector, dt.date(2026, 12, 20))


def test_reassigning_to_an_inspector_of_one_stores_branch_saves_none(
    make_store, make_user, branch, other_branch, inspector, hq, december
):
    ours, also_ours = make_store(), make_store()
    elsewhere = make_store(branch=other_branch)
    mixed = [
        assignment_set(store=s, month=december, inspector=inspector, planned_on=None, by=hq)
        for s in (ours, also_ours)
    ]
    mixed.append(
        assignment_set(
            store=elsewhere,
            month=december,
            inspector=make_user(Role.INSPECTOR, branch=branch),
            planned_on=None,
            by=hq,
        )
    )
    local = make_user(Role.INSPECTOR, branch=branch)
    with pytest.raises(ValidationError) as refused:
        assignments_reassign(
            assignments=mixed, month=december, inspector=local, planned_on=None, by=hq
        )
    assert len(refused.value.messages) == 2
    assert not VisitAssignment.objects.filter(inspector=local).exists()


def test_reassigning_a_started_visit_or_to_another_month_is_refused(
    store, make_store, inspector, hq
):
    month = timezone.localdate().replace(day=1)
    started = assignment_set(store=store, month=month, inspector=inspector, planned_on=None, by=hq)
    assignment_start(assignment=started)
    waiting = assignment_set(
        store=make_store(), month=month, inspector=inspector, planned_on=None, by=hq
    )
    with pytest.raises(ValidationError):
        assignments_reassign(
            assignments=[started, waiting],
            month=month,
            inspector=None,
            planned_on=month.replace(day=2),
            by=hq,
        )
    with pytest.raises(ValidationError):
        assignments_reassign(
            assignments=[waiting],
            month=month,
            inspector=None,
            planned_on=month.replace(day=28) + dt.timedelta(days=7),
            by=hq,
        )
    waiting.refresh_from_db()
    assert waiting.planned_on is None


def test_reassigning_needs_an_inspector_or_a_day(store, inspector, hq, december):
    assignment = assignment_set(
        store=store, month=december, inspector=inspector, planned_on=None, by=hq
    )
    with pytest.raises(ValidationError):
        assignments_reassign(
            assignments=[assignment], month=december, inspector=None, planned_on=None, by=hq
        )


def test_adding_plans_one_visit_to_each_store_or_none(
    make_store, make_user, branch, other_branch, inspector, hq, december
):
    ours = [make_store(), make_store()]
    assert (
        assignments_add(stores=ours, month=december, inspector=inspector, planned_on=None, by=hq)
        == 2
    )
    local = make_user(Role.INSPECTOR, branch=branch)
    mixed = [make_store(branch=other_branch), make_store()]
    with pytest.raises(ValidationError):
        assignments_add(stores=mixed, month=december, inspector=local, planned_on=None, by=hq)
    assert not VisitAssignment.objects.filter(inspector=local).exists()
