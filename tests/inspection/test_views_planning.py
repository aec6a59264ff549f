import datetime as dt

import pytest
from django.urls import reverse

from inspection.models import VisitAssignment
from inspection.queries.planning import PLAN_PER_PAGE
from inspection.services.planning import assignment_start
from stores.models import Category, Role

MONTH = "2026-12"
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def home_inspector(make_user, branch):
    return make_user(Role.INSPECTOR, branch=branch, username="local")


@pytest.fixture
def stranger(make_user, other_branch):
    return make_user(Role.INSPECTOR, branch=other_branch, username="stranger")


@pytest.fixture
def plan(hq, inspector):
    def make(store, who=None, **fields):
        return VisitAssignment.objects.create(
            store=store, month=DECEMBER, inspector=who or inspector, planned_by=hq, **fields
        )

    return make


def plan_url(**query):
    return reverse("plan-month"), {"month": MONTH, **query}


def test_plan_sends_anonymous_users_to_login(client):
    response = client.get(reverse("plan-month"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_plan_is_forbidden_to_inspectors_and_branch_and_store_staff(
    client, inspector, store_manager, branch_manager
):
    """Ruling R8: planning belongs to headquarters; R9: branch staff never see a plan."""
    for user in (inspector, store_manager, branch_manager):
        client.force_login(user)
        assert client.get(reverse("plan-month")).status_code == 403
        assert client.post(reverse("plan-reassign"), {"month": MONTH}).status_code == 403


def test_plan_lists_the_months_assignments_with_their_status(
    client, hq, store, make_store, plan, inspector
):
    waiting = plan(store)
    plan(make_store(name="已开始的厅"), planned_on=DECEMBER)
    client.force_login(hq)
    body = client.get(*plan_url()).content.decode()
    assert store.name in body and "已开始的厅" in body
    assert f'value="{waiting.pk}"' in body


def test_the_unplanned_view_lists_only_stores_without_a_plan(client, hq, store, make_store, plan):
    plan(store)
    make_store(name="没人去的厅")
    client.force_login(hq)
    response = client.get(*plan_url(status="unplanned"))
    rows = list(response.context["page"])
    assert [s.name for s in rows] == ["没人去的厅"]
    assert response.context["unplanned"] == 1


def test_the_filters_narrow_the_rows(
    client, hq, store, make_store, other_branch, plan, inspector, stranger, make_user
):
    flagship = make_store(name="旗舰厅", category=Category.FLAGSHIP)
    elsewhere = make_store(branch=other_branch, name="丹阳厅")
    local_to_other = make_user(Role.INSPECTOR, branch=store.branch)
    plan(store)
    plan(flagship, who=stranger, planned_on=dt.date(2026, 12, 9))
    plan(elsewhere, who=local_to_other)
    client.force_login(hq)

    def names(**query):
        response = client.get(*plan_url(**query))
        return sorted(a.store.name for a in response.context["page"])

    assert names(branch=other_branch.pk) == ["丹阳厅"]
    assert names(category=Category.FLAGSHIP) == ["旗舰厅"]
    assert names(inspector=stranger.pk) == ["旗舰厅"]
    assert names(planned_on="2026-12-09") == ["旗舰厅"]
    assert names(q="JR001") == [store.name]
    assert names(q="丹阳") == ["丹阳厅"]
    assert names(status="planned") == sorted([store.name, "旗舰厅", "丹阳厅"])
    assert names(status="submitted") == []


def test_started_visits_show_under_their_status(client, hq, store, plan, inspector):
    assignment = plan(store)
    client.force_login(hq)
    assignment_start(assignment=assignment)
    assert [a.pk for a in client.get(*plan_url(status="started")).context["page"]] == [
        assignment.pk
    ]
    assert list(client.get(*plan_url(status="planned")).context["page"]) == []


def test_a_bad_filter_is_reported_and_left_out(client, hq, store, plan):
    plan(store)
    client.force_login(hq)
    response = client.get(
        *plan_url(branch="x", status="nonsense", planned_on="2026-99-99", q="a" * 500)
    )
    assert response.status_code == 200
    assert len(response.context["page"]) == 1
    assert set(response.context["filter_form"].errors) == {"branch", "status", "planned_on", "q"}


def test_the_plan_is_paginated(client, hq, make_store, plan):
    for _ in range(PLAN_PER_PAGE + 3):
        plan(make_store())
    client.force_login(hq)
    first = client.get(*plan_url())
    assert len(first.context["page"]) == PLAN_PER_PAGE
    second = client.get(*plan_url(page=2))
    assert len(second.context["page"]) == 3
    assert client.get(*plan_url(page="999")).context["page"].number == 2


# The session, the user and their role; the rows' count, the unplanned count and the
# load; the filters' branches and inspectors, the auto-plan's branches and the load's
# inspectors; the reassign form's (or in the unplanned view the add form's) inspectors;
# the page.
@pytest.mark.parametrize(
    ("query", "queries"),
    [({}, 12), ({"status": "unplanned"}, 12), ({"status": "planned", "q": "S"}, 12)],
)
def test_the_plan_page_runs_as_many_queries_for_four_times_the_stores(
    client, hq, make_store, other_branch, plan, stranger, django_assert_num_queries, query, queries
):
    def grow(n):
        for i in range(n):
            store = make_store(branch=other_branch) if i % 2 else make_store()
            if i % 3:
                plan(store, who=stranger if i % 2 == 0 else None)

    grow(10)
    client.force_login(hq)
    with django_assert_num_queries(queries):
        client.get(*plan_url(**query))
    grow(30)
    with django_assert_num_queries(queries):
        client.get(*plan_url(**query))


def test_autoplan_of_one_branchs_unplanned_stores_leaves_the_rest(
    client, hq, make_store, other_branch, branch, plan, stranger, home_inspector
):
    planned = make_store()
    plan(planned)
    waiting = [make_store() for _ in range(4)]
    elsewhere = make_store(branch=other_branch)
    client.force_login(hq)
    response = client.post(
        reverse("plan-autoplan"),
        {
            "month": MONTH,
            "scope": "unplanned",
            "branch": branch.pk,
            "visits_per_store": 2,
            "back": f"month={MONTH}&status=unplanned&branch={branch.pk}",
        },
    )
    assert response.url == (
        f"{reverse('plan-month')}?month={MONTH}&status=unplanned&branch={branch.pk}"
    )
    assert VisitAssignment.objects.filter(store=planned).count() == 1
    assert not VisitAssignment.objects.filter(store=elsewhere).exists()
    for store in waiting:
        assert VisitAssignment.objects.filter(store=store).count() == 2
    assert not VisitAssignment.objects.filter(inspector=home_inspector).exists()


def test_autoplan_of_a_branch_needs_the_branch(client, hq, store, stranger):
    client.force_login(hq)
    response = client.post(
        reverse("plan-autoplan"), {"month": MONTH, "scope": "branch", "visits_per_store": 1}
    )
    assert response.status_code == 302
    assert not VisitAssignment.objects.exists()
    assert "请选择要安排的分公司" in client.get(response.url).content.decode()


def test_autoplan_with_a_bad_month_plans_nothing(client, hq, store, inspector):
    client.force_login(hq)
    client.post(
        reverse("plan-autoplan"), {"month": "2026-13", "scope": "all", "visits_per_store": 1}
    )
    assert not VisitAssignment.objects.exists()


def test_reassigning_selected_rows_moves_them_to_the_inspector_and_day(
    client, hq, store, make_store, plan, stranger
):
    moved = [plan(store), plan(make_store())]
    kept = plan(make_store())
    client.force_login(hq)
    response = client.post(
        reverse("plan-reassign"),
        {
            "month": MONTH,
            "assignments": [a.pk for a in moved],
            "inspector": stranger.pk,
            "planned_on": "2026-12-15",
        },
    )
    assert "已调整 2 次计划" in client.get(response.url).content.decode()
    for assignment in moved:
        assignment.refresh_from_db()
        assert assignment.inspector == stranger
        assert assignment.planned_on == dt.date(2026, 12, 15)
    kept.refresh_from_db()
    assert kept.inspector != stranger


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"inspector": "stranger"}, "请先勾选要调整的计划"),
        ({"assignments": ["x"], "inspector": "stranger"}, "不在您的范围内"),
        ({"assignments": ["999999"], "inspector": "stranger"}, "不在您的范围内"),
        ({"assignments": ["first"]}, "请选择新的检查员或新的日期"),
        ({"assignments": ["first"], "planned_on": "2027-01-05"}, "必须在所选月份内"),
        ({"assignments": ["first"], "planned_on": "12/05"}, "日期"),
        ({"assignments": ["first"], "inspector": "999999"}, "选择一个有效的选项"),
        ({"assignments": ["first", "second"], "inspector": "local"}, "本分公司"),
    ],
)
def test_a_bad_reassignment_saves_nothing_and_says_why(
    client, hq, store, make_store, plan, stranger, home_inspector, inspector, data, message
):
    first, second = plan(store), plan(make_store())
    names = {
        "stranger": stranger.pk,
        "local": home_inspector.pk,
        "first": first.pk,
        "second": second.pk,
    }
    post = {"month": MONTH}
    for key, value in data.items():
        post[key] = (
            [names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value)
        )
    client.force_login(hq)
    response = client.post(reverse("plan-reassign"), post)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert message in page
    for assignment in (first, second):
        before = assignment.inspector_id, assignment.planned_on
        assignment.refresh_from_db()
        assert (assignment.inspector_id, assignment.planned_on) == before


