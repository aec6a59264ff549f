"""Background jobs, run as they are enqueued (the tests' immediate backend);
tests/test_task_workers.py runs the same jobs through real worker processes."""

import pytest
from django.core.files.storage import default_storage
from django_tasks import TaskResultStatus

from inspection.models import VisitStatus
from inspection.tasks import photos_orphaned_sweep
from tests.photos import backdate, orphan_add, photo_add


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


def test_the_sweep_deletes_old_photo_files_no_visit_refers_to(media, draft, inspector):
    kept = photo_add(draft, by=inspector).image.name
    orphan = orphan_add("orphan.jpg")
    for name in (kept, orphan):
        backdate(name, hours=2)
    result = photos_orphaned_sweep.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)


def test_the_sweep_leaves_a_young_file_whose_upload_may_still_be_committing(media, db):
    orphan = orphan_add("uploading.jpg")
    backdate(orphan, hours=0.5)
    assert photos_orphaned_sweep.enqueue().return_value == 0
    assert default_storage.exists(orphan)


def test_the_sweep_finds_nothing_to_do_before_any_photo_was_stored(media, db):
    assert photos_orphaned_sweep.enqueue().return_value == 0
