"""A version of the service standard: its parts, sections, items and bonus criteria."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Standard(models.Model):
    """One version of the service standard; visits keep the version they were scored with."""

    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    version = models.CharField(_("版本"), max_length=20, unique=True)
    effective_from = models.DateField(_("生效日期"))
    bonus_top_n = models.PositiveSmallIntegerField(_("加分资格：同类厅前N名"), default=5)
    bonus_min_criteria = models.PositiveSmallIntegerField(_("加分资格：至少符合项数"), default=3)
    bonus_max_points = models.PositiveSmallIntegerField(_("每厅每月最多加分"), default=2)
    # What "peak time" means wherever a finding depends on it (A4-03's limit, B2b).
    peak_definition = models.TextField(_("客流高峰期定义"), blank=True)
    peak_definition_en = models.TextField(_("客流高峰期定义（英文）"), blank=True)
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
        return standard_in_force(cls.objects.all(), on or timezone.localdate())

    def rules(self) -> dict:
        """The scoring data of this version, as the pure scorer and the browser read it.

        Built once per instance: submitting a visit validates and scores it with the
        same rules, and a version's rules never change once visits use it.
        """
        if self._rules is None:
            from inspection.rules import standard_rules

            self._rules = standard_rules(self)
        return self._rules


def standard_in_force(standards: models.QuerySet, on: dt.date):
    """The version in force on a day, else the earliest. Takes the queryset so that data
    migrations can ask their historical model."""
    standard = standards.filter(effective_from__lte=on).order_by("-effective_from").first()
    return standard or standards.order_by("effective_from").first()


class Prohibition(models.Model):
    """One of the five prohibitions (五条禁令) a red-line item breaks."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="prohibitions", verbose_name=_("服务标准")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=20)
    name_en = models.CharField(_("英文名称"), max_length=40, blank=True)
    text = models.CharField(_("内容"), max_length=300)
    text_en = models.CharField(_("英文"), max_length=300, blank=True)

    class Meta:
        ordering = ["standard", "number"]
        verbose_name = _("五条禁令")
        verbose_name_plural = _("五条禁令")
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="prohibition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.text}"


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
    guide_en = models.TextField(_("标准说明（英文）"), blank=True)
    kind = models.CharField(_("扣分方式"), max_length=10, choices=ItemKind.choices)
    points = models.PositiveSmallIntegerField(_("每次扣分"), default=0)
    points_min = models.PositiveSmallIntegerField(_("最少扣分"), null=True, blank=True)
    points_max = models.PositiveSmallIntegerField(_("最多扣分"), null=True, blank=True)
    is_key = models.BooleanField(_("关键项"), default=False)
    once = models.BooleanField(_("每次检查只扣一次"), default=False)
    red_line = models.BooleanField(_("红线"), default=False)
    prohibition = models.ForeignKey(
        Prohibition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("违反的禁令"),
    )
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
    # {"text", "text_en"}: a measured item that an observed lapse also fails (A4-03);
    # the finding's occurrences record the lapse.
    lapse = models.JSONField(_("现场发现的情形"), null=True, blank=True)
    # [{"counters_at_least": 4, "has_rest_area": true, "code", "text", "text_en"}, ...]:
    # which requirement the store must meet, decided from its attributes; first match wins.
    requirement_rules = models.JSONField(_("按营业厅判定的要求"), default=list, blank=True)
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
            models.CheckConstraint(
                condition=Q(red_line=False, prohibition__isnull=True)
                | Q(red_line=True, prohibition__isnull=False),
                name="item_red_line_names_prohibition",
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
