"""What the workshop's contact is told about registrations: a mail for each one, or
one digest a day per workshop (the default), or nothing; chosen per site in the
admin (Settings > Practice workshops, ``AtelierSettings.registration_notifications``).

Either mail goes to the workshop's contact email and ``WAGTAIL_ATELIER_NOTIFY_EMAILS``,
in the contact's language (:func:`contact_language`: the preferred language of the
contact's Wagtail account where one is set, else the language the workshop is held
in), subject and dates included, and names nobody:
roles, statuses and numbers, with a link to the admin. The addresses are set by
people who may not see registrations (a page editor, a settings field), and a
mailbox is not the admin's permissions.

A digest tells, per role, what changed since the previous one (new confirmed, new on
the waiting list, moved up, cancelled) and the places now. It is claimed with the
workshop's ``WorkshopSeats`` row locked and marked (``digest_covers_until``) in the
same transaction as its mail is stored, so two runs at once send it once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from wagtail.users.models import UserProfile

from ..conf import get_setting
from ..links import admin_registrations_url
from ..models.mail import MailKind
from ..models.registration import (
    ROLE_LABELS,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    WorkshopSeats,
)
from ..models.settings import AtelierSettings, RegistrationNotifications
from ..models.workshop import find_workshops, workshop_keys, workshop_version
from .mail import queue_mail, queue_mail_intent
from .registration import capacity_for, seats

#: A workshop's changes are still told this long after it ended (a last-minute
#: cancellation, a promotion on the day); after that, no more digests.
DIGEST_AFTER_END = timedelta(days=1)
#: How long a site's choice is remembered by a process (the default cache); a change
#: in the admin clears it at once where the cache is shared.
_MODE_CACHE_SECONDS = 60


# -- the site's choice -----------------------------------------------------------------


def _mode_cache_key(site_id: int) -> str:
    return f"wagtail_atelier:registration_notifications:{site_id}"


def notification_mode(site_id: int | None) -> str:
    """The choice of the site ``site_id`` (a :class:`RegistrationNotifications`
    value); the default, the digest, when it has no settings row or no site.

    Read for every registration: remembered in the default cache, and read without
    ``AtelierSettings.for_site``, which would create the row inside the
    registration's transaction."""
    if site_id is None:
        return RegistrationNotifications.DIGEST
    key = _mode_cache_key(site_id)
    mode = cache.get(key)
    if mode is None:
        mode = (
            AtelierSettings.objects.filter(site_id=site_id)
            .values_list("registration_notifications", flat=True)
            .first()
        ) or RegistrationNotifications.DIGEST
        cache.set(key, mode, _MODE_CACHE_SECONDS)
    return mode


def _forget_mode(sender, instance, **kwargs) -> None:
    key = _mode_cache_key(instance.site_id)
    cache.delete(key)
    # Again once the change is visible to others, who may have read the old value
    # in the meantime.
    transaction.on_commit(lambda: cache.delete(key))


for _signal in (post_save, post_delete):
    _signal.connect(
        _forget_mode,
        sender=AtelierSettings,
        dispatch_uid=f"wagtail_atelier_forget_notification_mode_{_signal is post_save}",
    )


def site_id_of(workshop) -> int | None:
    """The id of the site serving ``workshop``, from Wagtail's cached site root
    paths (no query once they are cached); None for a page outside every site."""
    parts = workshop.get_url_parts()
    return parts[0] if parts else None


# -- recipients and language -----------------------------------------------------------


def recipients_for(workshop) -> list[str]:
    """The workshop's contact email and the site-wide addresses."""
    recipients = [workshop.contact_email] if workshop.contact_email else []
    return recipients + list(get_setting("WAGTAIL_ATELIER_NOTIFY_EMAILS"))


def coordinator_language(workshop) -> str:
    """The language the workshop is held in, which its contact speaks."""
    return workshop.workshop_language or workshop.locale.language_code


def _site_language(code: str) -> str | None:
    """``code`` as one of the site's languages (``fr-ch`` gives ``fr``), or None."""
    codes = {language for language, _name in settings.LANGUAGES}
    if code in codes:
        return code
    base = code.split("-")[0]
    return base if base in codes else None


def preferred_languages(emails) -> dict[str, str]:
    """The preferred language set in the Wagtail account (Account > Preferences) of
    each of ``emails``, by lower-case address: only for active accounts, only one of
    the site's languages, and only where the accounts with that address agree. One
    query; none without an address."""
    emails = {email.lower() for email in emails if email}
    if not emails:
        return {}
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    profiles = (
        UserProfile.objects.annotate(account_email=Lower(f"user__{email_field}"))
        .filter(account_email__in=list(emails))
        .exclude(preferred_language="")
    )
    if any(field.name == "is_active" for field in user_model._meta.get_fields()):
        profiles = profiles.filter(user__is_active=True)
    found: dict[str, set] = defaultdict(set)
    for email, code in profiles.values_list("account_email", "preferred_language"):
        found[email].add(_site_language(code))
    return {
        email: codes.pop()
        for email, codes in found.items()
        if len(codes) == 1 and None not in codes
    }


