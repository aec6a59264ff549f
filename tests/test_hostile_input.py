"""Crafted input never gets a 500: each refusal is a clear 400, a form error or a 404.

The cases the security review found come first, each as its own test; the fuzz
test at the end throws Hypothesis' hostile values at every endpoint that takes input.
"""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspection.models import Finding, Visit, VisitAssignment, VisitStatus
from tests.photos import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_visit, store):
    return make_visit(store, status=VisitStatus.DRAFT)


def autosave(client, visit, *, findings=None, visited_at=None, body=None):
    if body is None:
        body = json.dumps(
            {
                "revision": visit.revision,
                "visited_at": visited_at
                or timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
                "findings": findings or {},
                "device": "tab-1",
                "save_id": uuid.uuid4().hex,
            }
        )
    return client.post(
        reverse("visit-autosave", args=[visit.pk]), body, content_type="application/json"
    )


def errors_of(response) -> str:
    return " ".join(response.json()["errors"])


@pytest.mark.parametrize(
    ("note", "message"),
    [
        pytest.param("\ud800", "A2-01 的备注含有无法保存的字符。", id="lone surrogate"),
        pytest.param("before\x00after", "A2-01 的备注含有无法保存的字符。", id="NUL"),
    ],
)
def test_a_note_the_database_cannot_store_is_refused_with_a_message(
    client, draft, inspector, note, message
):
    client.force_login(inspector)

    response = autosave(client, draft, findings={"A2-01": {"occurrences": 1, "note": note}})

    assert response.status_code == 400
    assert message in errors_of(response)
    assert not Finding.objects.filter(visit=draft).exists()


def test_deeply_nested_json_is_refused_with_a_message(client, draft, inspector):
    client.force_login(inspector)
    deep = "[" * 100_000 + "]" * 100_000

    for body in (deep, '{"findings": {"A2-01": {"note": ' + deep + "}}}"):
        response = autosave(client, draft, body=body)
        assert response.status_code == 400
        assert response.json()["errors"]


@pytest.mark.parametrize("occurrences", [10**30, 40_000, 100])
def test_occurrences_past_the_sane_maximum_are_refused(client, draft, inspector, occurrences):
    client.force_login(inspector)

    response = autosave(client, draft, findings={"A2-01": {"occurrences": occurrences}})

    assert response.status_code == 400
    assert "A2-01 的次数不能超过99。" in errors_of(response)
    assert not Finding.objects.filter(visit=draft).exists()


def test_a_visit_time_before_2000_is_refused_and_the_pages_still_open(client, draft, inspector):
    client.force_login(inspector)

    response = autosave(client, draft, visited_at="0001-01-01T00:00")

    assert response.status_code == 400
    assert "检查时间必须在2000-01-01至2100-12-31之间。" in errors_of(response)
    assert Visit.objects.get(pk=draft.pk).visited_at == draft.visited_at
    for name in ("inspector-home", "visit-form", "visit-summary"):
        args = [] if name == "inspector-home" else [draft.pk]
        assert client.get(reverse(name, args=args)).status_code == 200


