"""Jobs through real worker processes, as production runs them: django-tasks-db's
`db_worker` on the test database, and an RQ worker on the machine's Redis."""

import datetime as dt
import io

import django_rq
import pytest
import redis
from django.core.files.storage import default_storage
from django_tasks import TaskResultStatus
from openpyxl import load_workbook

from inspection.models import ExportStatus, VisitStatus
from inspection.services.workbooks import workbook_export_request
from inspection.tasks import photos_orphaned_sweep
from tests.conftest import WORKED_EXAMPLE_FINDINGS, local
from tests.photos import backdate, orphan_add, photo_add
from tests.workers import TEST_REDIS_URL, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def photos(settings, tmp_path, make_visit, store, inspector):
    """One photo a visit refers to and one orphan, both old enough to sweep."""
    settings.MEDIA_ROOT = tmp_path
    kept = photo_add(make_visit(store, status=VisitStatus.DRAFT), by=inspector).image.name
    orphan = orphan_add("orphan.jpg")
    for name in (kept, orphan):
        backdate(name, hours=2)
    return kept, orphan


def assert_swept(result, photos) -> None:
    kept, orphan = photos
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.errors
    assert result.return_value == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)


def test_a_db_worker_process_runs_a_job_queued_in_the_database(settings, photos, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = photos_orphaned_sweep.enqueue()
    assert result.status == TaskResultStatus.READY
    output = run_worker(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        env={"TASKS_BACKEND": "db", "MEDIA_ROOT": str(tmp_path)},
    )
    assert f"Task id={result.id} path=inspection.tasks.photos_orphaned_sweep" in output
    assert_swept(result, photos)


@pytest.fixture
def workbook(settings, tmp_path, make_visit, store, hq):
    """HQ asks for October's workbook: a job is queued as the request commits."""
    settings.MEDIA_ROOT = tmp_path
    make_visit(store, WORKED_EXAMPLE_FINDINGS, visited_at=local(2026, 10, 5))
    return lambda: workbook_export_request(month=dt.date(2026, 10, 1), user=hq)


def assert_built(export) -> None:
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    with default_storage.open(export.file.name) as file:
        ranking = load_workbook(io.BytesIO(file.read()))["汇总排名"]
    assert [(row[1], row[19]) for row in ranking.iter_rows(min_row=2, values_only=True)] == [
        ("JR001", 58)
    ]


def test_a_db_worker_process_builds_a_workbook(settings, workbook, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = workbook()
    assert export.status == ExportStatus.QUEUED
    output = run_worker(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        env={"TASKS_BACKEND": "db", "MEDIA_ROOT": str(tmp_path)},
    )
    assert "path=inspection.tasks.workbook_export_build" in output
    assert_built(export)


@pytest.fixture
def rq_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL}}
    client = redis.Redis.from_url(TEST_REDIS_URL)
    # Test runs side by side on this machine share the Redis: one at a time, each
    # from an empty queue, so no worker runs another run's job.
    with client.lock("storefront-tests:rq-worker", timeout=300, blocking_timeout=300):
        queue = django_rq.get_queue("default")
        queue.empty()
        yield queue
    client.close()


def test_an_rq_worker_process_runs_a_job_queued_in_redis(rq_queue, photos, tmp_path):
    result = photos_orphaned_sweep.enqueue()
    assert rq_queue.job_ids == [result.id]
    run_worker(
        "rqworker",
        "--burst",
        "--job-class",
        "django_tasks_rq.Job",
        "default",
        env={"TASKS_BACKEND": "rq", "REDIS_URL": TEST_REDIS_URL, "MEDIA_ROOT": str(tmp_path)},
    )
    assert_swept(result, photos)


def test_an_rq_worker_process_builds_a_workbook(rq_queue, workbook, tmp_path):
    export = workbook()
    # The publish queued the month's re-rank before the workbook: the worker runs both.
    assert len(rq_queue.job_ids) == 2
    run_worker(
        "rqworker",
        "--burst",
        "--job-class",
        "django_tasks_rq.Job",
        "default",
        env={"TASKS_BACKEND": "rq", "REDIS_URL": TEST_REDIS_URL, "MEDIA_ROOT": str(tmp_path)},
    )
    assert_built(export)
