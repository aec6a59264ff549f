import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspection.months import month_of
from stores.models import Store


class Standard(models.Model):
    """One version of the service standard; visits keep the version they were scored with."""

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    version = models.CharField(_("版本"), max_length=20, unique=True)
    effective_from = models.DateField(_("生效日期"))
    bonus_top_n = models.PositiveSmallIntegerField(_("加分资格：同类厅前N名"), default=5)
    bonus_min_criteria = models.PositiveSmallIntegerField(_("加分资格：至少符合项数"), default=3)
    bonus_max_points = models.PositiveSmallIntegerField(_("每厅每月最多加分"), default=2)
    _rules: dict | None = None

    class Meta:
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"
        verbose_name = _("服务标准")
        verbose_name_plural = _("服务标准")

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    @classmethod
    def in_force(cls, on: dt.date | None = None) -> "Standard":
        on = on or timezone.localdate()
        standard = cls.objects.filter(effective_from__lte=on).first()
        return standard or cls.objects.order_by("effective_from").first()

    def rules(self) -> dict:
        """The scoring data of this version, as the pure scorer and the browser read it.

        Built once per instance: submitting a visit validates and scores it with the
        same rules, and a version's rules never change once visits use it.
        """
        if self._rules is None:
            from inspection.rules import standard_rules

            self._rules = standard_rules(self)
        return self._rules


