"""Time publishing a visit against re-ranking its month, at province scale (not a test).

    DATABASE_URL=sqlite:////tmp/rerank.sqlite3 .venv/bin/python scripts/benchmark_rerank.py --seed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rerank \\
        .venv/bin/python scripts/benchmark_rerank.py --seed

`--seed` migrates the (scratch!) database and runs `seed_demo --stores 2000 --months 2`
first. The newest demo month is under review, so it holds submitted visits: each is
published through the review page by headquarters, as in the app (the re-rank job is
only queued, in the database), then the job is run as a worker runs it; then more
are published while a worker process re-ranks the month. The script
prints the median and worst of each, and of computing the month's standings alone,
which publishing used to wait for on top of deleting and re-inserting every row.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The publish request only queues the job; the worker's share is timed apart.
os.environ["TASKS_BACKEND"] = "db"


def rerank_in_worker(month) -> None:
    from django.db import connection

    from inspection.services import monthly

    try:
        monthly.month_rerank_run(month=month)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate and seed a scratch database")
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from inspection.models import MonthlyResult, MonthRanking, Visit, VisitStatus
    from inspection.services import monthly
    from stores.models import Membership, Role

    if args.seed:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", stores=args.stores, months=args.months, verbosity=0)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    setup_test_environment()

    hq = Membership.objects.filter(role=Role.HEADQUARTERS).select_related("user").first().user
    submitted = list(Visit.objects.filter(status=VisitStatus.SUBMITTED).order_by("pk"))
    if len(submitted) <= 3 * args.runs:
        sys.exit(f"{len(submitted)} submitted visits left; seed a fresh database (--seed)")
    month = submitted[0].month
    print(
        f"{connection.vendor}: {MonthlyResult.objects.filter(month=month).count()} stores "
        f"ranked in {month:%Y-%m}"
    )
    client = Client()
    client.force_login(hq)
    publish, job, compute = [], [], []
    in_month = [v for v in submitted if v.month == month]
    # One warm-up round: the first request loads templates and translations.
    client.post(reverse("review-publish", args=[in_month[0].pk]))
    monthly.month_rerank_run(month=month)
    for visit in in_month[1 : args.runs + 1]:
        started = time.perf_counter()
        response = client.post(reverse("review-publish", args=[visit.pk]))
        publish.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        started = time.perf_counter()
        assert monthly.month_rerank_run(month=month)
        job.append(time.perf_counter() - started)
        started = time.perf_counter()
        monthly.month_standings(month=month)
        compute.append(time.perf_counter() - started)
    # Publishing while a worker re-ranks the month: the publish must not wait for it.
    beside = []
    rest = in_month[args.runs + 1 : 3 * args.runs + 1]
    for marking, visit in zip(rest[::2], rest[1::2], strict=True):
        client.post(reverse("review-publish", args=[marking.pk]))
        ranking = MonthRanking.objects.get(month=month)
        # A process of its own, as a worker is (a thread would share this one's GIL).
        connection.close()
        worker = multiprocessing.get_context("fork").Process(target=rerank_in_worker, args=(month,))
        worker.start()
        while MonthRanking.objects.get(month=month).claims == ranking.claims:
            time.sleep(0.005)
        started = time.perf_counter()
        client.post(reverse("review-publish", args=[visit.pk]))
        beside.append(time.perf_counter() - started)
        worker.join()
        monthly.month_rerank_run(month=month)
    for label, times in (
        ("publish request (marks the month, queues the job)", publish),
        ("publish request while the job runs", beside),
        ("re-rank job (worker)", job),
        ("computing the standings alone", compute),
    ):
        print(
            f"{label:<52} median {statistics.median(times) * 1000:7.0f} ms"
            f"   max {max(times) * 1000:7.0f} ms"
        )


if __name__ == "__main__":
    main()
