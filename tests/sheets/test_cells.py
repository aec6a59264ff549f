import datetime as dt
from decimal import Decimal

import pytest

from sheets.cells import cell_date, cell_decimal, cell_integer, cell_minute, cell_text, is_blank


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (3.0, 3), (" 12 ", 12), ("+4", 4), ("-2", -2), ("３", 3), (2.5, None)]
    + [(True, None), ("1e3", None), ("twelve", None), ("9" * 5000, None), ("²", None)],
)
def test_one_integer_parser_reads_whole_numbers_and_nothing_else(value, expected):
    assert cell_integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.5, Decimal("4.5")), (" 16 ", Decimal("16")), (".5", Decimal("0.5")), (3, Decimal("3"))]
    + [("1e3", None), ("abc", None), (False, None), ("9" * 5000, Decimal("9" * 5000))],
)
def test_decimals_are_read_exactly_as_typed(value, expected):
    assert cell_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2010, 5, 1, 8, 0), dt.date(2010, 5, 1)),
        (dt.date(2010, 5, 1), dt.date(2010, 5, 1)),
        ("2010-5-1", dt.date(2010, 5, 1)),
        ("2020-13-01", None),
        ("0000-01-01", None),
        ("2020/01/01", None),
        (20200101, None),
    ],
)
def test_dates_are_date_cells_or_iso_text(value, expected):
    assert cell_date(value) == expected


def test_a_moment_is_rounded_to_the_minute_in_the_apps_time_zone():
    moment = cell_minute(dt.datetime(2026, 3, 2, 10, 29, 59, 900000))

    assert (moment.hour, moment.minute, str(moment.tzinfo)) == (10, 30, "Asia/Shanghai")
    assert cell_minute("2026-03-02 10:30") == moment


@pytest.mark.parametrize(
    "value", [dt.datetime.max, dt.datetime.min, "2026-02-30 10:00", "2026-03-02", 45000]
)
def test_a_moment_that_cannot_be_read_is_none_not_an_exception(value):
    assert cell_minute(value) is None


def test_codes_typed_as_numbers_read_as_text_without_the_decimal():
    assert (cell_text(1001.0), cell_text(" ZJ1 "), cell_text(2.5)) == ("1001", "ZJ1", "2.5")
    assert is_blank("  ") and is_blank(None) and not is_blank(0)
