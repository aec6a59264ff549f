"""Shared fixtures and factories for every test module.

The 2009 standard is loaded by a data migration, so every test database has it.
"""

import datetime as dt
import os
import tempfile
from importlib import import_module
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from inspection.models import Standard, VisitSource, VisitStatus
from inspection.rules import read_standard_file, standard_load
from inspection.services.visits import (
    visit_create,
    visit_publish,
    visit_save_findings,
    visit_submit,
)
from stores.models import Branch, Category, LocationClass, Membership, Role, Store

# pytest-django's live_server runs beside Playwright's sync API in one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET_PORTRAIT = {"width": 768, "height": 1024}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}

# The spec's worked example: a 普通营业厅 in a county town scoring 58.
WORKED_EXAMPLE_FINDINGS = {
    "A1-03": {"occurrences": 1},
    "A1-05": {"occurrences": 1},
    "A2-01": {"occurrences": 1},
    "A3-01": {"occurrences": 1},
    "A3-02": {"occurrences": 1},
    "A3-04": {"measurement": 4.5},
    "A4-03": {"measurement": 12},
    "A5-01": {"occurrences": 2},
    "B1a-01": {"points": [4, 5]},
    "B2a-01": {"measurement": 16},
    "B3-01": {"occurrences": 1},
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test run its own database, so that runs side by side on one server
    (developers, CI) never drop each other's test database.

    On SQLite that is a file rather than memory: worker processes and concurrent
    writers must reach it, and they should meet the locking a real file has."""
    from django.conf import settings

    files = []
    for db in settings.DATABASES.values():
        if "postgresql" in db["ENGINE"]:
            name = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
            db.setdefault("TEST", {})["NAME"] = f"{name}_{os.getpid()}"
        elif "sqlite" in db["ENGINE"]:
            name = Path(tempfile.gettempdir()) / f"test-storefront-{os.getpid()}.sqlite3"
            db.setdefault("TEST", {})["NAME"] = str(name)
            files += [name.with_name(name.name + suffix) for suffix in ("-wal", "-shm")]
    yield
    # Django deletes the database file; its WAL files stay if a connection was open.
    for file in files:
        file.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Tasks run as they are enqueued, so tests see their effects at once;
    tests/test_tasks_workers.py runs them through real worker processes."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture(autouse=True)
def _outermost_blocks_commit(request, monkeypatch):
    """In a test that runs inside one transaction rolled back at its end, nothing
    commits, so what a service queues with `transaction.on_commit` (re-ranking a
    month) would never run. There, leaving a block opened directly inside the
    test's own stands for its commit: its callbacks run then, as they would in the
    app. Tests of what waits for the commit use `django_capture_on_commit_callbacks`
    (which this leaves alone) or a transactional database."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and "db" not in fixtures:
        return
    if marker is not None and marker.kwargs.get("transaction", False):
        return
    if {"transactional_db", "live_server", "django_capture_on_commit_callbacks"} & fixtures:
        return
    from django.db import connection, transaction

    request.getfixturevalue("_django_db_helper")
    depth = len(connection.atomic_blocks)
    leave = transaction.Atomic.__exit__

    def leave_then_commit(self, exc_type, exc_value, traceback):
        leave(self, exc_type, exc_value, traceback)
        if exc_type is None and len(connection.atomic_blocks) == depth:
            callbacks, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, callback, _robust in callbacks:
                callback()

    monkeypatch.setattr(transaction.Atomic, "__exit__", leave_then_commit)


@pytest.fixture(scope="session", autouse=True)
def _release_postgres_test_database(django_db_setup, django_db_blocker):
    """Close what other threads (live servers) left open, so the test database can be
    dropped at the end of the run instead of lingering on the server."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread (the locale middleware
    activates, nothing deactivates): the next test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing passwords properly is most of the cost of creating test users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def restore_reference_data() -> None:
    """Put back what data migrations load (the 2009 standard, the role groups).

    Transactional tests (browser journeys) end by flushing every table, so the
    tests after them would otherwise find no standard."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Standard.objects.filter(version="2009").exists():
        standard_load(read_standard_file("standard-2009.json"))
    if not Group.objects.exists():
        import_module("stores.migrations.0002_role_groups").create_groups(apps, None)
        import_module("stores.migrations.0003_roles").revoke(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        restore_reference_data()


@pytest.fixture
def standard(db):
    return Standard.objects.get(version="2009")


@pytest.fixture
def rules(standard):
    return standard.rules()


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="JR", name="句容分公司")


@pytest.fixture
def other_branch(db):
    return Branch.objects.create(code="DY", name="丹阳分公司")


@pytest.fixture
def make_store(branch):
    counter = iter(range(1, 100_000))

    def make(**fields) -> Store:
        n = next(counter)
        defaults = {
            "code": f"S{n:04d}",
            "name": f"测试营业厅{n}",
            "branch": branch,
            "category": Category.ORDINARY,
            "location_class": LocationClass.COUNTY,
            "counters": 3,
            "has_rest_area": False,
            "opened_on": dt.date(2005, 1, 1),
        }
        return Store.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def store(make_store):
    return make_store(code="JR001", name="句容华阳营业厅")


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 100_000))

    def make(role: str, *, branch=None, store=None, username=None, **fields):
        username = username or f"{role}{next(counter)}"
        user = get_user_model().objects.create_user(
            username=username, password="pass-1234-word", **fields
        )
        if role == Role.ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
            user.save()
        Membership.objects.create(user=user, role=role, branch=branch, store=store)
        return user

    return make


