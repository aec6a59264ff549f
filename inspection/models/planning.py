"""The month's plan: which mystery shopper goes to which store."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspection.models.visits import Visit
from stores.models import Store


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

    def audit_detail(self) -> dict:
        return {
            "store": self.store.code,
            "month": f"{self.month:%Y-%m}",
            "inspector": self.inspector.get_username(),
            "planned_on": self.planned_on.isoformat() if self.planned_on else None,
        }
