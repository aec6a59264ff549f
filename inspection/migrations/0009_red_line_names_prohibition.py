from django.db import migrations, models


class Migration(migrations.Migration):
    """Once the rulings' data migration has named every red-line item's prohibition."""

    dependencies = [("inspection", "0008_apply_rulings_2026_11_30")]

    operations = [
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(red_line=False, prohibition__isnull=True)
                | models.Q(red_line=True, prohibition__isnull=False),
                name="item_red_line_names_prohibition",
            ),
        ),
    ]