@pytest.fixture
def inspector(make_user, other_branch):
    return make_user(Role.INSPECTOR, branch=other_branch, username="shopper", first_name="王检")


@pytest.fixture
def store_manager(make_user, store):
    return make_user(Role.STORE_MANAGER, store=store, branch=store.branch, username="storeboss")


@pytest.fixture
def branch_manager(make_user, branch):
    return make_user(Role.BRANCH_MANAGER, branch=branch, username="branchboss")


@pytest.fixture
def hq(make_user):
    return make_user(Role.HEADQUARTERS, username="hq")


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMINISTRATOR, username="root")


@pytest.fixture
def make_visit(standard, inspector):
    """A visit with findings, taken through the services to the status asked for."""
    minute = iter(range(100_000))
    # One base time for every visit a test makes, so that a minute ticking over
    # between two calls cannot give two visits the same time.
    yesterday = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1)

    def make(
        store,
        findings=None,
        *,
        visited_at=None,
        status=VisitStatus.PUBLISHED,
        by=None,
        who=None,
    ):
        visited_at = visited_at or yesterday - dt.timedelta(minutes=next(minute))
        visit = visit_create(
            store=store,
            inspector=who or inspector,
            visited_at=visited_at,
            standard=standard,
            source=VisitSource.FORM,
        )
        visit_save_findings(visit=visit, findings=findings or {})
        if status in (VisitStatus.SUBMITTED, VisitStatus.PUBLISHED):
            visit_submit(visit=visit)
        if status == VisitStatus.PUBLISHED:
            visit_publish(visit=visit, by=by or inspector)
        visit.refresh_from_db()
        return visit

    return make


def local(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def migrate(target: tuple[str, str]):
    """Take the test database to one migration (back or forward); its models' state then."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def back_to_the_latest_schema():
    """For tests that migrate back: every later test needs every migration applied."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- Browser ---------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tablet(chromium, live_server):
    """A factory of touch tablet pages, optionally logged in as a user."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    contexts = []

    def open_tablet(user=None, *, viewport=TABLET_PORTRAIT, language="zh-hans"):
        context = chromium.new_context(
            viewport=viewport,
            has_touch=True,
            is_mobile=False,
            locale="zh-CN" if language == "zh-hans" else "en-US",
            base_url=live_server.url,
        )
        contexts.append(context)
        if user is not None:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session.session_key,
                        "url": live_server.url,
                    },
                    {"name": "django_language", "value": language, "url": live_server.url},
                ]
            )
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_tablet
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""

    def take(page, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
