"""The month the lifecycle, monthly and bonus tests play in."""

import datetime as dt

from inspection.models import MonthlyResult
from tests.conftest import local

MONTH = dt.date(2026, 9, 1)


def at(day, hour=10):
    return local(2026, 9, day, hour)


def result_of(store, month=MONTH):
    return MonthlyResult.objects.get(store=store, month=month)