def test_a_started_visit_is_not_reassigned_and_neither_is_the_rest(
    client, hq, store, make_store, plan, stranger, inspector
):
    from django.utils import timezone

    month = timezone.localdate().replace(day=1)
    started = VisitAssignment.objects.create(
        store=store, month=month, inspector=inspector, planned_by=hq
    )
    assignment_start(assignment=started)
    waiting = VisitAssignment.objects.create(
        store=make_store(), month=month, inspector=inspector, planned_by=hq
    )
    client.force_login(hq)
    response = client.post(
        reverse("plan-reassign"),
        {
            "month": f"{month:%Y-%m}",
            "assignments": [started.pk, waiting.pk],
            "inspector": stranger.pk,
        },
    )
    assert "已开始" in client.get(response.url).content.decode()
    assert not VisitAssignment.objects.filter(inspector=stranger).exists()


def test_a_branch_manager_reassigns_nothing(
    client, branch_manager, make_store, other_branch, plan, stranger, make_user
):
    elsewhere = plan(make_store(branch=other_branch), who=make_user(Role.INSPECTOR))
    client.force_login(branch_manager)
    response = client.post(
        reverse("plan-reassign"),
        {"month": MONTH, "assignments": [elsewhere.pk], "planned_on": "2026-12-03"},
    )
    assert response.status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.planned_on is None


