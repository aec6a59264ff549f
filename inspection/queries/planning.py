"""The planning page: a month's stores with their planned visits and the inspectors
who may go there, and how many visits each inspector has that month."""

import datetime as dt
from collections import Counter

from django.db.models import QuerySet

from inspection.models import VisitAssignment
from stores.access import inspectors
from stores.models import Store


def plannable_inspectors() -> QuerySet:
    return inspectors().select_related("membership", "membership__branch").order_by("username")


def month_plan(*, month: dt.date, stores: QuerySet[Store]) -> dict:
    """One row per store (its assignments, the inspectors of other branches), the number
    of stores without any, and each inspector's load across every branch."""
    stores = list(stores)
    pool = list(plannable_inspectors())
    assignments = {}
    for assignment in (
        VisitAssignment.objects.filter(month=month, store__in=stores)
        .select_related("inspector", "visit")
        .order_by("store__code", "pk")
    ):
        assignments.setdefault(assignment.store_id, []).append(assignment)
    load = Counter(
        VisitAssignment.objects.filter(month=month)
        .order_by()
        .values_list("inspector_id", flat=True)
    )
    rows = [
        {
            "store": store,
            "assignments": assignments.get(store.pk, []),
            "inspectors": [i for i in pool if i.membership.branch_id != store.branch_id],
        }
        for store in stores
    ]
    return {
        "rows": rows,
        "unplanned": sum(1 for row in rows if not row["assignments"]),
        "load": [(i, load[i.pk]) for i in pool],
    }
