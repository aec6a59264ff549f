"""The migration that bounds visit times, run for real: a visit an autosave stored in
the year 1 before the bound existed is moved to the moment it was created."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inspection.models import Visit
from tests.conftest import migrate

AFTER = ("inspection", "0012_plausible_times")


def before() -> tuple[str, str]:
    """The inspection migration this one follows, whatever it is numbered."""
    parents = MigrationExecutor(connection).loader.graph.node_map[AFTER].parents
    return next(parent.key for parent in parents if parent.key[0] == "inspection")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_a_visit_stored_in_the_year_1_is_moved_to_when_it_was_created():
    apps = migrate(before())
    Branch, Store = apps.get_model("stores", "Branch"), apps.get_model("stores", "Store")
    store = Store.objects.create(
        code="JR001",
        name="句容华阳营业厅",
        branch=Branch.objects.create(code="JR", name="句容分公司"),
        category="ordinary",
        location_class="county",
    )
    visits = apps.get_model("inspection", "Visit").objects
    fine = dt.datetime(2026, 11, 3, 6, 30, tzinfo=dt.UTC)
    common = {
        "store": store,
        "inspector": apps.get_model("auth", "User").objects.create(username="shopper"),
        "standard": apps.get_model("inspection", "Standard").objects.get(version="2009"),
    }
    broken = visits.create(visited_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC), **common).pk
    kept = visits.create(visited_at=fine, **common).pk

    migrate(AFTER)

    moved = Visit.objects.get(pk=broken)
    assert moved.visited_at == moved.created_at
    assert Visit.objects.get(pk=kept).visited_at == fine
