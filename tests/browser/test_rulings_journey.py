"""The rulings of 2026-11-30 on the tablet: A4-03's observed lapse beside the
stopwatch, the queuing requirement the store decides, the peak definition, and
B1a-04's red line."""

import pytest

from inspection.models import Visit, VisitStatus
from stores.models import Category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_an_inspector_records_a_lapse_that_deducts_once_with_a_clean_up_in_time(
    tablet, screenshot, make_store, make_visit, inspector
):
    from playwright.sync_api import expect

    store = make_store(category=Category.FLAGSHIP, counters=4, has_rest_area=True)
    visit = make_visit(store, status=VisitStatus.DRAFT)
    page = tablet(inspector)
    page.goto(f"/visits/{visit.pk}/")
    state = page.locator("#save-state")
    expect(state).to_have_text("已保存")

    page.locator('.vf-tab[data-tab="A4"]').tap()
    a403 = page.locator('.vf-item[data-code="A4-03"]')
    expect(a403.locator(".vf-peak")).to_contain_text("单列客户3人以上排队")
    a403.locator('[data-field="measurement"]').fill("4")
    expect(a403.locator("[data-limit]")).to_have_text("限值 5 分钟；未超过限值，不扣分")
    a403.locator('[data-field="lapse"]').check()
    expect(a403.locator("[data-deduction]")).to_have_text("−2")
    # Late as well: still one deduction of 2.
    a403.locator('[data-field="measurement"]').fill("7")
    expect(a403.locator("[data-deduction]")).to_have_text("−2")
    expect(page.locator("#total")).to_have_text("98")
    a410 = page.locator('.vf-item[data-code="A4-10"]')
    expect(a410.locator(".vf-requirement")).to_contain_text(
        "本厅要求：配备自动叫号排队系统并正常使用（4个台席，有客户休息区）"
    )
    screenshot(page, "visit-form-rulings-a4")

    page.locator('.vf-tab[data-tab="B1a"]').tap()
    b1a04 = page.locator('.vf-item[data-code="B1a-04"]')
    expect(b1a04.locator(".vf-tag-red")).to_have_text("红线 · 禁令一")
    b1a04.locator('[data-step="1"]').tap()
    expect(page.locator("#total")).to_have_text("93")
    expect(state).to_have_text("已保存")

    finding = Visit.objects.get(pk=visit.pk).findings.get(item__code="A4-03")
    assert (finding.occurrences, float(finding.measurement), finding.deducted) == (1, 7, 2)

    page.reload()
    page.locator('.vf-tab[data-tab="A4"]').tap()
    expect(a403.locator('[data-field="lapse"]')).to_be_checked()
    page.get_by_role("link", name="检查完毕，查看汇总").tap()
    expect(page.locator("[data-total]")).to_have_text("93")
    expect(page.get_by_text("禁令一：严禁泄露或交易客户信息")).to_be_visible()
    screenshot(page, "visit-summary-rulings")
