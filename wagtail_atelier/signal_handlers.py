"""Receivers wired in WagtailAtelierConfig.ready()."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import RegistrationRole, WorkshopPageMixin
from .services.registration import fill_from_waiting_list, lock_workshop


def fill_seats_after_publish(sender, instance, **kwargs) -> None:
    """When a coordinator publishes a workshop with more places than before, the
    people waiting for them move up at once (and are told by mail), first come first
    served, exactly as when someone cancels."""
    if (
        not isinstance(instance, WorkshopPageMixin)
        or instance.start_at <= timezone.now()
    ):
        return
    with transaction.atomic():
        lock_workshop(instance.translation_key)
        for role in RegistrationRole.values:
            fill_from_waiting_list(instance, role)
