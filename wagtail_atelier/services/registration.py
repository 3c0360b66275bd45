"""Registering, cancelling and the waiting list. No request objects in here.

Seats are counted and given out while the workshop's ``WorkshopSeats`` row is locked
(``SELECT ... FOR UPDATE``), so concurrent registrations never overbook: each one sees
the seats the previous one took. Only the seat decision and the row inserts happen
under that lock: the mails to the registrant are stored as intents in the same
transaction and rendered after its commit (``services/mail.py``), so the next
registration waits for a few inserts, not for templates.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..conf import get_setting
from ..ical import workshops_calendar
from ..links import registration_url
from ..models.mail import MailKind, OutgoingMail
from ..models.registration import (
    Registration,
    RegistrationRole,
    RegistrationStatus,
    WorkshopSeats,
)
from ..models.workshop import workshop_keys, workshop_version
from .mail import queue_mail_intent
from .table_plan import reminder_tables


class RegistrationState(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    PAST = "past"
    UNPUBLISHED = "unpublished"
    CANCELLED = "cancelled"


class RegistrationClosedError(Exception):
    def __init__(self, state: RegistrationState):
        super().__init__(state)
        self.state = state


class CancellationNotAllowedError(Exception):
    pass


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool

    @property
    def is_duplicate(self) -> bool:
        return not self.created


def registration_state(workshop, now: datetime | None = None) -> RegistrationState:
    now = now or timezone.now()
    if not workshop.live:
        return RegistrationState.UNPUBLISHED
    if getattr(workshop, "cancelled_at", None) is not None:
        return RegistrationState.CANCELLED
    if workshop.start_at <= now:
        return RegistrationState.PAST
    if workshop.registration_opens_at and now < workshop.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    closes_at = workshop.registration_closes_at or workshop.start_at
    if now >= closes_at:
        return RegistrationState.CLOSED
    return RegistrationState.OPEN


def capacity_for(workshop, role: str) -> int | None:
    if role == RegistrationRole.CASE_PRESENTER:
        return workshop.case_presenter_capacity
    return workshop.participant_capacity


@dataclass(frozen=True)
class RoleSeats:
    role: str
    capacity: int | None
    confirmed: int
    waiting: int

    @property
    def left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity

    @property
    def label(self) -> str:
        return RegistrationRole(self.role).plural_label


def seats(workshop, *, shown=False) -> dict[str, RoleSeats]:
    """Capacity, confirmed and waiting per role, in one query.

    ``shown=True`` for the places a page shows: the counts may come from the
    cache (``page_cache.cached_seat_counts``). Never for a decision on seats."""
    if shown:
        from ..page_cache import cached_seat_counts

        counts = cached_seat_counts(
            workshop.translation_key,
            lambda: Registration.objects.for_workshop(workshop).counts(),
        )
    else:
        counts = Registration.objects.for_workshop(workshop).counts()
    return {
        role: RoleSeats(
            role=role,
            capacity=capacity_for(workshop, role),
            confirmed=counts.get((role, RegistrationStatus.CONFIRMED), 0),
            waiting=counts.get((role, RegistrationStatus.WAITING), 0),
        )
        for role in RegistrationRole.values
    }


def lock_workshop(workshop_key) -> None:
    """Serialise seat changes of one workshop until the transaction ends."""
    if not connection.features.has_select_for_update:
        # SQLite: no row locks, and Django leaves out FOR UPDATE, so the statement
        # would lock nothing. The database runs one write transaction at a time
        # (taken when it begins, with transaction_mode IMMEDIATE; see
        # docs/registration.md): the seat count and the insert are serialised.
        return
    # One statement once the row exists (every registration after the first).
    if (
        WorkshopSeats.objects.select_for_update()
        .filter(workshop_key=workshop_key)
        .exists()
    ):
        return
    row, _created = WorkshopSeats.objects.get_or_create(workshop_key=workshop_key)
    WorkshopSeats.objects.select_for_update().filter(pk=row.pk).exists()


def register(
    *, workshop, data: dict, language: str, now: datetime | None = None
) -> RegistrationResult:
    """Register a person for ``workshop`` (any language version of it).

    ``data`` holds the cleaned form fields. Confirmed while the role has seats left,
    otherwise on that role's waiting list. The same email for the same workshop
    returns the existing registration (``created=False``) and mails the link again.
    Raises :class:`RegistrationClosedError` outside the registration window.

    Only the seat decision and the inserts run with the workshop locked: the lock,
    the count of confirmed seats, the registration row and its mail rows, stored as
    intents (:func:`~.mail.queue_mail_intent`) in the same transaction, so a failure
    leaves neither the registration nor its mails behind. The mails are rendered
    after the commit, once the lock is released.

    A second registration of the same address is refused by the database's unique
    constraint (no lookup before the insert): the transaction is rolled back, lock
    and all, and the link is mailed again to the existing registration.
    """
    now = now or timezone.now()
    email = data["email"].strip().lower()
    try:
        with transaction.atomic():
            lock_workshop(workshop.translation_key)
            _require_open(workshop, now)
            status = _seat_status(workshop, data["role"])
            registration = _new_registration(
                workshop, data, email=email, language=language, status=status, now=now
            )
            registration.save()
            _queue_registration_mails(registration, workshop)
        return RegistrationResult(registration, created=True)
    except IntegrityError as error:
        duplicate = error
    with transaction.atomic():
        existing = (
            Registration.objects.for_workshop(workshop)
            .active()
            .filter(email__iexact=email)
            .first()
        )
        if existing is None:
            # Not the address (or it was cancelled in between): a real error.
            raise duplicate
        return _registered_again(existing, workshop)


def _require_open(workshop, now: datetime) -> None:
    """Raise :class:`RegistrationClosedError` unless the registration window is
    open at ``now``: the public form may have been shown before it closed, or be
    posted to an unpublished page. Reads the page given, no query."""
    state = registration_state(workshop, now)
    if state != RegistrationState.OPEN:
        raise RegistrationClosedError(state)


def _registered_again(existing: Registration, workshop=None) -> RegistrationResult:
    """Someone registering again with the same address has most likely lost their
    link: mail it again instead of storing a second registration or refusing. The
    view answers exactly as for a new registration, so the form does not reveal
    who is registered; only the owner of the address learns it, from the mail."""
    _queue_registrant_mail(existing, MailKind.LINK, "link", workshop)
    return RegistrationResult(existing, created=False)


def _seat_status(workshop, role: str) -> RegistrationStatus:
    """Confirmed while ``role`` has seats left, else waiting.

    Call with the workshop locked: the confirmed seats counted here must not change
    before the new row is saved, or two people could take the last seat.
    """
    left = _seats_left(workshop, role)
    if left is not None and left <= 0:
        return RegistrationStatus.WAITING
    return RegistrationStatus.CONFIRMED


def _seats_left(workshop, role: str) -> int | None:
    """Capacity of ``role`` less its confirmed registrations (below zero when staff
    promoted people past it); None for no limit. One count query with a limit,
    none without."""
    capacity = capacity_for(workshop, role)
    if capacity is None:
        return None
    confirmed = (
        Registration.objects.for_workshop(workshop)
        .confirmed()
        .filter(role=role)
        .count()
    )
    return capacity - confirmed


def _new_registration(
    workshop, data: dict, *, email: str, language: str, status: str, now: datetime
) -> Registration:
    """The unsaved registration from the cleaned form ``data``: text trimmed, the
    case description kept only for case presenters, and the privacy consent dated
    with the version of the notice the person agreed to."""
    role = data["role"]
    return Registration(
        workshop_key=workshop.translation_key,
        page_id=workshop.pk,
        language=language,
        role=role,
        status=status,
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        email=email,
        phone=data.get("phone", "").strip(),
        organisation=data["organisation"].strip(),
        town=data["town"].strip(),
        canton=data["canton"],
        languages=list(data["languages"]),
        case_description=(
            data.get("case_description", "").strip()
            if role == RegistrationRole.CASE_PRESENTER
            else ""
        ),
        accessibility_needs=data.get("accessibility_needs", "").strip(),
        dietary_note=data.get("dietary_note", "").strip(),
        privacy_consent_at=now,
        privacy_notice_version=get_setting("WAGTAIL_ATELIER_PRIVACY_NOTICE_VERSION"),
        **_share_contact_fields(bool(data.get("share_contact")), now),
    )


def _share_contact_fields(share_contact: bool, now: datetime) -> dict:
    """The agreement to share one's contact, dated, with the version of the
    wording the person saw; nothing when they did not agree."""
    if not share_contact:
        return {"share_contact": False}
    return {
        "share_contact": True,
        "share_contact_at": now,
        "share_contact_version": get_setting("WAGTAIL_ATELIER_SHARE_CONTACT_VERSION"),
    }


def _queue_registration_mails(registration: Registration, workshop) -> None:
    """Queue the registrant's confirmation (or waiting-list) mail and the contact
    notification, inside the registration's transaction: they are sent only if it
    commits, and not at all if it is rolled back. The registrant's mail is an
    intent, rendered after the commit."""
    kind, template = (
        (MailKind.CONFIRMATION, "confirmation")
        if registration.is_confirmed
        else (MailKind.WAITING_LIST, "waiting_list")
    )
    # The page the person used is the workshop in their language.
    _queue_registrant_mail(registration, kind, template, workshop)
    _queue_contact_notification(registration, workshop)


def cancel(
    registration: Registration, *, by_staff: bool = False, now=None
) -> Registration:
    """Cancel a registration and give its seat to the first person waiting.

    People may cancel until the workshop starts; staff at any time.
    """
    with transaction.atomic():
        lock_workshop(registration.workshop_key)
        # Dated once the lock is held: a digest that ran while this waited covers
        # up to its own moment, and must not have missed a change dated before it.
        now = now or timezone.now()
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.is_cancelled:
            return registration
        workshop = workshop_for(registration)
        if not by_staff and workshop is not None and workshop.start_at <= now:
            raise CancellationNotAllowedError
        was_confirmed = registration.is_confirmed
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        _queue_registrant_mail(
            registration, MailKind.CANCELLATION, "cancellation", workshop
        )
        if was_confirmed and workshop is not None and workshop.start_at > now:
            fill_from_waiting_list(workshop, registration.role, now=now)
    return registration


def fill_from_waiting_list(workshop, role: str, now=None) -> list[Registration]:
    """Confirm people waiting for ``role``, first come first served, while seats are
    left. Call with the workshop locked."""
    now = now or timezone.now()
    free = _seats_left(workshop, role)
    waiting = (
        Registration.objects.for_workshop(workshop).filter(role=role).waiting_order()
    )
    if free is not None:
        waiting = waiting[: max(free, 0)]
    promoted = []
    for registration in waiting:
        _promote(registration, now)
        promoted.append(registration)
    return promoted


def promote(registration: Registration, now=None) -> Registration:
    """Staff action: confirm someone from the waiting list, even if it is full."""
    with transaction.atomic():
        lock_workshop(registration.workshop_key)
        # Dated once the lock is held: a digest that ran while this waited covers
        # up to its own moment, and must not have missed a change dated before it.
        now = now or timezone.now()
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.is_waiting:
            _promote(registration, now)
    return registration


def mark_attended(registration: Registration, attended: bool = True, now=None) -> None:
    Registration.objects.filter(pk=registration.pk).update(
        attended_at=(now or timezone.now()) if attended else None
    )


def withdraw_share_contact(
    registration: Registration, now: datetime | None = None
) -> Registration:
    """The person withdraws their agreement to share their contact with the other
    participants. The date they agreed and the version stay, as the record of what
    was agreed until ``share_contact_withdrawn_at``. Withdrawing twice keeps the
    first date; without an agreement nothing changes."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.share_contact:
            registration.share_contact = False
            registration.share_contact_withdrawn_at = now
            registration.save(
                update_fields=[
                    "share_contact",
                    "share_contact_withdrawn_at",
                    "updated_at",
                ]
            )
    return registration


