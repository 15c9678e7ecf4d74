import datetime as dt

from django.db import migrations, models
from django.db.models import F

# Links made before links expired: they last the default period from when they were made.
DEFAULT_DAYS = 14


def expire_existing_links(apps, schema_editor):
    SelfCheckinLink = apps.get_model("monitoring", "SelfCheckinLink")
    SelfCheckinLink.objects.update(expires_at=F("created_at") + dt.timedelta(days=DEFAULT_DAYS))


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0002_alter_absence_options_alter_checkin_options_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="selfcheckinlink",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_links, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="selfcheckinlink",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
