import datetime as dt
from decimal import Decimal

from inspection.models import MonthlyResult
from inspection.queries import results
from tests.inspection.report_data import month_of_scores

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def test_the_scored_sections_are_the_leaves_in_the_standards_order(sections):
    assert [s.code for s in sections] == [
        "A1", "A2", "A3", "A4", "A5", "B1a", "B1b", "B2a", "B2b", "B3",
    ]  # fmt: skip
    assert sections[0].label == "A1 仪容仪表"
    assert sum(s.points for s in sections) == 100


def test_the_english_interface_gets_the_standards_english_names(standard):
    from django.utils import translation

    with translation.override("en"):
        assert results.scored_sections(standard)[0].label == "A1 Appearance"


def test_section_averages_are_means_over_the_stores(ordinary, inspector, sections):
    month_of_scores(
        {ordinary[0]: 88, ordinary[1]: 100, ordinary[2]: 100}, month=APRIL, inspector=inspector
    )
    averages = results.section_averages(MonthlyResult.objects.filter(month=APRIL), sections)
    assert averages["A2"] == Decimal("11.00")
    assert averages["A1"] == Decimal("5.00")
