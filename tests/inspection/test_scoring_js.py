"""The browser's scorer (static/inspection/js/scoring.js) against the same vectors
as the Python scorer, in Debian's Chromium, so the two cannot drift."""

import json
from pathlib import Path

import pytest

from tests.inspection.test_scoring import VECTORS, score_as_json, vector_mismatches

SCORING_JS = Path(__file__).resolve().parents[2] / "static/inspection/js/scoring.js"


@pytest.fixture
def js_page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><title>scoring</title>")
    page.add_script_tag(content=SCORING_JS.read_text("utf-8"))
    yield page
    context.close()


@pytest.mark.browser
def test_the_browser_scorer_agrees_with_every_vector(js_page, rules):
    results = js_page.evaluate(
        """([rules, vectors]) => vectors.map(
            v => InspectionScoring.scoreVisit(rules, v.store, v.findings))""",
        [rules, VECTORS],
    )
    mismatches = {
        vector["name"]: wrong
        for vector, score in zip(VECTORS, results, strict=True)
        if (wrong := vector_mismatches(vector, score))
    }
    assert mismatches == {}


@pytest.mark.browser
def test_the_browser_scorer_matches_python_on_generated_visits(js_page, rules):
    """Beyond the table: a few hundred random visits scored by both must agree."""
    import random

    from inspection.scoring import score_visit

    rng = random.Random(2009)
    visits = []
    for _ in range(300):
        store = {
            "category": rng.choice(
                ["flagship", "gotone", "mzone", "phone_mall", "ordinary", "township"]
            ),
            "location_class": rng.choice(["city", "county"]),
            "counters": rng.randint(1, 8),
            "has_rest_area": rng.random() < 0.5,
        }
        findings = {}
        for item in rng.sample(rules["items"], rng.randint(0, 12)):
            if item["kind"] == "fixed":
                findings[item["code"]] = {"occurrences": rng.randint(0, 4)}
            elif item["kind"] == "ranged":
                findings[item["code"]] = {
                    "points": [rng.randint(3, 5) for _ in range(rng.randint(0, 5))]
                }
            elif item["kind"] == "count":
                findings[item["code"]] = {"measurement": rng.randint(0, 5)}
            else:
                findings[item["code"]] = {
                    "measurement": rng.choice([None, rng.randint(0, 300) / 10]),
                    "peak": rng.random() < 0.3,
                    "occurrences": rng.randint(0, 1),
                }
            if rng.random() < 0.05:
                findings[item["code"]].update(na=True, na_reason="未测试")
        visits.append({"store": store, "findings": findings})
    results = js_page.evaluate(
        "([rules, visits]) => visits.map("
        "v => InspectionScoring.scoreVisit(rules, v.store, v.findings))",
        [rules, visits],
    )
    for visit, js in zip(visits, results, strict=True):
        py = score_as_json(score_visit(rules, visit["store"], visit["findings"]))
        assert js == py, json.dumps(visit, ensure_ascii=False)
