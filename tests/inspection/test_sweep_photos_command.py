import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from tests.photos import backdate, orphan_add


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_it_queues_the_sweep_and_says_which_task_does_it(media, db):
    orphan = orphan_add("orphan.jpg")
    backdate(orphan, hours=2)
    out = io.StringIO()
    call_command("sweep_photos", stdout=out)
    # The tests' immediate backend has run the job by the time enqueue returns.
    assert not default_storage.exists(orphan)
    assert out.getvalue().startswith("已排队清理无主照片文件（任务 ")
