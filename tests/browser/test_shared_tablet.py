"""Two inspectors share one tablet (one browser profile): neither reads the other's
form, notes or photos, online or offline, and logging out leaves nothing behind."""

import pytest
from django.urls import reverse

from inspection.models import Visit, VisitStatus
from inspection.services.findings import visit_findings
from stores.models import Role
from tests.browser.form import SAVES, cut, expect_offline_ready, expect_state, item

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NOTE = "店员手机在柜台上充电"


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


@pytest.fixture
def second_inspector(make_user, other_branch):
    return make_user(Role.INSPECTOR, branch=other_branch, username="shopper2")


def write_note(page, text):
    item(page, "A1-03").locator('[data-field="note"]').fill(text)


def log_in_through_the_form(page, user):
    page.goto(reverse("login"))
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").tap()
    page.wait_for_url("**/visits/")


def tap_log_out(page):
    # A portrait tablet folds the navigation, and the logout button with it, into a menu.
    page.get_by_role("button", name="菜单").tap()
    page.get_by_role("button", name="退出").tap()


def expect_logged_out(page):
    """The logout's answer clears the site's data (Clear-Site-Data) before Chromium
    follows it to the login page, which on a loaded machine took over 10 s once."""
    page.wait_for_url("**/accounts/login/", timeout=45_000)


def expect_unreachable(page, url):
    """Offline, a page opens only from a kept copy: this one must not."""
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED|chrome-error"):
        page.goto(url)


def kept_on_the_device(page) -> dict:
    return page.evaluate(
        """async () => ({
            storage: Object.keys(localStorage),
            caches: await caches.keys(),
        })"""
    )


def test_logging_out_warns_of_an_unsynced_draft_and_leaves_nothing_for_the_next_inspector(
    tablet, inspector, second_inspector, draft, screenshot
):
    from playwright.sync_api import expect

    page = tablet(inspector)
    page.goto(f"/visits/{draft.pk}/")
    expect_state(page, "saved")
    expect_offline_ready(page)
    # The note cannot reach the server: it waits on the tablet.
    page.route(SAVES, lambda route: route.abort("internetdisconnected"))
    write_note(page, NOTE)
    expect_state(page, "offline")
    page.goto("/visits/")
    tap_log_out(page)
    warning = page.locator("#logout-warning")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("link", name=draft.store.name)).to_be_visible()
    screenshot(page, "logout-unsynced-warning")

    # Keeping the draft stays logged in; opening the form online syncs it.
    warning.get_by_role("button", name="保留草稿，返回同步").tap()
    expect(warning).to_be_hidden()
    page.unroute(SAVES)
    page.goto(f"/visits/{draft.pk}/")
    expect_state(page, "saved")
    assert visit_findings(Visit.objects.get(pk=draft.pk))["A1-03"]["note"] == NOTE

    page.goto("/visits/")
    tap_log_out(page)
    expect_logged_out(page)
    expect(page.locator("#logout-warning")).to_have_count(0)
    kept = kept_on_the_device(page)
    assert not [key for key in kept["storage"] if key.startswith("visit-")]
    assert not [name for name in kept["caches"] if name.startswith("visit-")]

    # The next inspector, in the same browser profile, finds nothing of the first's.
    log_in_through_the_form(page, second_inspector)
    online = page.goto(f"/visits/{draft.pk}/")
    assert online.status == 404
    assert NOTE not in page.content()
    cut(page.context)
    expect_unreachable(page, f"/visits/{draft.pk}/")


def test_discarding_unsynced_drafts_logs_out_and_drops_them(tablet, inspector, draft):
    from playwright.sync_api import expect

    page = tablet(inspector)
    page.goto(f"/visits/{draft.pk}/")
    expect_offline_ready(page)
    page.route(SAVES, lambda route: route.abort("internetdisconnected"))
    write_note(page, NOTE)
    expect_state(page, "offline")
    page.goto("/visits/")
    tap_log_out(page)
    page.get_by_role("button", name="放弃草稿并退出").tap()
    expect_logged_out(page)
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    assert not [key for key in kept_on_the_device(page)["storage"] if key.startswith("visit-")]
    assert "note" not in visit_findings(Visit.objects.get(pk=draft.pk)).get("A1-03", {})


def test_without_a_logout_the_worker_serves_a_kept_form_only_to_its_own_inspector(
    tablet, inspector, second_inspector, draft, make_visit, store
):
    page = tablet(inspector)
    page.goto(f"/visits/{draft.pk}/")
    expect_state(page, "saved")
    write_note(page, NOTE)
    expect_state(page, "saved")
    expect_offline_ready(page)

    # The second inspector logs in over the first's session, never logged out.
    log_in_through_the_form(page, second_inspector)
    own = make_visit(store, status=VisitStatus.DRAFT, who=second_inspector)
    page.goto(f"/visits/{own.pk}/")
    expect_offline_ready(page)
    kept = kept_on_the_device(page)
    assert f"visit-pages-{second_inspector.pk}" in kept["caches"]
    assert f"visit-pages-{inspector.pk}" not in kept["caches"]
    cut(page.context)
    # Their own form opens offline; the first inspector's does not.
    page.goto(f"/visits/{own.pk}/")
    expect_state(page, "saved")
    expect_unreachable(page, f"/visits/{draft.pk}/")

    # Once nobody is logged in, no kept form is served to anyone.
    page.unroute_all()
    page.context.unroute_all()
    page.context.clear_cookies()
    page.goto(reverse("login"))
    cut(page.context)
    expect_unreachable(page, f"/visits/{own.pk}/")
