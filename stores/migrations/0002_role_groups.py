"""One Django group per role, carrying the admin permissions that role needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "inspector": [
        "view_store",
        "view_visit",
        "add_visit",
        "change_visit",
        "add_finding",
        "change_finding",
        "delete_finding",
        "view_finding",
    ],
    "store_manager": ["view_store", "view_monthlyresult"],
    "branch_manager": [
        "view_store",
        "view_branch",
        "view_visit",
        "view_finding",
        "change_visit",
        "view_monthlyresult",
        "view_bonusaward",
    ],
    "headquarters": [
        "view_store",
        "add_store",
        "change_store",
        "view_branch",
        "add_branch",
        "change_branch",
        "view_visit",
        "change_visit",
        "view_finding",
        "view_monthlyresult",
        "view_bonusaward",
        "add_bonusaward",
        "view_visitamendment",
        "view_standard",
        "view_item",
        "view_section",
    ],
    "administrator": None,  # every permission
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.all()
        if codenames is not None:
            permissions = permissions.filter(
                codename__in=codenames, content_type__app_label__in=["stores", "inspection"]
            )
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0001_initial"),
        ("inspection", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