def resend_link(*, workshop, email: str) -> None:
    """Mail the self-service link again if ``email`` is registered; say nothing
    either way, so the form cannot be used to find out who registered."""
    with transaction.atomic():
        registration = (
            Registration.objects.for_workshop(workshop)
            .active()
            .filter(email__iexact=email.strip())
            .first()
        )
        if registration is not None:
            _queue_registrant_mail(registration, MailKind.LINK, "link")


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminder of every confirmed registration whose workshop starts
    within ``WAGTAIL_ATELIER_REMINDER_DAYS`` days. Each registration gets exactly
    one: the row is marked in the same transaction, and a constraint backs it."""
    now = now or timezone.now()
    horizon = now + timedelta(days=get_setting("WAGTAIL_ATELIER_REMINDER_DAYS"))
    keys = workshop_keys(
        lambda pages: pages.live().filter(start_at__gt=now, start_at__lte=horizon)
    )
    sent = 0
    candidates = Registration.objects.filter(
        workshop_key__in=list(keys),
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=pk,
                reminder_sent_at__isnull=True,
                status=RegistrationStatus.CONFIRMED,
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            registration = Registration.objects.get(pk=pk)
            try:
                with transaction.atomic():
                    _queue_registrant_mail(registration, MailKind.REMINDER, "reminder")
            except IntegrityError:
                continue
            sent += 1
    return sent


# -- helpers ----------------------------------------------------------------------


def workshop_for(registration: Registration):
    """The workshop page in the registrant's language (else any live version, else
    any version), whatever the site's workshop page class."""
    return workshop_version(registration.workshop_key, registration.language)


