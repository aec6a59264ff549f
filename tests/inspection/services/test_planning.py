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
    assignments_autoplan,
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
