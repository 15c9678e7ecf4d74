from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthcodesConfig(AppConfig):
    name = "fangkong.healthcodes"
    label = "healthcodes"
    verbose_name = _("Health codes")
