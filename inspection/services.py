"""Writes that span models: visits, their findings, amendments, bonus awards and
the monthly results derived from them. Every function runs in one transaction,
so a failure saves nothing half-way."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inspection import scoring
from inspection.models import (
    BonusAward,
    BonusCriterion,
    Finding,
    FindingPhoto,
    Item,
    MonthlyResult,
    Standard,
    Visit,
    VisitAmendment,
    VisitAssignment,
    VisitSource,
    VisitStatus,
)
from inspection.months import month_bounds
from stores.models import Store

FINDING_FIELDS = ("occurrences", "points", "measurement", "peak", "na", "na_reason", "note")


def finding_is_blank(finding: Mapping) -> bool:
    # A measurement of 0 is an observation (no self-service offered), not an empty cell.
    if finding.get("measurement") is not None:
        return False
    return not any(finding.get(key) not in (None, "", 0, [], False) for key in FINDING_FIELDS)


def visit_findings(visit: Visit) -> dict[str, dict]:
    """A visit's findings in the scorer's shape, keyed by item code."""
    return {
        f.item.code: {**f.as_scoring_input(), "na_reason": f.na_reason, "note": f.note}
        for f in visit.findings.select_related("item")
    }


def visit_check_time(*, store: Store, visited_at: dt.datetime) -> list[str]:
    errors = []
    if visited_at > timezone.now():
        errors.append(_("检查时间不能晚于现在。"))
    if store.opened_on and timezone.localtime(visited_at).date() < store.opened_on:
        errors.append(
            _("检查时间早于该厅开业日期（%(date)s）。") % {"date": store.opened_on.isoformat()}
        )
    return errors


def visit_validate(
    *, store: Store, visited_at: dt.datetime, rules: Mapping, findings: Mapping
) -> list[str]:
    """Every reason a visit cannot be submitted, as translated sentences."""
    errors = visit_check_time(store=store, visited_at=visited_at)
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
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_create(
    *,
    store: Store,
    inspector,
    visited_at: dt.datetime,
    standard: Standard | None = None,
    source: str = VisitSource.FORM,
) -> Visit:
    standard = standard or Standard.in_force(timezone.localtime(visited_at).date())
    return Visit.objects.create(
        store=store, inspector=inspector, visited_at=visited_at, standard=standard, source=source
    )


def _write_findings(visit: Visit, findings: Mapping[str, Mapping], score) -> None:
    items = {item.code: item for item in visit.standard.items.all()}
    visit.findings.all().delete()
    Finding.objects.bulk_create(
        Finding(
            visit=visit,
            item=items[code],
            occurrences=finding.get("occurrences") or 0,
            points=list(finding.get("points") or []),
            measurement=(
                None if finding.get("measurement") is None else Decimal(str(finding["measurement"]))
            ),
            peak=bool(finding.get("peak")),
            not_applicable=bool(finding.get("na")),
            na_reason=(finding.get("na_reason") or "").strip(),
            note=(finding.get("note") or "").strip(),
            deducted=score.deductions.get(code, 0),
        )
        for code, finding in findings.items()
        if not finding_is_blank(finding)
    )


def _store_score(visit: Visit, score) -> None:
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
    if visit.status != VisitStatus.DRAFT:
        raise ValidationError(_("该检查已提交。"))
    findings = visit_findings(visit)
    _raise_unless_valid(visit, findings)
    _store_score(visit, _score(visit, findings))
    visit.status = VisitStatus.SUBMITTED
    visit.submitted_at = timezone.now()
    visit.return_reason = ""
    visit.save()
    return visit


@transaction.atomic
def visit_return(*, visit: Visit, reason: str) -> Visit:
    if visit.status != VisitStatus.SUBMITTED:
        raise ValidationError(_("只能退回已提交、未发布的检查。"))
    if not reason.strip():
        raise ValidationError(_("退回时必须填写原因。"))
    visit.status = VisitStatus.DRAFT
    visit.return_reason = reason.strip()
    visit.save(update_fields=["status", "return_reason", "updated_at"])
    return visit


@transaction.atomic
def visit_publish(*, visit: Visit, by) -> Visit:
    visits_publish(visits=[visit], by=by)
    return visit


@transaction.atomic
def visits_publish(*, visits: Iterable[Visit], by) -> None:
    """Publish submitted visits and re-rank each month they fall in once."""
    visits = list(visits)
    if any(v.status != VisitStatus.SUBMITTED for v in visits):
        raise ValidationError(_("只能发布已提交的检查。"))
    now = timezone.now()
    for visit in visits:
        visit.status = VisitStatus.PUBLISHED
        visit.published_at = now
        visit.published_by = by
        visit.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    for month in sorted({v.month for v in visits}):
        monthly_results_recompute(month=month)


def _finding_changes(before: Mapping, after: Mapping) -> list[dict]:
    changes = []
    for code in sorted(set(before) | set(after)):
        old = {
            k: v for k, v in (before.get(code) or {}).items() if v not in (None, "", 0, [], False)
        }
        new = {
            k: v for k, v in (after.get(code) or {}).items() if v not in (None, "", 0, [], False)
        }
        if old != new:
            changes.append({"item": code, "before": old, "after": new})
    return changes


@transaction.atomic
def visit_amend(
    *, visit: Visit, by, reason: str, findings: Mapping[str, Mapping]
) -> VisitAmendment:
    """Correct a published visit: record who, when and why, re-score, and re-rank the month."""
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
        changes=_finding_changes(before, visit_findings(visit)),
    )
    monthly_results_recompute(month=visit.month)
    return amendment


@transaction.atomic
def bonus_award(
    *,
    store: Store,
    month: dt.date,
    points: int,
    criteria: Iterable[BonusCriterion],
    highlight: str,
    by,
) -> BonusAward:
    """Award part C points, enforcing rule 9; raises ValidationError with every refusal."""
    month = month.replace(day=1)
    # Lock the store's row so two managers cannot both take the last point.
    Store.objects.select_for_update().filter(pk=store.pk).first()
    result = MonthlyResult.objects.filter(store=store, month=month).first()
    standard = Standard.in_force(month)
    criteria = list(criteria)
    already = (
        BonusAward.objects.filter(store=store, month=month).aggregate(s=Sum("points"))["s"] or 0
    )
    refusals = scoring.bonus_refusals(
        category_base_rank=result.category_base_rank if result else None,
        top_n=standard.bonus_top_n,
        criteria_met=len({c.pk for c in criteria}),
        min_criteria=standard.bonus_min_criteria,
        highlight=highlight,
        points=points,
        max_points=standard.bonus_max_points,
        already_awarded=already,
    )
    if refusals:
        raise ValidationError(refusals)
    award = BonusAward.objects.create(
        store=store, month=month, points=points, highlight=highlight.strip(), awarded_by=by
    )
    award.criteria.set(criteria)
    monthly_results_recompute(month=month)
    return award


@transaction.atomic
def bonus_revoke(*, award: BonusAward) -> None:
    month = award.month
    award.delete()
    monthly_results_recompute(month=month)


@transaction.atomic
def monthly_results_recompute(*, month: dt.date) -> list[MonthlyResult]:
    """Rebuild one month's results and ranks from published visits and bonus awards.

    Ranks are computed on exact fractions, so two stores whose means differ only
    beyond the second decimal are not tied.
    """
    month = month.replace(day=1)
    start, end = month_bounds(month)
    visits = Visit.objects.filter(
        status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
    ).values_list("store_id", "total", "section_scores", "red_line", "zeroed")
    per_store = defaultdict(list)
    for store_id, total, sections, red_line, zeroed in visits:
        per_store[store_id].append((total, sections, red_line, zeroed))
    bonuses = dict(
        BonusAward.objects.filter(month=month)
        .values("store_id")
        .annotate(points=Sum("points"))
        .values_list("store_id", "points")
    )
    stores = Store.objects.in_bulk(per_store.keys())

    base = {sid: scoring.monthly_base(v[0] for v in rows) for sid, rows in per_store.items()}
    total = {sid: base[sid] + bonuses.get(sid, 0) for sid in per_store}

    def ranks_within(scores: Mapping[int, Fraction], group_of) -> dict[int, int]:
        groups = defaultdict(dict)
        for sid, value in scores.items():
            groups[group_of(stores[sid])][sid] = value
        ranks = {}
        for members in groups.values():
            ranks.update(scoring.competition_ranks(members))
        return ranks

    overall = scoring.competition_ranks(total)
    by_category = ranks_within(total, lambda s: s.category)
    by_branch = ranks_within(total, lambda s: s.branch_id)
    category_base = ranks_within(base, lambda s: s.category)

    results = []
    for sid, rows in per_store.items():
        section_sums = defaultdict(int)
        for _total, sections, _red, _zero in rows:
            for code, value in sections.items():
                section_sums[code] += value
        results.append(
            MonthlyResult(
                store_id=sid,
                month=month,
                visit_count=len(rows),
                total_sum=sum(r[0] for r in rows),
                base_score=_decimal(base[sid]),
                section_scores={
                    code: float(_decimal(Fraction(value, len(rows))))
                    for code, value in section_sums.items()
                },
                bonus=bonuses.get(sid, 0),
                total=_decimal(total[sid]),
                red_line_visits=sum(1 for r in rows if r[2]),
                zeroed_visits=sum(1 for r in rows if r[3]),
                category_base_rank=category_base[sid],
                rank_overall=overall[sid],
                rank_category=by_category[sid],
                rank_branch=by_branch[sid],
            )
        )
    MonthlyResult.objects.filter(month=month).delete()
    return MonthlyResult.objects.bulk_create(results)


def _decimal(value: Fraction) -> Decimal:
    return scoring.round_half_up(value, places=4)


# --- The tablet form: drafts, submission, photos -------------------------------


class StaleRevision(Exception):
    """The draft changed since the client last read it (another tab or device)."""

    def __init__(self, visit: Visit):
        super().__init__(visit.revision)
        self.visit = visit


def _lock(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("store", "standard").get(pk=visit.pk)


@transaction.atomic
def visit_save_draft(
    *, visit: Visit, revision: int, visited_at: dt.datetime, findings: Mapping[str, Mapping]
) -> Visit:
    """Autosave: replace a draft's time and findings unless someone saved in between.

    The row lock makes the revision check and the write one step, so two tabs
    saving at once cannot both pass the check.
    """
    locked = _lock(visit)
    if not locked.is_editable:
        raise ValidationError(_("该检查已提交，不能再修改。"))
    if locked.revision != revision:
        raise StaleRevision(locked)
    if visited_at != locked.visited_at:
        clash = Visit.objects.filter(
            store=locked.store, inspector=locked.inspector, visited_at=visited_at
        ).exclude(pk=locked.pk)
        if clash.exists():
            raise ValidationError(_("您在同一时间已有该厅的另一条检查记录，请调整检查时间。"))
        locked.visited_at = visited_at
        locked.save(update_fields=["visited_at", "updated_at"])
    return visit_save_findings(visit=locked, findings=findings)


@transaction.atomic
def visit_submit_once(*, visit: Visit, revision: int, key: str) -> Visit:
    """Submit the draft the inspector confirmed; a repeat of the same request
    (double tap, retry after a timeout) finds it submitted and succeeds again."""
    locked = _lock(visit)
    if locked.status != VisitStatus.DRAFT and key and locked.submission_key == key:
        return locked
    if locked.status == VisitStatus.DRAFT and locked.revision != revision:
        raise StaleRevision(locked)
    locked.submission_key = key
    return visit_submit(visit=locked)


PHOTO_MAX_SIDE = 1600


@transaction.atomic
def photo_add(*, visit: Visit, item: Item, image, client_key: str, by) -> FindingPhoto:
    """Store one photo of a finding, re-encoded as JPEG: this drops EXIF data
    (location, device) and bounds the size even if the tablet did not downscale."""
    from io import BytesIO

    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps

    locked = _lock(visit)
    existing = FindingPhoto.objects.filter(visit=locked, client_key=client_key).first()
    if existing:
        return existing
    if not locked.is_editable:
        raise ValidationError(_("该检查已提交，不能再添加照片。"))
    if item.standard_id != locked.standard_id:
        raise ValidationError(_("该检查细项不属于本次检查使用的标准。"))
    image.seek(0)
    with Image.open(image) as picture:
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        buffer = BytesIO()
        picture.save(buffer, format="JPEG", quality=82)
    photo = FindingPhoto(visit=locked, item=item, client_key=client_key, uploaded_by=by)
    photo.image.save("photo.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    return photo


@transaction.atomic
def photo_delete(*, photo: FindingPhoto) -> None:
    if not _lock(photo.visit).is_editable:
        raise ValidationError(_("该检查已提交，不能再删除照片。"))
    photo.image.delete(save=False)
    photo.delete()


# --- Planning ---------------------------------------------------------------


@transaction.atomic
def assignment_set(
    *,
    store: Store,
    month: dt.date,
    inspector,
    planned_on: dt.date | None,
    by,
    assignment: VisitAssignment | None = None,
) -> VisitAssignment:
    """Add a planned visit, or change who goes and when (manual override)."""
    month = month.replace(day=1)
    if planned_on is not None and planned_on.replace(day=1) != month:
        raise ValidationError(_("计划日期必须在所选月份内。"))
    if assignment is None:
        assignment = VisitAssignment(store=store, month=month)
    elif assignment.is_started:
        raise ValidationError(_("检查员已开始这次检查，不能再更改。"))
    assignment.inspector = inspector
    assignment.planned_on = planned_on
    assignment.planned_by = by
    assignment.planned_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: VisitAssignment) -> None:
    if assignment.is_started:
        raise ValidationError(_("检查员已开始这次检查，不能删除。"))
    assignment.delete()


@transaction.atomic
def assignments_autoplan(
    *, month: dt.date, stores: Iterable[Store], visits_per_store: int, by
) -> list[VisitAssignment]:
    """Give every store up to `visits_per_store` planned visits, each to the eligible
    inspector with the fewest visits that month (across all branches, so plans
    made by different branch managers still spread evenly), preferring someone
    the store has not already been given. Existing assignments are kept."""
    from django.contrib.auth import get_user_model

    from stores.models import Role

    month = month.replace(day=1)
    stores = sorted(stores, key=lambda s: s.code)
    inspectors = list(
        get_user_model()
        .objects.filter(is_active=True, membership__role=Role.INSPECTOR)
        .select_related("membership")
        .order_by("username")
    )
    planned = list(
        VisitAssignment.objects.select_for_update()
        .filter(month=month)
        .order_by()
        .values_list("store_id", "inspector_id")
    )
    load = dict.fromkeys((i.pk for i in inspectors), 0)
    at_store = defaultdict(set)
    count_at_store = defaultdict(int)
    for store_id, inspector_id in planned:
        load[inspector_id] = load.get(inspector_id, 0) + 1
        at_store[store_id].add(inspector_id)
        count_at_store[store_id] += 1
    created = []
    unplanned = []
    for store in stores:
        candidates = [i for i in inspectors if i.membership.branch_id != store.branch_id]
        for _n in range(visits_per_store - count_at_store[store.pk]):
            if not candidates:
                unplanned.append(str(store))
                break
            chosen = min(
                candidates, key=lambda i: (i.pk in at_store[store.pk], load[i.pk], i.username)
            )
            load[chosen.pk] += 1
            at_store[store.pk].add(chosen.pk)
            created.append(
                VisitAssignment(store=store, month=month, inspector=chosen, planned_by=by)
            )
    if unplanned:
        raise ValidationError(
            _("以下营业厅没有其他分公司的检查员可以指派：%(stores)s")
            % {"stores": "、".join(unplanned)}
        )
    return VisitAssignment.objects.bulk_create(created)


@transaction.atomic
def assignment_start(*, assignment: VisitAssignment) -> Visit:
    """The inspector arrives: the planned visit becomes a draft timed now."""
    locked = (
        VisitAssignment.objects.select_for_update(of=("self",))
        .select_related("store", "visit")
        .get(pk=assignment.pk)
    )
    if locked.visit is not None:
        return locked.visit
    visited_at = timezone.now().replace(second=0, microsecond=0)
    if Visit.objects.filter(
        store=locked.store, inspector=locked.inspector, visited_at=visited_at
    ).exists():
        raise ValidationError(_("您刚刚已开始该厅的一次检查，请先完成它。"))
    visit = visit_create(store=locked.store, inspector=locked.inspector, visited_at=visited_at)
    locked.visit = visit
    locked.save(update_fields=["visit"])
    return visit
