from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailAtelierConfig(AppConfig):
    name = "wagtail_atelier"
    label = "wagtail_atelier"
    verbose_name = _("Practice workshops")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from . import (
            checks,  # noqa: F401 (registers the system checks)
            page_cache,
        )
        from .signal_handlers import fill_seats_after_publish

        page_published.connect(
            fill_seats_after_publish, dispatch_uid="wagtail_atelier_fill_seats"
        )
        page_cache.connect()

        from django.db.models.signals import pre_save

        from .signal_handlers import record_change_after_publish, remember_live_state

        pre_save.connect(
            remember_live_state, dispatch_uid="wagtail_atelier_remember_live_state"
        )
        page_published.connect(
            record_change_after_publish,
            dispatch_uid="wagtail_atelier_record_change_notice",
        )

        from . import localize

        localize.connect()
