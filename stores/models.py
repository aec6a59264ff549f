from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The six store categories of the standard; ranking "within category" uses them."""

    FLAGSHIP = "flagship", _("沟通100服务店")
    GOTONE = "gotone", _("全球通品牌店")
    MZONE = "mzone", _("动感地带品牌店")
    PHONE_MALL = "phone_mall", _("手机卖场")
    ORDINARY = "ordinary", _("普通营业厅")
    TOWNSHIP = "township", _("乡镇营业厅")


class LocationClass(models.TextChoices):
    CITY = "city", _("市区")
    COUNTY = "county", _("县城/郊县")


class Branch(models.Model):
    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("分公司")
        verbose_name_plural = _("分公司")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    code = models.CharField(_("门店编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="stores", verbose_name=_("分公司")
    )
    category = models.CharField(_("营业厅类别"), max_length=20, choices=Category.choices)
    location_class = models.CharField(_("区域类别"), max_length=10, choices=LocationClass.choices)
    counters = models.PositiveSmallIntegerField(_("台席数"), default=1)
    has_rest_area = models.BooleanField(_("有客户休息区"), default=False)
    opened_on = models.DateField(_("开业日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("营业厅")
        verbose_name_plural = _("营业厅")
        indexes = [
            # Rankings and plans list the active stores of one branch.
            models.Index(fields=["branch", "is_active"], name="store_branch_active"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def scoring_attributes(self) -> dict:
        """What the scoring rules need to know about this store."""
        return {
            "category": self.category,
            "location_class": self.location_class,
            "counters": self.counters,
            "has_rest_area": self.has_rest_area,
        }


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("检查员")
    STORE_MANAGER = "store_manager", _("店长")
    BRANCH_MANAGER = "branch_manager", _("分公司经理")
    HEADQUARTERS = "headquarters", _("省/市公司")
    ADMINISTRATOR = "administrator", _("系统管理员")


class Membership(models.Model):
    """A user's role and the branch or store it is scoped to.

    Store managers belong to one store, branch managers to one branch;
    inspectors have a home branch (they never inspect it); headquarters and
    administrators see everything.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("分公司"),
    )
    store = models.ForeignKey(
        Store,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("营业厅"),
    )

    class Meta:
        verbose_name = _("角色与范围")
        verbose_name_plural = _("角色与范围")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.STORE_MANAGER) | Q(store__isnull=False),
                name="membership_store_manager_has_store",
                violation_error_message=_("店长必须指定营业厅。"),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.BRANCH_MANAGER) | Q(branch__isnull=False),
                name="membership_branch_manager_has_branch",
                violation_error_message=_("分公司经理必须指定分公司。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
