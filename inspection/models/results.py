"""What a month yields: bonus awards and each store's monthly result and ranks."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspection.models.standard import BonusCriterion
from stores.models import Store


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

    def audit_detail(self) -> dict:
        """What the audit trail keeps of an award, which outlives its revocation."""
        return {
            "store": self.store.code,
            "month": f"{self.month:%Y-%m}",
            "points": self.points,
            "criteria": sorted(self.criteria.values_list("code", flat=True)),
            "highlight": self.highlight,
            "awarded_by": self.awarded_by.get_username(),
            "awarded_at": self.awarded_at.isoformat(),
        }


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
    # Awards count only while the store's base score ranks in its category's top N
    # (rule 9, re-checked at every re-rank): `bonus` counts, `bonus_not_counting` is on
    # record but adds nothing.
    bonus = models.PositiveSmallIntegerField(_("加分"), default=0)
    bonus_not_counting = models.PositiveSmallIntegerField(_("不计入的加分"), default=0)
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
            # A store's awards of a month count or not together.
            models.CheckConstraint(
                condition=Q(bonus=0) | Q(bonus_not_counting=0), name="monthly_bonus_counts_or_not"
            ),
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


class MonthRanking(models.Model):
    """Where one month's re-ranking stands; its row is the lock that orders the
    writers and the re-ranking jobs of the month.

    A writer marks the month (`requested_at`) in its own transaction and holds the
    row until it commits, so no job can take the request before the change it covers
    is visible. A job takes the request (clears the mark, counts a claim), computes
    without the lock, and stores its results only if no later claim has stored
    newer ones: writers never wait for a computation or an upsert, only for the
    moments a job takes a mark or records which claim it stored.
    """

    month = models.DateField(_("月份"), unique=True)
    requested_at = models.DateTimeField(_("请求重新排名时间"), null=True, blank=True)
    claims = models.PositiveIntegerField(_("已开始的排名次数"), default=0)
    ranked_claim = models.PositiveIntegerField(_("已保存的排名次数"), default=0)
    ranked_at = models.DateTimeField(_("排名计算时间"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度排名状态")
        verbose_name_plural = _("月度排名状态")
        constraints = [
            models.CheckConstraint(
                condition=Q(ranked_claim__lte=models.F("claims")),
                name="month_ranking_stores_a_started_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_pending(self) -> bool:
        """A re-rank is asked for or computing: the stored ranks may be out of date."""
        return self.requested_at is not None or self.claims > self.ranked_claim
