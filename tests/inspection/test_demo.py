import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from inspection import demo
from inspection.models import (
    BonusAward,
    Finding,
    MonthlyResult,
    Standard,
    Visit,
    VisitAssignment,
    VisitStatus,
)
from inspection.scoring import item_applies, score_visit
from inspection.services.monthly import monthly_results_recompute
from inspection.services.visits import visit_validate
from stores.models import Category, LocationClass, Membership, Role, Store
from tests.conftest import local, restore_reference_data

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
NOW = local(2026, 3, 18, 15, 30)
MONTHS = [dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)] + [
    dt.date(2026, 1, 1),
    dt.date(2026, 2, 1),
    dt.date(2026, 3, 1),
]


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The default demo, seeded once for the module and rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        # A module fixture may run after a browser journey has flushed the database.
        restore_reference_data()
        summary = demo.demo_seed(now=NOW)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def visits(province, django_db_blocker):
    with django_db_blocker.unblock():
        return list(
            Visit.objects.select_related("store")
            .prefetch_related("findings__item")
            .order_by("visited_at", "store__code")
        )


@pytest.fixture
def empty_db(db, settings):
    """A database without the module's province (if it was seeded), rolled back after."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo.demo_reset()


def findings_of(visit: Visit) -> dict[str, dict]:
    return {
        f.item.code: {**f.as_scoring_input(), "na_reason": f.na_reason, "note": f.note}
        for f in visit.findings.all()
    }


def test_the_default_demo_has_sixty_stores_in_six_branches(province, db):
    assert (province.stores, province.branches) == (60, 6)
    assert Store.objects.count() == 60
    assert Store.objects.values("branch").distinct().count() == 6


def test_it_has_every_category_and_both_location_classes(province, db):
    assert set(Store.objects.values_list("category", flat=True)) == set(Category.values)
    assert set(Store.objects.values_list("location_class", flat=True)) == set(LocationClass.values)


def test_stores_look_like_real_halls(province, db):
    stores = list(Store.objects.all())
    assert len({s.name for s in stores}) == len(stores)
    assert all(2 <= s.counters <= 10 for s in stores)
    assert all(s.opened_on < MONTHS[0] for s in stores)
    assert {s.has_rest_area for s in stores} == {True, False}
    assert all(s.name.endswith(demo.CATEGORY_SUFFIX[s.category]) for s in stores), (
        "a hall's name says what kind of hall it is"
    )
    township = Store.objects.filter(category=Category.TOWNSHIP)
    assert not township.filter(location_class=LocationClass.CITY).exists()


def test_every_month_has_published_visits_and_the_window_ends_this_month(province, visits):
    assert province.months == MONTHS
    published_months = {v.month for v in visits if v.status == VisitStatus.PUBLISHED}
    assert published_months == set(MONTHS)


def test_no_visit_is_in_the_future_or_outside_opening_hours(visits):
    assert all(v.visited_at <= NOW for v in visits)
    for visit in visits:
        moment = timezone.localtime(visit.visited_at).time()
        assert dt.time(9, 0) <= moment < dt.time(18, 0), visit


def test_each_store_has_one_to_three_visits_a_month(visits):
    per_store_month = defaultdict(int)
    for visit in visits:
        per_store_month[visit.store_id, visit.month] += 1
    assert len(per_store_month) == 60 * 6
    assert set(per_store_month.values()) == {1, 2, 3}


def test_inspectors_never_inspect_their_home_branch(visits):
    home = dict(Membership.objects.values_list("user_id", "branch_id"))
    assert all(home[v.inspector_id] != v.store.branch_id for v in visits)


def test_stored_visit_scores_equal_rescoring_their_findings(visits, standard):
    rules = standard.rules()
    for visit in visits:
        score = score_visit(rules, visit.store.scoring_attributes(), findings_of(visit))
        deducted = {f.item.code: f.deducted for f in visit.findings.all()}
        assert deducted == {code: score.deductions.get(code, 0) for code in deducted}, visit
        if visit.total is None:
            continue
        assert visit.section_scores == score.sections, visit
        assert (visit.total, visit.zeroed, visit.red_line) == (
            score.total,
            score.zeroed,
            score.red_line,
        ), visit


def test_every_submitted_visit_passes_the_services_validation(visits, standard):
    rules = standard.rules()
    for visit in visits:
        if visit.status == VisitStatus.DRAFT:
            continue
        errors = visit_validate(
            store=visit.store, visited_at=visit.visited_at, rules=rules, findings=findings_of(visit)
        )
        assert errors == [], visit


def test_findings_only_concern_items_that_apply_to_the_store(visits, rules):
    items = {item["code"]: item for item in rules["items"]}
    for visit in visits:
        attributes = visit.store.scoring_attributes()
        for finding in visit.findings.all():
            assert item_applies(items[finding.item.code], attributes), (visit, finding)


def test_most_stores_score_75_to_98_and_a_few_do_poorly(province, db):
    bases = list(MonthlyResult.objects.values_list("base_score", flat=True))
    typical = [b for b in bases if Decimal(75) <= b <= Decimal(98)]
    assert len(typical) >= 0.7 * len(bases)
    assert any(b < 70 for b in bases)


def test_findings_are_varied(province, db):
    findings = Finding.objects.select_related("item")
    assert findings.filter(item__code="B1a-01").exclude(points=[]).exists()
    assert findings.filter(item__code="A4-03", peak=True, measurement__isnull=False).exists()
    for code in ("A3-04", "A4-07", "B1b-01", "B2a-01", "B2a-02"):
        assert findings.filter(item__code=code, measurement__isnull=False).exists(), code
    assert findings.filter(item__code="A4-07", deducted=2).exists()
    assert findings.exclude(note="").exists()
    not_applicable = findings.filter(not_applicable=True)
    assert not_applicable.exists()
    assert not not_applicable.filter(na_reason="").exists()


def test_there_is_a_red_line_visit_and_a_zeroed_visit(province, db):
    red = Visit.objects.filter(status=VisitStatus.PUBLISHED, red_line=True)
    assert red.filter(findings__item__code__in=["B1a-03", "B1a-04"]).exists()
    zeroed = Visit.objects.filter(status=VisitStatus.PUBLISHED, zeroed=True)
    assert 1 <= zeroed.count() <= 3
    assert not zeroed.exclude(total=0).exists()
    assert (
        Finding.objects.filter(visit__in=zeroed, item__code="A2-Z", measurement__gte=20).count()
        == zeroed.count()
    )


def test_the_review_month_has_submitted_drafts_and_a_returned_draft(province, db):
    march = Visit.objects.filter(visited_at__gte=local(2026, 3, 1, 0, 0))
    assert march.filter(status=VisitStatus.SUBMITTED).count() >= 3
    drafts = march.filter(status=VisitStatus.DRAFT)
    assert drafts.filter(return_reason="", total__isnull=True).count() >= 2
    returned = drafts.exclude(return_reason="")
    assert returned.count() == 1
    assert returned.get().submitted_at is not None
    earlier = Visit.objects.filter(visited_at__lt=local(2026, 3, 1, 0, 0))
    assert not earlier.exclude(status=VisitStatus.PUBLISHED).exists()


def test_published_visits_record_who_published_them_and_when(province, db):
    published = Visit.objects.filter(status=VisitStatus.PUBLISHED)
    assert not published.filter(published_by__isnull=True).exists()
    for visit in published:
        assert visit.visited_at <= visit.submitted_at <= visit.published_at <= NOW


def test_bonus_awards_satisfy_rule_9(province, db, standard):
    awards = list(BonusAward.objects.prefetch_related("criteria"))
    assert awards and province.awards == len(awards)
    points = defaultdict(int)
    for award in awards:
        assert award.month < MONTHS[-1]
        assert award.criteria.count() >= standard.bonus_min_criteria
        assert award.highlight.strip()
        result = MonthlyResult.objects.get(store=award.store, month=award.month)
        assert result.category_base_rank <= standard.bonus_top_n
        assert result.bonus >= award.points
        points[award.store_id, award.month] += award.points
    assert max(points.values()) <= standard.bonus_max_points


def test_monthly_results_are_what_a_recompute_gives(province, db):
    fields = (
        "store_id",
        "month",
        "visit_count",
        "total_sum",
        "base_score",
        "section_scores",
        "bonus",
        "total",
        "red_line_visits",
        "zeroed_visits",
        "category_base_rank",
        "rank_overall",
        "rank_category",
        "rank_branch",
    )
    stored = list(MonthlyResult.objects.order_by("month", "store_id").values_list(*fields))
    assert {row[1] for row in stored} == set(MONTHS)
    for month in MONTHS:
        monthly_results_recompute(month=month)
    assert list(MonthlyResult.objects.order_by("month", "store_id").values_list(*fields)) == (
        stored
    )


def test_there_is_a_user_of_every_role_in_its_group(province, db):
    users = get_user_model().objects.select_related("membership").prefetch_related("groups")
    by_role = defaultdict(list)
    for user in users:
        by_role[user.membership.role].append(user)
        assert [g.name for g in user.groups.all()] == [user.membership.role]
        assert user.first_name
    assert set(by_role) == set(Role.values)
    assert len(by_role[Role.INSPECTOR]) == 6
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert users.get(username="hq").is_staff
    assert users.get(username="branch").membership.branch.code == demo.MANAGED_BRANCH
    store_manager = users.get(username="store").membership
    assert store_manager.store.branch_id == store_manager.branch_id
    assert all(u.membership.branch_id for u in by_role[Role.INSPECTOR])
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        assert all(u.check_password(demo.DEMO_PASSWORD) for u in users)
    assert [login[0] for login in province.logins] == list(demo.DEMO_USERNAMES)


def test_it_is_deterministic_given_the_seed(empty_db):
    def snapshot():
        return (
            list(Store.objects.order_by("code").values_list("code", "name", "category")),
            list(
                Visit.objects.order_by("visited_at", "store__code").values_list(
                    "store__code", "inspector__username", "visited_at", "total", "status"
                )
            ),
        )

    demo.demo_seed(stores=12, months=2, seed=7, now=NOW)
    first = snapshot()
    demo.demo_reset()
    demo.demo_seed(stores=12, months=2, seed=7, now=NOW)
    assert snapshot() == first
    demo.demo_reset()
    demo.demo_seed(stores=12, months=2, seed=8, now=NOW)
    assert snapshot() != first


def test_before_opening_on_the_first_the_window_ends_last_month(empty_db):
    summary = demo.demo_seed(stores=6, months=2, now=local(2026, 4, 1, 8, 30))
    assert summary.months == [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert not Visit.objects.filter(visited_at__gte=local(2026, 4, 1, 0, 0)).exists()


def test_early_on_the_first_every_visit_is_before_now(empty_db):
    now = local(2026, 4, 1, 9, 40)
    summary = demo.demo_seed(stores=6, months=1, now=now)
    assert summary.months == [dt.date(2026, 4, 1)]
    assert Visit.objects.count() >= 6
    assert not Visit.objects.filter(visited_at__gte=now).exists()
    assert Visit.objects.filter(status=VisitStatus.PUBLISHED).exists()


def test_it_refuses_to_seed_over_an_existing_province(province, db):
    with pytest.raises(demo.DemoDataExists):
        demo.demo_seed(stores=6, months=1, now=NOW)
    assert Store.objects.count() == 60


def test_the_standard_in_force_scores_the_visits(province, db):
    assert set(Visit.objects.values_list("standard", flat=True)) == {
        Standard.in_force(NOW.date()).pk
    }


def test_every_inspector_has_visits_planned_for_today_and_none_in_their_branch(province, db):
    today = timezone.localdate(NOW)
    for username in [f"inspector{n}" for n in range(1, 7)]:
        plans = VisitAssignment.objects.filter(inspector__username=username)
        assert plans.filter(planned_on=today, visit__isnull=True).exists()
        home = plans.first().inspector.membership.branch_id
        assert not plans.filter(store__branch_id=home).exists()


def test_every_visit_of_the_current_month_was_planned(province, visits, db):
    month = timezone.localdate(NOW).replace(day=1)
    current = [v for v in visits if v.month == month]
    assert current
    assert VisitAssignment.objects.filter(visit__in=current).count() == len(current)
