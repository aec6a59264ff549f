import pytest
from django.urls import reverse
from django.utils import timezone

from inspection.models import Visit, VisitStatus
from stores.models import Role

pytestmark = pytest.mark.django_db

PAGES = [
    ("admin:inspection_standard_changelist", "服务标准"),
    ("admin:inspection_item_changelist", "检查细项"),
    ("admin:inspection_visit_changelist", "检查记录"),
    ("admin:inspection_monthlyresult_changelist", "月度成绩"),
    ("admin:stores_store_changelist", "营业厅"),
    ("admin:stores_membership_changelist", "角色与范围"),
]


@pytest.mark.parametrize(("name", "title"), PAGES)
def test_the_admin_lists_the_standard_stores_and_visits_in_chinese(
    client, admin_user, make_visit, store, name, title
):
    make_visit(store, {"A2-01": {"occurrences": 1}})
    client.force_login(admin_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert title in response.content.decode()


def test_a_visit_shows_its_findings_read_only_in_the_admin(client, admin_user, make_visit, store):
    visit = make_visit(store, {"B1a-01": {"points": [4, 5]}})
    client.force_login(admin_user)
    page = client.get(reverse("admin:inspection_visit_change", args=[visit.pk])).content.decode()
    assert "B1a-01" in page
    assert "检查发现" in page


def test_store_managers_cannot_open_the_admin(client, store_manager):
    client.force_login(store_manager)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_standard_lists_its_five_prohibitions_in_the_admin(client, admin_user, standard):
    client.force_login(admin_user)
    page = client.get(reverse("admin:inspection_standard_change", args=[standard.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "五条禁令" in body
    assert "严禁泄露或交易客户信息" in body


def change_data(visit, **fields) -> dict:
    """The visit's admin form as posted, with its inlines' management fields."""
    data = {
        "store": visit.store_id,
        "inspector": visit.inspector_id,
        "standard": visit.standard_id,
        "visited_at_0": timezone.localtime(visit.visited_at).strftime("%Y-%m-%d"),
        "visited_at_1": timezone.localtime(visit.visited_at).strftime("%H:%M:%S"),
        "source": visit.source,
        "submission_key": visit.submission_key,
    }
    for prefix in ("findings", "amendments"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | fields


def test_a_published_visits_store_inspector_and_time_are_read_only_in_the_admin(
    client, admin_user, make_visit, store, make_store, make_user
):
    visit = make_visit(store, {"A2-01": {"occurrences": 1}})
    elsewhere, someone = make_store(), make_user(Role.INSPECTOR)
    client.force_login(admin_user)
    url = reverse("admin:inspection_visit_change", args=[visit.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        change_data(
            visit,
            store=elsewhere.pk,
            inspector=someone.pk,
            visited_at_0="2026-01-01",
            visited_at_1="09:00:00",
        ),
    )

    assert "检查发现在这里只读" in page and "更正" in page
    assert response.status_code == 302
    after = Visit.objects.get(pk=visit.pk)
    assert (after.store, after.inspector, after.visited_at) == (
        visit.store,
        visit.inspector,
        visit.visited_at,
    )
    assert (
        client.post(
            reverse("admin:inspection_visit_delete", args=[visit.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_admin_refuses_a_draft_dated_before_2000(client, admin_user, make_visit, store):
    visit = make_visit(store, status=VisitStatus.DRAFT)
    client.force_login(admin_user)
    url = reverse("admin:inspection_visit_change", args=[visit.pk])

    response = client.post(url, change_data(visit, visited_at_0="0001-01-01"))

    assert response.status_code == 200
    assert "检查时间必须在2000-01-01至2100-12-31之间。" in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).visited_at == visit.visited_at


def test_branch_managers_group_holds_no_visit_rights_in_the_admin(db):
    from django.contrib.auth.models import Group

    rights = set(
        Group.objects.get(name="branch_manager").permissions.values_list("codename", flat=True)
    )
    assert not rights & {"view_visit", "change_visit", "view_finding"}
    inspector_rights = Group.objects.get(name="inspector").permissions.values_list(
        "codename", flat=True
    )
    assert not {r for r in inspector_rights if r.endswith(("_visit", "_finding"))}
