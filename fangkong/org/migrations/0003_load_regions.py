"""Load the 44,700 administrative divisions and the aliases of changed codes (data/README.md)."""

from django.db import migrations

from fangkong.org.reference_data import regions_load


def load(apps, schema_editor):
    regions_load(apps.get_model("org", "Region"), apps.get_model("org", "RegionAlias"))


def unload(apps, schema_editor):
    apps.get_model("org", "RegionAlias").objects.all().delete()
    Region = apps.get_model("org", "Region")
    for level in (4, 3, 2, 1):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0002_group_member_person")]
    operations = [migrations.RunPython(load, unload)]
