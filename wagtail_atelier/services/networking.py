"""The networking list: after a workshop, each attendee who agreed to share their
contact gets, once and in their own language, the others who agreed. No requests.

- Who is on it (:func:`members`): confirmed registrations marked as attended, with
  ``share_contact`` still on. Name, organisation, town, email and languages: never
  the case question, the phone, the accessibility needs or the dietary note.
- When it goes (:func:`send_due_networking_lists`, run by the
  ``atelier_send_networking_lists`` command or the ``send_networking_lists`` task):
  ``WAGTAIL_ATELIER_NETWORKING_LIST_DELAY`` after the workshop ended, unless a
  coordinator holds it back (:func:`hold`, :func:`release`), and not for workshops
  that ended more than ``WAGTAIL_ATELIER_NETWORKING_LIST_WINDOW_DAYS`` days before
  that (turning the feature on mails no past workshop).
- Once: the workshop's :class:`~..models.NetworkingList` row is locked while the
  list is sent and marked sent in the same transaction; a constraint allows one
  mail of this kind per registration.
- A person withdraws until it is sent (:func:`withdraw_share_contact` takes the same
  lock, so a withdrawal and the sending never overlap). A withdrawal after it was
  sent still takes them off the list's page; the mails already sent stay sent.
- The list's page behind each recipient's secret link (:func:`page_members`) shows
  the people the list went to who have not withdrawn since; it goes with the
  retention, which ends the links and deletes the mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from ..conf import get_setting
from ..models.mail import MailKind, OutgoingMail
from ..models.networking import NetworkingList
from ..models.registration import Registration, RegistrationStatus
from ..models.workshop import workshop_keys, workshop_versions
from . import registration as registration_services
from .mail import queue_mail

#: The registration fields the list shows; nothing else is read for it.
LIST_FIELDS = (
    "pk",
    "workshop_key",
    "language",
    "first_name",
    "last_name",
    "email",
    "organisation",
    "town",
    "languages",
    # Not shown: they make the person's own link to the list's page.
    "link_nonce",
    "link_digest",
)


class AlreadySentError(Exception):
    """The list of this workshop has gone: it can no longer be held back."""


# -- who is on it -------------------------------------------------------------------


def attendees(workshop_key: UUID) -> QuerySet[Registration]:
    """The confirmed registrations of the workshop marked as attended."""
    return Registration.objects.filter(
        workshop_key=workshop_key,
        status=RegistrationStatus.CONFIRMED,
        attended_at__isnull=False,
        anonymised_at__isnull=True,
    )


def members(workshop_key: UUID) -> QuerySet[Registration]:
    """Who is on the list if it goes now: the attendees who agreed to share their
    contact and have not withdrawn, by name; only the fields the list shows."""
    return (
        attendees(workshop_key)
        .filter(share_contact=True)
        .only(*LIST_FIELDS)
        .order_by("last_name", "first_name", "pk")
    )


def page_members(workshop_key: UUID) -> QuerySet[Registration]:
    """Who is on the list's page: the people it was sent to who still agree."""
    return (
        Registration.objects.filter(
            workshop_key=workshop_key,
            share_contact=True,
            anonymised_at__isnull=True,
            mails__kind=MailKind.NETWORKING_LIST,
        )
        .only(*LIST_FIELDS)
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class Counts:
    attended: int
    agreed: int
    agreed_not_attended: int


def counts(workshop_key: UUID) -> Counts:
    """How many attended, how many of them are on the list, and how many agreed but
    are not marked as attended (so are not on it): one query."""
    confirmed = Q(status=RegistrationStatus.CONFIRMED, anonymised_at__isnull=True)
    attended = confirmed & Q(attended_at__isnull=False)
    row = Registration.objects.filter(workshop_key=workshop_key).aggregate(
        attended=Count("pk", filter=attended),
        agreed=Count("pk", filter=attended & Q(share_contact=True)),
        agreed_not_attended=Count(
            "pk",
            filter=confirmed & Q(attended_at__isnull=True, share_contact=True),
        ),
    )
    return Counts(**row)


# -- when it goes -------------------------------------------------------------------


def delay() -> timedelta | None:
    return get_setting("WAGTAIL_ATELIER_NETWORKING_LIST_DELAY")


def due_at(workshop) -> datetime | None:
    """When the list of ``workshop`` goes (if not held back); None when the
    networking list is switched off."""
    wait = delay()
    if wait is None:
        return None
    return workshop.end_at + wait


def too_late_at(workshop) -> datetime | None:
    """After this moment the list of ``workshop`` is no longer sent."""
    due = due_at(workshop)
    if due is None:
        return None
    return due + timedelta(
        days=get_setting("WAGTAIL_ATELIER_NETWORKING_LIST_WINDOW_DAYS")
    )


def list_of(workshop_key: UUID) -> NetworkingList | None:
    return NetworkingList.objects.filter(workshop_key=workshop_key).first()


def due_workshop_keys(now: datetime | None = None) -> list[UUID]:
    """The workshops whose list is due: ended between the delay and the delay plus
    the window ago, neither held back nor sent. Two queries."""
    wait = delay()
    if wait is None:
        return []
    now = now or timezone.now()
    ended_before = now - wait
    ended_after = ended_before - timedelta(
        days=get_setting("WAGTAIL_ATELIER_NETWORKING_LIST_WINDOW_DAYS")
    )
    keys = workshop_keys(
        lambda pages: pages.live().filter(
            end_at__lte=ended_before, end_at__gt=ended_after
        )
    )
    if not keys:
        return []
    done = set(
        NetworkingList.objects.filter(workshop_key__in=list(keys))
        .filter(Q(held=True) | Q(sent_at__isnull=False))
        .values_list("workshop_key", flat=True)
    )
    return sorted(keys - done, key=str)


def send_due_networking_lists(now: datetime | None = None) -> int:
    """Send the list of every workshop that is due; return how many mails were
    queued. Safe to run as often as you like: each list goes once."""
    return sum(send_list(key, now=now) for key in due_workshop_keys(now))


def _locked_list(workshop_key: UUID) -> NetworkingList:
    """The workshop's row, created if needed, locked until the transaction ends."""
    networking_list, _created = (
        NetworkingList.objects.select_for_update().get_or_create(
            workshop_key=workshop_key
        )
    )
    return networking_list


def send_list(workshop_key: UUID, now: datetime | None = None) -> int:
    """Mail the list of one workshop to each of its members, in their language, and
    mark it sent; return how many mails were queued. Nothing is sent when it is held
    back or already sent, nor while fewer than two people are on it (there is
    nobody to tell anybody about; a later run tries again within the window)."""
    now = now or timezone.now()
    with transaction.atomic():
        networking_list = _locked_list(workshop_key)
        if networking_list.held or networking_list.is_sent:
            return 0
        people = list(members(workshop_key))
        if len(people) < 2:
            return 0
        versions = workshop_versions(workshop_key, live=True) or workshop_versions(
            workshop_key
        )
        by_language = {page.locale.language_code: page for page in versions}
        first = versions[0] if versions else None
        for person in people:
            workshop = by_language.get(person.language, first)
            queue_mail(
                kind=MailKind.NETWORKING_LIST,
                to=[person.email],
                language=person.language,
                template="networking_list",
                context={
                    "registration": person,
                    "workshop": workshop,
                    "others": [other for other in people if other.pk != person.pk],
                    "list_url": list_url(person, workshop),
                },
                registration=person,
                workshop_key=workshop_key,
                reply_to=(
                    [workshop.contact_email]
                    if workshop is not None and workshop.contact_email
                    else []
                ),
            )
        networking_list.sent_at = now
        networking_list.recipient_count = len(people)
        networking_list.save(update_fields=["sent_at", "recipient_count"])
    return len(people)


def list_url(registration: Registration, workshop) -> str:
    """The list's page behind the person's secret link."""
    if workshop is None or not registration.token:
        return ""
    return (workshop.get_full_url() or "") + workshop.reverse_subpage(
        "networking_list", args=[registration.token]
    )


# -- holding back -------------------------------------------------------------------


def hold(workshop_key: UUID, user=None, now: datetime | None = None) -> NetworkingList:
    """Hold the list back: it is not sent until :func:`release`."""
    return _set_held(workshop_key, True, user, now)


def release(
    workshop_key: UUID, user=None, now: datetime | None = None
) -> NetworkingList:
    """Let the list go: it is sent by the next run once it is due."""
    return _set_held(workshop_key, False, user, now)


def _set_held(workshop_key, held: bool, user, now) -> NetworkingList:
    with transaction.atomic():
        networking_list = _locked_list(workshop_key)
        if networking_list.is_sent:
            raise AlreadySentError
        if networking_list.held != held:
            networking_list.held = held
            networking_list.held_changed_at = now or timezone.now()
            networking_list.held_changed_by = (
                user if user is not None and user.is_authenticated else None
            )
            networking_list.save(
                update_fields=["held", "held_changed_at", "held_changed_by"]
            )
    return networking_list


# -- withdrawing ------------------------------------------------------------------


def withdraw_share_contact(
    registration: Registration, now: datetime | None = None
) -> Registration:
    """The person withdraws their agreement (their self-service page). Takes the
    list's lock first, so that it happens wholly before the list is sent (they are
    not on it) or wholly after (they are off its page)."""
    with transaction.atomic():
        _locked_list(registration.workshop_key)
        return registration_services.withdraw_share_contact(registration, now=now)


def sent_at(workshop_key: UUID) -> datetime | None:
    networking_list = list_of(workshop_key)
    return networking_list.sent_at if networking_list is not None else None


# -- erasure ----------------------------------------------------------------------


def forget_erased(workshop_keys) -> int:
    """After a person's erasure (``services/people.py``): the stored copies of the
    lists mailed to the others still name them. Render those copies again from the
    people the list went to, who no longer include the erased person (their
    registration and mail are gone), and hide the links as after sending. Returns
    how many copies were rewritten."""
    from .mail import redact_secret_links, render_mail

    rewritten = 0
    for workshop_key in set(workshop_keys):
        mails = list(
            OutgoingMail.objects.filter(
                workshop_key=workshop_key, kind=MailKind.NETWORKING_LIST
            ).select_related("registration")
        )
        people = [mail.registration for mail in mails if mail.registration]
        versions = workshop_versions(workshop_key)
        by_language = {page.locale.language_code: page for page in versions}
        first = versions[0] if versions else None
        for mail in mails:
            person = mail.registration
            if person is None:
                continue
            workshop = by_language.get(person.language, first)
            subject, text, html = render_mail(
                "networking_list",
                {
                    "registration": person,
                    "workshop": workshop,
                    "others": [other for other in people if other.pk != person.pk],
                    "list_url": list_url(person, workshop),
                },
                mail.language,
            )
            with translation.override(mail.language or None):
                text, html = redact_secret_links(text), redact_secret_links(html)
            OutgoingMail.objects.filter(pk=mail.pk).update(
                subject=subject[:255], body_text=text, body_html=html
            )
            rewritten += 1
    return rewritten
