"""The mystery shopper's day on a tablet, end to end in Chromium."""

import pytest
from django.utils import timezone

from inspection.models import MonthlyResult, Visit, VisitAssignment, VisitStatus
from inspection.months import month_of
from tests.browser.form import (
    cut,
    expect_offline_ready,
    expect_state,
    item,
    open_section,
    small_jpeg,
)
from tests.conftest import TABLET_LANDSCAPE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FORM_BUDGET_BYTES = 250 * 1024


def test_an_inspector_fills_a_visit_partly_offline_and_a_reviewer_publishes_it(
    tablet, screenshot, live_server, store, inspector, hq, settings, tmp_path
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    VisitAssignment.objects.create(
        store=store, month=month_of(timezone.now()), inspector=inspector, planned_by=hq
    )
    page = tablet(inspector)
    page.clock.install()
    page.goto("/visits/")
    requests = []
    page.context.on("request", lambda request: requests.append(request))
    page.get_by_role("button", name="到店，开始检查").tap()
    page.wait_for_url("**/visits/*/")
    state = page.locator("#save-state")
    expect(state).to_have_text("已保存")
    page.wait_for_load_state("networkidle")
    form_requests = [r for r in requests if r.service_worker is None]
    weight = sum(
        r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in form_requests
    )
    assert weight < FORM_BUDGET_BYTES, "\n".join(f"{r.url} {r.sizes()}" for r in form_requests)
    assert all(r.url.startswith(live_server.url) for r in requests)
    expect_offline_ready(page)

    # A1: two untidy uniforms, with a photo.
    a103 = item(page, "A1-03")
    a103.locator('[data-step="1"]').tap()
    a103.locator('[data-step="1"]').tap()
    expect(a103.locator("[data-deduction]")).to_have_text("−4")
    a103.locator("[data-photo]").set_input_files(
        {"name": "uniform.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    expect(a103.locator(".vf-thumb:not(.vf-pending) img")).to_have_count(1)
    # A once-only item cannot go above one.
    a101 = item(page, "A1-01")
    a101.locator('[data-step="1"]').tap()
    expect(a101.locator('[data-step="1"]')).to_be_disabled()
    a101.locator('[data-step="-1"]').tap()
    screenshot(page, "visit-form-portrait")

    # B1a: two missed key points, the first corrected from 4 to 3 points.
    open_section(page, "B1a")
    b1a = item(page, "B1a-01")
    b1a.get_by_role("button", name="＋ 扣4分").tap()
    b1a.get_by_role("button", name="＋ 扣5分").tap()
    b1a.locator(".vf-point").first.get_by_role("button", name="扣3分").tap()
    expect(b1a.locator("[data-deduction]")).to_have_text("−8")

    # B1b: the query is timed with the stopwatch: 1.5 minutes is over the limit of 1.
    open_section(page, "B1b")
    b1b = item(page, "B1b-01")
    b1b.get_by_role("button", name="开始计时").tap()
    page.clock.fast_forward("01:30")
    b1b.get_by_role("button", name="停止计时").tap()
    expect(b1b.locator('[data-field="measurement"]')).to_have_value("1.5")
    expect(b1b.locator("[data-deduction]")).to_have_text("−5")
    expect(state).to_have_text("已保存")
    screenshot(page, "visit-form-portrait-stopwatch")

    # The connection drops; the inspector keeps going. Routing cuts every request
    # (the service worker's too); going offline is what the page itself notices.
    cut(page.context)
    page.context.set_offline(True)
    open_section(page, "A4")
    a403 = item(page, "A4-03")
    a403.locator('[data-field="measurement"]').fill("18")
    expect(a403.locator("[data-deduction]")).to_have_text("−2")
    a403.locator('[data-field="peak"]').check()
    expect(a403.locator("[data-deduction]")).to_be_hidden()
    a403.locator('[data-field="peak"]').uncheck()
    open_section(page, "B3")
    item(page, "B3-01").locator('[data-step="1"]').tap()
    expect(state).to_have_text("离线——已保存在本机")
    expect(page.locator("#total")).to_have_text("76")

    page.reload()
    expect(item(page, "B3-01").locator("output")).to_have_text("1")
    expect(state).to_have_text("离线——已保存在本机")
    expect(page.locator("#total")).to_have_text("76")

    page.context.unroute_all()
    page.context.set_offline(False)
    expect_state(page, "saved")
    expect(state).to_have_text("已保存")
    visit = Visit.objects.get()
    assert visit.findings.get(item__code="B3-01").occurrences == 1
    assert float(visit.findings.get(item__code="A4-03").measurement) == 18

    landscape = tablet(inspector, viewport=TABLET_LANDSCAPE)
    landscape.goto(f"/visits/{visit.pk}/")
    landscape.locator('.vf-tab[data-tab="A4"]').tap()
    expect(landscape.locator("#total")).to_have_text("76")
    screenshot(landscape, "visit-form-landscape")
    landscape.close()

    page.get_by_role("link", name="检查完毕，查看汇总").tap()
    expect(page.locator("[data-total]")).to_have_text("76")
    screenshot(page, "visit-summary")
    page.get_by_role("button", name="确认提交").tap()
    expect(page.get_by_text("检查已提交，等待审核。")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    assert visit.total == 76

    reviewer = tablet(hq)
    reviewer.goto("/visits/review/")
    reviewer.get_by_role("link", name="审核").tap()
    expect(reviewer.locator("figure img")).to_have_count(1)
    # Under load the photo may still be on its way when the page is there.
    expect(reviewer.locator("figure img")).to_have_js_property("complete", True)
    assert reviewer.locator("figure img").evaluate("img => img.naturalWidth") > 0
    screenshot(reviewer, "visit-review")
    reviewer.get_by_role("button", name="发布").tap()
    expect(reviewer.get_by_text("月度成绩和排名随后更新")).to_be_visible()
    result = MonthlyResult.objects.get(store=store)
    assert result.total_sum == 76
    assert result.rank_overall == 1
