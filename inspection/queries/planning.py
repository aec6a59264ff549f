"""The planning page's reads: one page of a month's planned visits (or of the stores
still without one), the inspectors' load, and an inspector's month day by day.
Each is a fixed number of queries however many stores there are."""

import calendar
import datetime as dt

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inspection.models import VisitAssignment, VisitStatus
from inspection.queries.pages import paginate
from stores.access import inspectors
from stores.models import Branch, Store

PLAN_PER_PAGE = 50
# An inspector's month shows at most this many visits; the plan lists them all by page.
MONTH_SHOWN = 200


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("待开始")
    STARTED = "started", _("检查中")
    SUBMITTED = "submitted", _("已提交")
    UNPLANNED = "unplanned", _("没有安排的营业厅")


def plannable_inspectors() -> QuerySet:
    return inspectors().select_related("membership", "membership__branch").order_by("username")


def plannable_branches(stores: QuerySet[Store]) -> QuerySet[Branch]:
    return Branch.objects.filter(pk__in=stores.values("branch_id")).order_by("code")


def unplanned_stores(*, month: dt.date, stores: QuerySet[Store]) -> QuerySet[Store]:
    planned = VisitAssignment.objects.filter(month=month).values("store_id")
    return stores.exclude(pk__in=planned)


def _store_filters(prefix: str, filters: dict) -> Q:
    q = Q()
    if filters.get("branch"):
        q &= Q(**{f"{prefix}branch": filters["branch"]})
    if filters.get("category"):
        q &= Q(**{f"{prefix}category": filters["category"]})
    if filters.get("q"):
        text = filters["q"].strip()
        q &= Q(**{f"{prefix}code__icontains": text}) | Q(**{f"{prefix}name__icontains": text})
    return q


STATUS_FILTERS = {
    PlanStatus.PLANNED: Q(visit__isnull=True),
    PlanStatus.STARTED: Q(visit__status=VisitStatus.DRAFT),
    PlanStatus.SUBMITTED: Q(visit__status__in=[VisitStatus.SUBMITTED, VisitStatus.PUBLISHED]),
}


def plan_assignments(*, month: dt.date, stores: QuerySet[Store]) -> QuerySet[VisitAssignment]:
    """The month's planned visits of the planner's stores."""
    return VisitAssignment.objects.filter(month=month, store__in=stores)


def plan_page(*, month: dt.date, stores: QuerySet[Store], filters: dict, page_number) -> dict:
    """One page of the month's planned visits, or with status "unplanned" of the stores
    without any (whose inspector and date filters do not apply), and the count of
    the stores still unplanned."""
    unplanned = unplanned_stores(month=month, stores=stores)
    if filters.get("status") == PlanStatus.UNPLANNED:
        rows = unplanned.filter(_store_filters("", filters)).order_by("code")
    else:
        rows = (
            plan_assignments(month=month, stores=stores)
            .filter(_store_filters("store__", filters))
            .select_related("store", "store__branch", "inspector", "visit")
            .order_by("store__code", "pk")
        )
        if filters.get("inspector"):
            rows = rows.filter(inspector=filters["inspector"])
        if filters.get("planned_on"):
            rows = rows.filter(planned_on=filters["planned_on"])
        if filters.get("status"):
            rows = rows.filter(STATUS_FILTERS[filters["status"]])
    return {**paginate(rows, PLAN_PER_PAGE, page_number), "unplanned": unplanned.count()}


def inspector_loads(month: dt.date) -> list[tuple]:
    """Every inspector with their planned visits that month, across every branch (so
    plans made by different planners still spread evenly)."""
    counts = dict(
        VisitAssignment.objects.filter(month=month)
        .values("inspector_id")
        .annotate(n=Count("pk"))
        .values_list("inspector_id", "n")
    )
    return [(i, counts.get(i.pk, 0)) for i in plannable_inspectors()]


def inspector_month(*, inspector, month: dt.date, stores: QuerySet[Store] | None = None) -> dict:
    """Every day of the month with the inspector's planned visits that day (of `stores`
    when given), the visits without a date as a last row dated None, and how many
    visits there are (only the first MONTH_SHOWN are in the days)."""
    assignments = (
        VisitAssignment.objects.filter(inspector=inspector, month=month)
        .select_related("store", "store__branch", "visit")
        .order_by("planned_on", "store__code", "pk")
    )
    if stores is not None:
        assignments = assignments.filter(store__in=stores)
    by_day = {}
    for assignment in assignments[:MONTH_SHOWN]:
        by_day.setdefault(assignment.planned_on, []).append(assignment)
    days = calendar.monthrange(month.year, month.month)[1]
    rows = [
        (day, by_day.get(day, [])) for day in (month.replace(day=n) for n in range(1, days + 1))
    ]
    return {"days": [*rows, (None, by_day.get(None, []))], "total": assignments.count()}
