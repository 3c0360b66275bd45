"""Messages from the coordinators to a group of a workshop's registrants. No requests.

A coordinator writes a subject and a body once for a group (everyone confirmed, the
waiting list, the confirmed case presenters or participants, one table of the table
plan); :func:`send_message` stores one rendered mail per person
(:class:`~wagtail_atelier.models.OutgoingMail`, in the person's language, with their
own self-service link) in one transaction, and hands them to the worker after the
commit (``tasks.send_message_mails``). A failing mail is retried like any other
(``services/mail.py``); :func:`with_delivery_counts` counts each message's mails by
state.

The texts are plain text with a few placeholders (:data:`PLACEHOLDERS`), filled in by
:func:`fill`: a single pass of string substitution, never a Django template, so
nothing a coordinator types is executed, and a value (a first name that contains
``{workshop_title}``) is never expanded again. ``{{`` and ``}}`` write a brace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from wagtail.log_actions import log

from .. import planner
from ..links import registration_urls
from ..models import (
    MailKind,
    MailStatus,
    Message,
    MessageGroup,
    OutgoingMail,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    TablePlan,
    workshop_versions,
)
from ..models.choices import language_names
from ..templatetags.wagtail_atelier_tags import atelier_date, atelier_time
from .mail import redact_secret_links, render_mail

logger = logging.getLogger(__name__)

SEND_ACTION = "wagtail_atelier.message.send"

#: What the texts may contain in braces, with what each becomes (in the person's
#: language), as the form explains it.
PLACEHOLDERS: dict[str, str] = {
    "first_name": gettext_lazy("the person's first name"),
    "workshop_title": gettext_lazy("the workshop's title, in the person's language"),
    "workshop_date": gettext_lazy("the workshop's date"),
    "workshop_time": gettext_lazy("the workshop's start and end time"),
    "workshop_place": gettext_lazy("the workshop's address, or “Online”"),
}

# "{{" and "}}" are literal braces; anything else in braces is a placeholder.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class EmptyGroupError(Exception):
    """Nobody is in the chosen group (any more): nothing was sent."""


class AlreadySentError(Exception):
    """This form was sent before (a double click, a reload): sent once only."""

    def __init__(self, message: Message):
        super().__init__(message.pk)
        self.message = message


# -- placeholders --------------------------------------------------------------------


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders of ``text`` that :func:`fill` does not know, each once, in
    the order they appear (``"{first name}"`` as written)."""
    unknown: list[str] = []
    for match in _PLACEHOLDER.finditer(text or ""):
        name = match.group(1)
        if name is None or name in PLACEHOLDERS:
            continue
        written = match.group(0)
        if written not in unknown:
            unknown.append(written)
    return unknown


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value, in one pass."""

    def replace(match: re.Match) -> str:
        written = match.group(0)
        if written == "{{":
            return "{"
        if written == "}}":
            return "}"
        name = match.group(1)
        return str(values[name]) if name in values else written

    return _PLACEHOLDER.sub(replace, text or "")


def placeholder_values(registration: Registration, workshop) -> dict[str, str]:
    """The placeholders' values for ``registration``, in the active language."""
    if workshop is None:
        return dict.fromkeys(PLACEHOLDERS, "") | {"first_name": registration.first_name}
    if workshop.has_venue:
        place = ", ".join(workshop.address_lines)
    else:
        place = gettext("Online")
    return {
        "first_name": registration.first_name,
        "workshop_title": workshop.title,
        "workshop_date": atelier_date(workshop.start_at, "long"),
        "workshop_time": (
            f"{atelier_time(workshop.start_at)}–{atelier_time(workshop.end_at)}"
        ),
        "workshop_place": place,
    }


# -- groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A group of one workshop: ``table_number`` only for one table."""

    group: str
    table_number: int | None = None

    @property
    def label(self) -> str:
        return Message(group=self.group, table_number=self.table_number).group_label


def _seating(workshop_key: UUID) -> planner.Plan | None:
    """Who sits where in the workshop's stored plan (ids only), or None."""
    table_plan = TablePlan.objects.filter(workshop_key=workshop_key).first()
    if table_plan is None or not table_plan.data:
        return None
    try:
        return planner.Plan.from_dict(table_plan.data)
    except planner.PlannerInputError:
        return None


def table_members(plan: planner.Plan, number: int) -> set:
    """The registration ids seated at table ``number`` in any round: its case
    presenter and every adviser who comes to it. Empty for an unknown table."""
    table = next((t for t in plan.problem.active_tables if t.id == number), None)
    if table is None:
        return set()
    members = {table.presenter_id}
    for adviser in plan.problem.active_advisers:
        if number in plan.tables_of(adviser.id):
            members.add(adviser.id)
    return members


