"""Receivers wired in WagtailAtelierConfig.ready() (which imports this module: the
``@receiver`` ones below are connected by that import).

The deletion receivers are signals, not ``delete()`` overrides, because records and
testimonials are deleted by code the package does not own: Wagtail's snippet delete
view and bulk actions, wagtail-modeladmin's delete view, ``QuerySet.delete()``, the
retention. A signal is the one place all of them pass through; wagtail-localize
cleans up its own data the same way.
"""

from __future__ import annotations

from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_delete, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.models import ModelLogEntry

from .models import (
    FeedbackRequest,
    Registration,
    RegistrationRole,
    Testimonial,
    WorkshopPageMixin,
)
from .services.feedback import (
    forget_translation_data,
    neutral_log_label,
    neutralise_log_labels,
    testimonial_texts,
)
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


# -- no personal data in the audit log ----------------------------------------------


@cache
def _models_with_personal_data() -> frozenset[str]:
    from .models.personal_data import REGISTRY

    return frozenset(label for label, entry in REGISTRY.items() if entry.personal)


@receiver(
    pre_save, sender=ModelLogEntry, dispatch_uid="wagtail_atelier_neutral_log_labels"
)
def neutral_log_labels(sender, instance: ModelLogEntry, raw=False, **kwargs) -> None:
    """A log entry about a record that holds personal data is labelled with its kind
    and id. Wagtail labels an entry with ``str()`` of the object, unless the caller
    passes a title, and has no per-model hook for it: a testimonial's ``str()`` is
    its quote, which must not outlive a withdrawal or an erasure in the log."""
    if raw or not instance.content_type_id:
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model is not None and model._meta.label in _models_with_personal_data():
        instance.label = neutral_log_label(model, instance.object_id)


# -- deleting a registration deletes its feedback -----------------------------------


@receiver(
    pre_delete,
    sender=Registration,
    dispatch_uid="wagtail_atelier_delete_feedback_with_registration",
)
def delete_feedback_with_registration(sender, instance: Registration, **kwargs):
    """The feedback request (and so its answer and link) goes with the registration:
    the model keeps it (``SET_NULL``) only for the retention, which anonymises the
    registration instead of deleting it. A testimonial made from the answer is
    content with its own consent and stays (without its link to the answer)."""
    FeedbackRequest.objects.filter(registration_id=instance.pk).delete()


# -- deleting a testimonial leaves nothing of it behind -----------------------------


@receiver(
    pre_delete, sender=Testimonial, dispatch_uid="wagtail_atelier_testimonial_texts"
)
def remember_testimonial_texts(sender, instance: Testimonial, **kwargs) -> None:
    # Read before the revisions are deleted with the testimonial.
    instance._atelier_texts = testimonial_texts(instance)


@receiver(
    post_delete, sender=Testimonial, dispatch_uid="wagtail_atelier_testimonial_traces"
)
def forget_testimonial_traces(sender, instance: Testimonial, **kwargs) -> None:
    """wagtail-localize's sources, segments, strings and translations of the version,
    and the labels of its log entries (entries written before labels were
    neutral)."""
    forget_translation_data(
        instance.translation_key,
        instance.locale_id,
        getattr(instance, "_atelier_texts", ()),
    )
    neutralise_log_labels(Testimonial, [instance.pk])


# -- change notices -------------------------------------------------------------------


def remember_live_state(sender, instance, raw=False, **kwargs) -> None:
    """Before a workshop is saved: keep the stored event state (sequence,
    cancellation), and, when a publication replaces a live version (its live
    revision changes), what registrants knew: the notified fields as stored."""
    if raw or not isinstance(instance, WorkshopPageMixin) or instance.pk is None:
        return
    from .services.change_notices import previous_live_state

    row = previous_live_state(instance)
    if row is None:
        return
    # The services write these with ``update()`` on every version; the stored
    # values win over an object read before (a stale copy, a synced source).
    for name in instance.EVENT_STATE_FIELDS:
        setattr(instance, name, row[name])
    if (
        row["live"]
        and instance.live
        and instance.live_revision_id is not None
        and row["live_revision_id"] != instance.live_revision_id
    ):
        instance._atelier_previous_live_state = row


def record_change_after_publish(sender, instance, revision=None, **kwargs) -> None:
    """A publication that changed what registrants know records a change notice,
    decided by the editor (``admin/change_notices.py``)."""
    if not isinstance(instance, WorkshopPageMixin):
        return
    previous = instance.__dict__.pop("_atelier_previous_live_state", None)
    if previous is None:
        return
    from .services.change_notices import record_publication

    record_publication(
        instance, previous, user=getattr(revision, "user", None) if revision else None
    )
