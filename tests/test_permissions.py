"""Every page, POST and JSON endpoint of the app against every role: one table of who
gets what.

Each area's view tests cover what a request does once it is let in; this table makes
sure no endpoint is forgotten when a role or an endpoint is added, and is where the
rulings R8 (who changes scores) and R9 (who sees inspectors and plans) are checked
endpoint by endpoint.
"""

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inspection.models import BonusAward, VisitAssignment, VisitStatus
from inspection.months import month_of
from inspection.services.workbooks import workbook_export_request, workbook_export_run
from stores.models import Role
from tests.photos import jpeg_bytes, photo_add

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
PAGES = [
    ("home", (), (302, 302, 302, 302, 302, 302)),
    ("healthz", (), (200, 200, 200, 200, 200, 200)),
    ("standard-rules", ("version",), (302, 200, 200, 200, 200, 200)),
    ("inspector-home", (), (302, 200, 403, 403, 403, 403)),
    ("visit-service-worker", (), (302, 200, 403, 403, 403, 403)),
    ("visit-form", ("draft",), (302, 200, 403, 403, 403, 403)),
    ("visit-summary", ("draft",), (302, 200, 403, 403, 403, 403)),
    # A draft's photo: its inspector and the reviewers; store staff see published ones only.
    ("visit-photo", ("draft", "photo"), (302, 200, 404, 404, 200, 200)),
    ("review-list", (), (302, 403, 403, 403, 200, 200)),
    ("review-detail", ("submitted",), (302, 403, 403, 403, 200, 200)),
    ("review-amend", ("published",), (302, 403, 403, 403, 200, 200)),
    ("plan-month", (), (302, 403, 403, 403, 200, 200)),
    ("plan-inspector", ("inspector",), (302, 403, 403, 403, 200, 200)),
    ("inspector-month", (), (302, 200, 403, 403, 403, 403)),
    ("rankings", (), (302, 403, 200, 200, 200, 200)),
    ("dashboard", (), (302, 403, 403, 200, 200, 200)),
    ("store-detail", ("store",), (302, 403, 200, 200, 200, 200)),
    ("store-detail", ("theirs",), (302, 403, 404, 404, 200, 200)),
    ("bonus-award", ("store",), (302, 403, 403, 403, 200, 200)),
    # Headquarters' workbook: other scopes' jobs are not found.
    ("workbook-export", ("workbook",), (302, 403, 404, 404, 200, 200)),
    ("workbook-export-status", ("workbook",), (302, 403, 404, 404, 200, 200)),
    ("workbook-export-download", ("workbook",), (302, 403, 404, 404, 200, 200)),
    ("imports", (), (302, 403, 403, 403, 200, 200)),
    ("import-template", ("kind",), (302, 403, 403, 403, 200, 200)),
    # Nobody else's upload is ever found, not even another headquarters user's.
    ("import-preview", ("token",), (302, 403, 403, 403, 404, 404)),
    ("audit-events", (), (302, 403, 403, 403, 200, 200)),
]

# Pages that need a query string to name what they act on.
QUERIES = {"bonus-award": "month={month}"}


def _draft_json(world) -> dict:
    return {
        "content_type": "application/json",
        "data": json.dumps(
            {
                "revision": world["draft_revision"],
                "visited_at": world["draft_time"],
                "findings": {"A2-01": {"occurrences": 1}},
                "device": "tab-1",
                "save_id": uuid.uuid4().hex,
            }
        ),
    }


def _photo(world) -> dict:
    image = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    return {"data": {"item": "A1-03", "client_key": "k2", "image": image}}


def _form(**fields):
    return lambda world: {"data": {k: v.format(**world) for k, v in fields.items()}}


