"""What one workbook covers (a month, a scope of stores), and what its sheets share:
the sheet titles, how cells show people, times and scores, and the store columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from inspection.exports.engine import DATE, DATETIME, INT, TEXT, Column
from inspection.models import ItemKind, MonthlyResult, Section, Standard, Visit, VisitStatus
from inspection.months import month_bounds
from inspection.scoring import round_half_up
from stores.access import scope_of, sees_inspector, stores_of_scope
from stores.models import Branch, Category, LocationClass, Store

# Rows fetched from the database at a time.
CHUNK = 2000

# Sheet titles (also used in formulas that reach across sheets).
RANKING = "汇总排名"
BRANCHES = "分公司汇总"
VISITS = "检查明细"
DEDUCTIONS = "扣分明细"
RED_LINES = "红线"
BONUSES = "加分"
NOT_INSPECTED = "未检查"
NOTES = "说明"


@dataclass(frozen=True)
class WorkbookScope:
    stores: QuerySet[Store]
    label: str
    show_inspectors: bool
    show_visit_times: bool


def scope_named(scope: str, *, show_inspectors: bool) -> WorkbookScope:
    """The workbook of a scope named by `stores.access.scope_of`; its label is the one
    branch or store the scope is narrowed to. Ruling R9 gives who inspected and the
    time of day to the same people, so one flag decides both."""
    kind, _sep, pk = scope.partition(":")
    place = {"branch": Branch, "store": Store}.get(kind)
    label = str(place.objects.get(pk=int(pk))) if place else _("全部营业厅")
    return WorkbookScope(stores_of_scope(scope), label, show_inspectors, show_inspectors)


def report_scope(user=None) -> WorkbookScope:
    """The stores a user's workbook covers; without a user, the whole province.

    Its label is the one branch or store the user's scope is narrowed to. Whether
    it names inspectors and gives visits' times of day is the access module's call,
    the same as on the pages (ruling R9).
    """
    if user is None:
        return scope_named("all", show_inspectors=True)
    return scope_named(scope_of(user), show_inspectors=sees_inspector(user))


def shows_inspectors(context: WorkbookContext) -> bool:
    return context.scope.show_inspectors


@dataclass
class WorkbookContext:
    """One month's workbook for one scope: the standard in force and its sections."""

    month: dt.date
    scope: WorkbookScope
    standard: Standard
    sections: list[Section] = field(init=False)
    zeroing_items: list = field(init=False)
    generated_at: dt.datetime = field(default_factory=timezone.localtime)

    def __post_init__(self):
        self.sections = list(self.standard.sections.filter(is_scored=True).order_by("order"))
        self.zeroing_items = list(self.standard.items.filter(kind=ItemKind.ZEROING))
        self.start, self.end = month_bounds(self.month)

    @property
    def month_label(self) -> str:
        return _("%(year)s年%(month)s月") % {"year": self.month.year, "month": self.month.month}

    def store_ids(self) -> QuerySet:
        return self.scope.stores.values("pk")

    def results(self) -> QuerySet[MonthlyResult]:
        return MonthlyResult.objects.filter(month=self.month, store__in=self.store_ids())

    def visits(self) -> QuerySet[Visit]:
        return Visit.objects.filter(
            status=VisitStatus.PUBLISHED,
            visited_at__gte=self.start,
            visited_at__lt=self.end,
            store__in=self.store_ids(),
        )

    def section_header(self, section: Section) -> str:
        return f"{section.code} {section.name}"

    @cached_property
    def stores_by_id(self) -> dict[int, Store]:
        """The scope's stores with their branches: sheets of many rows look them up
        instead of joining them into every row."""
        return {store.pk: store for store in self.scope.stores.select_related("branch")}

    @cached_property
    def inspector_names(self) -> dict[int, str]:
        if not self.scope.show_inspectors:
            return {}
        people = get_user_model().objects.filter(pk__in=self.visits().values("inspector_id"))
        return {
            pk: person(first, last, username)
            for pk, first, last, username in people.values_list(
                "pk", "first_name", "last_name", "username"
            )
        }


def local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: write the wall-clock time of the halls.
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def user_name(user) -> str:
    return person(user.first_name, user.last_name, user.username)


def score(value) -> Decimal | None:
    return None if value is None else round_half_up(Decimal(str(value)))


def labels(choices) -> dict[str, str]:
    """Choice labels translated once per sheet rather than once per row."""
    return {value: str(label) for value, label in choices}


def _choice_column(key: str, header: str, width: float, choices, label_of: Callable) -> Column:
    names = labels(choices)

    def value(record):
        chosen = label_of(record)
        return names.get(chosen, chosen)

    return Column(key, header, TEXT, width, value=value)


def store_columns(
    store_of: Callable, *, category: bool = True, location: bool = False
) -> list[Column]:
    """门店编码, 营业厅, 分公司 and, if asked, 类别 and 区域 of the store `store_of` finds in a
    record; every sheet that lists stores starts its rows with these."""
    code, name, branch = attrgetter("code"), attrgetter("name"), attrgetter("branch.name")
    columns = [
        Column("code", _("门店编码"), TEXT, 11, value=lambda r: code(store_of(r))),
        Column("name", _("营业厅"), TEXT, 24, value=lambda r: name(store_of(r))),
        Column("branch", _("分公司"), TEXT, 14, value=lambda r: branch(store_of(r))),
    ]
    if category:
        columns.append(
            _choice_column(
                "category", _("类别"), 15, Category.choices, lambda r: store_of(r).category
            )
        )
    if location:
        columns.append(
            _choice_column(
                "location",
                _("区域"),
                10,
                LocationClass.choices,
                lambda r: store_of(r).location_class,
            )
        )
    return columns


def visit_number_column(value: Callable) -> Column:
    return Column("visit", _("检查编号"), INT, 9, value=value)


def visit_time_column(context: WorkbookContext, key: str, header: str, moment_of: Callable):
    """A visit's time, or only its date where the reader may not learn the time of
    day (ruling R9)."""
    if context.scope.show_visit_times:
        return Column(key, header, DATETIME, 18, value=lambda r: local(moment_of(r)))

    def day(record):
        moment = local(moment_of(record))
        return None if moment is None else moment.date()

    return Column(key, header, DATE, 12, value=day)


def inspector_column(value: Callable) -> Column:
    return Column("inspector", _("检查员"), TEXT, 12, value=value, visible=shows_inspectors)
