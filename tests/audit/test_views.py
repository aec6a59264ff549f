"""Headquarters reads the audit trail a page at a time, filtered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from audit.services import event_record
from audit.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_headquarters_pages_through_the_newest_events_first(
    client, hq, inspector, django_assert_num_queries
):
    client.force_login(hq)  # itself a login event
    for _n in range(PAGE_SIZE + 4):
        event_record(action=Action.LOGIN, by=inspector)
    newest = event_record(action=Action.PUBLISH, by=hq)
    # Session, user, membership, the count and one page of events.
    with django_assert_num_queries(5):
        first = client.get(reverse("audit-events"))
    assert list(first.context["page"])[0] == newest
    assert len(first.context["page"]) == PAGE_SIZE
    second = client.get(reverse("audit-events"), {"page": 2})
    assert len(second.context["page"]) == 6


def test_the_page_filters_by_action_user_and_days(client, hq, inspector):
    event_record(action=Action.LOGIN, by=inspector)
    wanted = event_record(action=Action.PUBLISH, by=hq)
    AuditEvent.objects.create(
        action=Action.PUBLISH, actor_name="hq", at=timezone.now() - dt.timedelta(days=9)
    )
    client.force_login(hq)
    today = timezone.localdate().isoformat()
    page = client.get(
        reverse("audit-events"),
        {"action": Action.PUBLISH, "user": "hq", "since": today, "until": today},
    )
    assert list(page.context["page"]) == [wanted]
    assert "发布检查" in page.content.decode()


def test_a_bad_filter_shows_everything_with_the_form_errors_and_no_500(client, hq):
    event_record(action=Action.LOGIN, by=hq)
    client.force_login(hq)
    page = client.get(
        reverse("audit-events"), {"action": "nope", "since": "9999-99-99", "page": "x"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors
