import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from inspection.models import Standard, Visit, VisitAmendment, VisitAssignment, VisitStatus
from inspection.rules import read_standard_file, standard_load
from inspection.services.visits import (
    visit_amend,
    visit_check_time,
    visit_create,
    visit_return,
    visit_save_findings,
    visit_submit,
)
from tests.conftest import WORKED_EXAMPLE_FINDINGS
from tests.inspection.services.september import at, result_of

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def test_submitting_stores_the_section_scores_and_total(make_visit, store):
    visit = make_visit(store, WORKED_EXAMPLE_FINDINGS, status=VisitStatus.SUBMITTED)
    assert visit.status == VisitStatus.SUBMITTED
    assert visit.total == 58
    assert visit.section_scores["A3"] == 0
    assert visit.findings.get(item__code="B1a-01").deducted == 9


def test_it_refuses_to_submit_a_visit_in_the_future(make_visit, store):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    visit = make_visit(store, {}, visited_at=tomorrow, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError, match="不能晚于现在"):
        visit_submit(visit=visit)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT


def test_it_refuses_to_submit_a_visit_before_the_store_opened(make_visit, make_store):
    store = make_store(opened_on=dt.date(2026, 9, 10))
    visit = make_visit(store, {}, visited_at=at(9), status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError, match="开业日期"):
        visit_submit(visit=visit)


def test_a_visit_started_from_a_plan_must_fall_in_the_plans_month(make_visit, store, inspector, hq):
    """The security review's case: a November assignment backdated to June."""
    visit = make_visit(store, {}, status=VisitStatus.DRAFT)
    month = visit.month
    VisitAssignment.objects.create(
        store=store, month=month, inspector=inspector, planned_by=hq, visit=visit
    )
    visit.visited_at = visit.visited_at.replace(year=month.year - 1)
    visit.save()
    with pytest.raises(ValidationError, match=f"{month:%Y-%m}计划的，检查时间必须在该月内"):
        visit_submit(visit=Visit.objects.get(pk=visit.pk))


def test_it_refuses_a_visit_dated_before_2000_with_one_reason(store):
    errors = visit_check_time(
        store=store, visited_at=dt.datetime(1999, 12, 31, 23, tzinfo=SHANGHAI)
    )
    assert errors == ["检查时间必须在2000-01-01至2100-12-31之间。"]


def test_it_refuses_to_submit_invalid_findings_and_names_the_item(make_visit, store):
    visit = make_visit(store, {"B1a-01": {"points": [6]}}, status=VisitStatus.DRAFT)
    with pytest.raises(ValidationError) as error:
        visit_submit(visit=visit)
    assert "B1a-01" in error.value.messages[0]


def test_a_submitted_visit_can_no_longer_be_edited(make_visit, store):
    visit = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        visit_save_findings(visit=visit, findings={"A2-01": {"occurrences": 1}})


def test_returning_needs_a_reason_and_makes_the_visit_a_draft_again(make_visit, store, hq):
    visit = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        visit_return(visit=visit, by=hq, reason=" ")
    visit_return(visit=visit, by=hq, reason="照片不清楚")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT
    assert (visit.return_reason, visit.returned_by) == ("照片不清楚", hq)


def test_a_resubmitted_visit_keeps_who_returned_it_and_why(make_visit, store, hq):
    visit = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    visit_return(visit=visit, by=hq, reason="照片不清楚")
    visit_submit(visit=visit)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    assert (visit.return_reason, visit.returned_by) == ("照片不清楚", hq)
    assert not visit.is_returned


def test_an_amendment_records_who_when_why_and_reranks(make_visit, store, hq, make_store):
    rival = make_store()
    make_visit(rival, {"A1-03": {"occurrences": 1}}, visited_at=at(5))
    visit = make_visit(store, {}, visited_at=at(4))
    assert result_of(store).rank_overall == 1
    amendment = visit_amend(
        visit=visit, by=hq, reason="录像复核发现未唱收唱付", findings={"A2-03": {"occurrences": 1}}
    )
    assert (amendment.total_before, amendment.total_after) == (100, 96)
    assert amendment.amended_by == hq
    assert amendment.changes == [{"item": "A2-03", "before": {}, "after": {"occurrences": 1}}]
    visit.refresh_from_db()
    assert visit.total == 96
    assert result_of(store).rank_overall == 2


def test_an_amendment_needs_a_reason_and_a_published_visit(make_visit, store, hq):
    draft = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        visit_amend(visit=draft, by=hq, reason="更正", findings={})
    published = make_visit(store, {})
    with pytest.raises(ValidationError):
        visit_amend(visit=published, by=hq, reason="", findings={})
    assert not VisitAmendment.objects.exists()


def test_an_invalid_amendment_changes_nothing(make_visit, store, hq):
    visit = make_visit(store, {"A2-01": {"occurrences": 1}})
    with pytest.raises(ValidationError):
        visit_amend(visit=visit, by=hq, reason="更正", findings={"B1a-01": {"points": [9]}})
    visit.refresh_from_db()
    assert visit.total == 96
    assert visit.findings.get().item.code == "A2-01"


def test_a_later_standard_version_needs_no_code_change_and_old_visits_keep_theirs(
    make_visit, store, inspector
):
    data = read_standard_file("standard-2009.json")
    data.update(version="2010", effective_from="2010-01-01")
    a1 = data["parts"][0]["sections"][0]
    a1["items"][2]["points"] = 1  # A1-03 becomes a 1-point item
    standard_2010 = standard_load(data)
    assert Standard.in_force(dt.date(2026, 1, 1)) == standard_2010

    old = make_visit(store, {"A1-03": {"occurrences": 1}})
    assert old.standard.version == "2009"
    assert old.total == 98
    new = visit_create(
        store=store, inspector=inspector, visited_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert new.standard == standard_2010
    visit_save_findings(visit=new, findings={"A1-03": {"occurrences": 1}})
    visit_submit(visit=new)
    assert new.total == 99


def test_a_measured_zero_is_kept_and_scored(make_visit, make_store):
    city_hall = make_store(location_class="city")
    visit = make_visit(city_hall, {"A4-07": {"measurement": 0}})
    assert visit.total == 98
    assert visit.findings.get().measurement == 0


def test_submitting_builds_the_standards_rules_once(make_visit, store, monkeypatch):
    from inspection import rules

    visit = make_visit(store, {"A2-01": {"occurrences": 1}}, status=VisitStatus.DRAFT)
    visit = type(visit).objects.select_related("store", "standard").get(pk=visit.pk)
    built = []
    standard_rules = rules.standard_rules

    def counting(standard):
        built.append(standard.pk)
        return standard_rules(standard)

    monkeypatch.setattr(rules, "standard_rules", counting)
    visit_submit(visit=visit)
    assert built == [visit.standard.pk]
    assert visit.total == 96


def test_publishing_returning_and_amending_are_in_the_audit_log(make_visit, store, hq):
    returned = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    visit_return(visit=returned, by=hq, reason="照片不清楚")
    published = make_visit(store, {}, by=hq)
    visit_amend(visit=published, by=hq, reason="录像复核", findings={"A2-03": {"occurrences": 1}})
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        (Action.RETURN, hq, str(returned.pk)),
        (Action.PUBLISH, hq, str(published.pk)),
        (Action.AMEND, hq, str(published.pk)),
    ]
    assert events[0].detail == {"reason": "照片不清楚"}
    assert events[2].detail == {"reason": "录像复核", "total_before": 100, "total_after": 96}
