"""The audit trail: who did what to whose data, when, and from where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    VIEW_FULL = "view_full", _("viewed unmasked")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")


class AuditEvent(models.Model):
    Action = AuditAction

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The unit whose data it was: lets the audit page be scoped like everything else.
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The person page's "who looked at or changed this file" panel.
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=[a.value for a in AuditAction]),
                name="auditevent_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
