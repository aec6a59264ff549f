"""A demo province modelled on 镇江分公司, and scale data for benchmarks.

Branches, stores and logins are created here; the visits come from
`inspection.demo_visits`. Monthly results and bonus awards go through the
services, so ranks and rule 9 are exactly what the app computes.

Everything is drawn from one `random.Random(seed)`, so a seed and a moment give
the same province every time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from inspection.demo_visits import BATCH, VisitGenerator, award_bonuses, opening_slots
from inspection.models import (
    BonusAward,
    MonthlyResult,
    Standard,
    Visit,
    VisitAssignment,
)
from inspection.months import month_bounds, next_month, previous_month
from inspection.services.monthly import monthly_results_recompute
from stores.models import Branch, Category, LocationClass, Membership, Role, Store

DEMO_PASSWORD = "demo12345"
DEFAULT_STORES = 60
DEFAULT_MONTHS = 6
DEFAULT_SEED = 2009


@dataclass(frozen=True)
class BranchPlan:
    code: str
    name: str
    town: str
    location_class: str
    weight: int
    places: tuple[str, ...]


BRANCHES = (
    BranchPlan(
        "JK",
        "京口分公司",
        "镇江",
        LocationClass.CITY,
        12,
        ("大市口", "解放路", "中山东路", "学府路", "丁卯", "谏壁", "象山", "大港", "梦溪"),
    ),
    BranchPlan(
        "RZ",
        "润州分公司",
        "镇江",
        LocationClass.CITY,
        10,
        ("南门大街", "黄山", "宝塔路", "金山", "蒋乔", "官塘", "七里甸", "和平路"),
    ),
    BranchPlan(
        "DT",
        "丹徒分公司",
        "丹徒",
        LocationClass.COUNTY,
        8,
        ("新城", "高资", "辛丰", "上党", "宝堰", "谷阳", "荣炳", "世业"),
    ),
    BranchPlan(
        "DY",
        "丹阳分公司",
        "丹阳",
        LocationClass.COUNTY,
        12,
        ("开发区", "云阳", "司徒", "访仙", "吕城", "皇塘", "导墅", "珥陵", "延陵", "界牌"),
    ),
    BranchPlan(
        "JR",
        "句容分公司",
        "句容",
        LocationClass.COUNTY,
        10,
        ("华阳", "宝华", "下蜀", "郭庄", "天王", "茅山", "白兔", "边城", "后白"),
    ),
    BranchPlan(
        "YZ",
        "扬中分公司",
        "扬中",
        LocationClass.COUNTY,
        8,
        ("三茅", "新坝", "油坊", "八桥", "西来桥", "兴隆"),
    ),
)

# The branch whose manager and one of whose stores get the `branch` and `store` logins.
MANAGED_BRANCH = "DY"

CATEGORY_SUFFIX = {
    Category.FLAGSHIP: "沟通100服务店",
    Category.GOTONE: "全球通品牌店",
    Category.MZONE: "动感地带品牌店",
    Category.PHONE_MALL: "手机卖场",
    Category.ORDINARY: "营业厅",
    Category.TOWNSHIP: "营业厅",
}
# City branches have no township halls; county branches are mostly township halls.
CATEGORY_WEIGHTS = {
    LocationClass.CITY: {
        Category.FLAGSHIP: 2,
        Category.GOTONE: 2,
        Category.MZONE: 2,
        Category.PHONE_MALL: 2,
        Category.ORDINARY: 4,
        Category.TOWNSHIP: 0,
    },
    LocationClass.COUNTY: {
        Category.FLAGSHIP: 1,
        Category.GOTONE: 1,
        Category.MZONE: 1,
        Category.PHONE_MALL: 2,
        Category.ORDINARY: 3,
        Category.TOWNSHIP: 5,
    },
}
COUNTERS = {
    Category.FLAGSHIP: (6, 10),
    Category.GOTONE: (4, 8),
    Category.MZONE: (3, 6),
    Category.PHONE_MALL: (2, 5),
    Category.ORDINARY: (3, 6),
    Category.TOWNSHIP: (2, 3),
}
REST_AREA_CHANCE = {
    Category.FLAGSHIP: 1.0,
    Category.GOTONE: 1.0,
    Category.MZONE: 0.6,
    Category.PHONE_MALL: 0.5,
    Category.ORDINARY: 0.6,
    Category.TOWNSHIP: 0.2,
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    name: str
    # Inspectors only: index into BRANCHES of their home branch.
    home: int | None = None


DEMO_USERS = (
    DemoUser("admin", Role.ADMINISTRATOR, "赵建国"),
    DemoUser("hq", Role.HEADQUARTERS, "钱文静"),
    DemoUser("branch", Role.BRANCH_MANAGER, "孙志强"),
    DemoUser("store", Role.STORE_MANAGER, "李晓燕"),
    DemoUser("inspector1", Role.INSPECTOR, "周敏", home=0),
    DemoUser("inspector2", Role.INSPECTOR, "吴磊", home=1),
    DemoUser("inspector3", Role.INSPECTOR, "郑丽", home=2),
    DemoUser("inspector4", Role.INSPECTOR, "王涛", home=3),
    DemoUser("inspector5", Role.INSPECTOR, "冯霞", home=4),
    DemoUser("inspector6", Role.INSPECTOR, "陈杰", home=5),
)
DEMO_USERNAMES = tuple(u.username for u in DEMO_USERS)


@dataclass
class DemoSummary:
    branches: int = 0
    stores: int = 0
    months: list[dt.date] = field(default_factory=list)
    visits: int = 0
    findings: int = 0
    awards: int = 0
    assignments: int = 0
    logins: list[tuple[str, str, str, str, str]] = field(default_factory=list)


class DemoDataExists(Exception):
    """The database already holds stores, branches, visits or demo users."""


def demo_conflicts() -> list[str]:
    """What already in the database would clash with a fresh demo province."""
    found = []
    for label, queryset in (
        (_("%(count)s 个营业厅"), Store.objects.all()),
        (_("%(count)s 个分公司"), Branch.objects.all()),
        (_("%(count)s 次检查"), Visit.objects.all()),
        (_("%(count)s 个演示用户"), get_user_model().objects.filter(username__in=DEMO_USERNAMES)),
    ):
        count = queryset.count()
        if count:
            found.append(label % {"count": count})
    return found


@transaction.atomic
def demo_reset() -> None:
    """Delete what a demo province consists of: visits and everything derived from
    them, stores, branches and the demo users. Memberships scoped to a deleted
    branch or store go too, since their scope no longer exists."""
    VisitAssignment.objects.all().delete()
    BonusAward.objects.all().delete()
    MonthlyResult.objects.all().delete()
    Visit.objects.all().delete()
    Membership.objects.filter(Q(store__isnull=False) | Q(branch__isnull=False)).delete()
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
    Store.objects.all().delete()
    Branch.objects.all().delete()


@transaction.atomic
def demo_seed(
    *,
    stores: int = DEFAULT_STORES,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
) -> DemoSummary:
    """Create the demo province; refuses (DemoDataExists) unless the database is empty."""
    if stores < 1 or months < 1:
        raise ValueError("a demo needs at least one store and one month")
    conflicts = demo_conflicts()
    if conflicts:
        raise DemoDataExists("、".join(conflicts))
    now = now or timezone.now()
    rng = random.Random(seed)
    summary = DemoSummary()

    branches = _create_branches()
    store_list = _create_stores(rng, branches, stores)
    users = _create_users(branches, store_list)
    summary.branches, summary.stores = len(branches), len(store_list)
    summary.logins = [
        (u.username, DEMO_PASSWORD, u.role, u.name, _scope_label(users[u.username]))
        for u in DEMO_USERS
    ]

    standard = Standard.in_force(timezone.localdate(now))
    inspectors = [users[u.username] for u in DEMO_USERS if u.role == Role.INSPECTOR]
    generator = VisitGenerator(
        rng, standard, store_list, inspectors=inspectors, publisher=users["hq"], now=now
    )
    summary.months = _month_window(now, months)
    for index, month in enumerate(summary.months):
        is_review_month = index == len(summary.months) - 1
        visits, findings = generator.month(month, guarantee=index == 0, review=is_review_month)
        summary.visits += visits
        summary.findings += findings
        if not is_review_month:
            summary.awards += award_bonuses(rng, standard, month, users["hq"], now)
        monthly_results_recompute(month=month)
    # Record times reflect the visit, not the moment the demo was generated.
    Visit.objects.update(
        created_at=F("visited_at"),
        updated_at=Coalesce(F("published_at"), F("submitted_at"), F("visited_at")),
    )
    summary.assignments = _plan_current_month(rng, generator, users, now)
    return summary


def _plan_current_month(rng, generator: VisitGenerator, users: dict, now: dt.datetime) -> int:
    """The current month's plan: every visit already made was planned, and each
    inspector still has a few to make, the first of them today."""
    month = timezone.localtime(now).date().replace(day=1)
    today = timezone.localtime(now).date()
    last_day = next_month(month) - dt.timedelta(days=1)
    planner = users["hq"]
    made = Visit.objects.filter(visited_at__gte=month_bounds(month)[0])
    plan = [
        VisitAssignment(
            store_id=visit.store_id,
            month=month,
            inspector_id=visit.inspector_id,
            planned_on=timezone.localtime(visit.visited_at).date(),
            planned_by=planner,
            visit=visit,
        )
        for visit in made.only("store_id", "inspector_id", "visited_at")
    ]
    for inspector in (users[u.username] for u in DEMO_USERS if u.role == Role.INSPECTOR):
        eligible = [s for s in generator.stores if inspector in generator.inspectors_for[s.pk]]
        for n, store in enumerate(rng.sample(eligible, min(3, len(eligible)))):
            day = today if n == 0 else today + dt.timedelta(days=rng.randint(1, 10))
            plan.append(
                VisitAssignment(
                    store=store,
                    month=month,
                    inspector=inspector,
                    planned_on=min(day, last_day),
                    planned_by=planner,
                )
            )
    VisitAssignment.objects.bulk_create(plan, batch_size=BATCH)
    return len(plan)


def _scope_label(user) -> str:
    membership = user.membership
    if membership.store_id:
        return membership.store.name
    if membership.branch_id:
        return membership.branch.name
    return ""


def _create_branches() -> list[Branch]:
    return Branch.objects.bulk_create(Branch(code=b.code, name=b.name) for b in BRANCHES)


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), so every size
    of demo keeps the province's shape."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _create_stores(rng: random.Random, branches: list[Branch], count: int) -> list[Store]:
    plans = []  # (branch index, category)
    for index, share in enumerate(_allocate(count, [b.weight for b in BRANCHES])):
        weights = CATEGORY_WEIGHTS[BRANCHES[index].location_class]
        categories = rng.choices(list(weights), weights=list(weights.values()), k=share)
        plans.extend([index, category] for category in categories)
    _cover_every_category(plans)

    stores = []
    names_used: dict[str, int] = {}
    numbers = [0] * len(BRANCHES)
    for index, category in plans:
        plan = BRANCHES[index]
        numbers[index] += 1
        place = rng.choice(plan.places)
        base, suffix = f"{plan.town}{place}", CATEGORY_SUFFIX[category]
        seen = names_used.get(base + suffix, 0)
        names_used[base + suffix] = seen + 1
        # A second hall of the same kind in one place is told apart by a number.
        name = f"{base}{seen + 1}号{suffix}" if seen else f"{base}{suffix}"
        low, high = COUNTERS[category]
        stores.append(
            Store(
                code=f"{plan.code}{numbers[index]:04d}",
                name=name,
                branch=branches[index],
                category=category,
                location_class=plan.location_class,
                counters=rng.randint(low, high),
                has_rest_area=rng.random() < REST_AREA_CHANCE[category],
                opened_on=dt.date(1998, 1, 1) + dt.timedelta(days=rng.randrange(11 * 365)),
            )
        )
    return Store.objects.bulk_create(stores, batch_size=BATCH)


def _cover_every_category(plans: list[list]) -> None:
    """Re-label a few stores so that every category exists whenever there are enough
    stores; township halls only in county branches."""
    for category in Category.values:
        if any(c == category for _i, c in plans):
            continue
        counts: dict[str, int] = {}
        for _i, c in plans:
            counts[c] = counts.get(c, 0) + 1
        for plan in plans:
            allowed = CATEGORY_WEIGHTS[BRANCHES[plan[0]].location_class][category] > 0
            if allowed and counts[plan[1]] > 1:
                plan[1] = category
                break


def _create_users(branches: list[Branch], stores: list[Store]) -> dict:
    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    managed = next(b for b in branches if b.code == MANAGED_BRANCH)
    managed_store = next((s for s in stores if s.branch_id == managed.pk), stores[0])
    # One hash for everybody: hashing is deliberately slow and the password is shared.
    password = make_password(DEMO_PASSWORD)
    users = {}
    for demo in DEMO_USERS:
        user = User.objects.create(
            username=demo.username,
            first_name=demo.name,
            password=password,
            is_staff=demo.role in (Role.ADMINISTRATOR, Role.HEADQUARTERS),
            is_superuser=demo.role == Role.ADMINISTRATOR,
        )
        if demo.role == Role.BRANCH_MANAGER:
            scope = {"branch": managed}
        elif demo.role == Role.STORE_MANAGER:
            scope = {"branch": managed_store.branch, "store": managed_store}
        elif demo.role == Role.INSPECTOR:
            scope = {"branch": branches[demo.home % len(branches)]}
        else:
            scope = {}
        Membership.objects.create(user=user, role=demo.role, **scope)
        user.groups.add(groups[demo.role])
        users[demo.username] = user
    return users


def _month_window(now: dt.datetime, months: int) -> list[dt.date]:
    """`months` calendar months ending with the current one, or with the previous one
    when the current month has not had an opening hour yet (the 1st before 09:00)."""
    local = timezone.localtime(now)
    last = local.date().replace(day=1)
    if not opening_slots(last, now):
        last = previous_month(last)
    window = [last]
    while len(window) < months:
        window.insert(0, previous_month(window[0]))
    return window
