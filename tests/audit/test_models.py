"""The audit trail itself: append-only, fed by logins and the admin, read-only there."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import event_record
from stores.models import Store

pytestmark = pytest.mark.django_db


def test_an_event_can_be_neither_changed_nor_deleted(hq):
    event = event_record(action=Action.LOGIN, by=hq)
    event.action = Action.PUBLISH
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    assert AuditEvent.objects.get().action == Action.LOGIN


def test_logins_and_failed_logins_are_recorded_with_the_address(client, inspector):
    login = reverse("login")
    client.post(login, {"username": inspector.username, "password": "no"}, REMOTE_ADDR="10.0.0.5")
    client.post(
        login,
        {"username": inspector.username, "password": "pass-1234-word"},
        REMOTE_ADDR="10.0.0.5",
    )
    failed, logged_in = AuditEvent.objects.order_by("pk")
    assert (failed.action, failed.actor, failed.actor_name, failed.ip) == (
        Action.LOGIN_FAILED,
        None,
        inspector.username,
        "10.0.0.5",
    )
    assert (logged_in.action, logged_in.actor) == (Action.LOGIN, inspector)


def test_a_change_in_the_admin_is_recorded(client, admin_user, store):
    client.force_login(admin_user)
    client.post(reverse("admin:stores_store_delete", args=[store.pk]), {"post": "yes"})
    assert not Store.objects.filter(pk=store.pk).exists()
    event = AuditEvent.objects.get(action=Action.ADMIN_CHANGE)
    assert (event.actor, event.object_type, event.object_id) == (
        admin_user,
        "stores.store",
        str(store.pk),
    )
    assert event.detail["change"] == "delete"


def test_the_admin_searches_the_trail_but_cannot_add_change_or_delete(client, admin_user, hq):
    event = event_record(action=Action.LOGIN, by=hq)
    client.force_login(admin_user)
    found = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "hq"})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [event]
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()
