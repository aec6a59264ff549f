import dataclasses
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspection import scoring

VECTORS = json.loads((Path(__file__).parent / "scoring_vectors.json").read_text("utf-8"))
CATEGORIES = ["flagship", "gotone", "mzone", "phone_mall", "ordinary", "township"]
LOCATIONS = ["city", "county"]
ANY_RULES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def score_as_json(score: scoring.VisitScore) -> dict:
    """The Python score in the shape the browser's scorer returns."""
    return {
        **dataclasses.asdict(score),
        "counted_sections": score.counted_sections,
        "not_applicable": list(score.not_applicable),
        "prohibitions": list(score.prohibitions),
    }


def vector_mismatches(vector: dict, score: dict) -> list[str]:
    """Where a score (either scorer's, as JSON) differs from what a vector expects."""
    expected = {
        "total": vector["total"],
        "zeroed": vector.get("zeroed", False),
        "red_line": vector.get("red_line", False),
        **{
            k: vector[k]
            for k in ("deductions", "counted_sections", "prohibitions", "requirements")
            if k in vector
        },
    }
    wrong = [key for key, value in expected.items() if score[key] != value]
    wrong += [
        f"sections.{code}"
        for code, value in vector.get("sections", {}).items()
        if score["sections"][code] != value
    ]
    wrong += [
        f"not_applicable.{code}"
        for code in vector.get("not_applicable", [])
        if code not in score["not_applicable"]
    ]
    return wrong


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_it_scores_each_vector_as_the_table_says(rules, vector):
    score = scoring.score_visit(rules, vector["store"], vector["findings"])
    assert vector_mismatches(vector, score_as_json(score)) == []


def test_the_standard_has_ten_scored_sections_adding_up_to_100(rules):
    assert [s["code"] for s in rules["sections"]] == [
        "A1", "A2", "A3", "A4", "A5", "B1a", "B1b", "B2a", "B2b", "B3",
    ]  # fmt: skip
    assert sum(s["points"] for s in rules["sections"]) == 100


def test_it_reports_each_deduction_before_the_floor(rules):
    store = {"category": "gotone", "location_class": "city"}
    score = scoring.score_visit(
        rules, store, {"A1-01": {"occurrences": 1}, "A1-04": {"occurrences": 2}}
    )
    assert score.deductions == {"A1-01": 5, "A1-04": 4}
    assert score.sections["A1"] == 0


def test_a_zeroed_visit_keeps_its_findings_and_section_scores(rules):
    store = {"category": "ordinary", "location_class": "city"}
    score = scoring.score_visit(
        rules, store, {"A2-Z": {"measurement": 25}, "B3-01": {"occurrences": 1}}
    )
    assert score.total == 0
    assert score.sections["B3"] == 5
    assert score.deductions == {"B3-01": 5}


# --- validation ------------------------------------------------------------


def errors_for(rules, findings, store=None):
    store = store or {"category": "ordinary", "location_class": "city"}
    return [(e.code, e.field) for e in scoring.validate_findings(rules, store, findings)]


def test_it_rejects_points_above_5(rules):
    assert errors_for(rules, {"B1a-01": {"points": [4, 6]}}) == [("B1a-01", "points")]


def test_it_rejects_points_below_3(rules):
    assert errors_for(rules, {"B1a-01": {"points": [2]}}) == [("B1a-01", "points")]


def test_it_rejects_an_unknown_item_code(rules):
    assert errors_for(rules, {"Z9-99": {"occurrences": 1}}) == [("Z9-99", "code")]


def test_it_rejects_negative_minutes(rules):
    assert errors_for(rules, {"B2a-01": {"measurement": -1}}) == [("B2a-01", "measurement")]


def test_it_rejects_minutes_with_two_decimals(rules):
    assert errors_for(rules, {"A3-04": {"measurement": 3.25}}) == [("A3-04", "measurement")]


def test_it_rejects_a_self_service_count_above_5(rules):
    assert errors_for(rules, {"A4-07": {"measurement": 6}}) == [("A4-07", "measurement")]


def test_it_rejects_a_fractional_self_service_count(rules):
    assert errors_for(rules, {"A4-07": {"measurement": 4.5}}) == [("A4-07", "measurement")]


def test_it_rejects_negative_occurrences(rules):
    assert errors_for(rules, {"A2-01": {"occurrences": -1}}) == [("A2-01", "occurrences")]


def test_it_requires_a_reason_for_not_applicable(rules):
    assert errors_for(rules, {"A2-01": {"na": True, "na_reason": " "}}) == [("A2-01", "na_reason")]


