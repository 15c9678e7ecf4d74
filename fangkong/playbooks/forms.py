"""The form that starts a playbook: which one, live or a drill, and who does each role."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.playbooks.services import NAME_MAX
from fangkong.policy.packs import Playbook


class StartForm(BootstrapFormMixin, forms.Form):
    playbook = forms.ChoiceField(label=_("Playbook"))
    drill = forms.TypedChoiceField(
        label=_("Run as"),
        choices=[
            ("1", _("A drill (no deadlines opened)")),
            ("0", _("Live (each step a deadline)")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
    )

    def __init__(self, *args: Any, playbooks: list[Playbook], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["playbook"].choices = [(p.id, p.name) for p in playbooks]  # type: ignore[attr-defined]
        roles = dict.fromkeys(step.role for p in playbooks for step in p.steps)
        self.roles = {f"role_{index}": role for index, role in enumerate(roles)}
        for key, role in self.roles.items():
            self.fields[key] = forms.CharField(label=role, max_length=NAME_MAX, required=False)
        self.style_widgets()

    def names(self) -> dict[str, str]:
        return {role: self.cleaned_data.get(key) or "" for key, role in self.roles.items()}
