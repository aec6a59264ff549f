"""A mystery shopper's visit: its findings, amendments and photo evidence."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspection.models.standard import Item, Standard
from inspection.months import FIRST_MONTH, LAST_MONTH, in_known_months, month_of, next_month
from stores.models import Store


class VisitStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    PUBLISHED = "published", _("已发布")


class VisitSource(models.TextChoices):
    FORM = "form", _("现场填写")
    IMPORT = "import", _("第三方导入")


def validate_visit_time(value: dt.datetime) -> None:
    """Ruling R10: no visit, by any path (the tablet, an import, the admin), is dated
    before 2000; nor after the last month the app knows."""
    if not in_known_months(value):
        raise ValidationError(
            _("检查时间必须在%(first)s至%(last)s之间。")
            % {
                "first": FIRST_MONTH.isoformat(),
                "last": (next_month(LAST_MONTH) - dt.timedelta(days=1)).isoformat(),
            },
            code="visit_time_range",
        )


# The database's own bound, a day wider than validate_visit_time's so that it holds
# whatever the time zone: a value no page can show (a year 1, a year 9999) is never stored.
STORED_VISIT_TIMES = Q(visited_at__gte=dt.datetime(1999, 12, 31, tzinfo=dt.UTC)) & Q(
    visited_at__lt=dt.datetime(2101, 1, 2, tzinfo=dt.UTC)
)


class Visit(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="visits", verbose_name=_("营业厅")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("检查员"),
    )
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="visits", verbose_name=_("服务标准")
    )
    visited_at = models.DateTimeField(_("检查时间"), validators=[validate_visit_time])
    status = models.CharField(
        _("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=VisitSource.choices, default=VisitSource.FORM
    )
    # The last return: who sent the visit back and why. Kept after resubmission, so
    # the reviewer who publishes it sees what was asked for (ruling R8).
    return_reason = models.TextField(_("退回原因"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退回人"),
    )
    # Stored at submission so that rankings never re-score visits.
    section_scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("总分"), null=True, blank=True)
    zeroed = models.BooleanField(_("零分（无人值守）"), default=False)
    red_line = models.BooleanField(_("红线"), default=False)
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    # The tablet's key for its submit request: a retried or double-tapped submit
    # carrying the same key finds the visit already submitted and succeeds once.
    submission_key = models.CharField(_("提交标识"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        constraints = [
            # One inspector cannot be in the same hall twice at the same minute;
            # this is also what makes re-importing a file idempotent.
            models.UniqueConstraint(
                fields=["store", "inspector", "visited_at"], name="visit_unique_per_inspector_time"
            ),
            models.CheckConstraint(condition=Q(total__lte=100), name="visit_total_at_most_100"),
            models.CheckConstraint(
                condition=Q(status=VisitStatus.DRAFT) | Q(total__isnull=False),
                name="visit_scored_once_submitted",
            ),
            models.CheckConstraint(condition=STORED_VISIT_TIMES, name="visit_time_plausible"),
        ]
        indexes = [
            # Monthly results: published visits of a month.
            models.Index(fields=["status", "visited_at"], name="visit_status_time"),
            # A store's page lists its visits newest first.
            models.Index(fields=["store", "-visited_at"], name="visit_store_time"),
            # The review queue: submitted visits, oldest first.
            models.Index(fields=["status", "submitted_at"], name="visit_status_submitted"),
            # The review page's latest published visits.
            models.Index(fields=["status", "-published_at"], name="visit_status_published"),
        ]

    def __str__(self) -> str:
        return f"{self.store} @ {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    @property
    def month(self) -> dt.date:
        return month_of(self.visited_at)

    @property
    def is_editable(self) -> bool:
        return self.status == VisitStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        """A draft sent back by a reviewer, waiting for the inspector again."""
        return self.is_editable and bool(self.return_reason)

    @property
    def planned_month(self) -> dt.date | None:
        """The month of the assignment this visit was started from, if any."""
        from inspection.models.planning import VisitAssignment

        try:
            return self.assignment.month
        except VisitAssignment.DoesNotExist:
            return None


class Finding(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("检查记录")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="findings", verbose_name=_("检查细项")
    )
    occurrences = models.PositiveSmallIntegerField(_("次数"), default=0)
    # Ranged items (B1a-01): the points chosen for each missed key point.
    points = models.JSONField(_("扣分（每个要点）"), default=list, blank=True)
    measurement = models.DecimalField(
        _("测量值"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    peak = models.BooleanField(_("高峰期/雨雪天"), default=False)
    not_applicable = models.BooleanField(_("不适用"), default=False)
    na_reason = models.CharField(_("不适用原因"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)
    deducted = models.PositiveSmallIntegerField(_("扣分"), default=0)

    class Meta:
        ordering = ["item__order"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="finding_unique_item"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(na_reason=""),
                name="finding_na_has_reason",
                violation_error_message=_("标记为不适用时必须填写原因。"),
            ),
            models.CheckConstraint(
                condition=Q(measurement__isnull=True) | Q(measurement__gte=0),
                name="finding_measurement_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.item.code}"

    def as_scoring_input(self) -> dict:
        return {
            "occurrences": self.occurrences,
            "points": list(self.points),
            "measurement": None if self.measurement is None else float(self.measurement),
            "peak": self.peak,
            "na": self.not_applicable,
        }


class VisitAmendment(models.Model):
    """A correction to a published visit: who, when, why, and what the score was."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("检查记录")
    )
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )
    amended_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    reason = models.TextField(_("修改原因"))
    total_before = models.PositiveSmallIntegerField(_("修改前总分"))
    total_after = models.PositiveSmallIntegerField(_("修改后总分"))
    changes = models.JSONField(_("修改内容"), default=list)

    class Meta:
        ordering = ["-amended_at"]
        verbose_name = _("修改记录")
        verbose_name_plural = _("修改记录")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} {self.total_before}→{self.total_after}"


def photo_upload_to(instance: "FindingPhoto", filename: str) -> str:
    import uuid

    # Random names: a guessed URL must not reveal another visit's photo.
    return f"visit-photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class FindingPhoto(models.Model):
    """Evidence for one item of a visit. Tied to the visit and item rather than the
    Finding row, because saving a draft rewrites its findings."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("检查记录")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="photos", verbose_name=_("检查细项")
    )
    image = models.ImageField(_("照片"), upload_to=photo_upload_to)
    # Chosen by the tablet, so retrying an upload after a timeout stores one photo.
    client_key = models.CharField(_("客户端标识"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["item__order", "uploaded_at", "pk"]
        verbose_name = _("照片证据")
        verbose_name_plural = _("照片证据")
        constraints = [
            models.UniqueConstraint(fields=["visit", "client_key"], name="photo_client_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.item.code} #{self.pk}"


class DraftSave(models.Model):
    """The last autosave each device applied to a draft. A tablet that never got the
    answer sends the same save again; finding its id here, the server answers it
    without applying it twice or calling it a conflict."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="draft_saves", verbose_name=_("检查记录")
    )
    # Chosen by the browser, once per device (not per tab or per page load).
    device = models.CharField(_("设备标识"), max_length=64)
    save_id = models.CharField(_("保存标识"), max_length=64)
    # The draft's revision once this save was applied.
    revision = models.PositiveIntegerField(_("修订号"))

    class Meta:
        verbose_name = _("草稿保存记录")
        verbose_name_plural = _("草稿保存记录")
        constraints = [
            # Its index also serves the autosave's look-up of a save id among a visit's rows.
            models.UniqueConstraint(fields=["visit", "device"], name="draft_save_one_per_device"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.device} {self.save_id}"
