"""Time the rankings, store and overview pages at province scale (not a test).

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/benchmark_pages.py --seed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
        .venv/bin/python scripts/benchmark_pages.py --seed

`--seed` migrates the (scratch!) database and runs `seed_demo --stores 2000 --months 12`
first; without it the pages are timed on whatever the database holds. Each page is
rendered through the Django test client, as its user, `--runs` times after one warm-up;
the script prints the median and worst time and the number of queries.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed a scratch database")
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from inspection.models import MonthlyResult
    from stores.models import Membership, Role

    if args.seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stores=args.stores, months=args.months, verbosity=0)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    setup_test_environment()

    def member(role):
        return Membership.objects.filter(role=role).select_related("user").order_by("pk").first()

    hq, manager, staff = (
        member(Role.HEADQUARTERS),
        member(Role.BRANCH_MANAGER),
        member(Role.STORE_MANAGER),
    )
    month = MonthlyResult.objects.order_by("-month").values_list("month", flat=True).first()
    worst = (
        MonthlyResult.objects.filter(month=month, store__branch=manager.branch)
        .order_by("-rank_overall")
        .first()
    )
    print(
        f"{connection.vendor}: {MonthlyResult.objects.filter(month=month).count()} stores "
        f"ranked in {month:%Y-%m}, {MonthlyResult.objects.count()} monthly results"
    )
    rankings, overview = reverse("rankings"), reverse("dashboard")
    pages = [
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
    ]
    print(f"{'page':<40} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KiB':>6}")
    for name, user, url in pages:
        client = Client()
        client.force_login(user)
        client.get(url)
        times = []
        for _run in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{name:<40} {statistics.median(times):>10.0f} {max(times):>8.0f} "
            f"{len(queries):>8} {len(response.content) / 1024:>6.0f}"
        )


if __name__ == "__main__":
    main()