def contact_language(workshop, preferred: dict[str, str] | None = None) -> str:
    """The language the workshop's contact is written to: the preferred language of
    their Wagtail account where they have one and set it (one of the site's
    languages), else the language the workshop is held in. The site-wide addresses
    get the same mail. ``preferred``: :func:`preferred_languages` of the contact,
    when the caller has looked it up for several workshops at once."""
    email = (workshop.contact_email or "").lower()
    if preferred is None:
        preferred = preferred_languages([email])
    return preferred.get(email) or coordinator_language(workshop)


def _in_language(workshop, language: str):
    """The version of ``workshop`` in ``language`` where there is one."""
    if language == workshop.locale.language_code:
        return workshop
    return workshop_version(workshop.translation_key, language) or workshop


# -- one mail per registration ---------------------------------------------------------


def notify_registration(registration: Registration, workshop) -> None:
    """Tell the workshop's contact that ``registration`` came in, if its site chose
    a mail for each registration: its role, its status and the places, with a link
    to the admin. Nothing the person typed. Call inside the registration's
    transaction: the mail is stored with it, and sent only if it commits.

    In the digest mode (the default) the registration is told in the next digest
    instead; in the "none" mode not at all."""
    recipients = recipients_for(workshop)
    if not recipients:
        return
    if notification_mode(site_id_of(workshop)) != RegistrationNotifications.EACH:
        return
    # An intent: rendered after the commit, not while the seats are locked.
    queue_mail_intent(
        kind=MailKind.CONTACT_NOTIFICATION,
        to=recipients,
        language=contact_language(workshop),
        template="contact_notification",
        # Linked for the retention and erasure of the registration's mails.
        registration=registration,
        known={"registration": registration, "workshop": workshop},
    )


def contact_notification_content(
    mail, *, registration: Registration | None = None, workshop=None
) -> tuple[dict, list[dict]]:
    """The context of a stored contact notification (see
    :data:`~.mail.INTENT_CONTENT`), with the places as they are when it is
    rendered. ``registration`` and ``workshop``, when the caller holds them, spare
    the queries."""
    registration = registration or mail.registration
    if workshop is None:
        workshop = workshop_version(registration.workshop_key, mail.language)
    workshop = _in_language(workshop, mail.language)
    # No registration in the context, so that no template can show its data.
    context = {
        "workshop": workshop,
        "role_label": ROLE_LABELS[registration.role],
        "status_label": RegistrationStatus(registration.status).label,
        "seats": seats(workshop),
        "admin_url": admin_registrations_url(workshop, absolute=True),
    }
    return context, []


# -- the daily digest ------------------------------------------------------------------


@dataclass(frozen=True)
class RoleDigest:
    """One role's places now and what changed in the period a digest covers."""

    role: str
    capacity: int | None
    confirmed: int
    waiting: int
    new_confirmed: int
    new_waiting: int
    moved_up: int
    cancelled: int

    @property
    def label(self) -> str:
        return RegistrationRole(self.role).plural_label

    @property
    def left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed, 0)

    @property
    def changes(self) -> int:
        return self.new_confirmed + self.new_waiting + self.moved_up + self.cancelled


def digest_period() -> timedelta:
    return timedelta(hours=get_setting("WAGTAIL_ATELIER_DIGEST_HOURS"))


def _period_tolerance(period: timedelta) -> timedelta:
    """A run this much early still counts as a period later: a cron job at the
    same hour every day starts a few seconds before the previous digest's time of
    day, and must not be pushed back by a whole run."""
    return min(timedelta(minutes=15), period / 4)


def _change_filters(since: datetime | None, until: datetime) -> dict[str, Q]:
    """The changes in ``(since, until]``, per kind, as conditions on registrations.

    A registration made on the waiting list counts as new waiting, also when it has
    moved up since (then it counts as moved up too). One made and cancelled in the
    same period counts only as cancelled unless it had moved up."""

    def between(field: str) -> Q:
        condition = Q(**{f"{field}__lte": until})
        if since is not None:
            condition &= Q(**{f"{field}__gt": since})
        return condition

    new = between("created_at")
    return {
        "new_confirmed": new
        & Q(status=RegistrationStatus.CONFIRMED, promoted_at__isnull=True),
        "new_waiting": new
        & (Q(status=RegistrationStatus.WAITING) | Q(promoted_at__isnull=False)),
        "moved_up": between("promoted_at"),
        "cancelled": between("cancelled_at"),
    }


def digest_rows(workshop, since: datetime | None, until: datetime) -> list[RoleDigest]:
    """Per role: the places now and the changes in ``(since, until]``. One query."""
    changes = _change_filters(since, until)
    rows = {
        row["role"]: row
        for row in Registration.objects.filter(workshop_key=workshop.translation_key)
        .values("role")
        .annotate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
            **{name: Count("pk", filter=q) for name, q in changes.items()},
        )
        .order_by()
    }
    return [
        RoleDigest(
            role=role,
            capacity=capacity_for(workshop, role),
            **{
                name: rows.get(role, {}).get(name, 0)
                for name in ("confirmed", "waiting", *changes)
            },
        )
        for role in RegistrationRole.values
    ]


