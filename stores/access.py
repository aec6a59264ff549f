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

# --- The table: which roles hold each permission --------------------------------
# A ruling that gives a right to other roles moves its name to another line.

# The inspector's own work: fill in visits on the tablet, be planned for visits.
can_inspect = Permission(Role.INSPECTOR)
# Ruling R8: whoever changes scores is never the branch whose scores they are.
# Reviewing (reading submitted visits, publishing, returning, amending), planning,
# awarding bonus points (rule 9; branch managers only see the candidates) and imports.
can_review = can_publish = can_return = can_amend = can_plan = Permission(*EVERY_STORE)
can_award_bonus = can_import = Permission(*EVERY_STORE)
# Ruling R9: mystery shoppers stay anonymous. Who inspected a store and the time of
# day of a visit, on every page, in the workbook, the admin and JSON (the plan is
# `can_plan`'s): branch and store staff see the visit's date only. Inspectors see
# their own visits and assignments on their own pages, which show nobody else's.
sees_inspector = sees_visit_time = Permission(*EVERY_STORE)
# The overview, and every row of the rankings (headquarters publishes them to every
# manager; store staff see their own rows).
reads_overview = reads_every_ranking = Permission(*MANAGERS)
# The results of the stores in scope: rankings, store pages, the workbook.
# Inspectors never read them: they rank the halls inspected.
reads_results = can_export = Permission(*READERS)
# The audit trail of logins, imports, publications, returns, amendments, bonus and plans.
reads_audit = Permission(*EVERY_STORE)


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


def scope_of(user) -> str:
    """The name of the stores in a user's scope: "all", "branch:<id>", "store:<id>" or
    "none". Work done for one scope (a workbook) is shared by everyone who has it."""
    role = role_of(user)
    if role in EVERY_STORE:
        return "all"
    membership = membership_of(user)
    if role == Role.BRANCH_MANAGER:
        return f"branch:{membership.branch_id}"
    if role == Role.STORE_MANAGER:
        return f"store:{membership.store_id}"
    return "none"


def stores_of_scope(scope: str) -> QuerySet[Store]:
    """The stores a scope named by `scope_of` covers."""
    stores = Store.objects.select_related("branch")
    kind, _sep, pk = scope.partition(":")
    if kind == "all":
        return stores
    if kind == "branch":
        return stores.filter(branch_id=int(pk))
    if kind == "store":
        return stores.filter(pk=int(pk))
    return stores.none()


def stores_in_scope(user) -> QuerySet[Store]:
    """The stores whose results this user may read."""
    return stores_of_scope(scope_of(user))


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