def recipients(workshop_key: UUID, audience: Audience) -> QuerySet[Registration]:
    """The registrations of ``audience``, in the order they registered. Everyone
    but the waiting list is confirmed; cancelled people never get a message."""
    registrations = Registration.objects.filter(
        workshop_key=workshop_key, anonymised_at__isnull=True
    ).order_by("created_at", "pk")
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED)
    group = audience.group
    if group == MessageGroup.CONFIRMED:
        return confirmed
    if group == MessageGroup.WAITING:
        return registrations.filter(status=RegistrationStatus.WAITING)
    if group == MessageGroup.CASE_PRESENTERS:
        return confirmed.filter(role=RegistrationRole.CASE_PRESENTER)
    if group == MessageGroup.PARTICIPANTS:
        return confirmed.filter(role=RegistrationRole.PARTICIPANT)
    if group == MessageGroup.TABLE and audience.table_number is not None:
        plan = _seating(workshop_key)
        if plan is not None:
            return confirmed.filter(pk__in=table_members(plan, audience.table_number))
    return registrations.none()


@dataclass(frozen=True)
class GroupChoice:
    audience: Audience
    count: int
    #: For a table: its case presenter, to tell the tables apart.
    presenter: Registration | None = None


def group_choices(workshop_key: UUID) -> list[GroupChoice]:
    """Every group a message can go to, with the number of people in it; one
    choice per table of the stored plan. Three queries, whatever the numbers."""
    counts = (
        Registration.objects.filter(
            workshop_key=workshop_key, anonymised_at__isnull=True
        )
        .exclude(status=RegistrationStatus.CANCELLED)
        .counts()
    )

    def count(role=None, status=RegistrationStatus.CONFIRMED) -> int:
        return sum(
            n
            for (r, s), n in counts.items()
            if s == status and (role is None or r == role)
        )

    choices = [
        GroupChoice(Audience(MessageGroup.CONFIRMED), count()),
        GroupChoice(
            Audience(MessageGroup.WAITING), count(status=RegistrationStatus.WAITING)
        ),
        GroupChoice(
            Audience(MessageGroup.CASE_PRESENTERS),
            count(RegistrationRole.CASE_PRESENTER),
        ),
        GroupChoice(
            Audience(MessageGroup.PARTICIPANTS), count(RegistrationRole.PARTICIPANT)
        ),
    ]
    plan = _seating(workshop_key)
    if plan is None:
        return choices
    tables = {t.id: table_members(plan, t.id) for t in plan.problem.active_tables}
    people = Registration.objects.filter(
        workshop_key=workshop_key,
        status=RegistrationStatus.CONFIRMED,
        pk__in=set().union(*tables.values()),
    ).only("pk", "first_name", "last_name", "anonymised_at")
    by_pk = {person.pk: person for person in people}
    presenters = {t.id: t.presenter_id for t in plan.problem.active_tables}
    for number in sorted(tables):
        choices.append(
            GroupChoice(
                Audience(MessageGroup.TABLE, number),
                sum(1 for pk in tables[number] if pk in by_pk),
                by_pk.get(presenters[number]),
            )
        )
    return choices


# -- rendering ----------------------------------------------------------------------


def _version_finder(workshop_key: UUID) -> Callable[[str], object]:
    """The workshop page in a language (else a live version, else any), as
    ``workshop_version`` finds it, from one read of the versions."""
    versions = workshop_versions(workshop_key)
    by_language = {page.locale.language_code: page for page in versions}
    fallback = next((page for page in versions if page.live), None) or (
        versions[0] if versions else None
    )
    return lambda language: by_language.get(language, fallback)


def render_for(
    registration: Registration,
    workshop,
    subject: str,
    body: str,
    manage_url: str,
) -> tuple[str, str, str]:
    """The subject, plain text and HTML of the message mail to ``registration``:
    the texts with their placeholders filled in the person's language, then the
    workshop's details and the person's own link (``emails/message.*``)."""
    with translation.override(registration.language):
        values = placeholder_values(registration, workshop)
    context = {
        "registration": registration,
        "workshop": workshop,
        "subject": fill(subject, values),
        "body": fill(body, values).strip(),
        "manage_url": manage_url,
    }
    subject, text, html = render_mail("message", context, registration.language)
    return subject[:255], text, html


@dataclass(frozen=True)
class Preview:
    """The mail as one person of a language gets it (their link hidden)."""

    language: str
    language_name: str
    count: int
    sample: Registration
    subject: str
    text: str


def previews(workshop_key: UUID, audience: Audience, subject: str, body: str):
    """One preview per language of the group's people (the first who registered in
    each language stands for the others), and how many people get it in each.
    Reads the group once, whatever its size."""
    samples: dict[str, Registration] = {}
    counts: dict[str, int] = {}
    for person in recipients(workshop_key, audience):
        samples.setdefault(person.language, person)
        counts[person.language] = counts.get(person.language, 0) + 1
    version = _version_finder(workshop_key) if samples else None
    result = []
    for language, sample in samples.items():
        workshop = version(language)
        manage_url = registration_urls(workshop)(sample)
        mail_subject, text, _html = render_for(
            sample, workshop, subject, body, manage_url
        )
        with translation.override(language):
            text = redact_secret_links(text)
        result.append(
            Preview(
                language=language,
                language_name=language_names([language]),
                count=counts[language],
                sample=sample,
                subject=mail_subject,
                text=text,
            )
        )
    return result