def _due_keys(keys: set, now: datetime, period: timedelta) -> set:
    """Of the workshops ``keys``, those with a change since their last digest that
    had no digest in the last ``period``. One query."""
    covered = Subquery(
        WorkshopSeats.objects.filter(workshop_key=OuterRef("workshop_key")).values(
            "digest_covers_until"
        )[:1]
    )
    latest = now - period + _period_tolerance(period)
    changed = (
        Q(covered__isnull=True)
        | Q(created_at__gt=F("covered"))
        | Q(cancelled_at__gt=F("covered"))
        | Q(promoted_at__gt=F("covered"))
    )
    return set(
        Registration.objects.filter(workshop_key__in=list(keys))
        .annotate(covered=covered)
        .filter(Q(covered__isnull=True) | Q(covered__lte=latest))
        .filter(changed)
        .order_by()
        .values_list("workshop_key", flat=True)
        .distinct()
    )


def _digest_pages(keys: set) -> dict:
    """For each workshop of ``keys``, the language of its digest (see
    :func:`contact_language`) and its page in that language (else the first live
    version, else the first). One query per workshop page class, and one for the
    contacts' preferred languages."""
    versions = defaultdict(list)
    for page in find_workshops(
        lambda pages: pages.filter(translation_key__in=list(keys)).select_related(
            "locale"
        ),
        order_by=("pk",),
    ):
        versions[page.translation_key].append(page)
    # The contact email is synchronised: the same in every version.
    preferred = preferred_languages(
        pages[0].contact_email for pages in versions.values()
    )
    chosen = {}
    for key, pages in versions.items():
        language = contact_language(pages[0], preferred)
        page = (
            next((p for p in pages if p.locale.language_code == language), None)
            or next((p for p in pages if p.live), None)
            or pages[0]
        )
        chosen[key] = (page, language)
    return chosen


def _site_modes() -> dict[int, str]:
    return dict(
        AtelierSettings.objects.values_list("site_id", "registration_notifications")
    )


def send_due_digests(now: datetime | None = None) -> int:
    """Queue the digest of every workshop whose site chose digests (the default),
    that is upcoming or ended less than a day ago, has changes since its last digest
    and had none in the last ``WAGTAIL_ATELIER_DIGEST_HOURS``. Returns how many were
    queued. Safe to run often and concurrently: each workshop's digest is claimed
    under its seat lock, so a period has one digest at most.

    The queries do not grow with the registrations: a few for the run, a few per
    workshop that gets a digest."""
    now = now or timezone.now()
    period = digest_period()
    notify_emails = list(get_setting("WAGTAIL_ATELIER_NOTIFY_EMAILS"))

    def current(pages):
        pages = pages.filter(end_at__gt=now - DIGEST_AFTER_END)
        # Without the site-wide addresses, only a workshop with a contact is told.
        return pages if notify_emails else pages.exclude(contact_email="")

    keys = workshop_keys(current)
    if not keys:
        return 0
    due = _due_keys(keys, now, period)
    if not due:
        return 0
    modes = _site_modes()
    sent = 0
    for workshop, language in _digest_pages(due).values():
        mode = modes.get(site_id_of(workshop), RegistrationNotifications.DIGEST)
        if mode != RegistrationNotifications.DIGEST:
            continue
        if _send_digest(workshop, now, period, language):
            sent += 1
    return sent


def _lock_seats(workshop_key) -> WorkshopSeats:
    """The workshop's seat row, locked until the transaction ends: the same lock
    registering and cancelling take, so the counts cannot change meanwhile."""
    row = WorkshopSeats.objects.select_for_update().filter(workshop_key=workshop_key)
    locked = row.first()
    if locked is None:
        WorkshopSeats.objects.get_or_create(workshop_key=workshop_key)
        locked = row.get()
    return locked


def _send_digest(workshop, now: datetime, period: timedelta, language: str) -> bool:
    """Queue the digest of ``workshop`` (its page in ``language``, the contact's)
    and mark the period it covers, in one transaction with its seat row locked.
    False when another run sent it meanwhile or nothing changed.

    One digest covers one workshop, so it has one language: a contact of workshops
    held in several languages gets each digest in its workshop's language (all in
    their preferred language when their account sets one)."""
    recipients = recipients_for(workshop)
    if not recipients:
        return False
    with transaction.atomic():
        seats_row = _lock_seats(workshop.translation_key)
        since = seats_row.digest_covers_until
        if since is not None and since > now - period + _period_tolerance(period):
            return False  # another run has just sent it
        rows = digest_rows(workshop, since, now)
        if not any(row.changes for row in rows):
            return False
        queue_mail(
            kind=MailKind.CONTACT_NOTIFICATION,
            to=recipients,
            language=language,
            template="contact_digest",
            # Numbers only: no registration in the context, so that no template
            # can show anyone's data.
            context={
                "workshop": workshop,
                "since": since,
                "roles": rows,
                "admin_url": admin_registrations_url(workshop, absolute=True),
            },
            workshop_key=workshop.translation_key,
        )
        WorkshopSeats.objects.filter(pk=seats_row.pk).update(digest_covers_until=now)
    return True
