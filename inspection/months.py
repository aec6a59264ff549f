import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# The months the app knows, the one bound of every month and visit time it takes in:
# nothing before (ruling R10), and nothing so late that a month after it overflows.
FIRST_MONTH = dt.date(2000, 1, 1)
LAST_MONTH = dt.date(2100, 12, 1)


def parse_month(text: str) -> dt.date:
    """'2026-11' -> date(2026, 11, 1); ValueError on anything else, and on any month
    outside FIRST_MONTH..LAST_MONTH."""
    match = MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    month = dt.date(int(match[1]), int(match[2]), 1)
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise ValueError(f"expected a month from {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}")
    return month


def month_range_message() -> str:
    """What a person who gave a bad month is told."""
    return _("请填写%(first)s至%(last)s之间的月份（YYYY-MM）。") % {
        "first": f"{FIRST_MONTH:%Y-%m}",
        "last": f"{LAST_MONTH:%Y-%m}",
    }


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes [start, end) of a calendar month in local time."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month.replace(day=1), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz)
    return start, end


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def in_known_months(moment: dt.datetime) -> bool:
    """Whether an aware datetime falls in the months the app knows, in local time."""
    start, _end = month_bounds(FIRST_MONTH)
    _start, end = month_bounds(LAST_MONTH)
    return start <= moment < end
