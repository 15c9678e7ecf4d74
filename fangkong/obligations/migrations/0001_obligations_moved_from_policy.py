"""Obligations and the inbox move from policy to their own app: the tables stay where they are
(policy_obligation, policy_notification, every index and constraint by its name); only Django's
state moves, so no row is copied."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("policy", "0004_notification_sent_at"),
        ("org", "0006_alter_groupmember_options"),
        ("people", "0006_import_cancelled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "topic",
                            models.CharField(
                                choices=[
                                    ("missed", "obligations missed"),
                                    ("positive", "positive result"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("params", models.JSONField(default=dict)),
                        ("link", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField()),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="org.unit",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "policy_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["user", "read_at"], name="notification_inbox_idx")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Obligation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("test", "nucleic-acid test"),
                                    ("checkin", "health check-in"),
                                    ("oral_report", "oral report"),
                                    ("written_report", "written report"),
                                    ("direct_report", "direct report"),
                                    ("report", "report"),
                                    ("transfer", "transfer"),
                                    ("test_result", "test result"),
                                    ("investigation", "epidemiological investigation"),
                                    ("filing", "filing"),
                                    ("daily_report", "daily report"),
                                    ("weekly_report", "weekly report"),
                                    ("zero_report", "zero report"),
                                    ("follow_up", "follow-up"),
                                    ("environment", "environment sample"),
                                ],
                                max_length=20,
                                verbose_name="kind",
                            ),
                        ),
                        ("due_at", models.DateTimeField(verbose_name="due")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "open"),
                                    ("met", "met"),
                                    ("missed", "missed"),
                                    ("cancelled", "cancelled"),
                                ],
                                default="open",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("classification", "classification"),
                                    ("event", "event"),
                                    ("report", "routine report"),
                                    ("monitoring", "daily monitoring"),
                                    ("schedule", "testing schedule"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("decision", models.UUIDField(blank=True, null=True)),
                        (
                            "pack_id",
                            models.CharField(blank=True, max_length=64, verbose_name="plan"),
                        ),
                        (
                            "rule_id",
                            models.CharField(blank=True, max_length=64, verbose_name="rule"),
                        ),
                        ("clause", models.TextField(blank=True, verbose_name="clause")),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(verbose_name="opened at")),
                        (
                            "met_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="met at"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        (
                            "met_by",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="obligations",
                                to="people.person",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.unit",
                                verbose_name="responsible unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "policy_obligation",
                        "ordering": ["due_at", "id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status__in", ["open", "missed"])),
                                fields=["unit", "due_at", "id"],
                                name="obligation_pending_unit_idx",
                            ),
                            models.Index(
                                condition=models.Q(("status__in", ["open", "missed"])),
                                fields=["due_at", "id"],
                                name="obligation_pending_due_idx",
                            ),
                            models.Index(
                                condition=models.Q(("status", "open")),
                                fields=["due_at", "id"],
                                name="obligation_open_due_idx",
                            ),
                            models.Index(
                                fields=["person", "kind", "status"], name="obligation_person_idx"
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["open", "met", "missed", "cancelled"])
                                ),
                                name="obligation_status_valid",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("source", "report")),
                                fields=("unit", "kind", "due_at"),
                                name="obligation_one_routine_report",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("source", "monitoring")),
                                fields=("person", "kind", "due_at"),
                                name="obligation_one_checkin_slot",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("person__isnull", False), ("source", "schedule")
                                ),
                                fields=("person", "rule_id", "due_at"),
                                name="obligation_one_scheduled_test",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("person__isnull", True), ("source", "schedule")
                                ),
                                fields=("unit", "rule_id", "due_at"),
                                name="obligation_one_environment_sample",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
