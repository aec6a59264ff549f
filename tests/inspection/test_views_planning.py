import pytest
from django.urls import reverse

from inspection.models import VisitAssignment
from stores.models import Role


@pytest.fixture
def month():
    return "2026-12"


@pytest.fixture
def home_inspector(make_user, branch):
    return make_user(Role.INSPECTOR, branch=branch, username="local")


def test_plan_sends_anonymous_users_to_login(client):
    assert client.get(reverse("plan-month")).status_code == 302


def test_plan_is_forbidden_to_inspectors_and_store_staff(client, inspector, store_manager):
    for user in (inspector, store_manager):
        client.force_login(user)
        assert client.get(reverse("plan-month")).status_code == 403


def test_plan_lists_only_the_branchs_stores_and_never_offers_home_inspectors(
    client, branch_manager, store, make_store, other_branch, inspector, home_inspector, month,
    django_assert_num_queries,
):  # fmt: skip
    make_store(branch=other_branch, name="丹阳某厅")
    make_store()
    client.force_login(branch_manager)
    with django_assert_num_queries(7):
        response = client.get(reverse("plan-month"), {"month": month})
    body = response.content.decode()
    assert store.name in body and "丹阳某厅" not in body
    row = response.context["rows"][0]
    assert row["inspectors"] == [inspector]


def test_autoplan_spreads_the_branchs_stores_over_other_branches_inspectors(
    client, branch_manager, make_store, make_user, other_branch, home_inspector, month
):
    for _ in range(4):
        make_store()
    strangers = [make_user(Role.INSPECTOR, branch=other_branch) for _ in range(2)]
    client.force_login(branch_manager)
    response = client.post(reverse("plan-autoplan"), {"month": month, "visits_per_store": 1})
    assert response["Location"] == f"{reverse('plan-month')}?month={month}"
    counts = [VisitAssignment.objects.filter(inspector=s).count() for s in strangers]
    assert counts == [2, 2]
    assert not VisitAssignment.objects.filter(inspector=home_inspector).exists()


def test_autoplan_with_a_bad_month_plans_nothing(client, hq, store, inspector):
    client.force_login(hq)
    client.post(reverse("plan-autoplan"), {"month": "2026-13", "visits_per_store": 1})
    assert not VisitAssignment.objects.exists()


def test_a_manual_assignment_of_a_home_inspector_is_refused(
    client, branch_manager, store, home_inspector, month
):
    client.force_login(branch_manager)
    client.post(
        reverse("plan-assign"),
        {"month": month, "store": store.pk, "inspector": home_inspector.pk},
    )
    assert not VisitAssignment.objects.exists()


def test_a_manual_override_changes_the_inspector_and_date(
    client, hq, store, inspector, make_user, other_branch, month
):
    other = make_user(Role.INSPECTOR, branch=other_branch)
    assignment = VisitAssignment.objects.create(
        store=store, month="2026-12-01", inspector=inspector, planned_by=hq
    )
    client.force_login(hq)
    client.post(
        reverse("plan-change", args=[assignment.pk]),
        {"month": month, "store": store.pk, "inspector": other.pk, "planned_on": "2026-12-09"},
    )
    assignment.refresh_from_db()
    assert assignment.inspector == other
    assert str(assignment.planned_on) == "2026-12-09"


def test_changing_another_branchs_plan_is_not_found(
    client, branch_manager, make_store, other_branch, inspector, hq, month
):
    elsewhere = make_store(branch=other_branch)
    assignment = VisitAssignment.objects.create(
        store=elsewhere, month="2026-12-01", inspector=hq, planned_by=hq
    )
    client.force_login(branch_manager)
    response = client.post(
        reverse("plan-change", args=[assignment.pk]),
        {"month": month, "store": elsewhere.pk, "inspector": inspector.pk},
    )
    assert response.status_code == 404
    assert client.post(reverse("plan-delete", args=[assignment.pk])).status_code == 404


def test_a_planned_visit_can_be_deleted_until_it_starts(client, hq, store, inspector):
    assignment = VisitAssignment.objects.create(
        store=store, month="2026-12-01", inspector=inspector, planned_by=hq
    )
    client.force_login(hq)
    client.post(reverse("plan-delete", args=[assignment.pk]))
    assert not VisitAssignment.objects.exists()


def test_planning_writes_require_post(client, hq):
    client.force_login(hq)
    assert client.get(reverse("plan-autoplan")).status_code == 405