# POST endpoints: url name, arguments, what is posted, and the status per role. A 302
# is the view's redirect after doing its work (or to the login page, for anonymous
# users); a 400 or 404 is the view refusing the request itself, once access allowed it.
WRITES = [
    ("assignment-start", ("assignment",), _form(), (302, 302, 403, 403, 403, 403)),
    ("visit-autosave", ("draft",), _draft_json, (302, 200, 403, 403, 403, 403)),
    ("visit-photo-upload", ("draft",), _photo, (302, 200, 403, 403, 403, 403)),
    ("visit-photo-delete", ("draft", "photo"), _form(), (302, 200, 403, 403, 403, 403)),
    (
        "visit-submit",
        ("draft",),
        _form(revision="{draft_revision}", key="k"),
        (302, 302, 403, 403, 403, 403),
    ),
    ("review-publish", ("submitted",), _form(), (302, 403, 403, 403, 302, 302)),
    ("review-return", ("submitted",), _form(reason="照片不清楚"), (302, 403, 403, 403, 302, 302)),
    (
        "review-amend",
        ("published",),
        _form(reason="复核录像后更正"),
        (302, 403, 403, 403, 302, 302),
    ),
    (
        "plan-autoplan",
        (),
        _form(month="{month}", visits_per_store="1"),
        (302, 403, 403, 403, 302, 302),
    ),
    (
        "plan-add",
        (),
        _form(month="{this_month}", stores="{store}", inspector="{inspector}"),
        (302, 403, 403, 403, 302, 302),
    ),
    (
        "plan-reassign",
        (),
        _form(month="{this_month}", assignments="{planned}", inspector="{inspector}"),
        (302, 403, 403, 403, 302, 302),
    ),
    ("plan-delete", ("planned",), _form(), (302, 403, 403, 403, 302, 302)),
    # Rule 9 refuses an award without criteria: the form comes back with its reasons.
    ("bonus-award", ("store",), _form(points="1"), (302, 403, 403, 403, 400, 400)),
    ("bonus-revoke", ("award",), _form(), (302, 403, 403, 403, 302, 302)),
    ("import-upload", ("kind",), _form(), (302, 403, 403, 403, 400, 400)),
    ("import-confirm", ("token",), _form(), (302, 403, 403, 403, 404, 404)),
    ("import-discard", ("token",), _form(), (302, 403, 403, 403, 404, 404)),
    ("workbook-request", ("month",), _form(), (302, 403, 302, 302, 302, 302)),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(store, make_store, other_branch, make_visit, inspector, hq):
    theirs = make_store(branch=other_branch)
    published = make_visit(store, {"A2-01": {"occurrences": 1}})
    workbook = workbook_export_request(month=published.month, user=hq)
    workbook_export_run(export_id=workbook.pk)
    submitted = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    draft = make_visit(
        store,
        {},
        status=VisitStatus.DRAFT,
        visited_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1),
    )
    this_month = month_of(timezone.now())
    assignment = VisitAssignment.objects.create(
        store=store, month=this_month, inspector=inspector, planned_by=hq
    )
    planned = VisitAssignment.objects.create(
        store=theirs, month=this_month, inspector=hq, planned_by=hq
    )
    award = BonusAward.objects.create(
        store=store, month=published.month, points=1, highlight="亮点", awarded_by=hq
    )
    return {
        "version": "2009",
        "draft": draft.pk,
        "draft_revision": draft.revision,
        "draft_time": timezone.localtime(draft.visited_at).strftime("%Y-%m-%dT%H:%M"),
        "photo": photo_add(draft, by=inspector).pk,
        "submitted": submitted.pk,
        "published": published.pk,
        "store": store.pk,
        "theirs": theirs.pk,
        "inspector": inspector.pk,
        "assignment": assignment.pk,
        "planned": planned.pk,
        "award": award.pk,
        "month": published.month.strftime("%Y-%m"),
        "this_month": this_month.strftime("%Y-%m"),
        "kind": "visits",
        "token": uuid.uuid4(),
        "workbook": workbook.pk,
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


def _cases(table):
    return [
        pytest.param(*row[:-1], role, status, id=f"{row[0]}-{'-'.join(row[1])}-{role}")
        for row in table
        for role, status in zip(ROLES, row[-1], strict=True)
    ]


def _log_in(client, users, role):
    if role != ANON:
        client.force_login(users[role])


@pytest.mark.parametrize(("name", "args", "role", "status"), _cases(PAGES))
def test_each_role_gets_the_status_the_table_says(client, world, users, name, args, role, status):
    url = reverse(name, args=[world[a] for a in args])
    if name in QUERIES:
        url += "?" + QUERIES[name].format(**world)
    _log_in(client, users, role)
    response = client.get(url)
    assert response.status_code == status
    if role == ANON and status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args", "request_of", "role", "status"), _cases(WRITES))
def test_each_role_gets_the_status_the_table_says_for_each_write(
    client, world, users, name, args, request_of, role, status
):
    url = reverse(name, args=[world[a] for a in args])
    if name in QUERIES:
        url += "?" + QUERIES[name].format(**world)
    _log_in(client, users, role)
    response = client.post(url, **request_of(world))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login")) == (role == ANON)


# Writes that also answer a GET: the form they post.
SHOWN_AS_FORMS = {"review-amend", "bonus-award"}


@pytest.mark.parametrize(
    ("name", "args"),
    [(name, args) for name, args, _data, _statuses in WRITES if name not in SHOWN_AS_FORMS],
)
def test_every_write_refuses_a_get(client, world, hq, name, args):
    client.force_login(hq)
    assert client.get(reverse(name, args=[world[a] for a in args])).status_code == 405
