from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stores.imports import error_line, stores_import, summary_line


class Command(BaseCommand):
    help = "Create or update stores by code from a store-list spreadsheet (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the store list, .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        if not Path(file).is_file():
            raise CommandError(_("找不到文件 %(path)s。") % {"path": file})
        report = stores_import(file=file, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error_line(error))
            raise CommandError(
                _("发现%(count)s处错误，没有导入任何数据。") % {"count": len(report.errors)}
            )
        self.stdout.write(summary_line(report, dry_run=dry_run))
