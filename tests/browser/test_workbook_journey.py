"""Headquarters asks for the province workbook on a tablet, watches it being built by a
worker process, and downloads it, end to end in Chromium."""

import pytest
from openpyxl import load_workbook

from tests.conftest import WORKED_EXAMPLE_FINDINGS, local
from tests.workers import run_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_headquarters_asks_for_the_workbook_sees_its_progress_and_downloads_it(
    tablet, screenshot, settings, tmp_path, make_visit, store, hq
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    # October is published and ranked; from now on jobs wait in the database for a
    # worker, as in production.
    make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=local(2026, 10, 5))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = tablet(hq)
    page.goto("/reports/rankings/?month=2026-10")

    with page.expect_response(lambda r: r.request.method == "POST") as asked:
        page.get_by_role("button", name="下载 Excel 月报").tap()
    response = asked.value
    response.finished()
    assert response.status == 302
    # The request only queues the job: no workbook is built inside it.
    assert response.request.timing["responseEnd"] < 1000

    job = page.locator("#workbook-job")
    expect(job).to_have_attribute("data-status", "queued")
    expect(page.get_by_role("progressbar", name="生成进度")).to_be_visible()
    expect(job).to_contain_text("排队中")
    screenshot(page, "workbook-01-queued")

    run_worker(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        env={"TASKS_BACKEND": "db", "MEDIA_ROOT": str(tmp_path)},
    )
    expect(job).to_have_attribute("data-status", "done")
    expect(page.get_by_role("progressbar", name="生成进度")).to_be_hidden()
    screenshot(page, "workbook-02-done")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="下载 Excel 月报").tap()
    download = downloading.value
    assert download.suggested_filename == "营业厅服务检查月报-2026-10.xlsx"
    # openpyxl goes by the file's extension, which the download's temporary name lacks.
    with open(download.path(), "rb") as file:
        ranking = load_workbook(file)["汇总排名"]
    assert [(row[1], row[19]) for row in ranking.iter_rows(min_row=2, values_only=True)] == [
        ("JR001", 58)
    ]
