#!/usr/bin/env python
"""A month-end morning against the production server, on loopback (README "Load test").

Starts `scripts/serve` (gunicorn, the task worker, DEBUG off) on a fresh PostgreSQL
database, or targets a running server with --url, seeds a demo province and the
people of the morning, and runs them for --seconds (default 180) as plain threads:

- inspectors autosave their draft every 10 s and submit it after a few saves,
  then go on to their next draft;
- reviewers publish submitted visits and amend published ones;
- managers browse the rankings, the overview and store pages;
- headquarters ask for the month's workbook, follow its progress, download it.

It prints requests/s, p50/p95/p99 per endpoint and the errors, then checks that every
acknowledged autosave is in the database and that the stored monthly results equal
a fresh recompute. Exit status 0 only with no error and both checks passed.

    .venv/bin/python scripts/loadtest.py                 # 3 minutes
    .venv/bin/python scripts/loadtest.py --seconds 30    # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue
from urllib.parse import urlsplit

import requests
from loadtest_people import ITEM, Client, Record, exporter, inspector, manager, pause, reviewer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-12345"
DRAFTS_EACH = 4
SUBMITTED_AT_START = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=180, help="how long the morning lasts")
    parser.add_argument("--url", help="a running server to target instead of starting one")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/storefront_loadtest",
        help="the server's database; recreated unless --url is given",
    )
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument("--inspectors", type=int, default=60)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--managers", type=int, default=40)
    parser.add_argument("--exporters", type=int, default=2)
    parser.add_argument("--tasks-backend", choices=["db", "rq"], default="db")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


# --- The server ------------------------------------------------------------------


def server_env(args, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "SECRET_KEY": "load-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no proxy in front to terminate TLS.
        "SECURE_SSL_REDIRECT": "false",
        "HOST": "127.0.0.1",
        "PORT": str(args.port),
        "MEDIA_ROOT": str(media / "media"),
        "STATIC_ROOT": str(media / "static"),
        "TASKS_BACKEND": args.tasks_backend,
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_server(env: dict, log: Path) -> subprocess.Popen:
    # Its own process group: stopping it stops gunicorn and the workers with it.
    return subprocess.Popen(
        ["scripts/serve"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(base: str, server: subprocess.Popen | None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit("the server stopped while starting; see its log")
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    sys.exit(f"{base}/healthz did not answer 200 within {timeout:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


# --- The people of the morning --------------------------------------------------


@dataclass
class Plan:
    month: str
    # username -> session key: the morning's people are logged in already (sessions
    # last weeks), and 100 password hashes at once would measure only the hasher.
    sessions: dict[str, str] = field(default_factory=dict)
    inspectors: dict[str, list[int]] = field(default_factory=dict)
    reviewers: list[str] = field(default_factory=list)
    managers: list[tuple[str, list[int]]] = field(default_factory=list)
    exporters: list[str] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)
    published: list[int] = field(default_factory=list)


def seed(args) -> Plan:
    """The demo province, then the morning's people and their visits (in this process,
    through the services, on the server's database)."""
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from inspection.models import Standard, Visit, VisitSource, VisitStatus
    from inspection.months import month_bounds
    from inspection.services.visits import visit_create, visit_save_findings, visit_submit
    from stores.models import Branch, Membership, Role, Store

    rng = random.Random(args.seed)
    now = timezone.now().replace(second=0, microsecond=0)
    month = timezone.localdate().replace(day=1)
    standard = Standard.in_force(month)
    password = make_password(PASSWORD)
    tag = uuid.uuid4().hex[:6]
    plan = Plan(month=f"{month:%Y-%m}")
    User = get_user_model()

    def person(name: str, role: str, **where) -> object:
        user = User.objects.create(username=f"load-{tag}-{name}", password=password)
        Membership.objects.create(user=user, role=role, **where)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        plan.sessions[user.username] = session.session_key
        return user

    stores = list(Store.objects.filter(is_active=True).order_by("pk"))
    branches = list(Branch.objects.order_by("pk"))
    start, _end = month_bounds(month)
    minutes_into_month = int((now - start).total_seconds() // 60)

    def visit_time(n: int):
        # Distinct minutes of this month before now, so no two visits collide.
        return now - dt.timedelta(minutes=1 + n % max(1, minutes_into_month - 1))

    n = 0
    for i in range(args.inspectors):
        inspector = person(f"inspector{i}", Role.INSPECTOR, branch=rng.choice(branches))
        drafts = []
        for _ in range(DRAFTS_EACH):
            n += 1
            visit = visit_create(
                store=rng.choice(stores),
                inspector=inspector,
                visited_at=visit_time(n),
                standard=standard,
                source=VisitSource.FORM,
            )
            drafts.append(visit.pk)
        plan.inspectors[inspector.username] = drafts
    someone = User.objects.get(username=f"load-{tag}-inspector0")
    for _ in range(SUBMITTED_AT_START):
        n += 1
        visit = visit_create(
            store=rng.choice(stores),
            inspector=someone,
            visited_at=visit_time(n),
            standard=standard,
            source=VisitSource.FORM,
        )
        visit_save_findings(visit=visit, findings={ITEM: {"occurrences": rng.randint(0, 2)}})
        visit_submit(visit=visit)
        plan.submitted.append(visit.pk)
    plan.reviewers = [
        person(f"reviewer{i}", Role.HEADQUARTERS).username for i in range(args.reviewers)
    ]
    for i in range(args.managers):
        if i % 2:
            store = rng.choice(stores)
            user = person(f"store{i}", Role.STORE_MANAGER, store=store, branch=store.branch)
            plan.managers.append((user.username, [store.pk]))
        else:
            branch = rng.choice(branches)
            user = person(f"branch{i}", Role.BRANCH_MANAGER, branch=branch)
            in_branch = [s.pk for s in stores if s.branch_id == branch.pk]
            plan.managers.append((user.username, in_branch))
    plan.exporters = [person(f"hq{i}", Role.HEADQUARTERS).username for i in range(args.exporters)]
    plan.published = list(
        Visit.objects.filter(status=VisitStatus.PUBLISHED, visited_at__gte=start).values_list(
            "pk", flat=True
        )
    )
    return plan


# --- Measuring ------------------------------------------------------------------


def run_morning(args, base: str, plan: Plan, record: Record) -> float:
    stop = threading.Event()
    submitted: Queue = Queue()
    for pk in plan.submitted:
        submitted.put(pk)
    published = list(plan.published)
    people = []
    for number, (username, drafts) in enumerate(plan.inspectors.items()):
        people.append((username, inspector, (drafts, submitted), number))
    for username in plan.reviewers:
        people.append((username, reviewer, (submitted, published), len(people)))
    for username, stores in plan.managers:
        people.append((username, manager, (stores,), len(people)))
    for username in plan.exporters:
        people.append((username, exporter, (), len(people)))

    # People arrive over the first 10 seconds rather than all in one instant.
    spread = min(10.0, args.seconds / 4)

    def live(username, behaviour, extra, number):
        rng = random.Random(args.seed * 1000 + number)
        if not pause(stop, spread * number / len(people)):
            return
        client = Client(base, record, username, plan.sessions[username])
        behaviour(client, *extra, stop, rng, plan.month)

    threads = [
        threading.Thread(target=live, args=person, daemon=True, name=person[0]) for person in people
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return time.monotonic() - started


# --- Reporting and checking -----------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(record: Record, elapsed: float) -> int:
    total = sum(len(v) for v in record.times.values())
    errors = sum(len(v) for v in record.errors.values())
    print(
        f"\n{total} requests in {elapsed:.0f} s: {total / elapsed:.1f} requests/s, {errors} errors"
    )
    columns = ("count", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
    print(f"{'endpoint':<20} " + " ".join(f"{c:>8}" for c in columns))
    for name in sorted(record.times, key=lambda n: -len(record.times[n])):
        times = record.times[name]
        print(
            f"{name:<20} {len(times):>8} {percentile(times, 0.5) * 1000:>8.0f}"
            f" {percentile(times, 0.95) * 1000:>8.0f} {percentile(times, 0.99) * 1000:>8.0f}"
            f" {max(times) * 1000:>8.0f} {len(record.errors.get(name, [])):>8}"
        )
    for name, whats in record.errors.items():
        for what in sorted(set(whats))[:5]:
            print(f"  error {name}: {what} (x{whats.count(what)})")
    return errors


def wait_for_jobs(args, timeout: float = 300) -> None:
    """Let the worker finish what the morning queued (re-ranks, workbooks)."""
    from django_tasks import TaskResultStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if args.tasks_backend == "db":
            from django_tasks_db.models import DBTaskResult

            waiting = DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).count()
        else:
            import django_rq

            queue = django_rq.get_queue("default")
            waiting = queue.count + queue.started_job_registry.count
        if not waiting:
            return
        time.sleep(1)
    print(f"warning: jobs still waiting after {timeout:.0f} s")


def check_autosaves(record: Record) -> bool:
    from inspection.models import Visit
    from inspection.services.findings import visit_findings

    visits = Visit.objects.in_bulk(record.acknowledged)
    lost = []
    for pk, (revision, occurrences) in record.acknowledged.items():
        visit = visits[pk]
        stored = visit_findings(visit).get(ITEM, {}).get("occurrences") or 0
        applied_later = pk in record.unanswered and visit.revision > revision
        if applied_later:
            if stored != record.unanswered[pk]:
                lost.append(pk)
        elif visit.revision != revision or stored != occurrences:
            lost.append(pk)
    print(
        f"autosaves: the last acknowledged save of {len(record.acknowledged)} drafts,"
        f" {len(lost)} not in the database{': ' + str(lost[:10]) if lost else ''}"
    )
    return not lost


def check_results(plan: Plan) -> bool:
    from inspection.models import MonthlyResult
    from inspection.services.monthly import month_standings, result_fields

    month = dt.date.fromisoformat(plan.month + "-01")
    expected = {pk: result_fields(s) for pk, s in month_standings(month=month).items()}
    stored = {r.store_id: r for r in MonthlyResult.objects.filter(month=month)}
    differ = [
        pk
        for pk in set(expected) | set(stored)
        if pk not in stored
        or pk not in expected
        or any(getattr(stored[pk], name) != value for name, value in expected[pk].items())
    ]
    print(
        f"monthly results {plan.month}: {len(stored)} stored, {len(expected)} recomputed,"
        f" {len(differ)} differ{': stores ' + str(sorted(differ)[:10]) if differ else ''}"
    )
    return not differ


def main() -> int:
    args = parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    env = server_env(args, work)
    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        base = f"http://127.0.0.1:{args.port}"
        print(f"recreating {args.database_url} and seeding {args.stores} stores ...")
        recreate_database(args.database_url)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo", "--stores", str(args.stores), "--months", "2")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "TASKS_BACKEND")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    plan = seed(args)
    if not args.url:
        log = work / "serve.log"
        print(f"starting scripts/serve (log: {log}) ...")
        server = start_server(env, log)
    try:
        wait_healthy(base, server)
        print(
            f"{len(plan.inspectors)} inspectors, {len(plan.reviewers)} reviewers,"
            f" {len(plan.managers)} managers, {len(plan.exporters)} exporters"
            f" for {args.seconds} s against {base} ..."
        )
        record = Record()
        elapsed = run_morning(args, base, plan, record)
        errors = report(record, elapsed)
        wait_for_jobs(args)
    finally:
        if server is not None:
            stop_server(server)
    saved = check_autosaves(record)
    ranked = check_results(plan)
    return 0 if errors == 0 and saved and ranked else 1


if __name__ == "__main__":
    sys.exit(main())
