"""The register categories the plans name (B-01 … B-20)."""

from django.db import migrations

from fangkong.people.reference_data import CATEGORIES, categories_load

def load(apps, schema_editor):
    categories_load(apps.get_model("people", "Category"))


def unload(apps, schema_editor):
    apps.get_model("people", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
