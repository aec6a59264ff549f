from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sheets.results import command_finish
from stores.imports import stores_import


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
        command_finish(self, stores_import(file=file, dry_run=dry_run), dry_run=dry_run)
