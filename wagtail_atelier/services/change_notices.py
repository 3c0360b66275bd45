"""Change notices: telling registrants that a published workshop moved, changed its
format or meeting information, or was cancelled.

Publishing a live workshop whose date, time, place, format or online meeting
information changed raises the calendar entry's SEQUENCE on every language version
and records a pending :class:`~..models.ChangeNotice`; the editor then decides in the
admin whether the confirmed and waiting people are told (:func:`send_notice`) or
not (:func:`dismiss_notice`). A translation published later with the same change
finds the notice by its state digest and tells nobody again: notices go per
registration, and registrations belong to the workshop, not to a language version.

Cancelling (:func:`cancel_workshop`) is an editor's action, not a deletion: it
closes registration, marks the calendar entry CANCELLED and tells everyone at once.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from ..ical import cancellation_calendar, workshops_calendar
from ..links import registration_url
from ..models import (
    ChangeNotice,
    ChangeNoticeKind,
    ChangeNoticeStatus,
    MailKind,
    OutgoingMail,
    Registration,
    RegistrationStatus,
)
from ..models.workshop import workshop_page_models
from .mail import queue_mail_intents

#: The fields whose change registrants are told of.
NOTIFIED_FIELDS = (
    "start_at",
    "end_at",
    "format",
    "venue_name",
    "street",
    "postcode",
    "town",
    "canton",
    "online_meeting_details",
)
#: Never copied into a notice: only whether it changed.
PRIVATE_FIELDS = ("online_meeting_details",)

CANCEL_ACTION = "wagtail_atelier.workshop.cancelled"
NOTICE_SENT_ACTION = "wagtail_atelier.workshop.change_notice_sent"


def notified_state(values) -> dict:
    """The notified fields of a page (or a ``values()`` dict), as JSON values."""
    get = values.get if isinstance(values, dict) else lambda n: getattr(values, n)
    state = {}
    for name in NOTIFIED_FIELDS:
        value = get(name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        state[name] = value
    return state


def state_digest(state: dict) -> str:
    return hashlib.sha256(
        json.dumps(state, sort_keys=True, default=str).encode()
    ).hexdigest()


def previous_live_state(page) -> dict | None:
    """The notified and event-state fields of ``page`` as stored (None if new)."""
    if page.pk is None:
        return None
    return (
        type(page)
        .objects.filter(pk=page.pk)
        .values(*NOTIFIED_FIELDS, *page.EVENT_STATE_FIELDS, "live", "live_revision_id")
        .first()
    )


def _versions(translation_key):
    return [
        model.objects.filter(translation_key=translation_key)
        for model in workshop_page_models()
    ]


def _raise_sequence(translation_key) -> int:
    for queryset in _versions(translation_key):
        queryset.update(ical_sequence=F("ical_sequence") + 1)
    for queryset in _versions(translation_key):
        value = queryset.values_list("ical_sequence", flat=True).first()
        if value is not None:
            return value
    return 0


def active_registrations(translation_key):
    return Registration.objects.filter(
        workshop_key=translation_key,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
        anonymised_at__isnull=True,
    )


def recipient_counts(translation_key) -> dict[str, int]:
    """``{"confirmed": n, "waiting": m}``, in one query."""
    counts = {"confirmed": 0, "waiting": 0}
    for status, n in (
        active_registrations(translation_key)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[status] = n
    return counts


@transaction.atomic
def record_publication(page, previous: dict | None, user=None) -> ChangeNotice | None:
    """After ``page`` was published: if it was live with other notified values,
    raise the calendar SEQUENCE and record (or extend) the pending notice. Returns
    the notice, or None when nothing registrants know of changed."""
    if previous is None or page.is_cancelled:
        return None
    new_state = notified_state(page)
    old_state = notified_state(previous)
    if new_state == old_state:
        return None
    digest = state_digest(new_state)
    key = page.translation_key
    latest = ChangeNotice.objects.filter(workshop_key=key).order_by("-pk").first()
    if latest is not None and latest.state_digest == digest:
        return None  # the same change, published in another language
    page.ical_sequence = _raise_sequence(key)
    changed = {
        name: (True if name in PRIVATE_FIELDS else old_state[name])
        for name in NOTIFIED_FIELDS
        if old_state[name] != new_state[name]
    }
    pending = latest if latest is not None and latest.is_pending else None
    if pending is not None:
        # A second change before the decision: one notice from the state the
        # people last heard of; a change back to it leaves nothing to tell.
        merged = {**changed, **pending.previous}
        first_state = {**new_state, **merged}
        merged = {
            name: value
            for name, value in merged.items()
            if name in PRIVATE_FIELDS or first_state[name] != new_state[name]
        }
        pending.previous = merged
        pending.state_digest = digest
        pending.sequence = page.ical_sequence
        pending.page = page
        if not merged:
            pending.status = ChangeNoticeStatus.NOBODY
        pending.save()
        return pending
    counts = recipient_counts(key)
    has_recipients = sum(counts.values()) > 0 and page.end_at > timezone.now()
    return ChangeNotice.objects.create(
        workshop_key=key,
        page=page,
        kind=ChangeNoticeKind.CHANGE,
        status=(
            ChangeNoticeStatus.PENDING if has_recipients else ChangeNoticeStatus.NOBODY
        ),
        previous=changed,
        state_digest=digest,
        sequence=page.ical_sequence,
        created_by=user if getattr(user, "pk", None) else None,
    )


def pending_notice(translation_key) -> ChangeNotice | None:
    return ChangeNotice.objects.filter(
        workshop_key=translation_key, status=ChangeNoticeStatus.PENDING
    ).first()


def _queue_notice_mails(notice: ChangeNotice, kind: str, template: str) -> int:
    registrations = list(
        active_registrations(notice.workshop_key).only(
            "pk", "email", "language", "workshop_key"
        )
    )
    now = timezone.now()
    mails = [
        OutgoingMail(
            kind=kind,
            registration=registration,
            change_notice=notice,
            workshop_key=notice.workshop_key,
            to=[registration.email],
            language=registration.language,
            template=template,
            next_attempt_at=now,
        )
        for registration in registrations
    ]
    queue_mail_intents(mails)
    return len(mails)


@transaction.atomic
def send_notice(notice: ChangeNotice, user=None) -> int:
    """Tell the confirmed and waiting people of the pending ``notice``; returns how
    many are told. Safe against a double click: only a pending notice is sent."""
    claimed = ChangeNotice.objects.filter(
        pk=notice.pk, status=ChangeNoticeStatus.PENDING
    ).update(
        status=ChangeNoticeStatus.SENT,
        decided_at=timezone.now(),
        decided_by=user if getattr(user, "pk", None) else None,
    )
    if not claimed:
        return 0
    told = _queue_notice_mails(notice, MailKind.CHANGE_NOTICE, "change_notice")
    ChangeNotice.objects.filter(pk=notice.pk).update(recipients=told)
    notice.refresh_from_db()
    return told


def dismiss_notice(notice: ChangeNotice, user=None) -> bool:
    return bool(
        ChangeNotice.objects.filter(
            pk=notice.pk, status=ChangeNoticeStatus.PENDING
        ).update(
            status=ChangeNoticeStatus.DISMISSED,
            decided_at=timezone.now(),
            decided_by=user if getattr(user, "pk", None) else None,
        )
    )


class AlreadyCancelledError(Exception):
    pass


@transaction.atomic
def cancel_workshop(workshop, *, reason: str = "", user=None) -> ChangeNotice:
    """Cancel ``workshop`` (every language version): registration closes, the
    calendar entry becomes CANCELLED, and every confirmed and waiting person is
    told with a METHOD:CANCEL calendar file."""
    from ..page_cache import purge_workshop_on_commit
    from .registration import lock_workshop

    key = workshop.translation_key
    lock_workshop(key)
    now = timezone.now()
    updated = 0
    for queryset in _versions(key):
        updated += queryset.filter(cancelled_at__isnull=True).update(
            cancelled_at=now,
            cancellation_reason=reason.strip(),
            ical_sequence=F("ical_sequence") + 1,
        )
    if not updated:
        raise AlreadyCancelledError
    workshop.refresh_from_db(
        fields=["cancelled_at", "cancellation_reason", "ical_sequence"]
    )
    # A pending change is part of the cancellation now.
    ChangeNotice.objects.filter(
        workshop_key=key, status=ChangeNoticeStatus.PENDING
    ).update(status=ChangeNoticeStatus.DISMISSED, decided_at=now)
    notice = ChangeNotice.objects.create(
        workshop_key=key,
        page=workshop,
        kind=ChangeNoticeKind.CANCELLATION,
        status=ChangeNoticeStatus.SENT,
        state_digest=state_digest({"cancelled": now.isoformat()}),
        sequence=workshop.ical_sequence,
        created_by=user if getattr(user, "pk", None) else None,
        decided_at=now,
        decided_by=user if getattr(user, "pk", None) else None,
    )
    told = _queue_notice_mails(
        notice, MailKind.WORKSHOP_CANCELLED, "workshop_cancelled"
    )
    ChangeNotice.objects.filter(pk=notice.pk).update(recipients=told)
    notice.recipients = told
    purge_workshop_on_commit(key)
    from wagtail.log_actions import log

    log(instance=workshop, action=CANCEL_ACTION, user=user, data={"told": told})
    return notice


# -- the mails -------------------------------------------------------------------


def _display_value(name: str, value):
    if name in ("start_at", "end_at") and isinstance(value, str):
        return parse_datetime(value)
    return value


def notice_changes(notice: ChangeNotice, workshop) -> list[dict]:
    """What changed, for the mail and the admin: ``[{"what", "old", "new"}]`` of
    the groups "when", "place", "format" and "meeting" (no old or new value: the
    information itself goes to the confirmed people only)."""
    from ..models import WorkshopFormat

    previous = notice.previous
    changes = []
    if "start_at" in previous or "end_at" in previous:
        changes.append(
            {
                "what": "when",
                "old_start": _display_value(
                    "start_at", previous.get("start_at", workshop.start_at.isoformat())
                ),
                "old_end": _display_value(
                    "end_at", previous.get("end_at", workshop.end_at.isoformat())
                ),
            }
        )
    if "format" in previous:
        changes.append(
            {
                "what": "format",
                "old": WorkshopFormat(previous["format"]).label,
                "new": workshop.get_format_display(),
            }
        )
    place_fields = ("venue_name", "street", "postcode", "town")
    if any(name in previous for name in place_fields):
        old = {
            name: previous.get(name, getattr(workshop, name)) for name in place_fields
        }
        place = " ".join(p for p in (old["postcode"], old["town"]) if p)
        changes.append(
            {
                "what": "place",
                "old": ", ".join(
                    p for p in (old["venue_name"], old["street"], place) if p
                ),
                "new": ", ".join(workshop.address_lines),
            }
        )
    if "online_meeting_details" in previous:
        changes.append({"what": "meeting"})
    return changes


def notice_mail_content(mail: OutgoingMail, **known) -> tuple[dict, list[dict]]:
    """The context and attachments of a change or cancellation mail (see
    :data:`~.mail.INTENT_CONTENT`)."""
    from .registration import workshop_for

    registration = known.get("registration") or mail.registration
    notice = mail.change_notice
    workshop = workshop_for(registration)
    if notice.page_id and notice.page_id != workshop.pk:
        # The facts as published, even where this language's version has not
        # been synced yet (its title, slug and texts stay its own).
        published = type(workshop).objects.filter(pk=notice.page_id).first()
        if published is not None:
            for name in NOTIFIED_FIELDS:
                setattr(workshop, name, getattr(published, name))
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    cancelled = mail.kind == MailKind.WORKSHOP_CANCELLED
    context = {
        "registration": registration,
        "workshop": workshop,
        "notice": notice,
        "changes": notice_changes(notice, workshop) if not cancelled else [],
        "manage_url": "" if cancelled else registration_url(registration, workshop),
        "show_meeting_details": (
            not cancelled
            and confirmed
            and workshop.format != "on_site"
            and bool(workshop.online_meeting_details)
        ),
        "reason": workshop.cancellation_reason,
    }
    # The calendar's description in the person's language, as the mail.
    with translation.override(mail.language or None):
        if cancelled:
            calendar = cancellation_calendar(workshop, attendee=registration.email)
        else:
            calendar = workshops_calendar([workshop])
    attachments = [
        {
            "filename": f"{workshop.slug}.ics",
            "content": calendar.to_ical().decode(),
            "mimetype": "text/calendar",
        }
    ]
    return context, attachments
