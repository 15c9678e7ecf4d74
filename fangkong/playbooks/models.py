"""Playbooks (应急预案) run live or as drills (应急演练, N-01 … N-07): a run of one of the pack's
playbooks at a unit, its steps with the person named for each and the time each was done, and the
score a finished run keeps in the unit's history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaybookRun(models.Model):
    """One run of a playbook at a unit, started at ``started_at``; a drill opens no deadlines."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    pack_id = models.CharField(_("plan"), max_length=64)
    playbook_id = models.CharField(max_length=64)
    name = models.CharField(_("playbook"), max_length=100)
    drill = models.BooleanField(_("drill"), default=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["unit", "-started_at"], name="playbook_run_unit_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"


class RunStep(models.Model):
    """A step of a run: what, the role and the person named for it, due ``due_at``, done at
    ``done_at`` (None: not done)."""

    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("step"), max_length=200)
    role = models.CharField(_("role"), max_length=50)
    assignee = models.CharField(_("person responsible"), max_length=50, blank=True)
    kind = models.CharField(max_length=20)
    clause = models.CharField(_("clause"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_step_position_uniq")
        ]
        ordering = ["run", "position"]

    def __str__(self) -> str:
        return f"{self.run_id}.{self.position} {self.title}"
