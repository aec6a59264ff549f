"""Who may see what: every view loads objects through these helpers.

A user outside an object's scope gets a 404, not a 403, so that the existence
of other stores' data is not revealed.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from stores.models import Membership, Role, Store


def membership_of(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    if user.is_authenticated and user.is_superuser and membership_of(user) is None:
        return Role.ADMINISTRATOR
    membership = membership_of(user)
    return membership.role if membership else None


def require_role(user, *roles: str) -> Membership | None:
    """Raise PermissionDenied unless the user has one of `roles`."""
    role = role_of(user)
    if role not in roles:
        raise PermissionDenied
    return membership_of(user)


def stores_in_scope(user) -> QuerySet[Store]:
    """The stores whose results this user may read."""
    role = role_of(user)
    stores = Store.objects.select_related("branch")
    if role in (Role.HEADQUARTERS, Role.ADMINISTRATOR):
        return stores
    membership = membership_of(user)
    if role == Role.BRANCH_MANAGER:
        return stores.filter(branch_id=membership.branch_id)
    if role == Role.STORE_MANAGER:
        return stores.filter(pk=membership.store_id)
    return stores.none()


def store_for(user, pk) -> Store:
    return get_object_or_404(stores_in_scope(user), pk=pk)


def sees_inspectors(user) -> bool:
    """Store staff never learn who inspected them."""
    return role_of(user) in (Role.HEADQUARTERS, Role.ADMINISTRATOR, Role.BRANCH_MANAGER)
