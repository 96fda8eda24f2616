"""The ten types of power the national guidance lists (权力类型), which every edition's
power items are typed by; the system administrator may rename, add or retire types."""

from django.db import migrations

from reformledger.catalog.choices import STANDARD_TYPES as TYPES


def add_types(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    for position, (code, name, aliases, approval) in enumerate(TYPES, start=1):
        ItemType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "aliases": aliases,
                "is_approval": approval,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_lists")]

    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
