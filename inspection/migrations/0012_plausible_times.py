import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import inspection.models.visits

EARLIEST = datetime.datetime(1999, 12, 31, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2101, 1, 2, tzinfo=datetime.UTC)


def move_implausible_times(apps, schema_editor):
    """Before this bound an autosave could store a visit in the year 1 (a BC date on
    PostgreSQL), which no page can show: such a visit is moved to the moment it was
    created, so that the constraint can be added and its inspector can correct it."""
    Visit = apps.get_model("inspection", "Visit")
    # One UPDATE: such a time cannot even be read into Python.
    Visit.objects.filter(
        models.Q(visited_at__lt=EARLIEST) | models.Q(visited_at__gte=LATEST)
    ).update(visited_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("inspection", "0011_workbook_export"),
        ("stores", "0002_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="returned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="退回时间"),
        ),
        migrations.AddField(
            model_name="visit",
            name="returned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="退回人",
            ),
        ),
        migrations.AlterField(
            model_name="visit",
            name="visited_at",
            field=models.DateTimeField(
                validators=[inspection.models.visits.validate_visit_time], verbose_name="检查时间"
            ),
        ),
        migrations.RunPython(move_implausible_times, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="visit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("visited_at__gte", EARLIEST),
                    ("visited_at__lt", LATEST),
                ),
                name="visit_time_plausible",
            ),
        ),
    ]
