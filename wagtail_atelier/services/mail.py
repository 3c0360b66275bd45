"""Mails are stored before they are sent, then sent by a task enqueued on commit.

A mail is stored rendered (:func:`queue_mail`), or as an intent
(:func:`queue_mail_intent`): the row with its kind, recipients, language and
template, stored inside the transaction that causes it, and rendered from the
database after the commit. The mails about a registration are intents, so that no
template is rendered while a workshop's seats are locked; the intent is rendered by
an ``on_commit`` callback before the delivery is enqueued, and by :func:`deliver` if
a crash came in between. Either way a committed change has its mails stored, and a
rolled-back one none.

A failing or hanging mail server never fails the change that caused the mail: the
send happens after the commit, with a bounded timeout, and a failure is recorded on
the row and retried with exponential backoff (by the task backend when it can defer,
otherwise by the ``atelier_send_mails`` command run from cron).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.signals import request_finished
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from ..conf import get_setting
from ..models.mail import MailKind, MailStatus, OutgoingMail
from ..tasks import send_mail

logger = logging.getLogger(__name__)

# Any whitespace but the no-break space (U+00A0) and the narrow one (U+202F).
_BREAKING_WHITESPACE = re.compile(r"[^\S\u00a0\u202f]+")


def render_mail(template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``wagtail_atelier/emails/<template>``."""
    base = f"wagtail_atelier/emails/{template}"
    with translation.override(language):
        context = {**context, "language_code": language}
        subject = render_to_string(f"{base}_subject.txt", context)
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return one_line(subject), text.strip() + "\n", html


def one_line(text: str) -> str:
    """Collapse whitespace and line breaks (a header is one line), but keep the
    no-break spaces French typography puts before ":" and "?"."""
    return _BREAKING_WHITESPACE.sub(" ", text).strip()


def queue_mail(
    *,
    kind: str,
    to: Iterable[str],
    language: str,
    template: str,
    context: dict,
    registration=None,
    host_request=None,
    workshop_key=None,
    attachments: Iterable[dict] = (),
    reply_to: Iterable[str] = (),
) -> OutgoingMail:
    """Store a mail in the current transaction and send it once that commits.

    ``registration`` or ``host_request`` is the person the mail is about (it is
    deleted with them); ``workshop_key`` the workshop, taken from the registration
    when not given, so that the retention and the per-workshop purge find it.
    """
    subject, text, html = render_mail(template, context, language)
    if workshop_key is None and registration is not None:
        workshop_key = registration.workshop_key
    mail = OutgoingMail.objects.create(
        kind=kind,
        registration=registration,
        host_request=host_request,
        workshop_key=workshop_key,
        to=list(to),
        reply_to=list(reply_to),
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=list(attachments),
        rendered_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_delivery(mail.pk))
    return mail


#: How a stored intent of each kind is rendered, by dotted path (imported when
#: called: the services that queue intents import this module). The function takes
#: the mail row, and keyword arguments the queuing code passed as ``known``, and
#: returns the template context and the attachments.
INTENT_CONTENT: dict[str, str] = dict.fromkeys(
    (
        MailKind.CONFIRMATION,
        MailKind.WAITING_LIST,
        MailKind.PROMOTION,
        MailKind.CANCELLATION,
        MailKind.REMINDER,
        MailKind.LINK,
    ),
    "wagtail_atelier.services.registration.registrant_mail_content",
)
# The contact's mail for each registration (the digest is rendered when stored).
INTENT_CONTENT[MailKind.CONTACT_NOTIFICATION] = (
    "wagtail_atelier.services.notifications.contact_notification_content"
)

# The change notices and cancellations (services/change_notices.py).
INTENT_CONTENT[MailKind.CHANGE_NOTICE] = INTENT_CONTENT[MailKind.WORKSHOP_CANCELLED] = (
    "wagtail_atelier.services.change_notices.notice_mail_content"
)


