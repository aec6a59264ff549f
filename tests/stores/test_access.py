import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from stores import access
from stores.access import (
    Grants,
    can_review,
    get_store_for_user,
    home_store_id,
    inspectors,
    ranked_stores,
    require,
    role_of,
    scope_of,
    store_ids_to_open,
    stores_in_scope,
    stores_of_scope,
)
from stores.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores(make_store, other_branch):
    """Two stores in the managers' branch, one in another branch."""
    return make_store(), make_store(), make_store(branch=other_branch)


def test_headquarters_sees_every_store(hq, stores):
    assert set(stores_in_scope(hq)) == set(stores)


def test_an_administrator_sees_every_store(admin_user, stores):
    assert set(stores_in_scope(admin_user)) == set(stores)


def test_a_branch_manager_sees_only_their_branch(branch_manager, stores):
    assert set(stores_in_scope(branch_manager)) == set(stores[:2])


def test_a_store_manager_sees_only_their_store(store_manager, store, stores):
    assert list(stores_in_scope(store_manager)) == [store]


def test_an_inspector_reads_no_store_results(inspector, stores):
    assert not stores_in_scope(inspector).exists()


def test_a_user_without_a_role_sees_nothing(django_user_model, stores):
    user = django_user_model.objects.create_user("nobody")
    assert role_of(user) is None
    assert not stores_in_scope(user).exists()


def test_a_superuser_without_a_membership_is_an_administrator(django_user_model):
    user = django_user_model.objects.create_superuser("boss", password="x")
    assert role_of(user) == Role.ADMINISTRATOR


def test_anonymous_users_have_no_role():
    assert role_of(AnonymousUser()) is None


def test_another_branchs_store_is_not_found_rather_than_forbidden(branch_manager, stores):
    assert get_store_for_user(branch_manager, stores[0].pk) == stores[0]
    with pytest.raises(Http404):
        get_store_for_user(branch_manager, stores[2].pk)


def test_require_refuses_roles_without_the_permission(store_manager, hq):
    assert require(hq, can_review).role == Role.HEADQUARTERS
    with pytest.raises(PermissionDenied):
        require(store_manager, can_review)


INSPECTOR, STORE, BRANCH, HQ, ADMIN = (
    Role.INSPECTOR,
    Role.STORE_MANAGER,
    Role.BRANCH_MANAGER,
    Role.HEADQUARTERS,
    Role.ADMINISTRATOR,
)
# Who holds each right: rulings R8 (who changes scores) and R9 (who sees inspectors).
HOLDERS = {
    "can_inspect": {INSPECTOR},
    "can_review": {HQ, ADMIN},
    "can_publish": {HQ, ADMIN},
    "can_return": {HQ, ADMIN},
    "can_amend": {HQ, ADMIN},
    "can_plan": {HQ, ADMIN},
    "can_award_bonus": {HQ, ADMIN},
    "can_import": {HQ, ADMIN},
    "sees_inspector": {HQ, ADMIN},
    "sees_visit_time": {HQ, ADMIN},
    "reads_overview": {BRANCH, HQ, ADMIN},
    "reads_every_ranking": {BRANCH, HQ, ADMIN},
    "reads_results": {STORE, BRANCH, HQ, ADMIN},
    "can_export": {STORE, BRANCH, HQ, ADMIN},
    "reads_audit": {HQ, ADMIN},
}


def test_the_table_names_every_permission():
    names = {n for n, v in vars(access).items() if isinstance(v, access.Permission)}
    assert names == set(HOLDERS)


@pytest.mark.parametrize(("name", "holders"), HOLDERS.items())
def test_each_permission_is_held_by_the_roles_the_rulings_name(
    inspector, store_manager, branch_manager, hq, admin_user, name, holders
):
    users = {
        INSPECTOR: inspector,
        STORE: store_manager,
        BRANCH: branch_manager,
        HQ: hq,
        ADMIN: admin_user,
    }
    permission = getattr(access, name)
    assert {role for role, user in users.items() if permission(user)} == holders


def test_store_staff_see_their_own_ranking_rows_and_managers_every_row(
    store_manager, branch_manager, store, stores
):
    assert list(ranked_stores(store_manager)) == [store]
    assert ranked_stores(branch_manager) is None


def test_managers_open_the_store_pages_of_their_scope(branch_manager, hq, stores):
    assert store_ids_to_open(hq) is None
    assert store_ids_to_open(branch_manager) == {stores[0].pk, stores[1].pk}


def test_a_store_managers_pages_are_about_their_store(store_manager, branch_manager, store):
    assert home_store_id(store_manager) == store.pk
    assert home_store_id(branch_manager) is None


def test_templates_ask_permissions_by_name(inspector, hq):
    assert Grants(inspector)["can_inspect"]
    assert not Grants(hq)["can_inspect"]
    with pytest.raises(KeyError):
        Grants(hq)["Permission"]


def test_only_active_inspectors_are_sent(inspector, hq, make_user):
    retired = make_user(Role.INSPECTOR, is_active=False)
    assert list(inspectors()) == [inspector]
    assert retired not in inspectors()


def test_a_scope_is_named_so_that_its_stores_can_be_found_again_by_a_job(
    hq, branch_manager, store_manager, inspector, store, stores
):
    names = [scope_of(user) for user in (hq, branch_manager, store_manager, inspector)]
    assert names == ["all", f"branch:{store.branch_id}", f"store:{store.pk}", "none"]
    for user in (hq, branch_manager, store_manager, inspector):
        assert set(stores_of_scope(scope_of(user))) == set(stores_in_scope(user))
