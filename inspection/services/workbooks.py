"""Monthly workbooks built in the background: asking for one (joining a running job or
reusing a fresh file), running the job, and giving up on jobs whose worker was lost.

A job's file is written to a temporary file and stored under its final name only
when complete, and a job is marked done only with its stored name: nothing half
written is ever served.
"""

import datetime as dt
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone, translation

from inspection.exports import report_write, scope_named, workbook_rows_expected
from inspection.models import (
    BonusAward,
    ExportStatus,
    MonthlyResult,
    MonthRanking,
    Visit,
    VisitStatus,
    WorkbookExport,
)
from inspection.models.exports import ACTIVE, workbook_upload_to
from inspection.months import month_bounds
from stores.access import scope_of, sees_inspector

logger = logging.getLogger(__name__)

# Rows between two progress saves: a province month (~600,000 rows) saves a few
# hundred times, a small one jumps from queued to done.
PROGRESS_EVERY = 2000
MAX_ERROR_LENGTH = 2000


class Abandoned(Exception):
    """The job was given up (as lost) while it ran: stop without touching it."""


def month_data_stamp(month: dt.date) -> str:
    """What a month's workbook is built from, in a few aggregates: any publish,
    amendment, new or removed visit, bonus award or revocation, and any re-rank that
    changed a result or stored ranks, changes it. Four indexed queries, cheap enough for
    the request that asks for a workbook."""
    start, end = month_bounds(month)
    in_month = Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
    published = in_month.filter(status=VisitStatus.PUBLISHED).aggregate(
        n=Count("pk"), at=Max("updated_at")
    )
    # 未检查 counts the unpublished visits; their autosaves change nothing else.
    pending = in_month.filter(status__in=[VisitStatus.DRAFT, VisitStatus.SUBMITTED]).count()
    awards = BonusAward.objects.filter(month=month).aggregate(n=Count("pk"), at=Max("awarded_at"))
    results = MonthlyResult.objects.filter(month=month).aggregate(
        n=Count("pk"),
        visits=Sum("visit_count"),
        total=Sum("total"),
        bonus=Sum("bonus"),
        idle=Sum("bonus_not_counting"),
        ranks=Sum("rank_overall"),
        categories=Sum("rank_category"),
    )
    # A workbook built before a pending re-rank stored its ranks is not handed out after.
    ranked = MonthRanking.objects.filter(month=month).values_list("ranked_claim", flat=True)
    parts = [
        next(iter(ranked), 0),
        published["n"],
        published["at"] and published["at"].isoformat(),
        pending,
        awards["n"],
        awards["at"] and awards["at"].isoformat(),
        *results.values(),
    ]
    return "|".join(str(part) for part in parts)


def _same_workbook(*, month: dt.date, scope: str, shows_inspectors: bool, language: str):
    return WorkbookExport.objects.filter(
        month=month, scope=scope, shows_inspectors=shows_inspectors, language=language
    )


def _give_up_lost(jobs: QuerySet[WorkbookExport], now: dt.datetime) -> None:
    """Mark failed the active jobs nothing was heard from for WORKBOOK_JOB_TIMEOUT."""
    cutoff = now - dt.timedelta(seconds=settings.WORKBOOK_JOB_TIMEOUT)
    jobs.filter(status__in=ACTIVE, heartbeat_at__lt=cutoff).update(
        status=ExportStatus.FAILED, finished_at=now
    )


@transaction.atomic
def workbook_export_request(*, month: dt.date, user) -> WorkbookExport:
    """The job that gives `user` the workbook of `month`: the one running for the same
    scope, else a fresh enough finished one whose month has not changed since, else a
    new one, queued once this transaction commits."""
    month = month.replace(day=1)
    now = timezone.now()
    key = {
        "month": month,
        "scope": scope_of(user),
        "shows_inspectors": sees_inspector(user),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    jobs = _same_workbook(**key)
    _give_up_lost(jobs, now)
    running = jobs.filter(status__in=ACTIVE).first()
    if running is not None:
        return running
    kept = jobs.filter(
        status=ExportStatus.DONE,
        finished_at__gte=now - dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS),
    ).first()
    if kept is not None and kept.data_stamp == month_data_stamp(month):
        return kept
    try:
        with transaction.atomic():
            export = WorkbookExport.objects.create(**key, requested_by=user, created_at=now)
    except IntegrityError:
        # Another request started the same job a moment ago: join it.
        return jobs.get(status__in=ACTIVE)
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    # The task module imports this one.
    from inspection.tasks import workbook_export_build

    try:
        workbook_export_build.enqueue(export_id)
    except Exception as exc:
        logger.exception("could not queue workbook export %s", export_id)
        _finish(export_id, status=ExportStatus.FAILED, error=_reason(exc))


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]


