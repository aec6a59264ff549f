from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from inspection.tasks import photos_orphaned_sweep


class Command(BaseCommand):
    help = (
        "Queue the deletion of photo files that no visit refers to any more "
        "(run daily from cron on one machine; a worker does the work)."
    )

    def handle(self, *args, **options):
        result = photos_orphaned_sweep.enqueue()
        self.stdout.write(_("已排队清理无主照片文件（任务 %(id)s）。") % {"id": result.id})
