"""/healthz: does this web process reach the database and the task queue?

For load balancers and process supervisors: no login, no session, plain HTTP
allowed, 200 when both answer and 503 naming what did not.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import RQBackend

logger = logging.getLogger(__name__)
# A probe must answer before the balancer's own timeout, even with Redis unreachable.
REDIS_TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _queue() -> None:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        DBTaskResult.objects.exists()
    elif isinstance(backend, RQBackend):
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()


@never_cache
@require_GET
def healthz(request):
    report, healthy = {}, True
    for name, check in (("database", _database), ("queue", _queue)):
        try:
            check()
        except Exception as error:
            # The log says why; the public answer only what (no hosts, no users).
            logger.warning("health check of the %s failed: %r", name, error)
            report[name] = f"error: {type(error).__name__}"
            healthy = False
        else:
            report[name] = "ok"
    report["tasks_backend"] = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
    return JsonResponse(report, status=200 if healthy else 503)
