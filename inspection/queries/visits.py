"""The visit pages' reads: the inspector's worklist, the reviewer's lists, the tablet
form's sections, and what a visit's findings deduct."""

import datetime as dt

from django.db.models import QuerySet

from inspection import scoring
from inspection.models import ItemKind, Section, Visit, VisitAssignment, VisitStatus

RECENTLY_PUBLISHED = 30


def inspector_worklist(inspector, today: dt.date) -> dict:
    """This month's planned visits not yet started, split into today's and the rest, and
    the inspector's unpublished visits: returned, drafts and submitted."""
    month = today.replace(day=1)
    assignments = list(
        VisitAssignment.objects.filter(inspector=inspector, month=month, visit__isnull=True)
        .select_related("store")
        .order_by("planned_on", "store__code", "pk")
    )
    visits = list(
        Visit.objects.filter(inspector=inspector)
        .exclude(status=VisitStatus.PUBLISHED)
        .select_related("store")
        .order_by("-visited_at", "pk")
    )
    return {
        "month": month,
        "today_assignments": [a for a in assignments if a.planned_on == today],
        "month_assignments": [a for a in assignments if a.planned_on != today],
        "returned": [v for v in visits if v.is_returned],
        "drafts": [v for v in visits if v.is_editable and not v.is_returned],
        "submitted": [v for v in visits if v.status == VisitStatus.SUBMITTED],
    }


def review_lists(visits: QuerySet[Visit]) -> dict:
    """The visits waiting for review, oldest first, and the latest published ones."""
    visits = visits.select_related("store", "store__branch", "inspector")
    return {
        "submitted": visits.filter(status=VisitStatus.SUBMITTED).order_by("submitted_at", "pk"),
        "published": visits.filter(status=VisitStatus.PUBLISHED).order_by("-published_at", "-pk")[
            :RECENTLY_PUBLISHED
        ],
    }


def form_sections(visit: Visit) -> list[Section]:
    """The scored sections of the visit's standard, each with its items as `form_items`;
    an item carries whether it `applies` to the store, the `requirement` the store must
    meet where the store decides it (A4-10) and, if ranged, its `point_choices`."""
    sections = list(visit.standard.sections.filter(is_scored=True).select_related("parent"))
    store = visit.store.scoring_attributes()
    by_section = {}
    for item in visit.standard.items.all():
        item.applies = scoring.item_applies({"applies_to": item.applies_to}, store)
        item.requirement = scoring.item_requirement(
            {"requirement_rules": item.requirement_rules}, store
        )
        if item.kind == ItemKind.RANGED:
            item.point_choices = range(item.points_min, item.points_max + 1)
        by_section.setdefault(item.section_id, []).append(item)
    for section in sections:
        section.form_items = by_section.get(section.pk, [])
    return sections


def visit_deductions(visit: Visit, findings: dict) -> tuple[scoring.VisitScore, list[dict]]:
    """The score of the findings as they stand, and one row per deducting item."""
    rules = visit.standard.rules()
    score = scoring.score_visit(rules, visit.store.scoring_attributes(), findings)
    rows = [
        {"item": item, "points": score.deductions[item["code"]], "finding": findings[item["code"]]}
        for item in rules["items"]
        if item["code"] in score.deductions
    ]
    return score, rows


def visit_notes(visit: Visit, score: scoring.VisitScore) -> dict:
    """What a visit's page says beside its deductions: the prohibitions its red lines
    break, and the requirements the store's attributes decide (A4-10), as
    (item, requirement) pairs."""
    store = visit.store.scoring_attributes()
    return {
        "prohibitions": list(visit.standard.prohibitions.filter(number__in=score.prohibitions)),
        "requirements": [
            (item, scoring.item_requirement(item, store))
            for item in visit.standard.rules()["items"]
            if item["code"] in score.requirements
        ],
    }
