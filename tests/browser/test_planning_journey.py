"""Headquarters on a tablet plans one branch's unplanned stores and moves two of the
visits to another inspector."""

import pytest
from django.utils import timezone

from inspection.models import VisitAssignment
from stores.models import Branch, Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_headquarters_plans_a_branchs_unplanned_stores_and_reassigns_two(
    tablet, screenshot, hq, branch, other_branch, make_store, make_user
):
    from playwright.sync_api import expect

    third = Branch.objects.create(code="YZ", name="扬中分公司")
    ours = [make_store(name=f"句容{n}号厅") for n in range(1, 5)]
    make_store(name="丹阳一号厅", branch=other_branch)
    first = make_user(Role.INSPECTOR, branch=other_branch, username="a-first", first_name="甲检")
    second = make_user(Role.INSPECTOR, branch=third, username="b-second", first_name="乙检")
    month = timezone.localdate().replace(day=1)

    page = tablet(hq)
    page.goto("/visits/plan/")
    filters = page.locator("#plan-filter")
    filters.get_by_label("状态").select_option("unplanned")
    filters.get_by_label("分公司").select_option(str(branch.pk))
    filters.get_by_role("button", name="筛选").tap()
    expect(page.locator("#plan-rows tbody tr")).to_have_count(4)

    autoplan = page.locator("#autoplan-form")
    expect(autoplan.get_by_label("分公司")).to_have_value(str(branch.pk))
    autoplan.get_by_role("button", name="自动安排").tap()
    expect(page.get_by_role("alert")).to_contain_text("已自动安排 4 次检查")
    expect(page.locator("#plan-rows tbody")).to_contain_text("所有符合条件的营业厅都已安排")
    assert not VisitAssignment.objects.filter(store__branch=other_branch).exists()

    filters = page.locator("#plan-filter")
    filters.get_by_label("状态").select_option("planned")
    filters.get_by_role("button", name="筛选").tap()
    rows = page.locator("#plan-rows tbody tr")
    expect(rows).to_have_count(4)
    moved = [r for r in ours if VisitAssignment.objects.get(store=r).inspector == first][:2]
    assert len(moved) == 2
    for store in moved:
        page.get_by_label(f"选择 {store.name}").check()
    reassign = page.locator("#reassign-form")
    reassign.get_by_label("改派给检查员").select_option(str(second.pk))
    reassign.get_by_role("button", name="改派", exact=True).tap()
    expect(page.get_by_role("alert")).to_contain_text("已调整 2 次计划")
    for store in moved:
        expect(page.locator(f'tr[data-store="{store.code}"] .inspector')).to_have_text("乙检")
    screenshot(page, "planning-reassigned")
    # Auto-planning gave each inspector two; the two moved make all four the second's.
    assert {a.store_id for a in VisitAssignment.objects.filter(month=month, inspector=second)} == {
        s.pk for s in ours
    }
