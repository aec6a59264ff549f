from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inspection.models import Standard
from inspection.visit_template import visit_template_write


class Command(BaseCommand):
    help = "Write the visit import template (.xlsx) generated from a standard version."

    def add_arguments(self, parser):
        parser.add_argument("out", help="where to write the template, .xlsx")
        parser.add_argument(
            "--standard", metavar="VERSION", help="standard version (default: the one in force)"
        )

    def handle(self, *args, out: str, standard: str | None, **options):
        if standard:
            chosen = Standard.objects.filter(version=standard).first()
            if chosen is None:
                raise CommandError(_("未知的服务标准版本“%(value)s”。") % {"value": standard})
        else:
            chosen = Standard.in_force()
        visit_template_write(standard=chosen, out=out)
        self.stdout.write(
            _("已生成检查结果导入模板（%(standard)s）：%(path)s")
            % {"standard": chosen, "path": out}
        )
