from django.db import migrations

from inspection.rules import read_standard_file, standard_load


def load(apps, schema_editor):
    standard_load(read_standard_file("standard-2009.json"), apps=apps)


def unload(apps, schema_editor):
    apps.get_model("inspection", "Standard").objects.filter(version="2009").delete()


class Migration(migrations.Migration):
    dependencies = [("inspection", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
