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


def test_plan_lists_every_branchs_stores_and_never_offers_home_inspectors(
    client, hq, store, make_store, other_branch, inspector, home_inspector, month,
    django_assert_num_queries,
):  # fmt: skip
    make_store(branch=other_branch, name="丹阳某厅")
    client.force_login(hq)
    with django_assert_num_queries(7):
        response = client.get(reverse("plan-month"), {"month": month})
    body = response.content.decode()
    assert store.name in body and "丹阳某厅" in body
    rows = {row["store"].name: row["inspectors"] for row in response.context["rows"]}
    assert rows[store.name] == [inspector]
    assert rows["丹阳某厅"] == [home_inspector]


def test_autoplan_spreads_the_stores_over_other_branches_inspectors(
    client, hq, make_store, make_user, other_branch, home_inspector, month
):
    for _ in range(4):
        make_store()
    strangers = [make_user(Role.INSPECTOR, branch=other_branch) for _ in range(2)]
    client.force_login(hq)
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
    client, hq, store, home_inspector, month
):
    client.force_login(hq)
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


def test_a_planned_visit_can_be_deleted_until_it_starts(client, hq, store, inspector):
    assignment = VisitAssignment.objects.create(
        store=store, month="2026-12-01", inspector=inspector, planned_by=hq
    )
    client.force_login(hq)
    client.post(reverse("plan-delete", args=[assignment.pk]))
    assert not VisitAssignment.objects.exists()
