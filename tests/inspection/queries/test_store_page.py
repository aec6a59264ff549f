import datetime as dt
from decimal import Decimal

from inspection.queries import store_page
from inspection.services.visits import visits_publish
from stores.models import Category
from tests.inspection.report_data import losing, month_of_scores, submit

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def test_store_history_has_twelve_months_with_gaps_and_the_category_mean(
    ordinary, make_store, inspector
):
    a, b = ordinary[:2]
    flagship = make_store(category=Category.FLAGSHIP)
    month_of_scores({a: 90, b: 81, flagship: 75}, month=MARCH, inspector=inspector)
    month_of_scores({b: 80}, month=APRIL, inspector=inspector)
    history = store_page.store_history(a, APRIL)
    assert [p.month for p in history][:2] == [dt.date(2024, 5, 1), dt.date(2024, 6, 1)]
    march, april = history[-2:]
    assert (march.total, march.category_average) == (Decimal("90.00"), Decimal("85.50"))
    assert (april.total, april.category_average) == (None, Decimal("80.00"))


def test_frequent_deductions_count_visits_in_the_window(ordinary, inspector):
    store = ordinary[0]
    month_of_scores({store: 88}, month=dt.date(2024, 4, 1), inspector=inspector)
    month_of_scores({store: 86}, month=MARCH, inspector=inspector)
    visit = submit(
        store,
        losing(3, note="资料过期"),
        inspector=inspector,
        when=dt.datetime(2025, 4, 8, 2, tzinfo=dt.UTC),
    )
    visits_publish(visits=[visit], by=inspector)
    frequent = store_page.store_frequent_deductions(store, since=dt.date(2024, 5, 1), until=APRIL)
    assert [(d.code, d.times, d.points) for d in frequent] == [
        ("A2-01", 1, 12),
        ("A5-01", 1, 3),
        ("A4-01", 1, 2),
    ]
    visits = store_page.published_visits(store, since=dt.date(2024, 5, 1), until=APRIL)
    assert [v.pk for v in visits][0] == visit.pk
    assert [f.note for f in visits[0].findings.all()] == ["资料过期"]
