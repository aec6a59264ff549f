from inspection.scoring import score_visit
from tests.conftest import WORKED_EXAMPLE_FINDINGS


def test_the_specs_worked_example_scores_58(rules):
    store = {"category": "ordinary", "location_class": "county"}
    score = score_visit(rules, store, {**WORKED_EXAMPLE_FINDINGS, "A4-09": {"na": True}})
    assert score.sections == {
        "A1": 1, "A2": 11, "A3": 0, "A4": 15, "A5": 0,
        "B1a": 11, "B1b": 10, "B2a": 0, "B2b": 5, "B3": 5,
    }  # fmt: skip
    assert score.total == 58
