"""The product owner's rulings of 2026-11-30 (R1–R7) applied to the stored 2009
standard, and every stored month re-ranked once under R6 (a zeroed visit counts 0 in
every section) and R7 (a bonus counts only while its store ranks in its category's
top N). Stored visit totals do not change."""

from django.db import migrations

from inspection.rules import read_standard_file, standard_sync
from inspection.services.monthly import month_standings, result_fields


def apply_rulings(apps, schema_editor):
    if apps.get_model("inspection", "Standard").objects.filter(version="2009").exists():
        standard_sync(read_standard_file("standard-2009.json"), apps=apps)
    changed, months = rerank_stored_months(apps)
    if months:
        print(f"\n  Re-ranked {months} stored months: {changed} monthly results changed.")


def rerank_stored_months(apps) -> tuple[int, int]:
    """Rewrite every stored month's results as the rules make them now; returns how many
    results changed and how many months there were."""
    MonthlyResult = apps.get_model("inspection", "MonthlyResult")
    months = sorted(set(MonthlyResult.objects.values_list("month", flat=True)))
    changed = 0
    for month in months:
        stored = {r.store_id: r for r in MonthlyResult.objects.filter(month=month)}
        for store_id, standing in month_standings(month=month, apps=apps).items():
            fields = result_fields(standing)
            result = stored.pop(store_id, None)
            if result is None:
                MonthlyResult.objects.create(store_id=store_id, month=month, **fields)
            elif any(getattr(result, name) != value for name, value in fields.items()):
                MonthlyResult.objects.filter(pk=result.pk).update(**fields)
            else:
                continue
            changed += 1
        changed += MonthlyResult.objects.filter(pk__in=[r.pk for r in stored.values()]).delete()[0]
    return changed, len(months)


class Migration(migrations.Migration):
    dependencies = [("inspection", "0007_rulings_fields")]

    operations = [migrations.RunPython(apply_rulings, migrations.RunPython.noop)]
