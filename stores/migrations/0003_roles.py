"""Rulings R8 and R9 in the admin: branch managers no longer change visits nor read
them there (the admin's lists name inspectors and times of day), and inspectors
change visits only through the tablet's services."""

from django.db import migrations

REVOKED = {
    "inspector": [
        "view_visit",
        "add_visit",
        "change_visit",
        "add_finding",
        "change_finding",
        "delete_finding",
        "view_finding",
    ],
    "branch_manager": ["view_visit", "view_finding", "change_visit"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(codename__in=codenames, content_type__app_label="inspection")


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in REVOKED.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, codenames))


def restore(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in REVOKED.items():
        for group in Group.objects.filter(name=name):
            group.permissions.add(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0002_role_groups"),
        ("inspection", "0009_red_line_names_prohibition"),
    ]

    operations = [migrations.RunPython(revoke, restore)]
