import pytest
from django.db import IntegrityError

from stores.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_a_store_manager_must_have_a_store(django_user_model):
    user = django_user_model.objects.create_user("x")
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, role=Role.STORE_MANAGER)


def test_a_branch_manager_must_have_a_branch(django_user_model):
    user = django_user_model.objects.create_user("y")
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, role=Role.BRANCH_MANAGER)


def test_store_codes_are_unique(make_store):
    make_store(code="ZJ001")
    with pytest.raises(IntegrityError):
        make_store(code="ZJ001")


def test_a_store_gives_the_scoring_rules_its_attributes(make_store):
    store = make_store(category="gotone", location_class="city", counters=5, has_rest_area=True)
    assert store.scoring_attributes() == {
        "category": "gotone",
        "location_class": "city",
        "counters": 5,
        "has_rest_area": True,
    }
