"""The scoring rules of a service standard, as plain functions over plain data.

Views, the importer, the exporter and management commands all call this module;
the browser runs `static/inspection/js/scoring.js`, which reads the same rules
(served as JSON by `inspection.rules`) and is checked against the same test
vectors (`tests/inspection/scoring_vectors.json`), so the two cannot drift.

Inputs:
- `rules`: `{"sections": [{"code", "points", ...}], "items": [{"code", "section",
  "kind", "points", ...}]}` as built by `inspection.rules.standard_rules`.
- `store`: `{"category", "location_class", "counters", "has_rest_area"}`
  (`Store.scoring_attributes`).
- `findings`: `{item_code: {"occurrences", "points", "measurement", "peak", "na"}}`;
  missing keys mean "nothing found". A measured item that an observed lapse also
  fails (A4-03) records the lapse as occurrences.

The month's rules (monthly base, section means, bonus that counts only while earned,
ranks) are here too, as `month_standings` over plain data; the monthly service loads
the data and writes what this returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

FIXED, RANGED, TIME, COUNT, ZEROING = "fixed", "ranged", "time", "count", "zeroing"
MEASURED_KINDS = (TIME, COUNT, ZEROING)
# No hall shows one lapse a hundred times in a visit; past this a count is a typo or
# an attack (and would overflow the stored small integer).
MAX_OCCURRENCES = 99


@dataclass(frozen=True)
class VisitScore:
    # What each section scores; on a zeroed visit what it would have scored.
    sections: dict[str, int]
    total: int
    zeroed: bool
    red_line: bool
    # Points each item deducts before the section floor is applied.
    deductions: dict[str, int] = field(default_factory=dict)
    # Items that do not apply to this store, decided from its attributes.
    not_applicable: tuple[str, ...] = ()
    # The prohibitions (五条禁令, by number) that the visit's red-line findings break.
    prohibitions: tuple[int, ...] = ()
    # For items whose requirement depends on the store (A4-10): the one that applies.
    requirements: dict[str, str] = field(default_factory=dict)

    @property
    def counted_sections(self) -> dict[str, int]:
        """What each section adds to the visit total: nothing on a zeroed visit."""
        return counted_sections(self.sections, self.zeroed)


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


def item_requirement(item: Mapping, store: Mapping) -> Mapping | None:
    """Which of an item's requirements the store must meet (A4-10: a ticket machine with
    4 or more counters and a rest area, else a 1-metre line); the first match wins."""
    for rule in item.get("requirement_rules") or ():
        if int(store.get("counters") or 0) < rule.get("counters_at_least", 0):
            continue
        if "has_rest_area" in rule and bool(store.get("has_rest_area")) != rule["has_rest_area"]:
            continue
        return rule
    return None


def lapse_observed(item: Mapping, finding: Mapping) -> bool:
    return bool(item.get("lapse")) and int(finding.get("occurrences") or 0) > 0


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
    if kind == TIME:
        # Either way of failing deducts, and the item deducts once.
        exceeded = measurement is not None and float(measurement) > time_limit(
            item, store, finding.get("peak", False)
        )
        return item["points"] if exceeded or lapse_observed(item, finding) else 0
    if kind == COUNT and measurement is not None:
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
    requirements: dict[str, str] = {}
    not_applicable = []
    prohibitions = set()
    zeroed = red_line = False
    for item in rules["items"]:
        code = item["code"]
        finding = findings.get(code)
        if not item_applies(item, store):
            not_applicable.append(code)
            continue
        requirement = item_requirement(item, store)
        if requirement is not None:
            requirements[code] = requirement["code"]
        points = item_deduction(item, finding, store)
        if points:
            deductions[code] = points
            lost[item["section"]] += points
            if item.get("red_line"):
                red_line = True
                prohibitions.add(item["prohibition"])
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
        prohibitions=tuple(sorted(prohibitions)),
        requirements=requirements,
    )


def counted_sections(sections: Mapping[str, int], zeroed: bool) -> dict[str, int]:
    """A zeroed visit counts 0 in every section, so that its sections add up to its total."""
    return {code: 0 if zeroed else value for code, value in sections.items()}


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
    elif occurrences > MAX_OCCURRENCES:
        yield FindingError(
            code, "occurrences", _("次数不能超过%(max)s。") % {"max": MAX_OCCURRENCES}
        )
    if item["kind"] == RANGED:
        if len(finding.get("points") or ()) > MAX_OCCURRENCES:
            yield FindingError(
                code, "points", _("要点不能超过%(max)s个。") % {"max": MAX_OCCURRENCES}
            )
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


@dataclass(frozen=True)
class PublishedVisit:
    """What a month needs of one published visit, as stored at submission."""

    total: int
    sections: Mapping[str, int]
    zeroed: bool = False
    red_line: bool = False


def monthly_sections(visits: Iterable[PublishedVisit]) -> dict[str, Fraction]:
    """Exact mean of each section over a store's visits of a month, a zeroed visit
    counting 0 in every section: the means add up to the monthly base."""
    visits = list(visits)
    sums: dict[str, int] = {}
    for visit in visits:
        for code, value in counted_sections(visit.sections, visit.zeroed).items():
            sums[code] = sums.get(code, 0) + value
    return {code: Fraction(value, len(visits)) for code, value in sums.items()}


def competition_ranks(scores: Mapping) -> dict:
    """Standard competition ranking (1, 2, 2, 4), highest score first."""
    ordered = sorted(scores.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in scores.items()}


@dataclass(frozen=True)
class StoreMonth:
    """A store's month as the ranking needs it."""

    category: str
    branch: object
    visits: tuple[PublishedVisit, ...]
    # Bonus points on record for the month, counting or not.
    awarded: int = 0


