"""The scoring rules of a service standard, as plain functions over plain data.

Views, the importer, the exporter and management commands all call this module;
the browser runs `static/inspection/js/scoring.js`, which reads the same rules
(served as JSON by `inspection.rules`) and is checked against the same test
vectors (`tests/inspection/scoring_vectors.json`), so the two cannot drift.

Inputs:
- `rules`: `{"sections": [{"code", "points", ...}], "items": [{"code", "section",
  "kind", "points", ...}]}` as built by `inspection.rules.standard_rules`.
- `store`: `{"category", "location_class", ...}` (`Store.scoring_attributes`).
- `findings`: `{item_code: {"occurrences", "points", "measurement", "peak", "na"}}`;
  missing keys mean "nothing found".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

FIXED, RANGED, TIME, COUNT, ZEROING = "fixed", "ranged", "time", "count", "zeroing"
MEASURED_KINDS = (TIME, COUNT, ZEROING)


@dataclass(frozen=True)
class VisitScore:
    sections: dict[str, int]
    total: int
    zeroed: bool
    red_line: bool
    # Points each item deducts before the section floor is applied.
    deductions: dict[str, int] = field(default_factory=dict)
    # Items that do not apply to this store, decided from its attributes.
    not_applicable: tuple[str, ...] = ()


@dataclass(frozen=True)
class FindingError:
    code: str
    field: str
    message: str


def item_applies(item: Mapping, store: Mapping) -> bool:
    applies_to = item.get("applies_to") or {}
    categories = applies_to.get("categories")
    if categories and store.get("category") not in categories:
        return False
    locations = applies_to.get("location_classes")
    return not (locations and store.get("location_class") not in locations)


def time_limit(item: Mapping, store: Mapping, peak: bool) -> float:
    """The limit in minutes for this store; the first matching rule wins."""
    for rule in item.get("limit_rules") or ():
        if "categories" in rule and store.get("category") not in rule["categories"]:
            continue
        if "peak" in rule and bool(rule["peak"]) != bool(peak):
            continue
        return float(rule["limit"])
    return float(item["limit"])


def required_count(item: Mapping, store: Mapping) -> int:
    return int(item["required_count"][store["location_class"]])


def item_deduction(item: Mapping, finding: Mapping | None, store: Mapping) -> int:
    """Points one item deducts from its section, before the section floor."""
    if not finding or finding.get("na") or not item_applies(item, store):
        return 0
    kind = item["kind"]
    if kind == FIXED:
        occurrences = int(finding.get("occurrences") or 0)
        if item.get("once"):
            occurrences = min(occurrences, 1)
        return item["points"] * occurrences
    if kind == RANGED:
        return sum(int(p) for p in finding.get("points") or ())
    measurement = finding.get("measurement")
    if measurement is None:
        return 0
    if kind == TIME:
        exceeded = float(measurement) > time_limit(item, store, finding.get("peak", False))
        return item["points"] if exceeded else 0
    if kind == COUNT:
        return item["points"] if int(measurement) < required_count(item, store) else 0
    return 0  # ZEROING items zero the whole visit instead of deducting.


def is_zeroing(item: Mapping, finding: Mapping | None) -> bool:
    if item["kind"] != ZEROING or not finding or finding.get("na"):
        return False
    measurement = finding.get("measurement")
    return measurement is not None and float(measurement) >= float(item["limit"])


def score_visit(rules: Mapping, store: Mapping, findings: Mapping[str, Mapping]) -> VisitScore:
    sections = {s["code"]: s["points"] for s in rules["sections"]}
    lost = dict.fromkeys(sections, 0)
    deductions: dict[str, int] = {}
    not_applicable = []
    zeroed = red_line = False
    for item in rules["items"]:
        code = item["code"]
        finding = findings.get(code)
        if not item_applies(item, store):
            not_applicable.append(code)
            continue
        points = item_deduction(item, finding, store)
        if points:
            deductions[code] = points
            lost[item["section"]] += points
            red_line = red_line or bool(item.get("red_line"))
        zeroed = zeroed or is_zeroing(item, finding)
    scores = {code: max(0, full - lost[code]) for code, full in sections.items()}
    total = 0 if zeroed else sum(scores.values())
    return VisitScore(
        sections=scores,
        total=total,
        zeroed=zeroed,
        red_line=red_line,
        deductions=deductions,
        not_applicable=tuple(not_applicable),
    )


def validate_findings(
    rules: Mapping, store: Mapping, findings: Mapping[str, Mapping]
) -> list[FindingError]:
    """Everything a user can get wrong in a set of findings, as (code, field, message)."""
    items = {item["code"]: item for item in rules["items"]}
    errors = []
    for code, finding in findings.items():
        item = items.get(code)
        if item is None:
            errors.append(
                FindingError(code, "code", _("未知的检查细项编码 %(code)s。") % {"code": code})
            )
            continue
        errors.extend(_validate_finding(item, store, finding))
    return errors


def _validate_finding(item: Mapping, store: Mapping, finding: Mapping) -> Iterable[FindingError]:
    code = item["code"]
    if finding.get("na"):
        if not (finding.get("na_reason") or "").strip():
            yield FindingError(code, "na_reason", _("标记为不适用时必须填写原因。"))
        return
    has_entry = bool(
        finding.get("occurrences")
        or finding.get("points")
        or finding.get("measurement") is not None
    )
    if has_entry and not item_applies(item, store):
        yield FindingError(code, "code", _("%(code)s 不适用于该营业厅。") % {"code": code})
        return
    occurrences = finding.get("occurrences") or 0
    if not isinstance(occurrences, int) or occurrences < 0:
        yield FindingError(code, "occurrences", _("次数必须是不小于0的整数。"))
    if item["kind"] == RANGED:
        for p in finding.get("points") or ():
            if not isinstance(p, int) or not item["points_min"] <= p <= item["points_max"]:
                yield FindingError(
                    code,
                    "points",
                    _("每个要点扣%(min)s–%(max)s分，%(value)s 超出范围。")
                    % {"min": item["points_min"], "max": item["points_max"], "value": p},
                )
    measurement = finding.get("measurement")
    if item["kind"] in MEASURED_KINDS and measurement is not None:
        value = Decimal(str(measurement))
        if value < 0:
            yield FindingError(code, "measurement", _("测量值不能为负数。"))
        elif item["kind"] == COUNT:
            if value != value.to_integral_value():
                yield FindingError(code, "measurement", _("数量必须是整数。"))
            elif item.get("max_count") is not None and value > item["max_count"]:
                yield FindingError(
                    code,
                    "measurement",
                    _("数量不能超过%(max)s。") % {"max": item["max_count"]},
                )
        elif value.as_tuple().exponent < -1:
            yield FindingError(code, "measurement", _("时间以分钟计，最多一位小数。"))


def round_half_up(value: Decimal | Fraction | float | int, places: int = 2) -> Decimal:
    """Display rounding of the standard (half-up, not banker's)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def monthly_base(totals: Iterable[int]) -> Fraction:
    """Exact mean of a store's published visit totals in a month."""
    totals = list(totals)
    if not totals:
        raise ValueError("a store without published visits has no monthly score")
    return Fraction(sum(totals), len(totals))


def competition_ranks(scores: Mapping) -> dict:
    """Standard competition ranking (1, 2, 2, 4), highest score first."""
    ordered = sorted(scores.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in scores.items()}


def bonus_refusals(
    *,
    category_base_rank: int | None,
    top_n: int,
    criteria_met: int,
    min_criteria: int,
    highlight: str,
    points: int,
    max_points: int,
    already_awarded: int,
) -> list[str]:
    """Why a bonus award breaks rule 9 of the standard; empty when it may be awarded."""
    refusals = []
    if category_base_rank is None:
        refusals.append(_("该厅本月没有已发布的检查，不能加分。"))
    elif category_base_rank > top_n:
        refusals.append(
            _("该厅基础得分在同类厅排第%(rank)s名，只有前%(n)s名（含并列）可以加分。")
            % {"rank": category_base_rank, "n": top_n}
        )
    if criteria_met < min_criteria:
        refusals.append(
            _("至少需要符合%(min)s项加分项目，目前只选了%(count)s项。")
            % {"min": min_criteria, "count": criteria_met}
        )
    if not highlight.strip():
        refusals.append(_("必须填写适合全区推广的创新或服务亮点。"))
    if not 1 <= points <= max_points:
        refusals.append(_("加分只能是1到%(max)s分。") % {"max": max_points})
    elif already_awarded + points > max_points:
        refusals.append(
            _("每厅每月最多加%(max)s分，本月已加%(done)s分。")
            % {"max": max_points, "done": already_awarded}
        )
    return refusals
