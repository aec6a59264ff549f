"""One log line per request, with the request id the proxy gave or a new one."""

import logging
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="config.requests")

    def lines():
        return [r for r in caplog.records if r.name == "config.requests"]

    return lines


def test_each_request_gets_a_new_id_in_its_response_and_its_one_log_line(client, request_lines):
    first = client.get(reverse("healthz"))
    second = client.get(reverse("login"))
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert ids[0] != ids[1]
    records = request_lines()
    assert [r.getMessage().rsplit(" ", 1)[0] for r in records] == [
        "GET /healthz 200",
        "GET /accounts/login/ 200",
    ]
    assert [r.request_id for r in records] == ids


def test_it_keeps_the_id_the_proxy_gave(client, request_lines):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="nginx-4f2a.17")
    assert response["X-Request-ID"] == "nginx-4f2a.17"
    assert request_lines()[0].request_id == "nginx-4f2a.17"


@pytest.mark.parametrize("given", ["", "x" * 129, "a b", "evil\\nline", "<script>"])
def test_it_replaces_an_id_that_could_forge_or_break_a_log_line(client, given):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_refused_page_is_still_one_line_with_its_status(client, request_lines):
    client.get("/no-such-page/%0Aforged")
    (record,) = request_lines()
    assert record.getMessage().startswith("GET /no-such-page/%0Aforged 404 ")


def test_records_logged_while_serving_carry_the_request_id(client, caplog, settings):
    caplog.set_level(logging.WARNING, logger="config.health")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    (warning,) = [r for r in caplog.records if r.name == "config.health"]
    assert warning.request_id == response["X-Request-ID"]
