"""Findings between the scorer's shape (a dict per item code) and Finding rows."""

from collections.abc import Mapping
from decimal import Decimal

from inspection.models import Finding, Visit

FINDING_FIELDS = ("occurrences", "points", "measurement", "peak", "na", "na_reason", "note")


def finding_is_blank(finding: Mapping) -> bool:
    # A measurement of 0 is an observation (no self-service offered), not an empty cell.
    if finding.get("measurement") is not None:
        return False
    return not any(finding.get(key) not in (None, "", 0, [], False) for key in FINDING_FIELDS)


def finding_values(findings: Mapping[str, Mapping]) -> dict[str, dict]:
    """Each finding's field values as its Finding row holds them, blank findings left
    out: what gets stored, and what two copies of a draft are compared by."""
    return {
        code: {
            "occurrences": finding.get("occurrences") or 0,
            "points": list(finding.get("points") or []),
            "measurement": (
                None
                if finding.get("measurement") is None
                else Decimal(str(finding["measurement"])).quantize(Decimal("0.1"))
            ),
            "peak": bool(finding.get("peak")),
            "not_applicable": bool(finding.get("na")),
            "na_reason": (finding.get("na_reason") or "").strip(),
            "note": (finding.get("note") or "").strip(),
        }
        for code, finding in findings.items()
        if not finding_is_blank(finding)
    }


def finding_rows(
    *,
    visit: Visit,
    item_ids: Mapping[str, int],
    findings: Mapping[str, Mapping],
    deductions: Mapping[str, int],
) -> list[Finding]:
    """The unsaved Finding rows that store `findings` for `visit`, each with the points
    the scorer deducted for it; blank findings get no row."""
    return [
        Finding(visit=visit, item_id=item_ids[code], deducted=deductions.get(code, 0), **values)
        for code, values in finding_values(findings).items()
    ]


def visit_findings(visit: Visit) -> dict[str, dict]:
    """A visit's findings in the scorer's shape, keyed by item code."""
    return {
        f.item.code: {**f.as_scoring_input(), "na_reason": f.na_reason, "note": f.note}
        for f in visit.findings.select_related("item")
    }


def finding_changes(before: Mapping, after: Mapping) -> list[dict]:
    """What an amendment changed, item by item, leaving out empty values."""
    changes = []
    for code in sorted(set(before) | set(after)):
        old = _filled(before.get(code))
        new = _filled(after.get(code))
        if old != new:
            changes.append({"item": code, "before": old, "after": new})
    return changes


def _filled(finding: Mapping | None) -> dict:
    return {k: v for k, v in (finding or {}).items() if v not in (None, "", 0, [], False)}
