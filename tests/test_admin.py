import pytest
from django.urls import reverse

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
