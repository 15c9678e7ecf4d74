"""Categories the packs' approval chains and gathering rules name (P02, P11, P14)."""

from django.db import migrations

from fangkong.people.reference_data import categories_load

NEW = ["teacher", "principal", "middle_manager", "bureau_staff", "bureau_head", "boarder",
       "migrant_worker"]  # fmt: skip


def load(apps, schema_editor):
    categories_load(apps.get_model("people", "Category"))


def unload(apps, schema_editor):
    apps.get_model("people", "Category").objects.filter(code__in=NEW).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0003_lighter_person_indexes")]
    operations = [migrations.RunPython(load, unload)]
