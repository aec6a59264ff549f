"""Time every page a user reaches at province or national scale (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python scripts/benchmark_pages.py --seed --stores 2000
    DATABASE_URL=... .venv/bin/python scripts/benchmark_pages.py --browser

`--seed` migrates the (scratch!) database and runs `seed_demo --stores N --months 12`
first; without it the pages are timed on whatever the database holds. Each page is
rendered through the Django test client, as its user, `--runs` times after one warm-up;
the script prints the median and worst server time, the number of queries, the size of
the HTML and its number of elements. `--browser` also starts the app on a local port
and loads the heaviest pages in Chromium at tablet size (768×1024), printing the time
to the load event.
"""

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
CHROMIUM = "/usr/bin/chromium"
PORT = 8765


class ElementCounter(HTMLParser):
    """Counts elements as the browser's DOM would hold them (start and empty tags)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        self.count += 1

    def handle_startendtag(self, tag, attrs):
        self.count += 1


def elements(html: str) -> int:
    counter = ElementCounter()
    counter.feed(html)
    return counter.count


def pages_to_time():
    from django.urls import reverse

    from inspection.models import MonthlyResult, Visit, VisitAssignment, VisitStatus
    from stores.models import Membership, Role

    def member(role):
        return Membership.objects.filter(role=role).select_related("user").order_by("pk").first()

    hq, manager, staff, inspector = (
        member(Role.HEADQUARTERS),
        member(Role.BRANCH_MANAGER),
        member(Role.STORE_MANAGER),
        member(Role.INSPECTOR),
    )
    month = MonthlyResult.objects.order_by("-month").values_list("month", flat=True).first()
    worst = (
        MonthlyResult.objects.filter(month=month, store__branch=manager.branch)
        .order_by("-rank_overall")
        .first()
    )
    candidate = (
        MonthlyResult.objects.filter(month=month, category_base_rank=1).order_by("pk").first()
    )
    draft = Visit.objects.filter(status=VisitStatus.DRAFT).order_by("pk").first()
    plan_month = VisitAssignment.objects.order_by("-month").values_list("month", flat=True)[0]
    plan = f"{reverse('plan-month')}?month={plan_month:%Y-%m}"
    rankings, overview = reverse("rankings"), reverse("dashboard")
    print(
        f"{MonthlyResult.objects.filter(month=month).count()} stores ranked in {month:%Y-%m}, "
        f"{MonthlyResult.objects.count()} monthly results, {Visit.objects.count()} visits, "
        f"{VisitAssignment.objects.filter(month=plan_month).count()} planned visits "
        f"in {plan_month:%Y-%m}"
    )
    return [
        ("plan, headquarters", hq.user, plan),
        ("plan, unplanned stores", hq.user, f"{plan}&status=unplanned"),
        ("plan, one branch, searched", hq.user, f"{plan}&branch={manager.branch_id}&q=1"),
        (
            "plan, an inspector's month",
            hq.user,
            reverse("plan-inspector", args=[inspector.user_id]),
        ),
        ("review queue", hq.user, reverse("review-list")),
        ("rankings, overall", hq.user, rankings),
        ("rankings, by category, sorted by B2a", hq.user, f"{rankings}?view=category&sort=-B2a"),
        ("rankings, branch manager", manager.user, f"{rankings}?branch={manager.branch_id}"),
        ("rankings, store manager", staff.user, rankings),
        (
            "store page, worst of branch",
            manager.user,
            reverse("store-detail", args=[worst.store_id]),
        ),
        ("store page, store manager", staff.user, reverse("store-detail", args=[staff.store_id])),
        ("overview, headquarters", hq.user, overview),
        ("overview, branch manager", manager.user, overview),
        (
            "bonus award, a candidate",
            hq.user,
            f"{reverse('bonus-award', args=[candidate.store_id])}?month={month:%Y-%m}",
        ),
        ("imports", hq.user, reverse("imports")),
        ("visit form, a draft", draft.inspector, reverse("visit-form", args=[draft.pk])),
        ("inspector home", inspector.user, reverse("inspector-home")),
    ]


def time_on_server(pages, runs: int) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"{'page':<40} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KiB':>6} {'elements':>9}")
    measured = []
    for name, user, url in pages:
        client = Client()
        client.force_login(user)
        client.get(url)
        times = []
        for _run in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
        count = elements(response.content.decode())
        measured.append((name, user, url, size))
        print(
            f"{name:<40} {statistics.median(times):>10.0f} {max(times):>8.0f} "
            f"{len(queries):>8} {size / 1024:>6.0f} {count:>9}"
        )
    return measured


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def time_in_browser(measured, heaviest: int, runs: int) -> None:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        pages = sorted(measured, key=lambda m: -m[3])[:heaviest]
        # Django refuses database work inside Playwright's event loop: sessions first.
        cookies = {id(user): session_cookie(user) for _name, user, _url, _size in pages}
        print(f"\n{'page in Chromium, 768x1024':<40} {'median ms':>10} {'max ms':>8}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, user, url, _size in pages:
                context = browser.new_context(viewport={"width": 768, "height": 1024})
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": cookies[id(user)],
                            "url": base,
                        }
                    ]
                )
                page = context.new_page()
                page.goto(base + url)
                times = []
                for _run in range(runs):
                    started = time.perf_counter()
                    page.goto(base + url, wait_until="load")
                    times.append((time.perf_counter() - started) * 1000)
                context.close()
                print(f"{name:<40} {statistics.median(times):>10.0f} {max(times):>8.0f}")
            browser.close()
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed a scratch database")
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also load pages in Chromium")
    parser.add_argument("--heaviest", type=int, default=6, help="pages loaded in Chromium")
    args = parser.parse_args()

    django.setup()
    # One log line per request would drown the table.
    logging.getLogger("config.requests").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    if args.seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stores=args.stores, months=args.months, verbosity=0)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    setup_test_environment()
    print(f"{connection.vendor}: ", end="")
    measured = time_on_server(pages_to_time(), args.runs)
    if args.browser:
        time_in_browser(measured, args.heaviest, args.runs)


if __name__ == "__main__":
    main()