def test_it_rejects_a_deduction_for_an_item_that_does_not_apply(rules):
    assert errors_for(rules, {"A4-09": {"occurrences": 1}}) == [("A4-09", "code")]


def test_it_accepts_the_worked_example(rules):
    from tests.conftest import WORKED_EXAMPLE_FINDINGS

    store = {"category": "ordinary", "location_class": "county"}
    assert errors_for(rules, WORKED_EXAMPLE_FINDINGS, store) == []


# --- monthly arithmetic ----------------------------------------------------


def test_it_rounds_half_up_for_display():
    assert scoring.round_half_up(Decimal("85.125")) == Decimal("85.13")
    assert scoring.round_half_up(Fraction(170, 3)) == Decimal("56.67")
    assert scoring.round_half_up(Decimal("2.675")) == Decimal("2.68")


def test_the_monthly_base_is_the_exact_mean():
    assert scoring.monthly_base([90, 85, 86]) == Fraction(261, 3)


def test_a_store_without_visits_has_no_monthly_base():
    with pytest.raises(ValueError):
        scoring.monthly_base([])


def test_it_ranks_ties_with_standard_competition_ranking():
    ranks = scoring.competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_it_does_not_tie_means_that_differ_beyond_two_decimals():
    ranks = scoring.competition_ranks({"a": Fraction(25601, 300), "b": Fraction(8533, 100)})
    assert ranks == {"a": 1, "b": 2}


def bonus(**overrides):
    args = {
        "category_base_rank": 3,
        "top_n": 5,
        "criteria_met": 3,
        "min_criteria": 3,
        "highlight": "雨天免费借伞",
        "points": 2,
        "max_points": 2,
        "already_awarded": 0,
    }
    return scoring.bonus_refusals(**{**args, **overrides})


def test_a_top_5_store_meeting_3_criteria_with_a_highlight_may_get_a_bonus():
    assert bonus() == []


def test_a_store_tied_at_5th_may_get_a_bonus():
    assert bonus(category_base_rank=5) == []


def test_a_6th_placed_store_is_refused_a_bonus():
    assert len(bonus(category_base_rank=6)) == 1


def test_an_unranked_store_is_refused_a_bonus():
    assert len(bonus(category_base_rank=None)) == 1


def test_a_bonus_needs_3_criteria_and_a_highlight():
    assert len(bonus(criteria_met=2, highlight="  ")) == 2


def test_a_bonus_is_1_or_2_points():
    assert len(bonus(points=3)) == 1
    assert len(bonus(points=0)) == 1


def test_a_store_gets_at_most_2_bonus_points_a_month():
    assert bonus(points=1, already_awarded=1) == []
    assert len(bonus(points=1, already_awarded=2)) == 1


# --- properties ------------------------------------------------------------


def finding_for(item):
    """A strategy of plausible findings for one item, including nonsense counts."""
    kind = item["kind"]
    na = st.fixed_dictionaries({"na": st.just(True), "na_reason": st.just("未测试")})
    if kind == "fixed":
        entry = st.fixed_dictionaries({"occurrences": st.integers(0, 6)})
    elif kind == "ranged":
        entry = st.fixed_dictionaries(
            {"points": st.lists(st.integers(item["points_min"], item["points_max"]), max_size=6)}
        )
    elif kind == "count":
        entry = st.fixed_dictionaries({"measurement": st.integers(0, 5) | st.none()})
    else:
        minutes = st.integers(0, 400).map(lambda tenths: tenths / 10)
        entry = st.fixed_dictionaries(
            {
                "measurement": minutes | st.none(),
                "peak": st.booleans(),
                # An observed lapse (A4-03); ignored by items that have none.
                "occurrences": st.integers(0, 1),
            }
        )
    return st.one_of(entry, na)


def stores():
    return st.fixed_dictionaries(
        {
            "category": st.sampled_from(CATEGORIES),
            "location_class": st.sampled_from(LOCATIONS),
            "counters": st.integers(1, 10),
            "has_rest_area": st.booleans(),
        }
    )


@st.composite
def visits(draw, rules, store=None):
    store = store or draw(stores())
    chosen = draw(st.lists(st.sampled_from(rules["items"]), unique_by=lambda i: i["code"]))
    findings = {item["code"]: draw(finding_for(item)) for item in chosen}
    return store, findings


@ANY_RULES
@given(data=st.data())
def test_no_section_leaves_its_bounds_and_the_total_stays_within_0_and_100(rules, data):
    store, findings = data.draw(visits(rules))
    score = scoring.score_visit(rules, store, findings)
    for section in rules["sections"]:
        assert 0 <= score.sections[section["code"]] <= section["points"]
    assert 0 <= score.total <= 100
    if not score.zeroed:
        assert score.total == sum(score.sections.values())


