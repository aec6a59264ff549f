"""Building months of published results for the reports tests, through the services."""

import datetime as dt

from inspection.models import BonusCriterion, MonthlyResult, Standard, VisitSource
from inspection.services.visits import (
    visit_create,
    visit_save_findings,
    visit_submit,
    visits_publish,
)
from stores.models import Store
from tests.conftest import local


def losing(points: int, *, note: str = "") -> dict:
    """Findings that cost a 普通营业厅 exactly `points` (0–29) without hitting a floor:
    A2-01 at 4, A4-01 at 2 and A5-01 at 3 points an occurrence (so never exactly 1)."""
    if not 0 <= points <= 29 or points == 1:
        raise ValueError(points)
    findings = {}
    if points % 2:
        findings["A5-01"] = {"occurrences": 1}
        points -= 3
    a2 = min(3, points // 4)
    a4 = (points - 4 * a2) // 2
    if a2:
        findings["A2-01"] = {"occurrences": a2}
    if a4:
        findings["A4-01"] = {"occurrences": a4}
    if note:
        first = next(iter(findings), None)
        if first:
            findings[first]["note"] = note
    return findings


def submit(store: Store, findings: dict, *, inspector, when: dt.datetime):
    standard = Standard.objects.get(version="2009")
    visit = visit_create(
        store=store,
        inspector=inspector,
        visited_at=when,
        standard=standard,
        source=VisitSource.FORM,
    )
    visit_save_findings(visit=visit, findings=findings)
    return visit_submit(visit=visit)


def month_of_scores(
    scores: dict[Store, int], *, month: dt.date, inspector, day: int = 10
) -> list[MonthlyResult]:
    """One visit per store scoring `total`, published together so the month is ranked once."""
    visits = [
        submit(
            store,
            losing(100 - total),
            inspector=inspector,
            when=local(month.year, month.month, day, 9) + dt.timedelta(minutes=minute),
        )
        for minute, (store, total) in enumerate(scores.items())
    ]
    visits_publish(visits=visits, by=inspector)
    return list(MonthlyResult.objects.filter(month=month).order_by("rank_overall", "store__code"))


def criteria(count: int) -> list[BonusCriterion]:
    return list(BonusCriterion.objects.filter(standard__version="2009").order_by("order")[:count])
