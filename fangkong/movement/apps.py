from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovementConfig(AppConfig):
    name = "fangkong.movement"
    label = "movement"
    verbose_name = _("Movement and gatherings")
