"""Who may do what, and which stores they see: the one place that names roles.

Views, services, queries and templates ask a permission by name (`can_review(user)`,
`{% if access.can_review %}`); a change of who may do what is a change to the
table below. Objects are loaded through the `get_<object>_for_user` helpers
(here and in `inspection.access`): a user outside an object's scope gets a 404,
not a 403, so that the existence of other stores' data is not revealed.
"""

from django.contrib.auth import get_user_model
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


class Permission:
    """A right held by some roles; call it with a user."""

    def __init__(self, *roles: str):
        self.roles = frozenset(roles)

    def __call__(self, user) -> bool:
        return role_of(user) in self.roles


# Roles that see every store, that manage stores, that read stores' results.
EVERY_STORE = (Role.HEADQUARTERS, Role.ADMINISTRATOR)
MANAGERS = (*EVERY_STORE, Role.BRANCH_MANAGER)
READERS = (*MANAGERS, Role.STORE_MANAGER)

# --- The table: every permission and the roles that hold it --------------------

# Fill in visits on the tablet; be planned for visits.
can_inspect = Permission(Role.INSPECTOR)
# Read submitted visits; publish them, send them back, correct published ones.
can_review = Permission(*MANAGERS)
can_publish = Permission(*MANAGERS)
can_return = Permission(*MANAGERS)
can_amend = Permission(*MANAGERS)
# Plan a month's visits to the stores in scope.
can_plan = Permission(*MANAGERS)
# Rule 9: headquarters awards part C points; branch managers only see the candidates.
can_award_bonus = Permission(Role.HEADQUARTERS)
# Import store lists and third-party visit results.
can_import = Permission(*EVERY_STORE)
# Inspectors never read the workbook: it ranks the halls they inspect.
can_export = Permission(*READERS)
# The rankings and the store pages of the stores in scope.
reads_results = Permission(*READERS)
# The overview of every store in scope.
reads_overview = Permission(*MANAGERS)
# Headquarters publishes the rankings to every manager; store staff see their own rows.
reads_every_ranking = Permission(*MANAGERS)
# Store staff never learn who inspected them.
sees_inspector = Permission(*MANAGERS)
# The workbook goes to headquarters with inspector names: branch and store managers
# forward it to the halls, who must not learn who inspected them.
sees_inspector_in_workbook = Permission(*EVERY_STORE)
# The time of day of a published visit, beside its date.
sees_visit_time = Permission(*READERS)


def require(user, permission: Permission) -> Membership | None:
    """Raise PermissionDenied unless the user holds `permission`."""
    if not permission(user):
        raise PermissionDenied
    return membership_of(user)


class Grants:
    """A user's permissions by name, for templates: `{% if access.can_plan %}`."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, name: str) -> bool:
        permission = globals().get(name)
        if not isinstance(permission, Permission):
            raise KeyError(name)
        return permission(self.user)


# --- Scope ----------------------------------------------------------------------


def stores_in_scope(user) -> QuerySet[Store]:
    """The stores whose results this user may read."""
    role = role_of(user)
    stores = Store.objects.select_related("branch")
    if role in EVERY_STORE:
        return stores
    membership = membership_of(user)
    if role == Role.BRANCH_MANAGER:
        return stores.filter(branch_id=membership.branch_id)
    if role == Role.STORE_MANAGER:
        return stores.filter(pk=membership.store_id)
    return stores.none()


def home_store_id(user) -> int | None:
    """The one store whose pages a store manager opens the app on."""
    membership = membership_of(user)
    return membership.store_id if role_of(user) == Role.STORE_MANAGER else None


def ranked_stores(user) -> QuerySet[Store] | None:
    """The stores whose ranking rows the user sees; None means every store."""
    return None if reads_every_ranking(user) else stores_in_scope(user)


def store_ids_to_open(user) -> frozenset[int] | None:
    """The stores whose page the user may open; None means every store."""
    if role_of(user) in EVERY_STORE:
        return None
    return frozenset(stores_in_scope(user).values_list("pk", flat=True))


def inspectors() -> QuerySet:
    """The active users who may be sent to inspect a store."""
    return get_user_model().objects.filter(is_active=True, membership__role__in=can_inspect.roles)


def get_store_for_user(user, pk, *, permission: Permission = reads_results) -> Store:
    require(user, permission)
    return get_object_or_404(stores_in_scope(user), pk=pk)
