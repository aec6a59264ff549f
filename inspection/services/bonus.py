"""Part C bonus points (rule 9 of the standard): awarding and revoking them mark the
month for re-ranking."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from audit.models import Action
from audit.services import event_record
from inspection import scoring
from inspection.models import BonusAward, BonusCriterion, MonthlyResult, Standard
from inspection.services import monthly
from stores.models import Store


@transaction.atomic
def bonus_award(
    *,
    store: Store,
    month: dt.date,
    points: int,
    criteria: Iterable[BonusCriterion],
    highlight: str,
    by: AbstractBaseUser,
) -> BonusAward:
    """Award part C points, enforcing rule 9; raises ValidationError with every refusal."""
    month = month.replace(day=1)
    # Stored ranks may trail a re-rank by seconds; every re-rank checks rule 9 again, so
    # an award whose store has left the top N stops counting then.
    monthly.month_rerank_request(months=[month])
    # Lock the store's row so two managers cannot both take the last point (a lock
    # that lets a re-rank job upsert rows referring to the store meanwhile).
    Store.objects.select_for_update(no_key=True).filter(pk=store.pk).first()
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
    event_record(action=Action.BONUS_AWARD, by=by, target=award, detail=award.audit_detail())
    return award


@transaction.atomic
def bonus_revoke(*, award: BonusAward, by: AbstractBaseUser) -> None:
    monthly.month_rerank_request(months=[award.month])
    # The row goes; the event keeps what was awarded, by whom, and who revoked it.
    event_record(action=Action.BONUS_REVOKE, by=by, target=award, detail=award.audit_detail())
    award.delete()
