"""Obligations and the inbox now belong to the obligations app; the tables stay (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0004_notification_sent_at"),
        ("obligations", "0001_obligations_moved_from_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="obligation",
                    name="met_by",
                ),
                migrations.RemoveField(
                    model_name="obligation",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="obligation",
                    name="unit",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="Obligation",
                ),
            ],
        ),
    ]
