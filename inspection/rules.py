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
    "guide_en",
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
    "lapse",
    "requirement_rules",
)
STANDARD_FIELDS = ("name_en", "peak_definition", "peak_definition_en")
PROHIBITION_FIELDS = ("name", "name_en", "text", "text_en")


def read_standard_file(name: str) -> dict:
    return json.loads((STANDARDS_DIR / name).read_text(encoding="utf-8"))


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _walk(data: dict):
    """Every part, section and item of a standard file in the standard's order, as
    (part index, part data, section data, parent section code, item data or None, order)."""
    order = iter(range(1, 10_000))

    def sections(part_index, part, section, parent):
        yield part_index, part, section, parent, None, next(order)
        for child in section.get("children", []):
            yield from sections(part_index, part, child, section["code"])
        for item in section.get("items", []):
            yield part_index, part, section, parent, item, next(order)

    for part_index, part in enumerate(data["parts"], start=1):
        for section in part["sections"]:
            yield from sections(part_index, part, section, None)


def _section_fields(section: dict, fields: set[str]) -> dict:
    values = {
        "name": section["name"],
        "name_en": section.get("name_en", ""),
        "points": section["points"],
        "rule": section.get("rule", ""),
        "is_scored": not section.get("children"),
    }
    if "rule_en" in fields:
        values["rule_en"] = section.get("rule_en", "")
    return values


def _item_fields(item: dict, fields: set[str], prohibitions: dict) -> dict:
    # A data migration loads through the models of its own time: pass only the
    # optional fields those models have.
    values = {key: item[key] for key in fields.intersection(ITEM_FIELDS) if key in item}
    if "prohibition" in fields:
        values["prohibition"] = prohibitions.get(item.get("prohibition"))
    return {"text": item["text"], "kind": item["kind"], "points": item.get("points", 0), **values}


def _prohibitions(standard, data: dict, apps) -> dict:
    """The standard's prohibitions by number, created or brought up to date."""
    try:
        Prohibition = apps.get_model("inspection", "Prohibition")
    except LookupError:  # a migration older than the prohibitions
        return {}
    found = {}
    for entry in data.get("prohibitions", []):
        found[entry["number"]], _created = Prohibition.objects.update_or_create(
            standard=standard,
            number=entry["number"],
            defaults={key: entry.get(key, "") for key in PROHIBITION_FIELDS},
        )
    return found


def standard_load(data: dict, *, apps=global_apps):
    """Create one standard version from its JSON description.

    `apps` lets data migrations pass their historical app registry.
    """
    Standard = apps.get_model("inspection", "Standard")
    bonus = data.get("bonus", {})
    standard = Standard.objects.create(
        name=data["name"],
        version=data["version"],
        effective_from=data["effective_from"],
        bonus_top_n=bonus.get("top_n", 5),
        bonus_min_criteria=bonus.get("min_criteria", 3),
        bonus_max_points=bonus.get("max_points", 2),
        **{key: data.get(key, "") for key in _field_names(Standard).intersection(STANDARD_FIELDS)},
    )
    _sync_contents(standard, data, apps)
    BonusCriterion = apps.get_model("inspection", "BonusCriterion")
    BonusCriterion.objects.bulk_create(
        BonusCriterion(standard=standard, order=i, **criterion)
        for i, criterion in enumerate(data.get("bonus_criteria", []), start=1)
    )
    return standard


def standard_sync(data: dict, *, apps=global_apps):
    """Bring a stored version up to its JSON description: texts, rules and order of its
    parts, sections and items as the file gives them, adding what it lacks.

    The product owner's rulings amend a version in place (no new version); stored visit
    scores are never recomputed by this, only what is scored from now on.
    """
    Standard = apps.get_model("inspection", "Standard")
    standard = Standard.objects.get(version=data["version"])
    for key in _field_names(Standard).intersection(STANDARD_FIELDS):
        setattr(standard, key, data.get(key, ""))
    standard.name = data["name"]
    standard.save()
    _sync_contents(standard, data, apps)
    return standard


def _sync_contents(standard, data: dict, apps) -> None:
    Part = apps.get_model("inspection", "Part")
    Section = apps.get_model("inspection", "Section")
    Item = apps.get_model("inspection", "Item")
    section_fields = _field_names(Section)
    item_fields = _field_names(Item)
    prohibitions = _prohibitions(standard, data, apps)
    parts, sections = {}, {}
    for part_index, part, section, parent, item, order in _walk(data):
        if part_index not in parts:
            parts[part_index], _created = Part.objects.update_or_create(
                standard=standard,
                code=part["code"],
                defaults={
                    "name": part["name"],
                    "name_en": part.get("name_en", ""),
                    "points": part["points"],
                    "order": part_index,
                },
            )
        if item is None:
            sections[section["code"]], _created = Section.objects.update_or_create(
                standard=standard,
                code=section["code"],
                defaults={
                    "part": parts[part_index],
                    "parent": sections.get(parent),
                    "order": order,
                    **_section_fields(section, section_fields),
                },
            )
        else:
            Item.objects.update_or_create(
                standard=standard,
                code=item["code"],
                defaults={
                    "section": sections[section["code"]],
                    "order": order,
                    **_item_fields(item, item_fields, prohibitions),
                },
            )


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
            "guide_en": i.guide_en,
            "kind": i.kind,
            "points": i.points,
            "points_min": i.points_min,
            "points_max": i.points_max,
            "is_key": i.is_key,
            "once": i.once,
            "red_line": i.red_line,
            "prohibition": i.prohibition.number if i.prohibition_id else None,
            "unit": i.unit,
            "limit": None if i.limit is None else float(i.limit),
            "limit_rules": i.limit_rules,
            "required_count": i.required_count,
            "max_count": i.max_count,
            "applies_to": i.applies_to,
            "lapse": i.lapse,
            "requirement_rules": i.requirement_rules,
        }
        for i in standard.items.select_related("section", "prohibition")
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
