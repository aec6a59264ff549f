"""A monthly workbook built in the background: its job's state and its stored file."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def workbook_upload_to(export: "WorkbookExport", filename: str) -> str:
    return f"workbooks/{export.month:%Y-%m}/{filename}"


class WorkbookExport(models.Model):
    """One month's workbook for one scope of stores, shared by everyone with that scope.

    The scope is `stores.access.scope_of` (every store, one branch, one store),
    whether the workbook names inspectors, and its language: two users for whom
    these agree get the same file, so they share the job.
    """

    month = models.DateField(_("月份"))
    scope = models.CharField(_("范围"), max_length=40)
    shows_inspectors = models.BooleanField(_("显示检查员"))
    # The language of its sheet titles and headers: the asker's.
    language = models.CharField(_("语言"), max_length=10)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_written = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_expected = models.PositiveIntegerField(_("预计行数"), default=0)
    # What the month's data looked like when the job read it (services.workbooks):
    # a different stamp now means the file is out of date.
    data_stamp = models.CharField(_("数据标记"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=workbook_upload_to, blank=True, max_length=200)
    error = models.TextField(_("失败原因"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    # Set when the job starts and at every progress save: a queued or running job
    # not heard from for WORKBOOK_JOB_TIMEOUT seconds has lost its worker.
    heartbeat_at = models.DateTimeField(_("最近进展时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Excel 月报任务")
        verbose_name_plural = _("Excel 月报任务")
        constraints = [
            # Asking again while a job runs joins it: at most one at a time per workbook.
            models.UniqueConstraint(
                fields=["month", "scope", "shows_inspectors", "language"],
                condition=Q(status__in=ACTIVE),
                name="workbook_export_one_active",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.DONE) | ~Q(file=""),
                name="workbook_export_done_has_file",
            ),
        ]
        indexes = [
            # Asking for a workbook: the newest jobs of one month and scope.
            models.Index(
                fields=["month", "scope", "shows_inspectors", "language", "-created_at"],
                name="workbook_export_lookup",
            ),
            # The sweep: finished jobs older than WORKBOOK_KEEP_DAYS.
            models.Index(fields=["finished_at"], name="workbook_export_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.scope} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress(self) -> float:
        """The share written, 0 to 1; a running job stays below 1 until its file is saved."""
        if self.status == ExportStatus.DONE:
            return 1.0
        if not self.rows_expected:
            return 0.0
        return min(self.rows_written / self.rows_expected, 0.99)

    def is_lost(self, now: dt.datetime) -> bool:
        timeout = dt.timedelta(seconds=settings.WORKBOOK_JOB_TIMEOUT)
        return self.is_active and self.heartbeat_at < now - timeout

    def is_expired(self, now: dt.datetime) -> bool:
        keep = dt.timedelta(days=settings.WORKBOOK_KEEP_DAYS)
        return self.finished_at is not None and self.finished_at < now - keep
