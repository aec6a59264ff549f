from inspection.services.findings import finding_changes, finding_rows


def test_finding_rows_leave_out_blank_findings_and_trim_the_texts(standard):
    item_ids = dict(standard.items.values_list("code", "id"))
    rows = finding_rows(
        visit=None,
        item_ids=item_ids,
        findings={
            "A2-01": {"occurrences": 2, "note": "  两次  "},
            "A3-04": {"measurement": 0},
            "A1-03": {"occurrences": 0, "note": ""},
        },
        deductions={"A2-01": 4},
    )
    assert [(r.item_id, r.occurrences, r.note, r.deducted) for r in rows] == [
        (item_ids["A2-01"], 2, "两次", 4),
        (item_ids["A3-04"], 0, "", 0),
    ]
    assert rows[1].measurement == 0


def test_an_amendments_changes_name_each_item_that_changed():
    before = {"A2-01": {"occurrences": 1, "note": ""}, "A1-03": {"occurrences": 1}}
    after = {"A2-01": {"occurrences": 2}, "A1-03": {"occurrences": 1, "peak": False}}
    assert finding_changes(before, after) == [
        {"item": "A2-01", "before": {"occurrences": 1}, "after": {"occurrences": 2}}
    ]
