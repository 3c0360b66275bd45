"""The harvest of each case table: what its case presenter takes away. No requests.

The facilitators record it after the workshop (:func:`save_harvest`) and may mail it
to the case presenter, in the presenter's language (:func:`send_harvest`). Only a
confirmed case presenter has a table, so only they have a harvest to record or send.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from wagtail.log_actions import log

from ..models import TableHarvest
from ..models.mail import MailKind, OutgoingMail
from ..models.registration import Registration, RegistrationRole, RegistrationStatus
from .mail import queue_mail
from .registration import workshop_for

EDIT_ACTION = "wagtail_atelier.harvest.edit"
SEND_ACTION = "wagtail_atelier.harvest.send"


class NotACasePresenterError(Exception):
    """The registration is not (any more) a confirmed case presenter."""


class EmptyHarvestError(Exception):
    """There is nothing to send: neither key insights nor next steps."""


def presenters(workshop_key: UUID) -> QuerySet[Registration]:
    """The confirmed case presenters of a workshop (all its language versions), in
    the order they registered, each with its harvest (if any) in the same query."""
    return (
        Registration.objects.filter(
            workshop_key=workshop_key,
            role=RegistrationRole.CASE_PRESENTER,
            status=RegistrationStatus.CONFIRMED,
        )
        .select_related("harvest")
        .order_by("created_at", "pk")
    )


def harvest_of(presenter: Registration) -> TableHarvest | None:
    try:
        return presenter.harvest
    except TableHarvest.DoesNotExist:
        return None


def _log_title(obj) -> str:
    # As ``admin_views.log_title``: never a name in the audit log.
    return f"{obj._meta.verbose_name} {obj.pk}"


def save_harvest(
    presenter: Registration, key_insights: str, next_steps: str, user
) -> TableHarvest:
    """Record (or change) what ``presenter``'s table harvested, and log it."""
    with transaction.atomic():
        presenter = Registration.objects.select_for_update().get(pk=presenter.pk)
        if not (presenter.is_case_presenter and presenter.is_confirmed):
            raise NotACasePresenterError
        harvest = TableHarvest.objects.filter(presenter=presenter).first()
        if harvest is None:
            harvest = TableHarvest(
                presenter=presenter, workshop_key=presenter.workshop_key
            )
        # Stripped, so that the database can tell an empty harvest from a recorded
        # one the way ``TableHarvest.is_empty`` does (see harvest_counts).
        harvest.key_insights = key_insights.strip()
        harvest.next_steps = next_steps.strip()
        harvest.updated_by = user
        harvest.save()
        log(
            instance=harvest,
            action=EDIT_ACTION,
            user=user,
            title=_log_title(harvest),
            data={"registration": presenter.pk},
        )
    return harvest


def save_harvests(
    changes: Iterable[tuple[Registration, str, str]], user
) -> list[TableHarvest]:
    """Record several tables' harvests together: all of them, or none (a person who
    is no longer a confirmed case presenter raises ``NotACasePresenterError`` and
    rolls back the others)."""
    with transaction.atomic():
        return [
            save_harvest(presenter, key_insights, next_steps, user)
            for presenter, key_insights, next_steps in changes
        ]


def send_harvest(harvest: TableHarvest, user) -> OutgoingMail:
    """Mail the harvest to its case presenter, in their language; may be repeated
    after a change. The mail is stored in this transaction and sent after it."""
    with transaction.atomic():
        harvest = (
            TableHarvest.objects.select_for_update()
            .select_related("presenter")
            .get(pk=harvest.pk)
        )
        presenter = harvest.presenter
        if not (presenter.is_case_presenter and presenter.is_confirmed):
            raise NotACasePresenterError
        if harvest.is_empty:
            raise EmptyHarvestError
        workshop = workshop_for(presenter)
        mail = queue_mail(
            kind=MailKind.HARVEST,
            to=[presenter.email],
            language=presenter.language,
            template="harvest",
            context={
                "registration": presenter,
                "workshop": workshop,
                "harvest": harvest,
            },
            registration=presenter,
            reply_to=[workshop.contact_email]
            if workshop is not None and workshop.contact_email
            else [],
        )
        harvest.sent_at = timezone.now()
        # Not updated_at: "changed since it was sent" compares the two.
        harvest.save(update_fields=["sent_at"])
        log(
            instance=harvest,
            action=SEND_ACTION,
            user=user,
            title=_log_title(harvest),
            data={"registration": presenter.pk, "mail": mail.pk},
        )
    return mail


def harvest_counts(workshop_keys: Iterable[UUID]) -> dict[UUID, tuple[int, int, int]]:
    """``{workshop_key: (tables, recorded, sent)}`` in one query: the confirmed case
    presenters, how many of them have a harvest that is not empty, and how many
    were sent theirs. Workshops without a case presenter are left out."""
    keys = list(workshop_keys)
    if not keys:
        return {}
    recorded = ~Q(harvest__key_insights="") | ~Q(harvest__next_steps="")
    rows = (
        Registration.objects.filter(
            workshop_key__in=keys,
            role=RegistrationRole.CASE_PRESENTER,
            status=RegistrationStatus.CONFIRMED,
        )
        .values_list("workshop_key")
        .annotate(
            tables=Count("pk"),
            recorded=Count("harvest", filter=Q(harvest__isnull=False) & recorded),
            sent=Count("harvest", filter=Q(harvest__sent_at__isnull=False)),
        )
        .order_by()
    )
    return {key: (tables, done, sent) for key, tables, done, sent in rows}
