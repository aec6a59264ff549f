from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inspection.exports import report_scope, report_write
from inspection.months import parse_month
from stores.access import can_export


class Command(BaseCommand):
    help = _("导出某月的营业厅服务检查月报（Excel 工作簿）。")

    def add_arguments(self, parser):
        parser.add_argument("month", help=_("月份，格式 YYYY-MM"))
        parser.add_argument("out", help=_("输出文件，例如 report-2026-10.xlsx"))
        parser.add_argument(
            "--scope-user",
            metavar="USERNAME",
            help=_("按该用户能看到的范围导出（默认全部营业厅，含检查员姓名）"),
        )

    def handle(self, *args, month, out, scope_user, **options):
        try:
            month = parse_month(month)
        except ValueError:
            raise CommandError(_("月份格式应为 YYYY-MM，例如 2026-10。")) from None
        user = None
        if scope_user:
            try:
                user = get_user_model().objects.get(username=scope_user)
            except get_user_model().DoesNotExist:
                raise CommandError(_("没有用户 %(name)s。") % {"name": scope_user}) from None
            if not can_export(user):
                raise CommandError(_("用户 %(name)s 无权查看月报。") % {"name": scope_user})
        scope = report_scope(user)
        report_write(month=month, out=out, scope=scope)
        self.stdout.write(
            _("已导出 %(month)s（%(scope)s）到 %(out)s")
            % {"month": f"{month:%Y-%m}", "scope": scope.label, "out": out}
        )