def _promote(registration: Registration, now) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.promoted_at = now
    registration.save(update_fields=["status", "promoted_at", "updated_at"])
    _queue_registrant_mail(registration, MailKind.PROMOTION, "promotion")


#: The mails to a registrant, stored as intents and rendered after the commit.
REGISTRANT_MAIL_KINDS = (
    MailKind.CONFIRMATION,
    MailKind.WAITING_LIST,
    MailKind.PROMOTION,
    MailKind.CANCELLATION,
    MailKind.REMINDER,
    MailKind.LINK,
)
#: The kinds that carry the workshop as a calendar entry (.ics).
_CALENDAR_MAIL_KINDS = (MailKind.CONFIRMATION, MailKind.PROMOTION)


def _queue_registrant_mail(
    registration: Registration, kind: str, template: str, workshop=None
) -> OutgoingMail:
    """Store one mail to the registrant, in their language, as an intent: the row
    with its recipient and template, rendered after the commit (outside the seat
    lock) by :func:`registrant_mail_content`. ``workshop`` is the page at hand;
    it is used for the rendering when it is the version in their language."""
    return queue_mail_intent(
        kind=kind,
        to=[registration.email],
        language=registration.language,
        template=template,
        registration=registration,
        reply_to=(
            [workshop.contact_email] if workshop and workshop.contact_email else []
        ),
        known={"registration": registration, "workshop": workshop},
    )


