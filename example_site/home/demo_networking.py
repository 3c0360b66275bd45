"""The networking list of a past demo workshop: fictional people who attended the
workshop in Suhr and agreed to share their contact, one who attended without
agreeing, and the list as it was mailed to each of them, in their own language, a
few days after the workshop (see it under Mails in the admin, and on the
workshop's "Networking list" screen).

Every name, organisation and address is invented; the addresses are on
``example.org``, which never receives mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.test.utils import override_settings

from wagtail_atelier.conf import get_setting
from wagtail_atelier.models import NetworkingList, Registration, workshop_versions
from wagtail_atelier.services import networking

from .demo_people import PRIVACY_NOTICE_VERSION

# Django's dummy mail backend: the mails are stored and marked sent (listed under
# Mails in the admin) and go nowhere, not even to the in-memory outbox.
NOWHERE = "django.core.mail.backends.dummy.EmailBackend"

#: The past demo workshop (a ``DemoWorkshop.key``) whose list was sent.
NETWORKING_WORKSHOP_KEY = "suhr-2023"


@dataclass(frozen=True)
class Attendee:
    first_name: str
    last_name: str
    email: str
    organisation: str
    town: str
    canton: str
    #: The language of the page they registered on, so of their mails.
    language: str = "de"
    languages: list[str] = field(default_factory=lambda: ["de"])
    share_contact: bool = True
    case_description: str = ""


ATTENDEES = [
    Attendee(
        "Verena",
        "Hächler",
        "verena.haechler@example.org",
        "Caring Community Suhr",
        "Suhr",
        "AG",
        case_description=(
            "Wie halten wir die Nachbarschaftshilfe lebendig, wenn die Gründerinnen "
            "aufhören?"
        ),
    ),
    Attendee(
        "Reto",
        "Widmer",
        "reto.widmer@example.org",
        "Gemeinde Buchs, Alter und Gesundheit",
        "Buchs",
        "AG",
        languages=["de", "fr"],
    ),
    Attendee(
        "Claire",
        "Bovet",
        "claire.bovet@example.org",
        "Quartier solidaire Bienne",
        "Bienne",
        "BE",
        language="fr",
        languages=["fr", "de"],
    ),
    Attendee(
        "Giulia",
        "Bernasconi",
        "giulia.bernasconi@example.org",
        "Comunità solidale Mendrisio",
        "Mendrisio",
        "TI",
        language="it",
        languages=["it", "de"],
    ),
    # Attended, but did not agree: on nobody's list.
    Attendee(
        "Hans",
        "Gloor",
        "hans.gloor@example.org",
        "Kirchgemeinde Aarau",
        "Aarau",
        "AG",
        share_contact=False,
    ),
]


def ensure_networking_list(workshop) -> tuple[int, int]:
    """The attendees (found again by address) and their list, sent once as it would
    have been ``WAGTAIL_ATELIER_NETWORKING_LIST_DELAY`` after the workshop. Returns
    (registrations created, mails of the list)."""
    key = workshop.translation_key
    pages = {page.locale.language_code: page for page in workshop_versions(key)}
    attended_at = workshop.end_at
    sent_at = workshop.end_at + (
        get_setting("WAGTAIL_ATELIER_NETWORKING_LIST_DELAY") or timedelta(days=3)
    )
    created = 0
    with transaction.atomic():
        for person in ATTENDEES:
            page = pages.get(person.language, workshop)
            _registration, new = Registration.objects.get_or_create(
                workshop_key=key,
                email=person.email,
                defaults={
                    "page": page,
                    "language": page.locale.language_code,
                    "role": "case_presenter"
                    if person.case_description
                    else "participant",
                    "status": "confirmed",
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "organisation": person.organisation,
                    "town": person.town,
                    "canton": person.canton,
                    "languages": list(person.languages),
                    "case_description": person.case_description,
                    "privacy_consent_at": workshop.start_at - timedelta(days=20),
                    "privacy_notice_version": PRIVACY_NOTICE_VERSION,
                    "share_contact": person.share_contact,
                    "share_contact_at": (
                        workshop.start_at - timedelta(days=20)
                        if person.share_contact
                        else None
                    ),
                    "share_contact_version": (
                        get_setting("WAGTAIL_ATELIER_SHARE_CONTACT_VERSION")
                        if person.share_contact
                        else ""
                    ),
                    "attended_at": attended_at,
                },
            )
            created += new
    already_sent = NetworkingList.objects.filter(
        workshop_key=key, sent_at__isnull=False
    ).exists()
    if not already_sent:
        # Sent through the package's own service; the mails are stored (listed
        # under Mails) but not printed.
        with override_settings(EMAIL_BACKEND=NOWHERE):
            networking.send_list(key, now=sent_at)
    networking_list = NetworkingList.objects.filter(workshop_key=key).first()
    return created, networking_list.recipient_count if networking_list else 0
