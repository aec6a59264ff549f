"""`manage.py seed_demo`: a demo province to click through, or scale data for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from inspection import demo
from stores.models import Role, Store


class Command(BaseCommand):
    help = _(
        "生成演示数据：镇江分公司式的分公司、营业厅、检查记录、月度排名、加分和各角色的演示账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--stores", type=int, default=demo.DEFAULT_STORES, help=_("营业厅数量"))
        parser.add_argument(
            "--months",
            type=int,
            default=demo.DEFAULT_MONTHS,
            help=_("检查月数（截至本月）"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=_("随机种子（相同种子生成相同数据）"),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("已有营业厅时什么也不做（启动脚本每次都会调用）"),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("先删除检查、成绩、加分、营业厅、分公司和演示用户"),
        )

    def handle(self, *args, stores, months, seed, if_empty, reset, **options):
        if stores < 1 or months < 1:
            raise CommandError(_("营业厅数量和月数都必须至少为1。"))
        if if_empty and Store.objects.exists():
            self.stdout.write(_("已有营业厅数据，跳过生成演示数据。"))
            return
        started = time.monotonic()
        try:
            with transaction.atomic():
                if reset:
                    demo.demo_reset()
                summary = demo.demo_seed(stores=stores, months=months, seed=seed)
        except demo.DemoDataExists as exists:
            raise CommandError(
                _("数据库中已有数据（%(found)s）。如需清空后重新生成，请加 --reset。")
                % {"found": exists}
            ) from exists
        except ProtectedError as protected:
            names = sorted({str(obj) for obj in protected.protected_objects})[:5]
            raise CommandError(
                _("无法清空：以下记录仍引用营业厅或用户：%(objects)s")
                % {"objects": "；".join(names)}
            ) from protected
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成演示数据：%(branches)s 个分公司，%(stores)s 个营业厅，"
                    "%(first)s 至 %(last)s 共 %(months)s 个月，%(visits)s 次检查，"
                    "%(findings)s 条检查发现，%(awards)s 项加分，本月 %(assignments)s 项检查计划，"
                    "用时 %(seconds).1f 秒。"
                )
                % {
                    "branches": summary.branches,
                    "stores": summary.stores,
                    "first": f"{summary.months[0]:%Y-%m}",
                    "last": f"{summary.months[-1]:%Y-%m}",
                    "months": len(summary.months),
                    "visits": summary.visits,
                    "findings": summary.findings,
                    "awards": summary.awards,
                    "assignments": summary.assignments,
                    "seconds": elapsed,
                }
            )
        )
        self._print_logins(summary.logins)

    def _print_logins(self, logins):
        # Usernames, passwords and role codes are ASCII, so they go first and line up;
        # the Chinese role and scope follow.
        self.stdout.write("")
        self.stdout.write(_("演示账号："))
        labels = " / ".join((_("角色"), _("姓名"), _("范围")))
        header = f"{'username':<12} {'password':<11} {'role':<15} {labels}"
        self.stdout.write(header)
        self.stdout.write("-" * 60)
        for username, password, role, name, scope in logins:
            label = str(Role(role).label)
            line = f"{username:<12} {password:<11} {role:<15} {label} / {name}"
            self.stdout.write(f"{line} / {scope}" if scope else line)