@ANY_RULES
@given(data=st.data())
def test_the_zeroing_rule_always_wins(rules, data):
    store, findings = data.draw(visits(rules))
    findings["A2-Z"] = {"measurement": data.draw(st.integers(200, 600)) / 10}
    score = scoring.score_visit(rules, store, findings)
    assert score.zeroed
    assert score.total == 0


@ANY_RULES
@given(data=st.data())
def test_adding_a_finding_never_raises_a_score(rules, data):
    store, findings = data.draw(visits(rules))
    before = scoring.score_visit(rules, store, findings)
    item = data.draw(st.sampled_from(rules["items"]))
    added = data.draw(finding_for(item).filter(lambda f: not f.get("na")))
    old = findings.get(item["code"]) or {}
    if old.get("na"):
        old = {}
    merged = dict(old)
    if "occurrences" in added:
        merged["occurrences"] = (old.get("occurrences") or 0) + added["occurrences"]
    if "points" in added:
        merged["points"] = list(old.get("points") or []) + added["points"]
    if added.get("measurement") is not None:
        # A longer wait, a later clean-up or fewer self-services is a worse finding.
        if item["kind"] == "count":
            current = old.get("measurement")
            merged["measurement"] = (
                added["measurement"] if current is None else min(current, added["measurement"])
            )
        else:
            current = old.get("measurement") or 0
            merged["measurement"] = max(current, added["measurement"])
            merged["peak"] = old.get("peak", False) and added.get("peak", False)
    after = scoring.score_visit(rules, store, {**findings, item["code"]: merged})
    assert after.total <= before.total
    for code, value in after.sections.items():
        assert value <= before.sections[code]


@ANY_RULES
@given(data=st.data())
def test_the_section_means_of_a_month_add_up_to_its_base_score(rules, data):
    store = data.draw(stores())
    month = [
        scoring.score_visit(rules, *data.draw(visits(rules, store)))
        for _ in range(data.draw(st.integers(1, 6)))
    ]
    if data.draw(st.booleans()):
        findings = data.draw(visits(rules, store))[1]
        month.append(scoring.score_visit(rules, store, {**findings, "A2-Z": {"measurement": 30}}))
    published = [scoring.PublishedVisit(v.total, v.sections, v.zeroed, v.red_line) for v in month]
    means = scoring.monthly_sections(published)
    assert sum(means.values()) == scoring.monthly_base(v.total for v in month)


@st.composite
def months(draw):
    """A month of stores: category, branch, visit totals and bonus on record."""
    count = draw(st.integers(1, 14))
    return {
        n: scoring.StoreMonth(
            category=draw(st.sampled_from(CATEGORIES[:2])),
            branch=draw(st.sampled_from("XY")),
            visits=tuple(
                scoring.PublishedVisit(total, {"A1": total})
                for total in draw(st.lists(st.integers(0, 100), min_size=1, max_size=3))
            ),
            awarded=draw(st.sampled_from([0, 0, 1, 2])),
        )
        for n in range(count)
    }


@ANY_RULES
@given(stores_month=months(), top_n=st.integers(1, 5))
def test_an_award_counts_exactly_while_its_store_ranks_in_its_categorys_top_n(stores_month, top_n):
    standings = scoring.month_standings(stores_month, bonus_top_n=top_n)
    for key, standing in standings.items():
        awarded = stores_month[key].awarded
        counts = standing.category_base_rank <= top_n
        assert (standing.bonus, standing.bonus_not_counting) == (
            (awarded, 0) if counts else (0, awarded)
        )
        assert standing.total == standing.base + standing.bonus
    # The final ranks follow the totals, which take only counting awards.
    assert scoring.competition_ranks({k: s.total for k, s in standings.items()}) == {
        k: s.rank_overall for k, s in standings.items()
    }


def test_an_award_of_a_store_pushed_to_6th_adds_nothing_and_keeps_its_rank():
    def store(total, awarded=0):
        return scoring.StoreMonth("ordinary", "X", (scoring.PublishedVisit(total, {}),), awarded)

    month = {n: store(100 - n) for n in range(5)} | {"awarded": store(95, awarded=2)}
    standing = scoring.month_standings(month, bonus_top_n=5)["awarded"]
    assert (standing.category_base_rank, standing.bonus, standing.bonus_not_counting) == (6, 0, 2)
    assert standing.total == 95
