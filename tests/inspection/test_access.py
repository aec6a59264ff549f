import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from inspection import access
from inspection.models import BonusAward, VisitAssignment, VisitStatus
from stores.access import can_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(make_store, other_branch):
    """A store of another branch than the managers'."""
    return make_store(branch=other_branch)


def test_an_inspector_loads_only_their_own_visits(make_visit, store, inspector, make_user):
    visit = make_visit(store, status=VisitStatus.DRAFT)
    assert access.get_visit_for_inspector(inspector, visit.pk) == visit
    with pytest.raises(Http404):
        access.get_visit_for_inspector(make_user("inspector"), visit.pk)


def test_only_inspectors_load_visits_to_fill_in(make_visit, store, hq):
    visit = make_visit(store, status=VisitStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        access.get_visit_for_inspector(hq, visit.pk)


def test_a_reviewer_loads_every_stores_visits_whatever_the_status(
    make_visit, store, theirs, hq, admin_user
):
    submitted = make_visit(store, status=VisitStatus.SUBMITTED)
    elsewhere = make_visit(theirs, status=VisitStatus.DRAFT)
    for reviewer in (hq, admin_user):
        assert access.get_visit_for_reviewer(reviewer, elsewhere.pk, permission=can_publish)
        assert set(access.visits_for_reviewer(reviewer)) == {submitted, elsewhere}


def test_branch_managers_neither_review_nor_plan_their_branch(
    make_visit, store, branch_manager, inspector, hq
):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    plan = VisitAssignment.objects.create(
        store=store, month="2026-12-01", inspector=inspector, planned_by=hq
    )
    with pytest.raises(PermissionDenied):
        access.get_visit_for_reviewer(branch_manager, visit.pk)
    with pytest.raises(PermissionDenied):
        access.get_assignment_for_planner(branch_manager, plan.pk)


def test_store_staff_are_no_reviewers(make_visit, store, store_manager):
    visit = make_visit(store, status=VisitStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        access.get_visit_for_reviewer(store_manager, visit.pk)


def test_store_staff_read_only_their_stores_published_visits(make_visit, store, store_manager):
    published = make_visit(store)
    submitted = make_visit(store, status=VisitStatus.SUBMITTED)
    assert access.get_visit_for_reader(store_manager, published.pk) == published
    with pytest.raises(Http404):
        access.get_visit_for_reader(store_manager, submitted.pk)


def test_a_user_without_a_role_reads_no_visit(make_visit, store, django_user_model):
    visit = make_visit(store)
    with pytest.raises(PermissionDenied):
        access.get_visit_for_reader(django_user_model.objects.create_user("nobody"), visit.pk)


def test_a_planner_loads_the_plans_of_the_active_stores(store, theirs, make_store, inspector, hq):
    closed = make_store(is_active=False)
    assert list(access.stores_to_plan(hq)) == [store, theirs]
    plans = [
        VisitAssignment.objects.create(
            store=s, month="2026-12-01", inspector=inspector, planned_by=hq
        )
        for s in (store, theirs, closed)
    ]
    assert access.get_assignment_for_planner(hq, plans[1].pk) == plans[1]
    with pytest.raises(Http404):
        access.get_assignment_for_planner(hq, plans[2].pk)


def test_only_headquarters_and_administrators_load_a_bonus_award_to_revoke(
    store, make_visit, hq, admin_user, branch_manager
):
    visit = make_visit(store)
    award = BonusAward.objects.create(
        store=store, month=visit.month, points=1, highlight="亮点", awarded_by=hq
    )
    assert access.get_bonus_award_for_user(hq, award.pk) == award
    assert access.get_bonus_award_for_user(admin_user, award.pk) == award
    with pytest.raises(PermissionDenied):
        access.get_bonus_award_for_user(branch_manager, award.pk)
