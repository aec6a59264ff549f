"""One append-only trail of what people did: who, when, to what, and the details
that the objects themselves may no longer hold (a revoked bonus, a user deleted)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    IMPORT = "import", _("导入")
    PUBLISH = "publish", _("发布检查")
    RETURN = "return", _("退回检查")
    AMEND = "amend", _("修改已发布的检查")
    BONUS_AWARD = "bonus_award", _("加分")
    BONUS_REVOKE = "bonus_revoke", _("撤销加分")
    PLAN_SET = "plan_set", _("安排检查")
    PLAN_DELETE = "plan_delete", _("删除计划")
    PLAN_AUTO = "plan_auto", _("自动排班")
    ADMIN_CHANGE = "admin_change", _("后台修改")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The user may be deleted later; their name at the time stays.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            # Headquarters' page: the newest events first, a page at a time.
            models.Index(fields=["-at", "-id"], name="audit_newest"),
            # The same page filtered by one action.
            models.Index(fields=["action", "-at"], name="audit_action_newest"),
            # One object's history, searched in the admin.
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only")
