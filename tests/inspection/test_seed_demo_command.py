from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from inspection import demo
from inspection.models import MonthlyResult, Visit, VisitStatus
from stores.models import Branch, Membership, Store


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_seeds_a_small_province_and_prints_the_logins(db):
    output = seed("--stores", "30", "--months", "2")

    assert Store.objects.count() == 30
    months = {v.month for v in Visit.objects.filter(status=VisitStatus.PUBLISHED)}
    assert len(months) == 2
    assert set(MonthlyResult.objects.values_list("month", flat=True)) == months
    assert not Visit.objects.filter(visited_at__gt=timezone.now()).exists()
    for username in demo.DEMO_USERNAMES:
        line = next(line for line in output.splitlines() if line.startswith(f"{username} "))
        assert demo.DEMO_PASSWORD in line
    assert get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES).count() == 10


def test_if_empty_does_nothing_on_a_populated_database(make_store):
    make_store()

    output = seed("--if-empty")

    assert output.strip()
    assert Store.objects.count() == 1
    assert not Visit.objects.exists()
    assert not get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES).exists()


def test_if_empty_seeds_an_empty_database(db):
    seed("--if-empty", "--stores", "8", "--months", "1")

    assert Store.objects.count() == 8


def test_it_refuses_to_seed_over_existing_data_without_reset(make_store):
    make_store()

    with pytest.raises(CommandError, match="--reset"):
        seed("--stores", "8", "--months", "1")

    assert Store.objects.count() == 1
    assert not Visit.objects.exists()


def test_reset_replaces_existing_stores_visits_and_memberships(make_visit, store, store_manager):
    old_visit = make_visit(store, {"A1-03": {"occurrences": 1}})

    seed("--reset", "--stores", "8", "--months", "1")

    assert not Store.objects.filter(pk=store.pk).exists()
    assert not Branch.objects.filter(pk=store.branch_id).exists()
    assert not Visit.objects.filter(pk=old_visit.pk).exists()
    assert not Membership.objects.filter(user=store_manager).exists()
    assert Store.objects.count() == 8


def test_reset_twice_with_one_seed_gives_the_same_province(db):
    def snapshot():
        return list(
            Visit.objects.order_by("visited_at", "store__code").values_list(
                "store__code", "store__name", "visited_at", "total", "status"
            )
        )

    seed("--stores", "8", "--months", "1", "--seed", "11")
    first = snapshot()
    seed("--reset", "--stores", "8", "--months", "1", "--seed", "11")

    assert snapshot() == first


def test_it_rejects_a_province_without_stores(db):
    with pytest.raises(CommandError):
        seed("--stores", "0")

    assert not Store.objects.exists()
