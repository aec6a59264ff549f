import datetime as dt
from decimal import Decimal

import pytest

from inspection import reports, services
from inspection.models import MonthlyResult
from stores.models import Category, Store
from tests.inspection.report_data import criteria, losing, month_of_scores, submit

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


@pytest.fixture
def sections(standard):
    return reports.scored_sections(standard)


@pytest.fixture
def ordinary(make_store):
    return [make_store(name=f"普通{n}") for n in range(1, 8)]


def test_the_scored_sections_are_the_leaves_in_the_standards_order(sections):
    assert [s.code for s in sections] == [
        "A1", "A2", "A3", "A4", "A5", "B1a", "B1b", "B2a", "B2b", "B3",
    ]  # fmt: skip
    assert sections[0].label == "A1 仪容仪表"
    assert sum(s.points for s in sections) == 100


def test_the_english_interface_gets_the_standards_english_names(standard):
    from django.utils import translation

    with translation.override("en"):
        assert reports.scored_sections(standard)[0].label == "A1 Appearance"


def test_movement_compares_with_the_same_ranking_a_month_earlier(ordinary, inspector, sections):
    a, b, c, d = ordinary[:4]
    month_of_scores({a: 90, b: 80, c: 75}, month=MARCH, inspector=inspector)
    month_of_scores({a: 80, b: 90, c: 75, d: 95}, month=APRIL, inspector=inspector)
    rows = reports.ranking_rows(month=APRIL, view=reports.VIEW_OVERALL, sections=sections)
    assert [(r.store.pk, r.rank, r.movement) for r in rows] == [
        (d.pk, 1, None),
        (b.pk, 2, 0),
        (a.pk, 3, -2),
        (c.pk, 4, -1),
    ]
    assert rows[2].places == 2


def test_ranking_rows_carry_the_section_scores_in_column_order(ordinary, inspector, sections):
    month_of_scores({ordinary[0]: 88}, month=APRIL, inspector=inspector)
    (row,) = reports.ranking_rows(month=APRIL, view=reports.VIEW_OVERALL, sections=sections)
    # 12 points: A2-01 three times.
    assert row.sections == [5, 3, 10, 15, 5, 20, 10, 5, 5, 10]


def test_sorting_puts_rows_without_a_value_last_whichever_the_direction(
    ordinary, inspector, sections
):
    a, b, c = ordinary[:3]
    month_of_scores({a: 90, b: 80}, month=MARCH, inspector=inspector)
    month_of_scores({a: 80, b: 90, c: 85}, month=APRIL, inspector=inspector)
    rows = reports.ranking_rows(month=APRIL, view=reports.VIEW_OVERALL, sections=sections)

    def order(column, descending):
        return [r.store.name for r in reports.sort_rows(rows, column, descending, sections)]

    assert order("move", True) == [b.name, a.name, c.name]
    assert order("move", False) == [a.name, b.name, c.name]
    assert order("total", False) == [a.name, c.name, b.name]
    assert order("A2", True)[0] == b.name


def test_groups_follow_the_category_order_of_the_standard(make_store, inspector, sections):
    township = make_store(category=Category.TOWNSHIP)
    flagship = make_store(category=Category.FLAGSHIP)
    month_of_scores({township: 90, flagship: 80}, month=APRIL, inspector=inspector)
    rows = reports.ranking_rows(month=APRIL, view=reports.VIEW_CATEGORY, sections=sections)
    groups = reports.ranking_groups(rows, reports.VIEW_CATEGORY)
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
    names = [s.name for s in reports.stores_not_inspected(month=APRIL, stores=Store.objects.all())]
    assert names == [s.name for s in ordinary[1:]] + ["四月底开业"]


def test_store_history_has_twelve_months_with_gaps_and_the_category_mean(
    ordinary, make_store, inspector
):
    a, b = ordinary[:2]
    flagship = make_store(category=Category.FLAGSHIP)
    month_of_scores({a: 90, b: 81, flagship: 75}, month=MARCH, inspector=inspector)
    month_of_scores({b: 80}, month=APRIL, inspector=inspector)
    history = reports.store_history(a, APRIL)
    assert [p.month for p in history][:2] == [dt.date(2024, 5, 1), dt.date(2024, 6, 1)]
    march, april = history[-2:]
    assert (march.total, march.category_average) == (Decimal("90.00"), Decimal("85.50"))
    assert (april.total, april.category_average) == (None, Decimal("80.00"))


