"""/healthz: the database and the queue, for load balancers, without a login."""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_BACKEND = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def rq_at(settings):
    def use(url: str) -> None:
        settings.TASKS = RQ_BACKEND
        settings.REDIS_URL = url
        settings.RQ_QUEUES = {"default": {"URL": url}}

    return use


def test_it_answers_anonymous_visitors_with_json_when_the_database_and_db_queue_answer(
    client, settings
):
    settings.TASKS = DB_BACKEND
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "queue": "ok",
        "tasks_backend": "DatabaseBackend",
    }
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_it_pings_redis_when_tasks_go_through_rq(client, rq_at):
    rq_at("redis://127.0.0.1:6379/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["queue"] == "ok"
    assert response.json()["tasks_backend"] == "RQBackend"


def test_it_says_503_and_names_the_queue_when_redis_does_not_answer(client, rq_at):
    # Nothing listens on port 1: the connection is refused at once.
    rq_at("redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "queue": "error: ConnectionError",
        "tasks_backend": "RQBackend",
    }


def test_it_says_503_and_names_the_database_when_it_does_not_answer(client, settings, monkeypatch):
    settings.TASKS = DB_BACKEND

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    # The db backend's queue lives in the same database, so it fails with it.
    assert response.json() == {
        "database": "error: OperationalError",
        "queue": "error: OperationalError",
        "tasks_backend": "DatabaseBackend",
    }


def test_it_answers_plain_http_while_every_other_page_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response.url.startswith("https://")


def test_it_refuses_writes(client):
    assert client.post(reverse("healthz")).status_code == 405
