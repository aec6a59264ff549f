from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from inspection.tasks import workbooks_expired_sweep


class Command(BaseCommand):
    help = (
        "Queue the deletion of workbook files kept past WORKBOOK_KEEP_DAYS "
        "(run daily from cron on one machine; a worker does the work)."
    )

    def handle(self, *args, **options):
        result = workbooks_expired_sweep.enqueue()
        self.stdout.write(_("已排队清理过期的 Excel 月报文件（任务 %(id)s）。") % {"id": result.id})
