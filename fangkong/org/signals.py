"""A changed password revokes the user's API tokens: whoever held the old password may hold them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from fangkong.org.services import api_tokens_revoke


@receiver(pre_save, sender=User)
def revoke_tokens_on_password_change(
    sender: type[User], instance: User, raw: bool, update_fields: Any, **kwargs: Any
) -> None:
    # Compared with the stored hash, so every path counts: the admin, `changepassword`,
    # set_password or set_unusable_password then save.
    if raw or instance.pk is None or (update_fields and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        api_tokens_revoke(user=instance, reason=_("the password was changed"))