class Part(models.Model):
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="parts", verbose_name=_("服务标准")
    )
    code = models.CharField(_("编码"), max_length=5)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["standard", "order"]
        verbose_name = _("部分")
        verbose_name_plural = _("部分")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="part_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Section(models.Model):
    """A section (A1) or sub-section (B1a). Only sections without children are scored
    and floored at 0; a parent (B1) just groups its children."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="sections", verbose_name=_("服务标准")
    )
    part = models.ForeignKey(
        Part, on_delete=models.CASCADE, related_name="sections", verbose_name=_("部分")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    code = models.CharField(_("编码"), max_length=10)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    points = models.PositiveSmallIntegerField(_("满分"))
    rule = models.TextField(_("扣分原则"), blank=True)
    rule_en = models.TextField(_("扣分原则（英文）"), blank=True)
    is_scored = models.BooleanField(_("单独计分"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["standard", "order"]
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="section_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemKind(models.TextChoices):
    FIXED = "fixed", _("固定扣分")
    RANGED = "ranged", _("按要点扣3–5分")
    TIME = "time", _("计时")
    COUNT = "count", _("计数")
    ZEROING = "zeroing", _("整体零分")


class Item(models.Model):
    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="items", verbose_name=_("服务标准")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("考核项目")
    )
    code = models.CharField(_("编码"), max_length=12)
    text = models.CharField(_("检查内容"), max_length=300)
    text_en = models.CharField(_("英文"), max_length=300, blank=True)
    guide = models.TextField(_("标准说明"), blank=True)
    kind = models.CharField(_("扣分方式"), max_length=10, choices=ItemKind.choices)
    points = models.PositiveSmallIntegerField(_("每次扣分"), default=0)
    points_min = models.PositiveSmallIntegerField(_("最少扣分"), null=True, blank=True)
    points_max = models.PositiveSmallIntegerField(_("最多扣分"), null=True, blank=True)
    is_key = models.BooleanField(_("关键项"), default=False)
    once = models.BooleanField(_("每次检查只扣一次"), default=False)
    red_line = models.BooleanField(_("红线"), default=False)
    unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    limit = models.DecimalField(_("限值"), max_digits=6, decimal_places=1, null=True, blank=True)
    # [{"categories": [...], "peak": true, "limit": 10}, ...]: first match wins,
    # otherwise `limit`.
    limit_rules = models.JSONField(_("限值规则"), default=list, blank=True)
    # {"city": 5, "county": 4}: a count below what the location class needs deducts.
    required_count = models.JSONField(_("要求数量"), null=True, blank=True)
    max_count = models.PositiveSmallIntegerField(_("最大计数"), null=True, blank=True)
    # {"categories": [...]}: outside these the item is N/A for the store.
    applies_to = models.JSONField(_("适用范围"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["standard", "order"]
        verbose_name = _("检查细项")
        verbose_name_plural = _("检查细项")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="item_code_unique"),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.RANGED)
                | Q(
                    points_min__isnull=False,
                    points_max__isnull=False,
                    points_min__lte=models.F("points_max"),
                ),
                name="item_ranged_has_bounds",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[ItemKind.TIME, ItemKind.ZEROING]) | Q(limit__isnull=False),
                name="item_measured_has_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class BonusCriterion(models.Model):
    standard = models.ForeignKey(
        Standard,
        on_delete=models.CASCADE,
        related_name="bonus_criteria",
        verbose_name=_("服务标准"),
    )
    code = models.CharField(_("编码"), max_length=10)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    text = models.TextField(_("说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["standard", "order"]
        verbose_name = _("加分项目")
        verbose_name_plural = _("加分项目")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="bonus_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VisitStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    PUBLISHED = "published", _("已发布")


class VisitSource(models.TextChoices):
    FORM = "form", _("现场填写")
    IMPORT = "import", _("第三方导入")


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
    visited_at = models.DateTimeField(_("检查时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=VisitSource.choices, default=VisitSource.FORM
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
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
        ]
        indexes = [
            # Monthly results: published visits of a month.
            models.Index(fields=["status", "visited_at"], name="visit_status_time"),
            # A store's page lists its visits newest first.
            models.Index(fields=["store", "-visited_at"], name="visit_store_time"),
        ]

    def __str__(self) -> str:
        return f"{self.store} @ {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    @property
    def month(self) -> dt.date:
        return month_of(self.visited_at)

    @property
    def is_editable(self) -> bool:
        return self.status == VisitStatus.DRAFT


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


class BonusAward(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="bonus_awards", verbose_name=_("营业厅")
    )
    month = models.DateField(_("月份"))
    points = models.PositiveSmallIntegerField(_("加分"))
    criteria = models.ManyToManyField(
        BonusCriterion, related_name="awards", verbose_name=_("符合的加分项目")
    )
    highlight = models.TextField(_("创新或服务亮点"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("加分人"),
    )
    awarded_at = models.DateTimeField(_("加分时间"), default=timezone.now)

    class Meta:
        ordering = ["-month", "store__code"]
        verbose_name = _("加分")
        verbose_name_plural = _("加分")
        constraints = [
            # The ceiling is the standard's (bonus_max_points), checked by the bonus service.
            models.CheckConstraint(condition=Q(points__gte=1), name="bonus_points_positive"),
            models.CheckConstraint(condition=~Q(highlight=""), name="bonus_has_highlight"),
        ]
        indexes = [
            # Monthly recompute sums a month's awards per store.
            models.Index(fields=["month", "store"], name="bonus_month_store"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.month:%Y-%m} +{self.points}"


class MonthlyResult(models.Model):
    """A store's month: derived from published visits and bonus awards, never edited by hand."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="monthly_results", verbose_name=_("营业厅")
    )
    month = models.DateField(_("月份"))
    visit_count = models.PositiveSmallIntegerField(_("检查次数"))
    total_sum = models.PositiveIntegerField(_("检查总分合计"))
    # Means for display; ranks are computed from exact fractions before rounding.
    base_score = models.DecimalField(_("基础得分"), max_digits=9, decimal_places=4)
    section_scores = models.JSONField(_("各项平均得分"), default=dict)
    bonus = models.PositiveSmallIntegerField(_("加分"), default=0)
    total = models.DecimalField(_("月度总分"), max_digits=9, decimal_places=4)
    red_line_visits = models.PositiveSmallIntegerField(_("红线次数"), default=0)
    zeroed_visits = models.PositiveSmallIntegerField(_("零分次数"), default=0)
    category_base_rank = models.PositiveIntegerField(_("同类厅基础分排名"))
    rank_overall = models.PositiveIntegerField(_("总排名"))
    rank_category = models.PositiveIntegerField(_("同类厅排名"))
    rank_branch = models.PositiveIntegerField(_("分公司内排名"))

    class Meta:
        ordering = ["month", "rank_overall"]
        verbose_name = _("月度成绩")
        verbose_name_plural = _("月度成绩")
        constraints = [
            models.UniqueConstraint(fields=["store", "month"], name="monthly_result_unique"),
            models.CheckConstraint(condition=Q(visit_count__gte=1), name="monthly_has_visits"),
        ]
        indexes = [
            # The rankings page: one month's results in overall rank order.
            models.Index(fields=["month", "rank_overall"], name="monthly_month_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.month:%Y-%m} {self.total}"

    @property
    def base_display(self) -> Decimal:
        from inspection.scoring import round_half_up

        return round_half_up(self.base_score)

    @property
    def total_display(self) -> Decimal:
        from inspection.scoring import round_half_up

        return round_half_up(self.total)


class VisitAssignment(models.Model):
    """One planned visit: a store, a month and the mystery shopper who goes there.

    The inspector is never of the store's own branch (checked by `clean`, which the
    planning services call, because a CheckConstraint cannot follow a join).
    Store staff never see these rows.
    """

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("营业厅")
    )
    month = models.DateField(_("月份"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("检查员"),
    )
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("计划人"),
    )
    planned_at = models.DateTimeField(_("计划时间"), default=timezone.now)
    visit = models.OneToOneField(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment",
        verbose_name=_("检查记录"),
    )

    class Meta:
        ordering = ["month", "store__code", "pk"]
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="assignment_month_first_day"),
        ]
        indexes = [
            # The planning page lists one month's assignments per store.
            models.Index(fields=["month", "store"], name="assignment_month_store"),
            # The inspector's home lists their assignments of a month.
            models.Index(fields=["inspector", "month"], name="assignment_inspector_month"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.month:%Y-%m} {self.inspector}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from stores.access import can_inspect, membership_of

        if not can_inspect(self.inspector):
            raise ValidationError({"inspector": _("只能指派检查员。")})
        membership = membership_of(self.inspector)
        if membership.branch_id is not None and membership.branch_id == self.store.branch_id:
            raise ValidationError(
                {"inspector": _("检查员不能检查本分公司的营业厅（神秘顾客必须是陌生人）。")}
            )

    @property
    def is_started(self) -> bool:
        return self.visit_id is not None


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
