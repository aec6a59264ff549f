"""Managers on a tablet: a branch manager finds what cost their worst store points
(and is offered no review, plan or bonus, nor told who inspected); headquarters awards
a bonus, is refused one for a 6th-placed store, and the ranks move."""

import datetime as dt
import re

import pytest

from inspection.models import MonthlyResult
from inspection.services.visits import visits_publish
from stores.models import Category
from tests.conftest import TABLET_LANDSCAPE, WORKED_EXAMPLE_FINDINGS, local
from tests.inspection.report_data import month_of_scores, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


@pytest.fixture
def province(store, make_store, other_branch, inspector):
    """Eight 普通营业厅 in our branch and two elsewhere; 句容华阳 is our worst in April."""
    ours = [store] + [make_store(name=f"句容{n}号厅") for n in range(2, 9)]
    theirs = [
        make_store(name="丹阳一号厅", branch=other_branch),
        make_store(name="丹阳旗舰厅", branch=other_branch, category=Category.FLAGSHIP),
    ]
    month_of_scores(
        dict(zip(ours + theirs, [90, 88, 86, 84, 82, 80, 78, 76, 74, 72], strict=True)),
        month=MARCH,
        inspector=inspector,
    )
    april = dict(zip(ours[1:] + theirs, [98, 96, 95, 94, 93, 92, 91, 89, 90], strict=True))
    month_of_scores(april, month=APRIL, inspector=inspector)
    worst = {**WORKED_EXAMPLE_FINDINGS}
    worst["A3-01"] = {"occurrences": 1, "note": "客户到台席时营业员在看手机"}
    visit = submit(store, worst, inspector=inspector, when=local(2025, 4, 18, 15))
    visits_publish(visits=[visit], by=inspector)
    return {"ours": ours, "theirs": theirs}


def test_managers_read_the_month_and_headquarters_awards_within_rule_9(
    tablet, screenshot, province, branch_manager, hq, branch
):
    from playwright.sync_api import expect

    # The branch manager looks for the worst store of their branch this month.
    page = tablet(branch_manager)
    page.goto("/")
    page.get_by_role("button", name="菜单").tap()
    # Ruling R8: reviewing and planning are headquarters'; the menu does not offer them.
    expect(page.get_by_role("link", name="审核检查")).to_have_count(0)
    expect(page.get_by_role("link", name="检查计划")).to_have_count(0)
    page.get_by_role("link", name="月度排名").tap()
    page.get_by_label("分公司").select_option(str(branch.pk))
    page.get_by_role("button", name="查看").tap()
    # Totals sort highest first on the first tap, lowest first on the second.
    page.locator("th.col-total a").tap()
    expect(page.locator("th.col-total")).to_have_attribute("aria-sort", "descending")
    page.locator("th.col-total a").tap()
    expect(page.locator("th.col-total")).to_have_attribute("aria-sort", "ascending")
    first = page.locator("table.rankings tbody tr").first
    expect(first.locator(".col-store")).to_contain_text("句容华阳营业厅")
    expect(first.locator(".col-move")).to_have_text(re.compile("↓9"))
    screenshot(page, "reports-rankings-branch-manager")

    first.locator(".col-store a").tap()
    expect(page.get_by_role("heading", name="句容华阳营业厅")).to_be_visible()
    visit = page.locator("details.visit").first
    expect(visit).to_contain_text("B2a-01")
    expect(visit).to_contain_text("客户到台席时营业员在看手机")
    # Ruling R9: the visit's date, never its time of day nor who inspected.
    expect(visit).to_contain_text("2025-04-18")
    expect(visit).not_to_contain_text("15:00")
    expect(visit).not_to_contain_text("王检")
    frequent = page.locator("table.frequent-deductions")
    expect(frequent).to_contain_text("A3-01")
    expect(page.locator("canvas[data-source='history-chart']")).to_be_visible()
    screenshot(page, "reports-store-branch-manager")

    # Headquarters: the overview, then a bonus for 句容4号厅 (base 95, 3rd of its category).
    page = tablet(hq, viewport=TABLET_LANDSCAPE)
    page.goto("/reports/overview/")
    expect(page.locator("table.pareto")).to_contain_text("A3-01")
    screenshot(page, "reports-overview-hq")
    candidate = page.locator("table.candidates tr", has_text="句容4号厅")
    candidate.get_by_role("link", name="加分").tap()
    page.get_by_label("2分").check()
    for code in ("C-01", "C-05", "C-11"):
        page.get_by_label(re.compile(code)).check()
    page.get_by_label("创新或服务亮点").fill("为老年客户开设爱心专席，全程陪同办理")
    page.get_by_role("button", name="确认加分").tap()
    expect(page.locator(".alert-success")).to_contain_text("已为句容4号厅加2分")

    # 句容7号厅 is 6th of its category by base score (98, 96, 95, 94, 93, 92): refused.
    page.goto(f"/reports/stores/{province['ours'][6].pk}/")
    page.get_by_role("link", name="加分").tap()
    page.get_by_label("1分").check()
    for code in ("C-01", "C-02", "C-03"):
        page.get_by_label(re.compile(code)).check()
    page.get_by_label("创新或服务亮点").fill("厅内设置便民服务箱")
    page.get_by_role("button", name="确认加分").tap()
    refusals = page.locator("ul.refusals")
    expect(refusals).to_contain_text("该厅基础得分在同类厅排第6名，只有前5名（含并列）可以加分。")
    screenshot(page, "reports-bonus-refused-hq")

    # The final ranks: 句容4号厅 (95 + 2 = 97) passes 句容3号厅 (96).
    page.goto("/reports/rankings/")
    row = page.locator("table.rankings tbody tr", has_text="句容4号厅")
    expect(row.locator(".col-rank")).to_have_text("2")
    expect(row).to_contain_text("97.00")
    screenshot(page, "reports-rankings-hq")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})
    screenshot(page, "reports-rankings-print")
    fourth = MonthlyResult.objects.get(store=province["ours"][3], month=APRIL)
    assert (fourth.bonus, fourth.rank_overall) == (2, 2)
