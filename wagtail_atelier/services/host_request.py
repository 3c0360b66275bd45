"""Host requests: receiving them and moving them through the workflow.

No request objects in here. Every status change is logged in Wagtail's audit log
(who, when, from, to, note) and shows in the request's history in the admin.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from ..conf import get_setting
from ..links import admin_host_request_url
from ..models.choices import Canton
from ..models.host_request import HostRequest, HostRequestStatus
from ..models.mail import MailKind
from ..models.settings import AtelierSettings
from .feedback import live_workshop_version
from .mail import queue_mail

STATUS_ACTION = "wagtail_atelier.host_request.status"


class TransitionNotAllowedError(Exception):
    def __init__(self, current: str, requested: str):
        super().__init__(f"{current} -> {requested}")
        self.current = current
        self.requested = requested


class WorkshopRequiredError(Exception):
    """A request becomes "scheduled" only together with the workshop it became."""


def log_title(host_request: HostRequest) -> str:
    # Neutral: the audit log outlives the request if it is erased.
    return f"{host_request._meta.verbose_name} {host_request.pk}"


def coordinator_recipients(site) -> list[str]:
    """The addresses set for ``site`` in the admin, else the package setting."""
    recipients: list[str] = []
    if site is not None:
        recipients = AtelierSettings.for_site(site).host_request_recipient_list
    return recipients or list(get_setting("WAGTAIL_ATELIER_HOST_REQUEST_NOTIFY_EMAILS"))


def notification_language(host_request: HostRequest) -> str:
    """The language the coordinators are told of ``host_request`` in: the language
    of the workshop it asks for. Of several, the language of the form it was sent
    from if it is one of them, else the first in the site's order of languages;
    with none of the site's languages, the form's language."""
    site_languages = [code for code, _name in settings.LANGUAGES]
    asked = [code for code in site_languages if code in (host_request.languages or [])]
    if len(asked) == 1:
        return asked[0]
    if host_request.language in asked or not asked:
        return host_request.language or settings.LANGUAGE_CODE
    return asked[0]


def submit(
    *, page, site, data: dict, language: str, now: datetime | None = None
) -> HostRequest:
    """Store a host request (``data``: the cleaned form), acknowledge it to the
    requester in ``language`` (the language the form was sent in) and tell the
    coordinators of ``site`` in the language the request is about
    (:func:`notification_language`)."""
    now = now or timezone.now()
    with transaction.atomic():
        host_request = HostRequest.objects.create(
            organisation=data["organisation"].strip(),
            contact_name=data["contact_name"].strip(),
            email=data["email"],
            phone=data.get("phone", "").strip(),
            canton=data["canton"],
            region=data["region"].strip(),
            preferred_period=data.get("preferred_period", "").strip(),
            languages=list(data["languages"]),
            format=data["format"],
            venue=data["venue"],
            venue_accessibility=data.get("venue_accessibility", "").strip(),
            expected_people=data.get("expected_people"),
            message=data.get("message", "").strip(),
            privacy_consent_at=now,
            privacy_notice_version=get_setting(
                "WAGTAIL_ATELIER_PRIVACY_NOTICE_VERSION"
            ),
            language=language,
            page_id=page.pk if page is not None else None,
            site=site,
        )
        queue_mail(
            kind=MailKind.HOST_REQUEST_ACKNOWLEDGEMENT,
            to=[host_request.email],
            language=language,
            template="host_request_acknowledgement",
            context={"host_request": host_request},
            host_request=host_request,
        )
        _queue_notification(host_request, site)
    return host_request


def _queue_notification(host_request: HostRequest, site) -> None:
    """Tell the coordinators of ``site`` that a request came in, and from where,
    in the language of the workshop it asks for, with a link to it in the admin:
    not who sent it nor what they wrote (no name, address, phone or message, not
    even as Reply-To). The addresses are a setting, and a mailbox is not the
    admin's permissions."""
    recipients = coordinator_recipients(site)
    if not recipients:
        return
    queue_mail(
        kind=MailKind.HOST_REQUEST_NOTIFICATION,
        to=recipients,
        language=notification_language(host_request),
        template="host_request_notification",
        context={
            "region": host_request.region,
            # Lazy: translated when the mail is rendered, in the mail's language.
            "canton_label": Canton(host_request.canton).label,
            "admin_url": admin_host_request_url(host_request, absolute=True),
        },
        host_request=host_request,
    )


def change_status(
    host_request: HostRequest,
    *,
    status: str,
    user=None,
    workshop=None,
    note: str = "",
    now: datetime | None = None,
) -> HostRequest:
    """Move a request to ``status`` if the workflow allows it, log who did it and
    when; "scheduled" needs ``workshop`` and mails its link to the requester."""
    now = now or timezone.now()
    with transaction.atomic():
        host_request = HostRequest.objects.select_for_update().get(pk=host_request.pk)
        previous = host_request.status
        if status not in host_request.allowed_transitions():
            raise TransitionNotAllowedError(previous, status)
        if status == HostRequestStatus.SCHEDULED and workshop is None:
            raise WorkshopRequiredError
        host_request.status = status
        host_request.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if status == HostRequestStatus.SCHEDULED:
            host_request.workshop = workshop
            fields.append("workshop")
        host_request.save(update_fields=fields)
        log(
            instance=host_request,
            action=STATUS_ACTION,
            user=user,
            title=log_title(host_request),
            data={
                "from": previous,
                "to": status,
                "note": note.strip(),
                "workshop": workshop.pk if workshop is not None else None,
            },
        )
        if status == HostRequestStatus.SCHEDULED:
            _queue_scheduled_mail(host_request, workshop)
    return host_request


def _queue_scheduled_mail(host_request: HostRequest, workshop) -> None:
    # The page in the requester's language if it is published, else the one chosen.
    page = live_workshop_version(workshop.translation_key, host_request.language)
    page = page or workshop
    queue_mail(
        kind=MailKind.HOST_REQUEST_SCHEDULED,
        to=[host_request.email],
        language=host_request.language,
        template="host_request_scheduled",
        context={
            "host_request": host_request,
            "workshop": page,
            "workshop_url": page.get_full_url() or "",
        },
        host_request=host_request,
        workshop_key=page.translation_key,
        reply_to=[page.contact_email] if page.contact_email else [],
    )