def test_a_planned_visit_can_be_deleted_until_it_starts(client, hq, store, plan):
    assignment = plan(store)
    client.force_login(hq)
    response = client.post(
        reverse("plan-delete", args=[assignment.pk]), {"back": "status=planned&evil=1"}
    )
    assert response.url == f"{reverse('plan-month')}?status=planned&month={MONTH}"
    assert not VisitAssignment.objects.exists()


def test_planning_writes_require_post(client, hq):
    client.force_login(hq)
    for name in ("plan-autoplan", "plan-add", "plan-reassign"):
        assert client.get(reverse(name)).status_code == 405


def test_a_planner_reads_an_inspectors_month_day_by_day(
    client, hq, store, make_store, plan, inspector, django_assert_num_queries
):
    plan(store, planned_on=dt.date(2026, 12, 9))
    plan(make_store(name="未定日期的厅"))
    client.force_login(hq)
    url = reverse("plan-inspector", args=[inspector.pk])
    with django_assert_num_queries(6):
        response = client.get(url, {"month": MONTH})
    days = response.context["days"]
    assert len(days) == 32
    assert [a.store for a in days[8][1]] == [store]
    assert [a.store.name for a in days[-1][1]] == ["未定日期的厅"]


def test_an_inspectors_month_is_not_found_for_someone_who_is_not_an_inspector(client, hq):
    client.force_login(hq)
    assert client.get(reverse("plan-inspector", args=[hq.pk])).status_code == 404


def test_an_inspector_reads_only_their_own_month(
    client, store, make_store, plan, inspector, stranger
):
    plan(store)
    plan(make_store(name="别人的厅"), who=stranger)
    client.force_login(inspector)
    body = client.get(reverse("inspector-month"), {"month": MONTH}).content.decode()
    assert store.name in body and "别人的厅" not in body
    assert client.get(reverse("plan-inspector", args=[stranger.pk])).status_code == 403


def test_an_inspectors_month_lists_the_first_visits_and_says_how_many_there_are(
    client, hq, make_store, plan, inspector, monkeypatch
):
    monkeypatch.setattr("inspection.queries.planning.MONTH_SHOWN", 2)
    monkeypatch.setattr("inspection.views.planning.MONTH_SHOWN", 2)
    for _ in range(3):
        plan(make_store())
    client.force_login(hq)
    response = client.get(reverse("plan-inspector", args=[inspector.pk]), {"month": MONTH})
    assert sum(len(assignments) for _day, assignments in response.context["days"]) == 2
    assert "本月共 3 次计划，这里列出前 2 次" in response.content.decode()


def test_ticked_unplanned_stores_are_planned_for_the_inspector_chosen(
    client, hq, store, make_store, stranger
):
    other = make_store()
    client.force_login(hq)
    response = client.post(
        reverse("plan-add"),
        {
            "month": MONTH,
            "stores": [store.pk, other.pk],
            "inspector": stranger.pk,
            "planned_on": "2026-12-10",
            "back": "status=unplanned",
        },
    )
    assert "已安排 2 次检查" in client.get(response.url).content.decode()
    assert sorted(
        VisitAssignment.objects.filter(inspector=stranger, planned_on="2026-12-10").values_list(
            "store_id", flat=True
        )
    ) == sorted([store.pk, other.pk])


@pytest.mark.parametrize(
    ("who", "stores", "message"),
    [
        ("local", ["one", "two"], "本分公司"),
        ("stranger", [], "请先勾选要安排的营业厅"),
        ("stranger", ["planned"], "不在您的范围内"),
        ("stranger", ["x"], "不在您的范围内"),
        ("nobody", ["one"], "选择一个有效的选项"),
    ],
)
def test_a_bad_manual_plan_saves_nothing_and_says_why(
    client, hq, store, make_store, plan, stranger, home_inspector, who, stores, message
):
    ids = {"one": store.pk, "two": make_store().pk, "planned": plan(make_store()).store_id}
    people = {"local": home_inspector.pk, "stranger": stranger.pk, "nobody": 999999}
    client.force_login(hq)
    response = client.post(
        reverse("plan-add"),
        {"month": MONTH, "stores": [ids.get(s, s) for s in stores], "inspector": people[who]},
    )
    assert message in client.get(response.url).content.decode()
    assert VisitAssignment.objects.count() == 1
