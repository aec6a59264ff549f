"""The migration of the rulings of 2026-11-30, run for real: the database is taken back
to the migration before it, filled the way the app stored things then, and migrated
forward again."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from inspection.models import Item, MonthlyResult, Standard, Visit
from inspection.rules import read_standard_file, standard_load, standard_rules

BEFORE = ("inspection", "0006_draft_saves")
AFTER = ("inspection", "0009_red_line_names_prohibition")
MONTH = dt.date(2026, 9, 1)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def latest_afterwards():
    """Migrations after the rulings' must be applied again for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_month(apps):
    """September as the app ranked it before the rulings: a zeroed visit's sections
    counted as they would have scored, and a bonus counted although its store had
    dropped to 6th of its category. Returns the visits' totals."""
    Branch = apps.get_model("stores", "Branch")
    Store = apps.get_model("stores", "Store")
    User = apps.get_model("auth", "User")
    Visit = apps.get_model("inspection", "Visit")
    BonusAward = apps.get_model("inspection", "BonusAward")
    MonthlyResult = apps.get_model("inspection", "MonthlyResult")
    standard = apps.get_model("inspection", "Standard").objects.get(version="2009")
    # The standard as the app loaded it before B1a-04 existed.
    standard.items.filter(code="B1a-04").delete()
    branch = Branch.objects.create(code="JR", name="句容分公司")
    user = User.objects.create(username="hq")
    visited = dt.datetime(2026, 9, 10, 10, tzinfo=timezone.get_current_timezone())

    def store(code, category, visits, *, bonus=0, ranks, sections=None):
        shop = Store.objects.create(
            code=code, name=code, branch=branch, category=category, location_class="city"
        )
        for n, (total, zeroed, scored) in enumerate(visits):
            Visit.objects.create(
                store=shop,
                inspector=user,
                standard=standard,
                visited_at=visited + dt.timedelta(hours=n),
                status="published",
                total=total,
                zeroed=zeroed,
                section_scores={"A": scored},
            )
        if bonus:
            BonusAward.objects.create(
                store=shop, month=MONTH, points=bonus, highlight="雨天借伞", awarded_by=user
            )
        base = Decimal(sum(v[0] for v in visits)) / len(visits)
        category_base, overall, in_category, in_branch = ranks
        MonthlyResult.objects.create(
            store=shop,
            month=MONTH,
            visit_count=len(visits),
            total_sum=sum(v[0] for v in visits),
            base_score=base,
            section_scores=sections or {"A": float(base)},
            bonus=bonus,
            total=base + bonus,
            category_base_rank=category_base,
            rank_overall=overall,
            rank_category=in_category,
            rank_branch=in_branch,
        )

    for code, total, ranks in [
        ("S1", 100, (1, 1, 1, 1)),
        ("S2", 98, (2, 2, 2, 2)),
        ("S3", 96, (3, 3, 3, 3)),
        ("S4", 94, (4, 4, 4, 4)),
        ("S5", 93, (5, 6, 6, 6)),
    ]:
        store(code, "ordinary", [(total, False, total)], ranks=ranks)
    store("S6", "ordinary", [(92, False, 92)], bonus=2, ranks=(6, 4, 4, 4))
    store(
        "T1",
        "township",
        [(100, False, 100), (0, True, 95)],
        ranks=(1, 7, 1, 7),
        sections={"A": 97.5},
    )
    return dict(Visit.objects.values_list("pk", "total"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_applies_the_rulings_and_reranks_every_stored_month_once(
    capsys, latest_afterwards
):
    totals = old_month(migrate(BEFORE))
    capsys.readouterr()

    migrate(AFTER)

    assert "Re-ranked 1 stored months: 3 monthly results changed." in capsys.readouterr().out
    results = {r.store.code: r for r in MonthlyResult.objects.select_related("store")}
    # R6: the zeroed visit counts 0 in every section.
    assert results["T1"].section_scores == {"A": 50.0}
    # R7: S6's bonus stays on record, does not count, and S5 moves up past it.
    s6 = results["S6"]
    assert (s6.bonus, s6.bonus_not_counting, s6.total, s6.rank_overall) == (0, 2, 92, 6)
    assert results["S5"].rank_overall == 5
    assert results["S1"].rank_overall == 1
    # Stored visit totals do not change.
    assert dict(Visit.objects.values_list("pk", "total")) == totals
    # R2 on the stored standard: B1a-04 after B1a-03, naming prohibition 1.
    standard = Standard.objects.get(version="2009")
    codes = list(standard.items.values_list("code", flat=True))
    assert codes[codes.index("B1a-03") + 1] == "B1a-04"
    assert Item.objects.get(standard=standard, code="B1a-04").prohibition.number == 1


@pytest.mark.django_db
def test_the_migrated_2009_standard_is_the_standard_file(standard):
    data = read_standard_file("standard-2009.json")
    fresh = standard_load({**data, "version": "2009-file"})
    assert {**standard_rules(fresh), "version": "2009"} == standard_rules(standard)
    assert fresh.peak_definition == standard.peak_definition
    assert list(fresh.prohibitions.values_list("number", "name", "text_en")) == list(
        standard.prohibitions.values_list("number", "name", "text_en")
    )
