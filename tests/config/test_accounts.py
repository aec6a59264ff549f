"""Logging in and out: throttled guessing, sessions that end, a tablet left clean."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspection.demo import DEMO_PASSWORD
from stores.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address="10.0.0.1"):
    for _n in range(times):
        assert log_in(client, username, "wrong", address).status_code == 200


def test_the_right_password_logs_in(client, inspector):
    response = log_in(client, inspector.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("inspector-home")).status_code == 200


def test_after_too_many_wrong_passwords_a_user_is_locked_out_even_with_the_right_one(
    client, inspector
):
    fail(client, inspector.username, settings.AXES_FAILURE_LIMIT - 1)
    locked = log_in(client, inspector.username, "wrong")
    assert locked.status_code == 429
    assert "密码错误次数太多" in locked.content.decode()
    # From another address too: the lock is on the user name.
    again = log_in(client, inspector.username, PASSWORD, address="10.0.0.2")
    assert again.status_code == 429
    assert client.get(reverse("inspector-home")).status_code == 302


def test_one_address_guessing_many_user_names_is_locked_out(client, inspector, make_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert log_in(client, inspector.username, PASSWORD, address="10.9.9.9").status_code == 429
    # Another tablet logs in as usual.
    assert log_in(client, inspector.username, PASSWORD, address="10.0.0.7").status_code == 302


def test_the_lockout_message_is_translated(client, inspector):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, inspector.username, settings.AXES_FAILURE_LIMIT - 1)
    page = log_in(client, inspector.username, "wrong").content.decode()
    assert "Too many wrong passwords" in page


def test_failed_logins_are_logged(client, inspector, caplog):
    log_in(client, inspector.username, "wrong")
    assert any(inspector.username in record.getMessage() for record in caplog.records)


def test_behind_the_proxy_the_client_address_is_the_last_forwarded_one(settings, rf):
    from config.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.1.1.1", REMOTE_ADDR="10.0.0.254")
    settings.BEHIND_TLS_PROXY = True
    assert client_ip(request) == "10.1.1.1"
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(request) == "10.0.0.254"


def test_a_session_ends_12_hours_after_login_however_busy(client, inspector):
    log_in(client, inspector.username, PASSWORD)
    expiry = client.session.get_expiry_date()
    assert abs(expiry - (timezone.now() + dt.timedelta(hours=12))) < dt.timedelta(minutes=1)
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_logging_out_clears_the_browsers_caches_and_storage(client, inspector):
    client.force_login(inspector)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.parametrize(
    ("password", "complaint"),
    [("shopper2026x", "太相似"), ("8412093377", "只包含数字")],
)
def test_passwords_like_the_user_name_or_only_digits_are_refused(make_user, password, complaint):
    user = make_user(Role.INSPECTOR, username="shopper2026")
    with pytest.raises(ValidationError, match=complaint):
        validate_password(password, user)


@pytest.mark.parametrize("username", ["admin", "hq", "branch", "store", "inspector1"])
def test_the_demo_password_passes_the_validators(make_user, username):
    user = make_user(Role.INSPECTOR, username=username)
    validate_password(DEMO_PASSWORD, user)
