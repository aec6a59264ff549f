import datetime as dt

from inspection.queries import rankings
from stores.models import Category, Store
from tests.inspection.report_data import month_of_scores

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def test_movement_compares_with_the_same_ranking_a_month_earlier(ordinary, inspector, sections):
    a, b, c, d = ordinary[:4]
    month_of_scores({a: 90, b: 80, c: 75}, month=MARCH, inspector=inspector)
    month_of_scores({a: 80, b: 90, c: 75, d: 95}, month=APRIL, inspector=inspector)
    rows = rankings.ranking_rows(month=APRIL, view=rankings.VIEW_OVERALL, sections=sections)
    assert [(r.store.pk, r.rank, r.movement) for r in rows] == [
        (d.pk, 1, None),
        (b.pk, 2, 0),
        (a.pk, 3, -2),
        (c.pk, 4, -1),
    ]
    assert rows[2].places == 2


def test_ranking_rows_carry_the_section_scores_in_column_order(ordinary, inspector, sections):
    month_of_scores({ordinary[0]: 88}, month=APRIL, inspector=inspector)
    (row,) = rankings.ranking_rows(month=APRIL, view=rankings.VIEW_OVERALL, sections=sections)
    # 12 points: A2-01 three times.
    assert row.sections == [5, 3, 10, 15, 5, 20, 10, 5, 5, 10]


def test_sorting_puts_rows_without_a_value_last_whichever_the_direction(
    ordinary, inspector, sections
):
    a, b, c = ordinary[:3]
    month_of_scores({a: 90, b: 80}, month=MARCH, inspector=inspector)
    month_of_scores({a: 80, b: 90, c: 85}, month=APRIL, inspector=inspector)
    rows = rankings.ranking_rows(month=APRIL, view=rankings.VIEW_OVERALL, sections=sections)

    def order(column, descending):
        return [r.store.name for r in rankings.sort_rows(rows, column, descending, sections)]

    assert order("move", True) == [b.name, a.name, c.name]
    assert order("move", False) == [a.name, b.name, c.name]
    assert order("total", False) == [a.name, c.name, b.name]
    assert order("A2", True)[0] == b.name


def test_groups_follow_the_category_order_of_the_standard(make_store, inspector, sections):
    township = make_store(category=Category.TOWNSHIP)
    flagship = make_store(category=Category.FLAGSHIP)
    month_of_scores({township: 90, flagship: 80}, month=APRIL, inspector=inspector)
    rows = rankings.ranking_rows(month=APRIL, view=rankings.VIEW_CATEGORY, sections=sections)
    groups = rankings.ranking_groups(rows, rankings.VIEW_CATEGORY)
    assert [(g.label, [r.rank for r in g.rows]) for g in groups] == [
        ("沟通100服务店", [1]),
        ("乡镇营业厅", [1]),
    ]


def test_stores_not_inspected_leave_out_closed_and_not_yet_opened_stores(
    ordinary, make_store, inspector
):
    month_of_scores({ordinary[0]: 90}, month=APRIL, inspector=inspector)
    make_store(name="已关闭", is_active=False)
    make_store(name="五月开业", opened_on=dt.date(2025, 5, 1))
    make_store(name="四月底开业", opened_on=dt.date(2025, 4, 30))
    names = [s.name for s in rankings.stores_not_inspected(month=APRIL, stores=Store.objects.all())]
    assert names == [s.name for s in ordinary[1:]] + ["四月底开业"]