def queue_mail_intents(mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Store many unsaved intents (``template`` set, not rendered) in one insert,
    each rendered and sent after the commit as :func:`queue_mail_intent`'s."""
    for mail in mails:
        if mail.kind not in INTENT_CONTENT:
            raise ValueError(f"No content function for mails of kind {mail.kind!r}")
    created = OutgoingMail.objects.bulk_create(mails)
    for mail in created:
        transaction.on_commit(lambda mail=mail: _render_then_enqueue(mail, {}))
    return created


def queue_mail_intent(
    *,
    kind: str,
    to: Iterable[str],
    language: str,
    template: str,
    registration=None,
    workshop_key=None,
    reply_to: Iterable[str] = (),
    known: dict | None = None,
) -> OutgoingMail:
    """Store a mail to be rendered after the current transaction commits, then
    sent. One cheap insert: nothing is rendered here, so this may be called with
    a lock held. The subject, bodies and attachments come from
    :data:`INTENT_CONTENT` for ``kind``, from the database as of rendering time.

    ``known`` holds objects the caller has in memory (the registration, the
    workshop page), given to the content function after the commit so that it need
    not read them again; the crash-safe path (:func:`deliver`) reads them."""
    if kind not in INTENT_CONTENT:
        raise ValueError(f"No content function for mails of kind {kind!r}")
    if workshop_key is None and registration is not None:
        workshop_key = registration.workshop_key
    mail = OutgoingMail.objects.create(
        kind=kind,
        registration=registration,
        workshop_key=workshop_key,
        to=list(to),
        reply_to=list(reply_to),
        language=language,
        template=template,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _render_then_enqueue(mail, known or {}))
    return mail


#: The deliveries held back until the current response has been sent (see
#: :func:`send_after_response`): a list while a view holds them, else None.
_held_deliveries: ContextVar[list | None] = ContextVar(
    "wagtail_atelier_held_deliveries", default=None
)


@contextmanager
def send_after_response():
    """Within this block, the mails that the immediate task backend would render
    and send right after the commit, in the request, are held back and sent once
    the response has gone out (Django's ``request_finished`` signal, sent when the
    server closes the response), so the visitor does not wait for the templates
    and the mail server. The rows are stored with the commit either way: a mail
    whose sending never comes (the process dies) is sent by ``atelier_send_mails``.
    For views only; with a task worker, nothing is held (the worker sends)."""
    held = _held_deliveries.get()
    if held is None:
        _held_deliveries.set([])
    yield


@receiver(request_finished, dispatch_uid="wagtail_atelier_send_held_deliveries")
def _send_held_deliveries(**kwargs) -> None:
    held = _held_deliveries.get()
    if held is None:
        return
    _held_deliveries.set(None)
    for mail, known in held:
        _render_then_enqueue(mail, known, hold=False)


def _render_then_enqueue(mail: OutgoingMail, known: dict, hold: bool = True) -> None:
    held = _held_deliveries.get() if hold else None
    if held is not None and _delivers_in_process():
        held.append((mail, known))
        return
    try:
        render_intent(mail, **known)
    except Exception as error:
        # The row is stored: deliver() renders it, and records a lasting error on
        # the row. The class only here, as for a failed send.
        logger.warning(
            "Could not render mail %s after the commit: %s",
            mail.pk,
            type(error).__name__,
        )
    enqueue_delivery(mail.pk)


def render_intent(mail: OutgoingMail, **known) -> OutgoingMail:
    """Render the stored intent ``mail`` (subject, bodies, attachments) and store
    the result; ``mail`` is returned rendered. Safe to run twice or concurrently:
    only the first rendering is stored, and a mail already sent (its links
    redacted) is never rendered again."""
    content = import_string(INTENT_CONTENT[mail.kind])
    context, attachments = content(mail, **known)
    subject, text, html = render_mail(mail.template, context, mail.language)
    rendered = {
        "subject": subject[:255],
        "body_text": text,
        "body_html": html,
        "attachments": list(attachments),
        "template": "",
        "rendered_at": timezone.now(),
    }
    stored = OutgoingMail.objects.filter(
        pk=mail.pk, template=mail.template, rendered_at__isnull=True
    ).update(**rendered)
    if stored:
        for name, value in rendered.items():
            setattr(mail, name, value)
    else:
        mail.refresh_from_db()
    return mail


def _delivers_in_process() -> bool:
    """Whether the task backend runs ``send_mail`` right here, when it is enqueued
    (django-tasks' immediate backend, Django's default)."""
    try:
        backend = send_mail.get_backend()
    except Exception:
        return False
    return type(backend).__name__ == "ImmediateBackend" and type(
        backend
    ).__module__.endswith(".backends.immediate")


def enqueue_delivery(mail_id: int, run_after: datetime | None = None) -> None:
    task = send_mail
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # left for the atelier_send_mails command
            task = task.using(run_after=run_after)
        task.enqueue(mail_id)
    except Exception:
        # The row is stored: the command picks it up. Never fail the caller.
        logger.exception("Could not enqueue mail %s", mail_id)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after each failed attempt, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def deliver(mail_id: int, now: datetime | None = None) -> str:
    """Send one stored mail; record the outcome. Safe to call twice or concurrently:
    the mail is claimed with a conditional update, so it is sent at most once."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=15)
    claimed = (
        OutgoingMail.objects.filter(pk=mail_id)
        .filter(
            Q(status__in=[MailStatus.PENDING, MailStatus.FAILED])
            | Q(status=MailStatus.SENDING, next_attempt_at__lt=stale)
        )
        .update(
            status=MailStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now
        )
    )
    if not claimed:
        return "skipped"
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        if mail.template:
            # An intent whose rendering after the commit did not happen (a crash,
            # an error): render it now, from the database.
            mail = render_intent(mail)
        _message(mail).send(fail_silently=False)
    except Exception as error:  # any backend error: record it, retry later
        give_up = mail.attempts >= get_setting("WAGTAIL_ATELIER_MAIL_MAX_ATTEMPTS")
        next_attempt_at = now + backoff(mail.attempts)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.GAVE_UP if give_up else MailStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=next_attempt_at,
        )
        # The class only: an SMTP error names the refused recipients. The whole
        # error is kept in the row, visible to those who may see the mail.
        logger.warning(
            "Mail %s failed (attempt %s): %s",
            mail.pk,
            mail.attempts,
            type(error).__name__,
        )
        if not give_up:
            enqueue_delivery(mail.pk, run_after=next_attempt_at)
        return "failed"
    # Sent: the stored copy no longer needs the live link (the person has it, and
    # the lost-link form mails it again), so a database copy or a mail viewer
    # cannot open anyone's registration or feedback with it. A failed attempt
    # keeps it: the mail must still go out whole.
    with translation.override(mail.language or None):
        body_text = redact_secret_links(mail.body_text)
        body_html = redact_secret_links(mail.body_html)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        body_text=body_text,
        body_html=body_html,
    )
    return "sent"


def _message(mail: OutgoingMail) -> EmailMultiAlternatives:
    connection = get_connection(timeout=get_setting("WAGTAIL_ATELIER_MAIL_TIMEOUT"))
    message = EmailMultiAlternatives(
        subject=mail.subject,
        connection=connection,
        body=mail.body_text,
        from_email=get_setting("WAGTAIL_ATELIER_FROM_EMAIL")
        or settings.DEFAULT_FROM_EMAIL,
        to=mail.to,
        reply_to=mail.reply_to or None,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for attachment in mail.attachments:
        message.attach(
            attachment["filename"], attachment["content"], attachment["mimetype"]
        )
    return message


def deliver_due(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every mail that is due (new, or failed and past its backoff)."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=15)
    due = (
        OutgoingMail.objects.filter(
            Q(
                status__in=[MailStatus.PENDING, MailStatus.FAILED],
                next_attempt_at__lte=now,
            )
            | Q(status=MailStatus.SENDING, next_attempt_at__lt=stale)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    for mail_id in list(due):
        outcome[deliver(mail_id, now=now)] += 1
    return outcome


# -- secret links ---------------------------------------------------------------------

#: A URL (absolute, relative or bare host) that reaches a registration's
#: self-service page or a feedback page: the page's routes ``registration/<token>/``
#: and ``feedback/<token>/`` with whatever follows (``cancel/``, a query). Tokens
#: are long (43 URL-safe characters), so the admin's own ``registration/inspect/5/``
#: is left alone. A URL ends at white space, a quote, an angle bracket or a bracket:
#: the same pattern finds it in plain text, in HTML text and in ``href="..."``.
_SECRET_LINK = re.compile(
    r"""[^\s<>"'()\[\]{}]*?"""
    r"""(?:registration|feedback)(?:/|%2F)[\w-]{16,}(?![\w-])"""
    r"""[^\s<>"'()\[\]{}]*""",
    re.IGNORECASE,
)
#: Punctuation that ends a sentence rather than the URL before it.
_TRAILING_PUNCTUATION = ".,;:!?"


def redact_secret_links(text: str) -> str:
    """``text`` with every self-service or feedback link replaced by "[personal
    link hidden]": whoever reads a stored mail (a mail viewer in the admin, a
    database copy) must not get the key to someone's registration or feedback.

    A pure function of the string, for plain text and HTML alike (an ``href`` too):
    the placeholder is kept free of the characters that would need escaping."""
    if not text:
        return text
    placeholder = (
        translation.gettext("[personal link hidden]")
        .replace("'", "\u2019")
        .translate(str.maketrans("", "", '<>"&'))
    )

    def replace(match: re.Match) -> str:
        url = match.group(0)
        kept = url.rstrip(_TRAILING_PUNCTUATION)
        return placeholder + url[len(kept) :]

    return _SECRET_LINK.sub(replace, text)
