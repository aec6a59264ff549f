import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_fixture", "target"),
    [
        ("inspector", "/visits/"),
        ("branch_manager", "/reports/overview/"),
        ("hq", "/reports/overview/"),
        ("admin_user", "/reports/overview/"),
    ],
)
def test_each_role_lands_on_its_own_page(client, request, user_fixture, target):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == target


def test_a_store_manager_lands_on_their_store(client, store_manager, store):
    client.force_login(store_manager)
    assert client.get("/").url == reverse("store-detail", args=[store.pk])


def test_a_user_without_a_role_is_told_to_ask_for_one(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_the_rules_are_served_as_json_to_logged_in_users(client, inspector):
    client.force_login(inspector)
    rules = client.get(reverse("standard-rules", args=["2009"])).json()
    assert len(rules["items"]) == 54
    assert rules["sections"][0]["code"] == "A1"
    items = {item["code"]: item for item in rules["items"]}
    assert items["B1a-04"]["prohibition"] == 1
    assert items["A4-03"]["lapse"]["text_en"].startswith("Stains, debris or paper")
    assert [r["code"] for r in items["A4-10"]["requirement_rules"]] == [
        "ticket_machine",
        "one_metre_line",
    ]


def test_an_unknown_standard_version_is_not_found(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("standard-rules", args=["1999"])).status_code == 404


def test_the_login_page_is_in_chinese_by_default(client):
    assert "登录" in client.get(reverse("login")).content.decode()


def test_the_language_switch_turns_the_interface_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.cookies["django_language"].value == "en"


def test_a_browser_set_to_english_still_gets_chinese_until_the_user_switches(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in page.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()
