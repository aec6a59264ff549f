"""Planning a month's mystery-shopper visits, and an inspector starting one."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import event_record
from inspection.models import Visit, VisitAssignment
from inspection.services.visits import visit_create
from stores.access import inspectors
from stores.models import Store


@transaction.atomic
def assignment_set(
    *,
    store: Store,
    month: dt.date,
    inspector: AbstractBaseUser,
    planned_on: dt.date | None,
    by: AbstractBaseUser,
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
    event_record(action=Action.PLAN_SET, by=by, target=assignment, detail=assignment.audit_detail())
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: VisitAssignment, by: AbstractBaseUser) -> None:
    if assignment.is_started:
        raise ValidationError(_("检查员已开始这次检查，不能删除。"))
    event_record(
        action=Action.PLAN_DELETE, by=by, target=assignment, detail=assignment.audit_detail()
    )
    assignment.delete()


@transaction.atomic
def assignments_autoplan(
    *, month: dt.date, stores: Iterable[Store], visits_per_store: int, by: AbstractBaseUser
) -> list[VisitAssignment]:
    """Give every store up to `visits_per_store` planned visits, each to the eligible
    inspector with the fewest visits that month (across all branches, so plans made
    at different times or by different planners still spread evenly), preferring
    someone the store has not already been given. Existing assignments are kept."""
    month = month.replace(day=1)
    stores = sorted(stores, key=lambda s: s.code)
    pool = list(inspectors().select_related("membership").order_by("username"))
    planned = list(
        VisitAssignment.objects.select_for_update()
        .filter(month=month)
        .order_by()
        .values_list("store_id", "inspector_id")
    )
    load = dict.fromkeys((i.pk for i in pool), 0)
    at_store = defaultdict(set)
    count_at_store = defaultdict(int)
    for store_id, inspector_id in planned:
        load[inspector_id] = load.get(inspector_id, 0) + 1
        at_store[store_id].add(inspector_id)
        count_at_store[store_id] += 1
    created = []
    unplanned = []
    # A province has thousands of stores but a few dozen branches.
    by_branch = {}
    for store in stores:
        if store.branch_id not in by_branch:
            by_branch[store.branch_id] = [
                i for i in pool if i.membership.branch_id != store.branch_id
            ]
        candidates = by_branch[store.branch_id]
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
    event_record(
        action=Action.PLAN_AUTO,
        by=by,
        detail={"month": f"{month:%Y-%m}", "created": len(created), "stores": len(stores)},
    )
    return VisitAssignment.objects.bulk_create(created)


@transaction.atomic
def assignments_add(
    *,
    stores: Iterable[Store],
    month: dt.date,
    inspector: AbstractBaseUser,
    planned_on: dt.date | None,
    by: AbstractBaseUser,
) -> int:
    """Plan one visit by `inspector` to each of the stores: all of them or, when any may
    not be planned so, none (every reason is listed)."""
    errors = []
    for store in sorted(stores, key=lambda s: s.code):
        try:
            assignment_set(
                store=store, month=month, inspector=inspector, planned_on=planned_on, by=by
            )
        except ValidationError as error:
            errors.extend(
                _("%(store)s：%(reason)s") % {"store": store, "reason": m} for m in error.messages
            )
    if errors:
        raise ValidationError(errors)
    return len(stores)


@transaction.atomic
def assignments_reassign(
    *,
    assignments: Iterable[VisitAssignment],
    month: dt.date,
    inspector: AbstractBaseUser | None,
    planned_on: dt.date | None,
    by: AbstractBaseUser,
) -> int:
    """Move the given planned visits to another inspector, another day, or both: all of
    them or, when any of them may not go there, none (every reason is listed)."""
    if inspector is None and planned_on is None:
        raise ValidationError(_("请选择新的检查员或新的日期。"))
    month = month.replace(day=1)
    locked = list(
        VisitAssignment.objects.select_for_update(of=("self",))
        .select_related("store")
        .filter(pk__in=[a.pk for a in assignments])
        .order_by("store__code", "pk")
    )
    errors = []
    if planned_on is not None and planned_on.replace(day=1) != month:
        errors.append(_("计划日期必须在所选月份内。"))
    now = timezone.now()
    for assignment in locked:
        if assignment.month != month:
            errors.append(_("%(store)s：这次计划不在所选月份。") % {"store": assignment.store})
            continue
        if assignment.is_started:
            errors.append(
                _("%(store)s：检查员已开始这次检查，不能再更改。") % {"store": assignment.store}
            )
            continue
        if inspector is not None:
            assignment.inspector = inspector
        if planned_on is not None:
            assignment.planned_on = planned_on
        assignment.planned_by = by
        assignment.planned_at = now
        try:
            assignment.clean()
        except ValidationError as error:
            errors.extend(
                _("%(store)s：%(reason)s") % {"store": assignment.store, "reason": m}
                for m in error.messages
            )
    if errors:
        raise ValidationError(errors)
    VisitAssignment.objects.bulk_update(
        locked, ["inspector", "planned_on", "planned_by", "planned_at"]
    )
    for assignment in locked:
        event_record(
            action=Action.PLAN_SET, by=by, target=assignment, detail=assignment.audit_detail()
        )
    return len(locked)


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
