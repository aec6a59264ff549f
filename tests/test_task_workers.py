"""Jobs through real worker processes, as production runs them: django-tasks-db's
`db_worker` on the test database, and an RQ worker on the machine's Redis."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import django_rq
import pytest
import redis
from django.core.files.storage import default_storage
from django.db import connection
from django_tasks import TaskResultStatus

from inspection.models import VisitStatus
from inspection.tasks import photos_orphaned_sweep
from tests.photos import backdate, orphan_add, photo_add

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
# A Redis database of the tests' own, apart from any app running on this machine.
TEST_REDIS_URL = os.getenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def database_url() -> str:
    """The test database, for the worker process to open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


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
