"""Headquarters imports third-party visit results on a tablet, end to end in Chromium."""

import io

import pytest
from openpyxl import Workbook

from inspection.models import MonthlyResult, Visit
from tests.conftest import TABLET_LANDSCAPE
from tests.spreadsheets import VISIT_BASE_HEADERS, WORKED_EXAMPLE_CELLS, visit_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows) -> dict:
    headers = list(VISIT_BASE_HEADERS)
    for row in rows:
        headers.extend(h for h in row if h not in headers)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "第三方检查结果.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


def upload_visits(page, file):
    card = page.locator("#import-visits")
    card.locator("input[type=file]").set_input_files(file)
    card.get_by_role("button", name="上传并预览").tap()
    page.wait_for_url("**/imports/preview/**")


def test_headquarters_fixes_a_bad_file_and_finds_the_visits_in_the_rankings(
    tablet, screenshot, settings, tmp_path, store, inspector, hq
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    page = tablet(hq, viewport=TABLET_LANDSCAPE)
    page.goto("/imports/")
    expect(page.get_by_role("heading", name="数据导入")).to_be_visible()
    expect(page.locator("#import-visits").get_by_role("link", name="下载模板")).to_be_visible()
    screenshot(page, "import-01-page")

    # Points outside 3–5, a sixth self-service kind and a hall that does not exist.
    bad = [
        visit_row(visited_at="2026-10-05 10:30", **{**WORKED_EXAMPLE_CELLS, "B1a-01": "2,5"}),
        visit_row(store_code="JR404", visited_at="2026-10-06 09:00", **{"A4-07": 6}),
    ]
    upload_visits(page, xlsx(bad))
    expect(page.get_by_role("alert")).to_contain_text("发现 3 处错误，整份文件都没有导入")
    grid = page.locator(".import-grid")
    expect(grid.locator(".bad-cell")).to_have_count(3)
    expect(grid.locator("tbody tr").first).to_contain_text("每个要点扣3–5分，2 超出范围")
    errors = page.locator(".import-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.filter(has_text="store_code")).to_contain_text("JR404")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    screenshot(page, "import-02-bad-file")
    assert not Visit.objects.exists()

    page.get_by_role("link", name="重新上传").tap()
    good = [
        visit_row(visited_at="2026-10-05 10:30", **WORKED_EXAMPLE_CELLS),
        visit_row(visited_at="2026-10-06 09:00", **{"A4-07": 4}),
    ]
    upload_visits(page, xlsx(good))
    expect(page.get_by_role("status")).to_contain_text("新增2")
    screenshot(page, "import-03-preview")
    page.get_by_role("button", name="确认导入").tap()
    page.wait_for_url("**/imports/")
    expect(page.get_by_role("alert")).to_contain_text("已导入")
    assert MonthlyResult.objects.get(store=store).total_display == 79  # (58 + 100) / 2

    page.goto("/reports/rankings/?month=2026-10")
    row = page.locator("table.rankings tbody tr", has_text="句容华阳营业厅")
    expect(row).to_contain_text("79.00")
    expect(page.get_by_role("button", name="下载 Excel 月报")).to_be_visible()
    screenshot(page, "import-04-rankings")
