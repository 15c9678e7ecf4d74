"""Categories P01's weekly test-all groups name (F-01)."""

from django.db import migrations

from fangkong.people.reference_data import categories_load

NEW = ["inpatient", "carer", "under_investigation"]


def load(apps, schema_editor):
    categories_load(apps.get_model("people", "Category"))


def unload(apps, schema_editor):
    apps.get_model("people", "Category").objects.filter(code__in=NEW).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0004_categories_of_approval_chains")]
    operations = [migrations.RunPython(load, unload)]