def registrant_mail_context(
    registration: Registration, kind: str, workshop=None
) -> dict:
    """The template context of a mail of ``kind`` to the registrant, rebuilt from
    the database: the workshop page in their language (``workshop`` when it is that
    version), their personal link, and as of now the waiting position (a waiting
    list mail rendered a moment after the commit tells the position then) and, for
    the reminder, the tables."""
    if workshop is None or workshop.locale.language_code != registration.language:
        workshop = workshop_for(registration)
    context = {
        "registration": registration,
        "workshop": workshop,
        "manage_url": registration_url(registration, workshop),
        "waiting_position": registration.waiting_position(),
        "show_meeting_details": (
            registration.is_confirmed
            and kind in (MailKind.CONFIRMATION, MailKind.PROMOTION, MailKind.REMINDER)
            and workshop is not None
            and workshop.format != "on_site"
            and bool(workshop.online_meeting_details)
        ),
    }
    if kind == MailKind.REMINDER:
        context["tables"] = reminder_tables(registration)
    return context


def registrant_mail_content(
    mail: OutgoingMail, *, registration=None, workshop=None
) -> tuple[dict, list[dict]]:
    """The context and attachments of the stored registrant ``mail`` (see
    :data:`~.mail.INTENT_CONTENT`). ``registration`` and ``workshop``, when the
    caller holds them (the request that queued the mail), spare the queries."""
    registration = registration or mail.registration
    context = registrant_mail_context(registration, mail.kind, workshop)
    workshop = context["workshop"]
    attachments = []
    if workshop is not None and mail.kind in _CALENDAR_MAIL_KINDS:
        attachments.append(
            {
                "filename": f"{workshop.slug}.ics",
                "content": workshops_calendar([workshop]).to_ical().decode(),
                "mimetype": "text/calendar",
            }
        )
    return context, attachments


def _queue_contact_notification(registration: Registration, workshop) -> None:
    """Tell the workshop's contact of the registration, as its site chose: a mail
    now, or in the next digest (the default), or not at all."""
    # Imported here: the notifications use this module's seat counts.
    from .notifications import notify_registration

    notify_registration(registration, workshop)
