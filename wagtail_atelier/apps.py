from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailAtelierConfig(AppConfig):
    name = "wagtail_atelier"
    label = "wagtail_atelier"
    verbose_name = _("Practice workshops")
    default_auto_field = "django.db.models.BigAutoField"
