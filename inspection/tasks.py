"""Background jobs, through Django's tasks API (the backend is chosen by
TASKS_BACKEND, see config/settings.py; on Django 6 `django_tasks` becomes
`django.tasks`)."""

import datetime as dt
import logging
import posixpath

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from inspection.models import FindingPhoto
from inspection.services import monthly, workbooks

logger = logging.getLogger(__name__)

PHOTOS_DIR = "visit-photos"
# A photo's file is stored before its row commits: a younger file may still get one.
ORPHAN_GRACE = dt.timedelta(hours=1)


@task()
def photos_orphaned_sweep() -> int:
    """Delete stored photo files that no FindingPhoto refers to, and return how many.

    They are left behind by visits deleted in the admin (the rows cascade, the files
    stay) and by uploads whose transaction rolled back after the file was written.
    Works through the storage API, so on the local disk and on object storage alike.
    """
    cutoff = timezone.now() - ORPHAN_GRACE
    deleted = 0
    pending = [PHOTOS_DIR]
    while pending:
        directory = pending.pop()
        try:
            subdirectories, files = default_storage.listdir(directory)
        except FileNotFoundError:
            continue
        pending.extend(posixpath.join(directory, name) for name in subdirectories)
        if not files:
            continue
        # One month's directory at a time keeps the set of known names small.
        known = set(
            FindingPhoto.objects.filter(image__startswith=f"{directory}/").values_list(
                "image", flat=True
            )
        )
        for name in files:
            path = posixpath.join(directory, name)
            if path not in known and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
    logger.info("deleted %d orphaned photo files", deleted)
    return deleted


@task()
def month_rerank(*, month: str) -> bool:
    """Re-rank a month that writers marked out of date (see MonthRanking); the month
    is an ISO date, since a job's arguments are JSON."""
    return monthly.month_rerank_run(month=dt.date.fromisoformat(month))


@task()
def workbook_export_build(export_id: int) -> None:
    """Build the workbook of a queued WorkbookExport (services.workbooks)."""
    workbooks.workbook_export_run(export_id=export_id)


@task()
def workbooks_expired_sweep() -> int:
    """Delete workbook files kept past WORKBOOK_KEEP_DAYS, and return how many."""
    deleted = workbooks.workbook_exports_expire()
    logger.info("deleted %d expired workbook files", deleted)
    return deleted
