"""Cells as openpyxl reads them, turned into what the importers store.

Each parser takes a non-blank cell and returns None when it cannot read it, so the
importer names the cell and says what it expected.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone

# Python refuses int() of more than 4,300 digits; no column wants more than these.
INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$")
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MINUTE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})$")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as text; whole numbers typed into a text column (codes) lose their '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_integer(value) -> int | None:
    """A whole number: an integer cell, a float without a fraction, or digits as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and INTEGER_RE.match(value.strip()):
        return int(value.strip())
    return None


def cell_decimal(value) -> Decimal | None:
    """A number without an exponent, exactly as typed (a float as Python prints it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str) or not NUMBER_RE.match(value.strip()):
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def cell_date(value) -> dt.date | None:
    """A date cell, or YYYY-MM-DD typed as text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (match := DATE_RE.match(value.strip())):
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    return None


def cell_minute(value) -> dt.datetime | None:
    """A moment to the minute in the app's time zone: a date-time cell, or
    YYYY-MM-DD HH:MM typed as text."""
    if isinstance(value, dt.datetime):
        try:
            # Excel keeps times as fractions of a day; round off the float noise.
            moment = (value + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)
        except OverflowError:
            return None
    elif isinstance(value, str) and (match := MINUTE_RE.match(value.strip())):
        try:
            moment = dt.datetime(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    else:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        # Stored in UTC: a moment at the ends of the calendar cannot be.
        moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    return moment
