#!/usr/bin/env python
"""Time and peak memory of the monthly workbook for a province month, against the
floor: a bare openpyxl write-only workbook of the same cells, without styles or
database reads.

    .venv/bin/python scripts/benchmark_export.py [--stores 2000] [--visits 6000]

Uses a scratch SQLite database (kept for reruns, see --db) so it never touches the
app's own data; the first run seeds it with `seed_demo` and tops the latest full
month up to --visits published visits.
"""

import argparse
import datetime as dt
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=6000, help="published visits in the month")
    parser.add_argument(
        "--db", default=str(Path(tempfile.gettempdir()) / "benchmark-export.sqlite3")
    )
    return parser.parse_args()


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(stores: int, visits: int) -> dt.date:
    """The month to export: the last complete month of the demo, topped up to `visits`."""
    from django.db import transaction

    from inspection import demo
    from inspection.models import Finding, Visit, VisitStatus
    from inspection.months import month_bounds, month_of
    from inspection.services.monthly import monthly_results_recompute
    from stores.models import Store

    if not Store.objects.exists():
        started = time.monotonic()
        demo.demo_seed(stores=stores, months=3)
        print(f"seeded {stores} stores in {time.monotonic() - started:.0f} s")
    months = list(
        Visit.objects.filter(status=VisitStatus.PUBLISHED).dates(
            "visited_at", "month", order="DESC"
        )
    )
    # The newest month is still under review; the one before is complete.
    month = months[1] if len(months) > 1 else months[0]
    start, end = month_bounds(month)
    published = Visit.objects.filter(
        status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
    )
    missing = visits - published.count()
    if missing > 0:
        originals = list(published.order_by("pk").prefetch_related("findings"))
        clones = []
        shift = 0
        while len(clones) < missing:
            # Demo visits start on whole minutes: a few seconds later is a new visit.
            shift += 1
            for visit in originals[: missing - len(clones)]:
                moment = visit.visited_at + dt.timedelta(seconds=shift)
                if month_of(moment) != month:
                    moment = visit.visited_at - dt.timedelta(seconds=shift)
                clones.append((visit, moment))
        with transaction.atomic():
            created = Visit.objects.bulk_create(
                [
                    Visit(
                        **{
                            f.attname: getattr(visit, f.attname)
                            for f in Visit._meta.concrete_fields
                            if f.attname not in ("id", "visited_at")
                        },
                        visited_at=moment,
                    )
                    for visit, moment in clones
                ],
                batch_size=2000,
            )
            findings = []
            for (visit, _moment), clone in zip(clones, created, strict=True):
                for finding in visit.findings.all():
                    finding.pk = None
                    finding.visit_id = clone.pk
                    findings.append(finding)
            Finding.objects.bulk_create(findings, batch_size=2000)
            monthly_results_recompute(month=month)
        print(f"added {len(created)} published visits to {month:%Y-%m}")
    return month


def measure(label: str, action) -> tuple[float, float]:
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    gc.collect()
    tracemalloc.start()
    action()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<36} {seconds:6.2f} s wall {cpu:6.2f} s CPU   "
        f"peak {peak / 2**20:6.1f} MiB (tracemalloc)"
    )
    return seconds, peak


def main():
    args = parse_args()
    setup_django(args.db)
    from openpyxl import Workbook, load_workbook
    from openpyxl.xml import LXML

    from inspection.exports import report_scope, report_write
    from inspection.models import Finding, MonthlyResult, Visit, VisitStatus
    from inspection.months import month_bounds

    month = seed(args.stores, args.visits)
    start, end = month_bounds(month)
    visits = Visit.objects.filter(
        status=VisitStatus.PUBLISHED, visited_at__gte=start, visited_at__lt=end
    )
    print(
        f"month {month:%Y-%m}: {MonthlyResult.objects.filter(month=month).count()} ranked stores, "
        f"{visits.count()} published visits, "
        f"{Finding.objects.filter(visit__in=visits).count()} findings"
    )
    out = Path(tempfile.gettempdir()) / f"benchmark-{month:%Y-%m}.xlsx"
    scope = report_scope(None)
    export_seconds, export_peak = measure(
        "export_report (DB reads + styles)", lambda: report_write(month=month, out=out, scope=scope)
    )

    # The same cells, loaded before the clock starts, written with nothing else.
    source = load_workbook(out, read_only=True)
    sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in source]
    source.close()
    cells = sum(len(row) for _title, rows in sheets for row in rows)
    floor_out = out.with_name(out.stem + "-floor.xlsx")

    def bare_write():
        workbook = Workbook(write_only=True)
        for title, rows in sheets:
            ws = workbook.create_sheet(title)
            for row in rows:
                ws.append(row)
        workbook.save(floor_out)

    floor_seconds, floor_peak = measure("floor (bare write-only, same cells)", bare_write)
    print(f"openpyxl serialises with {'lxml' if LXML else 'et_xmlfile (no lxml installed)'}")
    print(f"cells: {cells}; workbook {out.stat().st_size / 2**20:.1f} MiB at {out}")
    print(
        f"export / floor: time x{export_seconds / floor_seconds:.2f}, "
        f"peak memory x{export_peak / floor_peak:.2f}"
    )
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