def _finish(export_id: int, **fields) -> bool:
    return bool(
        WorkbookExport.objects.filter(pk=export_id, status__in=ACTIVE).update(
            finished_at=timezone.now(), **fields
        )
    )


def _report(export_id: int, using: BaseDatabaseWrapper | None = None, **fields) -> None:
    """Save a running job's progress, and show it is still alive; through `using`, a
    connection of its own, while the job reads in a snapshot."""
    fields["heartbeat_at"] = timezone.now()
    if using is None:
        saved = WorkbookExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            **fields
        )
    else:
        table = using.ops.quote_name(WorkbookExport._meta.db_table)
        columns = ", ".join(f"{using.ops.quote_name(name)} = %s" for name in fields)
        with using.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {columns} WHERE id = %s AND status = %s",
                [*fields.values(), export_id, ExportStatus.RUNNING],
            )
            saved = cursor.rowcount
    if not saved:
        raise Abandoned


@contextmanager
def _month_snapshot(export_id: int) -> Iterator[Callable[..., None]]:
    """Read the whole workbook from one state of the database, and yield how to save
    progress meanwhile. Its sheets' formulas address each other's rows, so a visit
    published or amended while the job runs must be in all of them or in none.

    PostgreSQL reads in one REPEATABLE READ transaction, and progress goes through a
    second connection so that the page sees it. SQLite (one machine) reads as it goes:
    a transaction there would hold the write lock for the whole job. So does a run
    inside a transaction already (the tests' inline jobs).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda **fields: _report(export_id, **fields)
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield lambda **fields: _report(export_id, side, **fields)
    finally:
        side.close()


def workbook_export_run(*, export_id: int) -> None:
    """Build a queued job's workbook. Its progress saves commit as they go, for the page
    to show them; the file appears only with the last update."""
    started = WorkbookExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    if not started:
        # Run already, or given up as lost before a worker took it.
        return
    export = WorkbookExport.objects.get(pk=export_id)
    name = None
    try:
        with translation.override(export.language), tempfile.TemporaryFile() as out:
            scope = scope_named(export.scope, show_inspectors=export.shows_inspectors)
            with _month_snapshot(export_id) as report:
                report(
                    data_stamp=month_data_stamp(export.month),
                    rows_expected=workbook_rows_expected(month=export.month, scope=scope),
                )
                report_write(
                    month=export.month,
                    out=out,
                    scope=scope,
                    progress=lambda rows: report(rows_written=rows),
                    progress_every=PROGRESS_EVERY,
                )
            out.seek(0)
            name = default_storage.save(
                workbook_upload_to(export, f"{uuid.uuid4().hex}.xlsx"), File(out)
            )
        if not _finish(export_id, status=ExportStatus.DONE, file=name):
            raise Abandoned
    except Abandoned:
        logger.warning("workbook export %s was given up while it ran", export_id)
        if name:
            default_storage.delete(name)
    except Exception as exc:
        if name:
            default_storage.delete(name)
        _finish(export_id, status=ExportStatus.FAILED, error=_reason(exc))
        raise


def workbook_exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the jobs finished more than WORKBOOK_KEEP_DAYS ago with their files, and
    give up lost jobs; the number of files deleted."""
    now = now or timezone.now()
    _give_up_lost(WorkbookExport.objects.all(), now)
    cutoff = now - dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS)
    expired = WorkbookExport.objects.filter(finished_at__lt=cutoff)
    names = [name for name in expired.values_list("file", flat=True) if name]
    expired.delete()
    for name in names:
        default_storage.delete(name)
    return len(names)
