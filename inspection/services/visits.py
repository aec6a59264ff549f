"""A visit's lifecycle: created, its findings saved, submitted, returned, published
and amended. Publishing and amending mark the month for re-ranking.

Each step re-reads the visit under a row lock before checking its status: the
caller loaded it before the transaction, and another request may have moved it on
since (four reviewers publishing one visit at once give one publish)."""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import event_record
from inspection import scoring
from inspection.models import Finding, Standard, Visit, VisitAmendment, VisitSource, VisitStatus
from inspection.models.visits import validate_visit_time
from inspection.months import month_of
from inspection.services import monthly
from inspection.services.findings import finding_changes, finding_rows, visit_findings
from stores.models import Store


def visit_check_time(
    *, store: Store, visited_at: dt.datetime, planned_month: dt.date | None = None
) -> list[str]:
    """Ruling R10: a visit is not dated before 2000 nor in the future, nor before its
    store opened, and one started from a plan falls in the plan's month."""
    try:
        validate_visit_time(visited_at)
    except ValidationError as error:
        return error.messages
    errors = []
    local = timezone.localtime(visited_at)
    if visited_at > timezone.now():
        errors.append(_("检查时间不能晚于现在。"))
    if store.opened_on and local.date() < store.opened_on:
        errors.append(
            _("检查时间早于该厅开业日期（%(date)s）。") % {"date": store.opened_on.isoformat()}
        )
    if planned_month and month_of(visited_at) != planned_month:
        errors.append(
            _("这次检查是%(month)s计划的，检查时间必须在该月内。")
            % {"month": f"{planned_month:%Y-%m}"}
        )
    return errors


def visit_validate(
    *,
    store: Store,
    visited_at: dt.datetime,
    rules: Mapping,
    findings: Mapping,
    planned_month: dt.date | None = None,
) -> list[str]:
    """Every reason a visit cannot be submitted, as translated sentences."""
    errors = visit_check_time(store=store, visited_at=visited_at, planned_month=planned_month)
    items = {item["code"]: item for item in rules["items"]}
    for error in scoring.validate_findings(rules, store.scoring_attributes(), findings):
        item = items.get(error.code)
        label = f"{error.code} {item['text']}" if item else error.code
        errors.append(f"{label}：{error.message}")
    return errors


def _raise_unless_valid(visit: Visit, findings: Mapping) -> None:
    errors = visit_validate(
        store=visit.store,
        visited_at=visit.visited_at,
        rules=visit.standard.rules(),
        findings=findings,
        planned_month=visit.planned_month,
    )
    if errors:
        raise ValidationError(errors)


def _lock(visit: Visit, *fields: str) -> None:
    """Lock the visit's row and re-read the fields the step checks or builds on,
    keeping what the caller set on it and has yet to save."""
    visit.refresh_from_db(
        fields=["status", *fields], from_queryset=Visit.objects.select_for_update()
    )


@transaction.atomic
def visit_create(
    *,
    store: Store,
    inspector: AbstractBaseUser,
    visited_at: dt.datetime,
    standard: Standard | None = None,
    source: str = VisitSource.FORM,
) -> Visit:
    standard = standard or Standard.in_force(timezone.localtime(visited_at).date())
    return Visit.objects.create(
        store=store, inspector=inspector, visited_at=visited_at, standard=standard, source=source
    )


def _write_findings(visit: Visit, findings: Mapping[str, Mapping], score) -> None:
    visit.findings.all().delete()
    item_ids = dict(visit.standard.items.values_list("code", "id"))
    rows = finding_rows(
        visit=visit, item_ids=item_ids, findings=findings, deductions=score.deductions
    )
    Finding.objects.bulk_create(rows)


def _store_score(visit: Visit, score: scoring.VisitScore) -> None:
    visit.section_scores = score.sections
    visit.total = score.total
    visit.zeroed = score.zeroed
    visit.red_line = score.red_line


def _score(visit: Visit, findings: Mapping) -> scoring.VisitScore:
    return scoring.score_visit(visit.standard.rules(), visit.store.scoring_attributes(), findings)