@dataclass(frozen=True)
class Standing:
    """A store's monthly result: exact scores (rounded only for display) and its ranks."""

    visit_count: int
    total_sum: int
    base: Fraction
    sections: dict[str, Fraction]
    bonus: int
    bonus_not_counting: int
    total: Fraction
    red_line_visits: int
    zeroed_visits: int
    category_base_rank: int
    rank_overall: int
    rank_category: int
    rank_branch: int


def bonus_counts(*, category_base_rank: int | None, top_n: int) -> bool:
    """Rule 9's ranking condition: the base score in the category's top N, ties included.
    Checked when a bonus is awarded and again whenever the month is re-ranked."""
    return category_base_rank is not None and category_base_rank <= top_n


def _ranks_within(scores: Mapping, group_of: Mapping) -> dict:
    groups: dict[object, dict] = {}
    for key, value in scores.items():
        groups.setdefault(group_of[key], {})[key] = value
    ranks = {}
    for members in groups.values():
        ranks.update(competition_ranks(members))
    return ranks


def month_standings(stores: Mapping, *, bonus_top_n: int) -> dict:
    """Every ranked store's monthly result from its published visits and bonus awards.

    A store's awards add to its total only while its base score ranks in its category's
    top `bonus_top_n`; otherwise they stay on record as not counting. Ranks compare exact
    fractions, so means differing beyond the second decimal are not tied.
    """
    stores = {key: month for key, month in stores.items() if month.visits}
    base = {key: monthly_base(v.total for v in m.visits) for key, m in stores.items()}
    category = {key: m.category for key, m in stores.items()}
    category_base = _ranks_within(base, category)
    bonus = {
        key: m.awarded
        if bonus_counts(category_base_rank=category_base[key], top_n=bonus_top_n)
        else 0
        for key, m in stores.items()
    }
    total = {key: base[key] + bonus[key] for key in stores}
    overall = competition_ranks(total)
    by_category = _ranks_within(total, category)
    by_branch = _ranks_within(total, {key: m.branch for key, m in stores.items()})
    return {
        key: Standing(
            visit_count=len(m.visits),
            total_sum=sum(v.total for v in m.visits),
            base=base[key],
            sections=monthly_sections(m.visits),
            bonus=bonus[key],
            bonus_not_counting=m.awarded - bonus[key],
            total=total[key],
            red_line_visits=sum(1 for v in m.visits if v.red_line),
            zeroed_visits=sum(1 for v in m.visits if v.zeroed),
            category_base_rank=category_base[key],
            rank_overall=overall[key],
            rank_category=by_category[key],
            rank_branch=by_branch[key],
        )
        for key, m in stores.items()
    }


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
    elif not bonus_counts(category_base_rank=category_base_rank, top_n=top_n):
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
