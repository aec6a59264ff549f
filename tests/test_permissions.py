"""Every page of the app against every role: one table of who gets what.

Each area's view tests cover the details (other scope, writes); this table makes
sure no page is forgotten when a role or a page is added.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspection.models import VisitAssignment, VisitStatus
from stores.models import Role

pytestmark = pytest.mark.django_db

ANON, INSPECTOR, STORE, BRANCH, HQ, ADMIN = (
    "anonymous",
    Role.INSPECTOR,
    Role.STORE_MANAGER,
    Role.BRANCH_MANAGER,
    Role.HEADQUARTERS,
    Role.ADMINISTRATOR,
)
ROLES = (ANON, INSPECTOR, STORE, BRANCH, HQ, ADMIN)

# url name, its arguments (from the `world` fixture), and the status per role in ROLES order.
TABLE = [
    ("home", (), (302, 302, 302, 302, 302, 302)),
    ("healthz", (), (200, 200, 200, 200, 200, 200)),
    ("standard-rules", ("version",), (302, 200, 200, 200, 200, 200)),
    ("inspector-home", (), (302, 200, 403, 403, 403, 403)),
    ("visit-form", ("draft",), (302, 200, 403, 403, 403, 403)),
    ("visit-summary", ("draft",), (302, 200, 403, 403, 403, 403)),
    ("review-list", (), (302, 403, 403, 200, 200, 200)),
    ("review-detail", ("submitted",), (302, 403, 403, 200, 200, 200)),
    ("plan-month", (), (302, 403, 403, 200, 200, 200)),
    ("plan-inspector", ("inspector",), (302, 403, 403, 200, 200, 200)),
    ("inspector-month", (), (302, 200, 403, 403, 403, 403)),
    ("rankings", (), (302, 403, 200, 200, 200, 200)),
    ("dashboard", (), (302, 403, 403, 200, 200, 200)),
    ("store-detail", ("store",), (302, 403, 200, 200, 200, 200)),
    ("bonus-award", ("store",), (302, 403, 403, 403, 200, 403)),
    ("report-download", ("month",), (302, 403, 200, 200, 200, 200)),
    ("imports", (), (302, 403, 403, 403, 200, 200)),
    ("import-template", ("kind",), (302, 403, 403, 403, 200, 200)),
]

# Writes: posted empty (or on an object of the `world`), a planner is sent back to the
# page with a message; everyone else is refused before anything is read.
WRITES = [
    ("plan-autoplan", (), (302, 403, 403, 302, 302, 302)),
    ("plan-add", (), (302, 403, 403, 302, 302, 302)),
    ("plan-reassign", (), (302, 403, 403, 302, 302, 302)),
    ("plan-delete", ("assignment",), (302, 403, 403, 302, 302, 302)),
]

# Pages that need a query string to name what they act on.
QUERIES = {"bonus-award": "month={month}"}


@pytest.fixture
def world(store, make_visit, inspector, hq):
    published = make_visit(store, {"A2-01": {"occurrences": 1}})
    submitted = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    draft = make_visit(
        store,
        {},
        status=VisitStatus.DRAFT,
        visited_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1),
    )
    return {
        "version": "2009",
        "draft": draft.pk,
        "submitted": submitted.pk,
        "store": store.pk,
        "month": published.month.strftime("%Y-%m"),
        "kind": "visits",
        "inspector": inspector.pk,
        "assignment": VisitAssignment.objects.create(
            store=store, month=published.month, inspector=inspector, planned_by=hq
        ).pk,
    }


@pytest.fixture
def users(inspector, store_manager, branch_manager, hq, admin_user):
    return {
        INSPECTOR: inspector,
        STORE: store_manager,
        BRANCH: branch_manager,
        HQ: hq,
        ADMIN: admin_user,
    }


@pytest.mark.parametrize(
    ("name", "args", "role", "status"),
    [
        pytest.param(name, args, role, status, id=f"{name}-{role}")
        for name, args, statuses in TABLE
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_each_role_gets_the_status_the_table_says(client, world, users, name, args, role, status):
    url = reverse(name, args=[world[a] for a in args])
    if name in QUERIES:
        url += "?" + QUERIES[name].format(**world)
    if role != ANON:
        client.force_login(users[role])
    response = client.get(url)
    assert response.status_code == status
    if role == ANON and status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "args", "role", "status"),
    [
        pytest.param(name, args, role, status, id=f"{name}-{role}")
        for name, args, statuses in WRITES
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_each_role_gets_the_status_the_table_says_for_writes(
    client, world, users, name, args, role, status
):
    url = reverse(name, args=[world[a] for a in args])
    if role != ANON:
        client.force_login(users[role])
    response = client.post(url)
    assert response.status_code == status
    if role == ANON:
        assert response.url.startswith(reverse("login"))