@transaction.atomic
def visit_save_findings(*, visit: Visit, findings: Mapping[str, Mapping]) -> Visit:
    """Replace a draft's findings; drafts may be incomplete, so nothing is validated here
    beyond what the database refuses."""
    if not visit.is_editable:
        raise ValidationError(_("只有草稿可以修改。"))
    _write_findings(visit, findings, _score(visit, findings))
    visit.revision += 1
    visit.save(update_fields=["revision", "updated_at"])
    return visit


@transaction.atomic
def visit_submit(*, visit: Visit) -> Visit:
    _lock(visit)
    if visit.status != VisitStatus.DRAFT:
        raise ValidationError(_("该检查已提交。"))
    findings = visit_findings(visit)
    _raise_unless_valid(visit, findings)
    _store_score(visit, _score(visit, findings))
    visit.status = VisitStatus.SUBMITTED
    visit.submitted_at = timezone.now()
    visit.save()
    return visit


@transaction.atomic
def visit_return(*, visit: Visit, by: AbstractBaseUser, reason: str) -> Visit:
    """Send a submitted visit back to its inspector, recording who did and why."""
    _lock(visit)
    if visit.status != VisitStatus.SUBMITTED:
        raise ValidationError(_("只能退回已提交、未发布的检查。"))
    if not reason.strip():
        raise ValidationError(_("退回时必须填写原因。"))
    visit.status = VisitStatus.DRAFT
    visit.return_reason = reason.strip()
    visit.returned_by = by
    visit.returned_at = timezone.now()
    visit.save(
        update_fields=["status", "return_reason", "returned_by", "returned_at", "updated_at"]
    )
    event_record(action=Action.RETURN, by=by, target=visit, detail={"reason": visit.return_reason})
    return visit


@transaction.atomic
def visit_publish(*, visit: Visit, by: AbstractBaseUser) -> Visit:
    visits_publish(visits=[visit], by=by)
    return visit


@transaction.atomic
def visits_publish(*, visits: Iterable[Visit], by: AbstractBaseUser) -> None:
    """Publish submitted visits and mark each month they fall in for re-ranking."""
    visits = list(visits)
    monthly.month_rerank_request(months={v.month for v in visits})
    statuses = dict(
        Visit.objects.select_for_update()
        .filter(pk__in=[v.pk for v in visits])
        .order_by("pk")
        .values_list("pk", "status")
    )
    if any(statuses.get(v.pk) == VisitStatus.PUBLISHED for v in visits):
        raise ValidationError(_("该检查已经发布过了。"))
    if any(statuses.get(v.pk) != VisitStatus.SUBMITTED for v in visits):
        raise ValidationError(_("只能发布已提交的检查。"))
    now = timezone.now()
    for visit in visits:
        visit.status = VisitStatus.PUBLISHED
        visit.published_at = now
        visit.published_by = by
        visit.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        event_record(action=Action.PUBLISH, by=by, target=visit, detail={"total": str(visit.total)})


@transaction.atomic
def visit_amend(
    *, visit: Visit, by: AbstractBaseUser, reason: str, findings: Mapping[str, Mapping]
) -> VisitAmendment:
    """Correct a published visit: record who, when and why, re-score, and mark the month
    for re-ranking."""
    monthly.month_rerank_request(months=[visit.month])
    _lock(visit, "total", "revision")
    if visit.status != VisitStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的检查需要通过修改记录更正。"))
    if not reason.strip():
        raise ValidationError(_("修改已发布的检查必须填写原因。"))
    _raise_unless_valid(visit, findings)
    before = visit_findings(visit)
    total_before = visit.total
    score = _score(visit, findings)
    _write_findings(visit, findings, score)
    _store_score(visit, score)
    visit.revision += 1
    visit.save()
    amendment = VisitAmendment.objects.create(
        visit=visit,
        amended_by=by,
        reason=reason.strip(),
        total_before=total_before,
        total_after=score.total,
        changes=finding_changes(before, visit_findings(visit)),
    )
    event_record(
        action=Action.AMEND,
        by=by,
        target=visit,
        detail={
            "reason": amendment.reason,
            "total_before": amendment.total_before,
            "total_after": amendment.total_after,
        },
    )
    return amendment
