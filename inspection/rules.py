"""The standard as data: loading a version from JSON, serving its scoring rules, and
its own texts in the reader's language.

`standard_rules` builds the one dictionary that both scorers read: the Python one
in `inspection.scoring` and the browser's `static/inspection/js/scoring.js`.
"""

import json
from pathlib import Path

from django.apps import apps as global_apps
from django.utils import translation

STANDARDS_DIR = Path(__file__).resolve().parent / "standards"

ITEM_FIELDS = (
    "text_en",
    "guide",
    "points_min",
    "points_max",
    "is_key",
    "once",
    "red_line",
    "unit",
    "limit",
    "limit_rules",
    "required_count",
    "max_count",
    "applies_to",
)


def read_standard_file(name: str) -> dict:
    return json.loads((STANDARDS_DIR / name).read_text(encoding="utf-8"))


def standard_load(data: dict, *, apps=global_apps):
    """Create one standard version from its JSON description.

    `apps` lets data migrations pass their historical app registry.
    """
    Standard = apps.get_model("inspection", "Standard")
    Part = apps.get_model("inspection", "Part")
    Section = apps.get_model("inspection", "Section")
    Item = apps.get_model("inspection", "Item")
    BonusCriterion = apps.get_model("inspection", "BonusCriterion")

    bonus = data.get("bonus", {})
    standard = Standard.objects.create(
        name=data["name"],
        name_en=data.get("name_en", ""),
        version=data["version"],
        effective_from=data["effective_from"],
        bonus_top_n=bonus.get("top_n", 5),
        bonus_min_criteria=bonus.get("min_criteria", 3),
        bonus_max_points=bonus.get("max_points", 2),
    )
    order = iter(range(1, 10_000))
    items = []
    # A data migration loads through the models of its own time: pass only the
    # optional fields those models have.
    item_fields = {f.name for f in Item._meta.get_fields()}.intersection(ITEM_FIELDS)
    section_has_rule_en = any(f.name == "rule_en" for f in Section._meta.get_fields())

    def add_section(part, section_data, parent=None):
        children = section_data.get("children", [])
        section = Section.objects.create(
            standard=standard,
            part=part,
            parent=parent,
            code=section_data["code"],
            name=section_data["name"],
            name_en=section_data.get("name_en", ""),
            points=section_data["points"],
            rule=section_data.get("rule", ""),
            **({"rule_en": section_data.get("rule_en", "")} if section_has_rule_en else {}),
            is_scored=not children,
            order=next(order),
        )
        for child in children:
            add_section(part, child, parent=section)
        for item_data in section_data.get("items", []):
            extra = {key: item_data[key] for key in item_fields if key in item_data}
            items.append(
                Item(
                    standard=standard,
                    section=section,
                    code=item_data["code"],
                    text=item_data["text"],
                    kind=item_data["kind"],
                    points=item_data.get("points", 0),
                    order=next(order),
                    **extra,
                )
            )

    for part_order, part_data in enumerate(data["parts"], start=1):
        part = Part.objects.create(
            standard=standard,
            code=part_data["code"],
            name=part_data["name"],
            name_en=part_data.get("name_en", ""),
            points=part_data["points"],
            order=part_order,
        )
        for section_data in part_data["sections"]:
            add_section(part, section_data)
    Item.objects.bulk_create(items)
    BonusCriterion.objects.bulk_create(
        BonusCriterion(standard=standard, order=i, **criterion)
        for i, criterion in enumerate(data.get("bonus_criteria", []), start=1)
    )
    return standard


def standard_rules(standard) -> dict:
    """Everything the scorers need about one standard version, as JSON-ready data."""
    sections = [
        {
            "code": s.code,
            "name": s.name,
            "name_en": s.name_en,
            "points": s.points,
            "part": s.part.code,
            "parent": s.parent.code if s.parent_id else None,
        }
        for s in standard.sections.filter(is_scored=True).select_related("part", "parent")
    ]
    items = [
        {
            "code": i.code,
            "section": i.section.code,
            "text": i.text,
            "text_en": i.text_en,
            "guide": i.guide,
            "kind": i.kind,
            "points": i.points,
            "points_min": i.points_min,
            "points_max": i.points_max,
            "is_key": i.is_key,
            "once": i.once,
            "red_line": i.red_line,
            "unit": i.unit,
            "limit": None if i.limit is None else float(i.limit),
            "limit_rules": i.limit_rules,
            "required_count": i.required_count,
            "max_count": i.max_count,
            "applies_to": i.applies_to,
        }
        for i in standard.items.select_related("section")
    ]
    return {
        "version": standard.version,
        "name": standard.name,
        "sections": sections,
        "items": items,
    }


def localized(chinese: str, english: str) -> str:
    """The standard's own texts carry an English version beside the Chinese one."""
    language = translation.get_language() or ""
    return english if english and language.startswith("en") else chinese
