from django.db import migrations, models

from inspection.rules import read_standard_file


def fill_rule_en(apps, schema_editor):
    """The 2009 standard was loaded before sections had an English rule."""
    Section = apps.get_model("inspection", "Section")
    data = read_standard_file("standard-2009.json")
    pending = [s for part in data["parts"] for s in part["sections"]]
    while pending:
        section = pending.pop()
        pending.extend(section.get("children", []))
        Section.objects.filter(standard__version="2009", code=section["code"]).update(
            rule_en=section.get("rule_en", "")
        )


class Migration(migrations.Migration):
    dependencies = [("inspection", "0003_visit_planning_photos")]

    operations = [
        migrations.AddField(
            model_name="section",
            name="rule_en",
            field=models.TextField(blank=True, verbose_name="扣分原则（英文）"),
        ),
        migrations.RunPython(fill_rule_en, migrations.RunPython.noop),
    ]
