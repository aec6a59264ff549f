import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from inspection.models import ExportStatus, VisitStatus, WorkbookExport
from inspection.services import workbooks
from inspection.services.visits import visit_amend
from inspection.services.workbooks import (
    workbook_export_request,
    workbook_export_run,
    workbook_exports_expire,
)
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def jobs_wait_for_the_test(django_capture_on_commit_callbacks):
    """Nothing queued on commit runs by itself here: each test runs the job it means."""


@pytest.fixture
def october(make_visit, store, django_capture_on_commit_callbacks):
    # The month is re-ranked as the publish commits.
    with django_capture_on_commit_callbacks(execute=True):
        return make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=local(2026, 10, 5))


def ask(user, month=OCTOBER) -> WorkbookExport:
    """Ask as a request does; the job is queued but left for the test to run."""
    return workbook_export_request(month=month, user=user)


def built(user, month=OCTOBER) -> WorkbookExport:
    export = ask(user, month)
    workbook_export_run(export_id=export.pk)
    export.refresh_from_db()
    return export


def test_asking_queues_a_job_for_the_users_scope_once_the_request_commits(
    hq, october, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        export = ask(hq)
    assert (export.status, export.scope, export.shows_inspectors) == ("queued", "all", True)
    assert export.requested_by == hq
    assert len(callbacks) == 1


def test_asking_again_while_the_job_waits_or_runs_joins_it(hq, admin_user, october):
    first = ask(hq)
    assert ask(admin_user) == first
    WorkbookExport.objects.filter(pk=first.pk).update(status=ExportStatus.RUNNING)
    assert ask(hq) == first
    assert WorkbookExport.objects.count() == 1


def test_another_scope_gets_a_job_of_its_own(hq, branch_manager, store_manager, october):
    jobs = {ask(hq), ask(branch_manager), ask(store_manager)}
    assert len(jobs) == 3
    branch_job = ask(branch_manager)
    assert branch_job.scope == f"branch:{branch_manager.membership.branch_id}"
    assert not branch_job.shows_inspectors


def test_the_job_stores_the_whole_workbook_and_reports_its_rows(hq, october, monkeypatch):
    monkeypatch.setattr(workbooks, "PROGRESS_EVERY", 1)
    export = built(hq)
    assert export.status == ExportStatus.DONE
    assert export.finished_at is not None
    assert export.progress == 1
    with default_storage.open(export.file.name) as file:
        workbook = load_workbook(io.BytesIO(file.read()))
    ranking = list(workbook["汇总排名"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[19]) for row in ranking] == [("JR001", 58)]
    counted = ("汇总排名", "同类厅-普通营业厅", "检查明细", "扣分明细", "未检查")
    assert export.rows_expected == sum(workbook[title].max_row - 1 for title in counted)
    assert export.rows_written == sum(ws.max_row - 1 for ws in workbook.worksheets)


def test_a_finished_workbook_is_reused_while_the_month_is_unchanged(hq, october):
    done = built(hq)
    assert ask(hq) == done


def test_a_finished_workbook_is_rebuilt_once_a_visit_of_the_month_is_amended(hq, october):
    done = built(hq)
    visit_amend(visit=october, by=hq, reason="复核", findings={})
    again = ask(hq)
    assert again != done
    assert again.status == ExportStatus.QUEUED


def test_a_finished_workbook_is_rebuilt_once_a_visit_of_the_month_is_published(
    hq, october, make_visit, make_store
):
    done = built(hq)
    make_visit(make_store(), {}, visited_at=local(2026, 10, 9))
    assert ask(hq) != done


def test_a_draft_saved_in_another_month_leaves_the_workbook_fresh(hq, october, make_visit, store):
    done = built(hq)
    make_visit(store, {}, status=VisitStatus.DRAFT, visited_at=local(2026, 11, 2))
    assert ask(hq) == done


def test_a_workbook_older_than_the_days_kept_is_not_reused(hq, october, settings):
    done = built(hq)
    kept = dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS)
    WorkbookExport.objects.filter(pk=done.pk).update(
        finished_at=timezone.now() - kept - dt.timedelta(minutes=1)
    )
    assert ask(hq) != done


def test_the_sweep_deletes_expired_workbooks_and_their_files_and_keeps_fresh_ones(
    hq, branch_manager, october, settings
):
    old, fresh = built(hq), built(branch_manager)
    kept = dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS)
    WorkbookExport.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - kept - dt.timedelta(minutes=1)
    )
    assert workbook_exports_expire() == 1
    assert not default_storage.exists(old.file.name)
    assert not WorkbookExport.objects.filter(pk=old.pk).exists()
    assert default_storage.exists(fresh.file.name)


def test_a_failing_job_says_why_stores_nothing_and_asking_again_retries(
    hq, october, monkeypatch, tmp_path
):
    def broken(**kwargs):
        kwargs["out"].write(b"half a workbook")
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbooks, "report_write", broken)
    export = ask(hq)
    with pytest.raises(RuntimeError):
        workbook_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.error, export.file.name) == (
        ExportStatus.FAILED,
        "RuntimeError: disk full",
        "",
    )
    assert not (tmp_path / "workbooks").exists()
    monkeypatch.undo()
    retry = built(hq)
    assert retry != export
    assert retry.status == ExportStatus.DONE


def test_a_job_not_heard_from_for_too_long_is_given_up_and_asking_again_starts_anew(
    hq, october, settings
):
    lost = ask(hq)
    WorkbookExport.objects.filter(pk=lost.pk).update(
        status=ExportStatus.RUNNING,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.WORKBOOK_JOB_TIMEOUT + 1),
    )
    again = ask(hq)
    lost.refresh_from_db()
    assert lost.status == ExportStatus.FAILED
    assert again != lost


def test_a_job_given_up_while_it_runs_stops_and_keeps_no_file(hq, october, tmp_path, monkeypatch):
    export = ask(hq)
    real_write = workbooks.report_write

    def given_up_meanwhile(**kwargs):
        WorkbookExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        real_write(**kwargs)

    monkeypatch.setattr(workbooks, "report_write", given_up_meanwhile)
    workbook_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.file.name) == (ExportStatus.FAILED, "")
    assert list((tmp_path / "workbooks").rglob("*.xlsx")) == []


def test_a_job_delivered_twice_runs_once(hq, october):
    export = built(hq)
    name = export.file.name
    workbook_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.file.name == name