def test_section_averages_are_means_over_the_stores(ordinary, inspector, sections):
    month_of_scores(
        {ordinary[0]: 88, ordinary[1]: 100, ordinary[2]: 100}, month=APRIL, inspector=inspector
    )
    averages = reports.section_averages(MonthlyResult.objects.filter(month=APRIL), sections)
    assert averages["A2"] == Decimal("11.00")
    assert averages["A1"] == Decimal("5.00")


def test_top_deductions_add_up_to_a_running_share_of_all_points_lost(ordinary, inspector, standard):
    # 12 = A2-01 ×3; 14 = A2-01 ×3 + A4-01; 11 = A5-01 + A2-01 ×2.
    month_of_scores(
        {ordinary[0]: 88, ordinary[1]: 86, ordinary[2]: 89}, month=APRIL, inspector=inspector
    )
    top = reports.top_deductions(month=APRIL, stores=Store.objects.all())
    assert [(d.code, d.times, d.points, d.cumulative_percent) for d in top] == [
        ("A2-01", 3, 32, Decimal("86.49")),
        ("A5-01", 1, 3, Decimal("94.59")),
        ("A4-01", 1, 2, Decimal("100.00")),
    ]
    assert reports.top_deductions(month=APRIL, stores=Store.objects.none()) == []


def test_the_distribution_counts_each_store_once(ordinary, inspector):
    month_of_scores(
        dict(zip(ordinary[:5], [100, 95, 94, 90, 75], strict=True)),
        month=APRIL,
        inspector=inspector,
    )
    bands = reports.score_distribution(MonthlyResult.objects.filter(month=APRIL))
    assert {b.label: b.stores for b in bands if b.stores} == {
        "≥ 100": 1,
        "95–99": 1,
        "90–94": 2,
        "70–79": 1,
    }


def test_bonus_candidates_are_the_top_five_by_base_score_with_ties(
    ordinary, inspector, hq, standard
):
    scores = dict(zip(ordinary, [98, 97, 96, 95, 94, 94, 90], strict=True))
    month_of_scores(scores, month=APRIL, inspector=inspector)
    # A bonus on the 5th lifts its total, not its base: the tie at 5th stays a candidate.
    services.bonus_award(
        store=ordinary[4], month=APRIL, points=2, criteria=criteria(3), highlight="亮点", by=hq
    )
    candidates = reports.bonus_candidates(
        month=APRIL, stores=Store.objects.all(), standard=standard
    )
    assert [(c.store, c.category_base_rank) for c in candidates] == [
        (ordinary[0], 1),
        (ordinary[1], 2),
        (ordinary[2], 3),
        (ordinary[3], 4),
        (ordinary[4], 5),
        (ordinary[5], 5),
    ]
    assert [a.points for a in candidates[4].store.month_awards] == [2]


def test_red_line_visits_are_the_months_published_ones_in_scope(
    ordinary, make_store, other_branch, inspector
):
    theirs = make_store(branch=other_branch)
    red = {"B1a-03": {"occurrences": 1}}
    ours = submit(
        ordinary[0], red, inspector=inspector, when=dt.datetime(2025, 4, 3, 2, tzinfo=dt.UTC)
    )
    elsewhere = submit(
        theirs, red, inspector=inspector, when=dt.datetime(2025, 4, 4, 2, tzinfo=dt.UTC)
    )
    submit(ordinary[1], red, inspector=inspector, when=dt.datetime(2025, 4, 5, 2, tzinfo=dt.UTC))
    services.visits_publish(visits=[ours, elsewhere], by=inspector)
    visits = reports.red_line_visits(month=APRIL, stores=Store.objects.exclude(pk=theirs.pk))
    assert list(visits) == [ours]


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
    services.visits_publish(visits=[visit], by=inspector)
    frequent = reports.store_frequent_deductions(store, since=dt.date(2024, 5, 1), until=APRIL)
    assert [(d.code, d.times, d.points) for d in frequent] == [
        ("A2-01", 1, 12),
        ("A5-01", 1, 3),
        ("A4-01", 1, 2),
    ]
    visits = reports.published_visits(store, since=dt.date(2024, 5, 1), until=APRIL)
    assert [v.pk for v in visits][0] == visit.pk
    assert [f.note for f in visits[0].findings.all()] == ["资料过期"]
