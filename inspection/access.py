"""Visits, photos, plans and awards as a user may load them: a 404 outside their scope.

Built only from the named permissions and the store scope of `stores.access`; each
helper checks its permission itself (a 403 for the wrong role), so a view cannot
forget to.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from inspection.models import (
    BonusAward,
    FindingPhoto,
    Visit,
    VisitAssignment,
    VisitStatus,
    WorkbookExport,
)
from stores.access import (
    Permission,
    can_award_bonus,
    can_export,
    can_inspect,
    can_plan,
    can_review,
    reads_results,
    require,
    scope_of,
    sees_inspector,
    stores_in_scope,
)
from stores.models import Store


def get_visit_for_inspector(user, pk) -> Visit:
    """An inspector's own visit; anyone else's is a 404."""
    require(user, can_inspect)
    return get_object_or_404(
        Visit.objects.select_related("store", "standard"), pk=pk, inspector=user
    )


def visits_for_reviewer(user, *, permission: Permission = can_review) -> QuerySet[Visit]:
    """Every visit, whatever its status, of the stores in the user's scope."""
    require(user, permission)
    return Visit.objects.filter(store__in=stores_in_scope(user))


def get_visit_for_reviewer(user, pk, *, permission: Permission = can_review) -> Visit:
    visits = visits_for_reviewer(user, permission=permission)
    return get_object_or_404(
        visits.select_related("store", "store__branch", "standard", "inspector", "returned_by"),
        pk=pk,
    )


def get_visit_for_reader(user, pk) -> Visit:
    """A visit its inspector or a reviewer of its store may read; store staff may read
    their store's published visits (the pages they see never name the inspector)."""
    if can_inspect(user):
        return get_visit_for_inspector(user, pk)
    if can_review(user):
        return get_visit_for_reviewer(user, pk)
    require(user, reads_results)
    return get_object_or_404(
        Visit.objects.filter(store__in=stores_in_scope(user), status=VisitStatus.PUBLISHED),
        pk=pk,
    )


def get_photo_for_reader(user, pk, photo_pk) -> FindingPhoto:
    return get_object_or_404(FindingPhoto, pk=photo_pk, visit=get_visit_for_reader(user, pk))


def get_assignment_for_inspector(user, pk) -> VisitAssignment:
    require(user, can_inspect)
    return get_object_or_404(VisitAssignment, pk=pk, inspector=user)


def stores_to_plan(user) -> QuerySet[Store]:
    """The active stores in the planner's scope."""
    require(user, can_plan)
    return stores_in_scope(user).filter(is_active=True).order_by("code")


def get_assignment_for_planner(user, pk) -> VisitAssignment:
    return get_object_or_404(VisitAssignment, pk=pk, store__in=stores_to_plan(user))


def get_bonus_award_for_user(user, pk) -> BonusAward:
    require(user, can_award_bonus)
    awards = BonusAward.objects.filter(store__in=stores_in_scope(user))
    return get_object_or_404(awards.select_related("store"), pk=pk)


def get_workbook_export_for_user(user, pk) -> WorkbookExport:
    """A workbook job of the user's own scope and visibility (whoever asked for it):
    a job of another scope, or one naming inspectors the user may not see, is a 404."""
    require(user, can_export)
    return get_object_or_404(
        WorkbookExport,
        pk=pk,
        scope=scope_of(user),
        shows_inspectors=sees_inspector(user),
    )
