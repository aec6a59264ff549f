from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from inspection.imports import visits_import
from sheets.results import command_finish


class Command(BaseCommand):
    help = (
        "Import third-party visit results filled into the visit template (.xlsx); "
        "new visits are published at once unless --draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the filled-in visit template, .xlsx")
        parser.add_argument(
            "--draft", action="store_true", help="leave new visits as drafts, unpublished"
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the importing user, recorded as publisher and amender "
            "(default: each row's inspector)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count, write nothing"
        )

    def handle(self, *args, file: str, draft: bool, by: str | None, dry_run: bool, **options):
        if not Path(file).is_file():
            raise CommandError(_("找不到文件 %(path)s。") % {"path": file})
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(_("未知的用户名“%(value)s”。") % {"value": by})
        result = visits_import(
            file=file,
            publish=not draft,
            by=user,
            dry_run=dry_run,
            source_name=Path(file).name,
        )
        command_finish(self, result, dry_run=dry_run)