def test_the_database_refuses_a_visit_dated_before_2000(make_visit, store):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_visit(store, status=VisitStatus.DRAFT, visited_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("month", ["9999-99", "9999-12", "0001-01", "2026-13"])
def test_the_rankings_page_shows_the_newest_month_for_a_month_out_of_range(
    client, hq, make_visit, store, month
):
    visit = make_visit(store, {})
    client.force_login(hq)

    response = client.get(reverse("rankings"), {"month": month})

    assert response.status_code == 200
    assert response.context["month"] == visit.month


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01"])
def test_a_workbook_of_a_month_out_of_range_is_not_found(client, hq, month):
    client.force_login(hq)
    assert client.post(reverse("workbook-request", args=[month])).status_code == 404


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2101-01"])
def test_the_plan_of_a_month_out_of_range_is_refused_with_a_message(client, hq, month):
    client.force_login(hq)

    response = client.get(reverse("plan-month"), {"month": month})

    assert response.status_code == 400
    assert "请填写2000-01至2100-12之间的月份（YYYY-MM）。" in response.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_autoplanning_a_month_out_of_range_plans_nothing(client, hq, store, inspector, month):
    client.force_login(hq)

    response = client.post(
        reverse("plan-autoplan"), {"month": month, "scope": "all", "visits_per_store": 1}
    )

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert not VisitAssignment.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["请填写2000-01至2100-12之间的月份（YYYY-MM）。"]


# --- Fuzz ----------------------------------------------------------------------

# What a browser can send in a form or a URL (no lone surrogates: they cannot be encoded).
SENDABLE_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=30),
    st.sampled_from(["\x00", "9999-99", "0001-01-01T00:00", "-1", "1e309", "１２", "²"]),
)
# What a script can put in JSON.
HOSTILE_TEXT = st.one_of(SENDABLE_TEXT, st.sampled_from(["\ud800", "\udfff x", "a\x00"]))
HOSTILE_NUMBER = st.one_of(
    st.integers(), st.sampled_from([10**30, -(10**30), 40_000, 2**63]), st.floats()
)
MONTH_LIKE = st.one_of(
    st.sampled_from(["0001-01", "9999-12", "9999-99", "1999-12", "2101-01", "0000-00"]),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}\Z"),
)
HOSTILE_MONTH = st.one_of(MONTH_LIKE, SENDABLE_TEXT)
HOSTILE_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), HOSTILE_NUMBER, HOSTILE_TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(HOSTILE_TEXT, children, max_size=3)
    ),
    max_leaves=8,
)
FINDING = st.fixed_dictionaries(
    {},
    optional={
        key: HOSTILE_VALUE
        for key in ("occurrences", "points", "measurement", "peak", "na", "na_reason", "note")
    },
)
DRAFT_BODY = st.fixed_dictionaries(
    {
        "revision": st.one_of(st.just(1), HOSTILE_NUMBER, HOSTILE_TEXT),
        "visited_at": st.one_of(HOSTILE_TEXT, st.datetimes().map(lambda d: d.isoformat())),
        "findings": st.one_of(
            st.dictionaries(st.sampled_from(["A2-01", "A3-04", "B1a-01", "A4-03"]), FINDING),
            HOSTILE_VALUE,
        ),
        "device": HOSTILE_TEXT,
        "save_id": HOSTILE_TEXT,
    }
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _no_500(response) -> None:
    assert response.status_code < 500, response.content[:500]


@FUZZ
@given(body=DRAFT_BODY)
def test_no_autosave_body_gets_a_500(client, draft, inspector, body):
    client.force_login(inspector)
    _no_500(autosave(client, draft, body=json.dumps(body)))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_no_raw_autosave_bytes_get_a_500(client, draft, inspector, raw):
    client.force_login(inspector)
    _no_500(autosave(client, draft, body=raw))


@FUZZ
@given(month=HOSTILE_MONTH, page=SENDABLE_TEXT, sort=SENDABLE_TEXT, view=SENDABLE_TEXT)
def test_no_query_string_gets_a_500_from_the_read_pages(
    client, hq, make_visit, store, month, page, sort, view
):
    client.force_login(hq)
    query = {"month": month, "page": page, "sort": sort, "view": view, "branch": page}
    for name, args in (
        ("rankings", []),
        ("dashboard", []),
        ("store-detail", [store.pk]),
        ("plan-month", []),
        ("bonus-award", [store.pk]),
    ):
        _no_500(client.get(reverse(name, args=args), query))


@FUZZ
@given(month=MONTH_LIKE)
def test_no_workbook_month_gets_a_500(client, hq, month):
    client.force_login(hq)
    _no_500(client.post(reverse("workbook-request", args=[month])))


@FUZZ
@given(
    month=HOSTILE_MONTH,
    visits=st.one_of(HOSTILE_NUMBER, SENDABLE_TEXT),
    planned_on=SENDABLE_TEXT,
    reason=SENDABLE_TEXT,
    points=SENDABLE_TEXT,
)
def test_no_form_post_gets_a_500(
    client, hq, store, inspector, make_visit, month, visits, planned_on, reason, points
):
    submitted = make_visit(store, {}, status=VisitStatus.SUBMITTED)
    published = make_visit(store, {})
    client.force_login(hq)
    posts = [
        (reverse("plan-autoplan"), {"month": month, "scope": "all", "visits_per_store": visits}),
        (
            reverse("plan-add"),
            {
                "month": month,
                "stores": [store.pk],
                "inspector": inspector.pk,
                "planned_on": planned_on,
            },
        ),
        (reverse("plan-reassign"), {"month": month, "planned_on": planned_on}),
        (reverse("review-return", args=[submitted.pk]), {"reason": reason}),
        (
            reverse("review-amend", args=[published.pk]),
            {"reason": reason, "f_B1a-01_points": points, "f_A2-01_occurrences": visits},
        ),
        (
            f"{reverse('bonus-award', args=[store.pk])}?month={published.month:%Y-%m}",
            {"points": visits, "highlight": reason, "criteria": points},
        ),
    ]
    for url, data in posts:
        _no_500(client.post(url, data))


@FUZZ
@given(
    item=SENDABLE_TEXT,
    key=SENDABLE_TEXT,
    image=st.one_of(st.binary(max_size=300), st.just(jpeg_bytes())),
    revision=st.one_of(HOSTILE_NUMBER, SENDABLE_TEXT),
    submit_key=SENDABLE_TEXT,
)
def test_no_tablet_post_gets_a_500(
    client, draft, inspector, settings, tmp_path, item, key, image, revision, submit_key
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(inspector)
    photo = SimpleUploadedFile("p.jpg", image, content_type="image/jpeg")
    _no_500(
        client.post(
            reverse("visit-photo-upload", args=[draft.pk]),
            {"item": item, "client_key": key, "image": photo},
        )
    )
    _no_500(
        client.post(
            reverse("visit-submit", args=[draft.pk]), {"revision": revision, "key": submit_key}
        )
    )


@FUZZ
@given(content=st.binary(max_size=300), publish=SENDABLE_TEXT)
def test_no_uploaded_file_gets_a_500(client, hq, settings, tmp_path, content, publish):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(hq)
    for kind in ("stores", "visits"):
        upload = SimpleUploadedFile("x.xlsx", content)
        data = {f"{kind}-file": upload, f"{kind}-publish": publish}
        _no_500(client.post(reverse("import-upload", args=[kind]), data))
