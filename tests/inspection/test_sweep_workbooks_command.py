import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from inspection.models import WorkbookExport
from inspection.services.workbooks import workbook_export_request, workbook_export_run

pytestmark = pytest.mark.django_db


def test_it_queues_the_sweep_of_expired_workbooks_and_says_which_task_does_it(
    settings, tmp_path, hq
):
    settings.MEDIA_ROOT = tmp_path
    export = workbook_export_request(month=dt.date(2026, 10, 1), user=hq)
    workbook_export_run(export_id=export.pk)
    export.refresh_from_db()
    WorkbookExport.objects.filter(pk=export.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS + 1)
    )
    out = io.StringIO()
    call_command("sweep_workbooks", stdout=out)
    # The tests' immediate backend has run the job by the time enqueue returns.
    assert not default_storage.exists(export.file.name)
    assert not WorkbookExport.objects.exists()
    assert out.getvalue().startswith("已排队清理过期的 Excel 月报文件（任务 ")
