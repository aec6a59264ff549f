"""The month the lifecycle, monthly and bonus tests play in."""

import datetime as dt

from inspection.models import MonthlyResult
from tests.conftest import local

MONTH = dt.date(2026, 9, 1)


def at(day, hour=10):
    return local(2026, 9, day, hour)


def result_of(store, month=MONTH):
    return MonthlyResult.objects.get(store=store, month=month)


def stored_and_fresh(month=MONTH) -> tuple[dict, dict]:
    """The month's stored results, and what a recompute from the visits and awards
    gives now, as comparable field values by store id."""
    from inspection.services.monthly import RESULT_FIELDS, month_standings, result_fields

    stored = {
        result.store_id: {name: getattr(result, name) for name in RESULT_FIELDS}
        for result in MonthlyResult.objects.filter(month=month)
    }
    fresh = {
        store_id: result_fields(standing)
        for store_id, standing in month_standings(month=month).items()
    }
    return stored, fresh
