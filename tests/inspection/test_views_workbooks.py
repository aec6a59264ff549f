import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspection.models import ExportStatus, WorkbookExport
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def october(make_visit, store, make_store, other_branch, django_capture_on_commit_callbacks):
    # The month is re-ranked as the publishes commit.
    with django_capture_on_commit_callbacks(execute=True):
        make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=local(2026, 10, 5))
        make_visit(make_store(code="DY001", branch=other_branch), {}, visited_at=local(2026, 10, 6))


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for October's workbook as `user`; the job runs as the request commits
    (the tests' tasks run inline). The job's page, followed from the redirect."""

    def ask_as(user, month="2026-10"):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("workbook-request", args=[month]))
        assert response.status_code == 302, response.status_code
        return WorkbookExport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])

    return ask_as


def download(client, export):
    response = client.get(reverse("workbook-export-download", args=[export.pk]))
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_anonymous_users_are_sent_to_login_to_ask_for_a_workbook(client):
    response = client.post(reverse("workbook-request", args=["2026-10"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_asking_is_a_post(client, hq):
    client.force_login(hq)
    assert client.get(reverse("workbook-request", args=["2026-10"])).status_code == 405


def test_an_inspector_may_not_ask_for_the_workbook(client, inspector):
    client.force_login(inspector)
    assert client.post(reverse("workbook-request", args=["2026-10"])).status_code == 403
    assert not WorkbookExport.objects.exists()


def test_a_month_that_is_not_a_month_is_not_found(client, hq):
    client.force_login(hq)
    assert client.post(reverse("workbook-request", args=["2026-13"])).status_code == 404


def test_headquarters_downloads_the_whole_province_with_inspector_names(client, hq, october, ask):
    export = ask(hq)
    page = client.get(reverse("workbook-export", args=[export.pk]))
    download_url = reverse("workbook-export-download", args=[export.pk])
    assert download_url in page.content.decode()
    status = client.get(reverse("workbook-export-status", args=[export.pk])).json()
    assert status["status"] == "done"
    assert status["percent"] == 100
    assert status["download_url"] == download_url
    response, workbook = download(client, export)
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert "2026-10.xlsx" in response["Content-Disposition"]
    ranking = list(workbook["汇总排名"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[19]) for row in ranking] == [("DY001", 100), ("JR001", 58)]
    assert "检查员" in next(workbook["扣分明细"].iter_rows(values_only=True))


def test_a_branch_manager_downloads_their_branch_only(client, branch_manager, october, ask):
    _response, workbook = download(client, ask(branch_manager))
    codes = [row[1] for row in workbook["汇总排名"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["JR001"]
    assert "检查员" not in next(workbook["扣分明细"].iter_rows(values_only=True))


@pytest.mark.parametrize(
    "name", ["workbook-export", "workbook-export-status", "workbook-export-download"]
)
def test_a_job_of_another_scope_is_not_found(
    client, hq, make_user, other_branch, october, ask, name
):
    export = ask(hq)
    other = make_user("branch_manager", branch=other_branch)
    client.force_login(other)
    assert client.get(reverse(name, args=[export.pk])).status_code == 404


def test_headquarters_does_not_see_a_branch_managers_job(client, hq, branch_manager, october, ask):
    export = ask(branch_manager)
    client.force_login(hq)
    assert client.get(reverse("workbook-export", args=[export.pk])).status_code == 404


def test_someone_of_the_same_scope_joins_the_job_and_downloads_it(
    client, hq, admin_user, october, ask
):
    export = ask(hq)
    assert ask(admin_user) == export
    download(client, export)


def test_a_waiting_job_shows_its_progress_and_has_nothing_to_download(client, hq, october):
    client.force_login(hq)
    # Not run: its callbacks are not executed.
    response = client.post(reverse("workbook-request", args=["2026-10"]))
    export = WorkbookExport.objects.get()
    assert response.url == reverse("workbook-export", args=[export.pk])
    page = client.get(response.url).content.decode()
    assert 'data-status="queued"' in page
    assert 'id="workbook-job-data"' in page
    status = client.get(reverse("workbook-export-status", args=[export.pk])).json()
    assert (status["status"], status["percent"], status["download_url"]) == ("queued", 0, None)
    assert client.get(reverse("workbook-export-download", args=[export.pk])).status_code == 404


def test_a_failed_job_shows_why_and_offers_to_try_again(client, hq, october, ask):
    export = ask(hq)
    WorkbookExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.FAILED, error="RuntimeError: disk full", file=""
    )
    page = client.get(reverse("workbook-export", args=[export.pk])).content.decode()
    assert "RuntimeError: disk full" in page
    assert reverse("workbook-request", args=["2026-10"]) in page
    assert client.get(reverse("workbook-export-download", args=[export.pk])).status_code == 404
    retried = ask(hq)
    assert retried != export
    assert retried.status == ExportStatus.DONE


def test_a_job_whose_file_has_gone_is_not_found_for_download(client, hq, october, ask, tmp_path):
    export = ask(hq)
    (tmp_path / export.file.name).unlink()
    assert client.get(reverse("workbook-export-download", args=[export.pk])).status_code == 404


def test_the_rankings_page_asks_for_the_workbook_of_its_month(
    client, store_manager, make_visit, store
):
    make_visit(store, {}, visited_at=local(2026, 10, 5))
    client.force_login(store_manager)
    response = client.get(reverse("rankings"), {"month": "2026-10"})
    assert reverse("workbook-request", args=["2026-10"]) in response.content.decode()