# -- sending -------------------------------------------------------------------------


def send_message(
    *,
    workshop,
    audience: Audience,
    subject: str,
    body: str,
    author=None,
    submission: UUID | None = None,
) -> Message:
    """Store the message and one mail per person of ``audience`` (as of now), in
    one transaction; the worker sends them after the commit.

    Raises :class:`EmptyGroupError` when nobody is in the group (nothing stored),
    :class:`AlreadySentError` when ``submission`` was sent before."""
    key = workshop.translation_key
    with transaction.atomic():
        fields = {
            "workshop_key": key,
            "page": workshop,
            "group": audience.group,
            "table_number": audience.table_number,
            "subject": subject,
            "body": body,
            "author": author if getattr(author, "pk", None) else None,
        }
        if submission is not None:
            fields["submission"] = submission
        try:
            with transaction.atomic():
                message = Message.objects.create(**fields)
        except IntegrityError:
            existing = Message.objects.filter(submission=submission).first()
            if existing is None:
                raise
            raise AlreadySentError(existing) from None
        people = list(recipients(key, audience))
        if not people:
            raise EmptyGroupError
        version = _version_finder(key)
        link_builders: dict[int, Callable] = {}
        now = timezone.now()
        mails = []
        for person in people:
            page = version(person.language)
            build = link_builders.get(id(page))
            if build is None:
                build = link_builders[id(page)] = registration_urls(page)
            mail_subject, text, html = render_for(
                person, page, subject, body, build(person)
            )
            mails.append(
                OutgoingMail(
                    kind=MailKind.MESSAGE,
                    registration=person,
                    message=message,
                    workshop_key=key,
                    to=[person.email],
                    reply_to=(
                        [page.contact_email]
                        if page is not None and page.contact_email
                        else []
                    ),
                    language=person.language,
                    subject=mail_subject,
                    body_text=text,
                    body_html=html,
                    rendered_at=now,
                    next_attempt_at=now,
                )
            )
        OutgoingMail.objects.bulk_create(mails)
        message.recipient_count = len(mails)
        message.sent_at = now
        message.save(update_fields=["recipient_count", "sent_at"])
        log(
            instance=message,
            action=SEND_ACTION,
            user=author if getattr(author, "pk", None) else None,
            # Never a name in the audit log: the group and the count.
            title=str(message),
            data={"group": audience.group, "recipients": len(mails)},
        )
        message_id = message.pk
        transaction.on_commit(lambda: enqueue_message(message_id))
    return message


def enqueue_message(message_id: int) -> None:
    """Hand the message's mails to the worker. The rows are stored: if this
    fails, ``atelier_send_mails`` sends them."""
    from ..tasks import send_message_mails

    try:
        send_message_mails.enqueue(message_id)
    except Exception:
        logger.exception("Could not enqueue the mails of message %s", message_id)


def deliver_message(message_id: int) -> dict[str, int]:
    """Send every mail of the message that is waiting (each at most once, as
    :func:`~.mail.deliver` guarantees); a failed one is retried by its own task."""
    from .mail import deliver

    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    waiting = OutgoingMail.objects.filter(
        message_id=message_id, status=MailStatus.PENDING
    ).order_by("pk")
    for mail_id in list(waiting.values_list("pk", flat=True)):
        outcome[deliver(mail_id)] += 1
    return outcome


# -- reading -------------------------------------------------------------------------


def with_delivery_counts(messages: QuerySet[Message]) -> QuerySet[Message]:
    """``messages`` annotated with ``mails_sent``, ``mails_waiting`` and
    ``mails_failed`` (failed, retried or given up): in the same query."""
    return messages.annotate(
        mails_sent=Count("mails", filter=Q(mails__status=MailStatus.SENT)),
        mails_waiting=Count(
            "mails",
            filter=Q(mails__status__in=[MailStatus.PENDING, MailStatus.SENDING]),
        ),
        mails_failed=Count(
            "mails",
            filter=Q(mails__status__in=[MailStatus.FAILED, MailStatus.GAVE_UP]),
        ),
    )


def messages_of(workshop_key: UUID) -> QuerySet[Message]:
    """The workshop's messages, newest first, with their counts and authors."""
    return with_delivery_counts(
        Message.objects.filter(workshop_key=workshop_key).select_related("author")
    ).order_by("-created_at", "-pk")


def audiences(choices: Iterable[GroupChoice]) -> dict[str, Audience]:
    """The form's value of each group ("waiting", "table:2") to its audience."""
    return {audience_value(c.audience): c.audience for c in choices}


def audience_value(audience: Audience) -> str:
    if audience.group == MessageGroup.TABLE:
        return f"table:{audience.table_number}"
    return str(audience.group)
