"""The demo workshop that is full: fictional people from the French-speaking part of
Switzerland registered for the workshop in Fribourg (held in French) through the
package's own registration service, as the public form would, until every place is
taken; the last ones land on the waiting list.

Every name, organisation and address is invented; the addresses are on
``example.org``, which never receives mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.test.utils import override_settings
from django.utils import timezone

from home.demo_people import DemoPerson
from wagtail_atelier.models import Registration
from wagtail_atelier.services import registration as registration_service

#: The ``DemoWorkshop.key`` of the full workshop (3 + 9 places in demo_content.py).
FULL_WORKSHOP_KEY = "fribourg"


@dataclass(frozen=True)
class Applicant(DemoPerson):
    """A person of the demo, French-speaking unless told otherwise."""

    languages: list[str] = field(default_factory=lambda: ["fr"])

    def form_data(self) -> dict:
        """What the registration form's cleaned data would hold."""
        return {
            "role": self.role,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": "",
            "organisation": self.organisation,
            "town": self.town,
            "canton": self.canton,
            "languages": list(self.languages),
            "case_description": self.case_description,
            "accessibility_needs": "",
            "dietary_note": "",
            "share_contact": False,
        }


#: In the order they register: the fourth case presenter and the last two
#: participants find every place taken and go on the waiting list.
APPLICANTS = [
    Applicant(
        "Nathalie",
        "Rossier",
        "nathalie.rossier@example.org",
        "Communauté de soutien de Marly",
        "Marly",
        "FR",
        case_description=(
            "Notre réseau de voisinage repose sur trois bénévoles qui s’épuisent. "
            "Comment partager les tâches sans perdre l’esprit du début?"
        ),
    ),
    Applicant(
        "Jean-Marc",
        "Bapst",
        "jean-marc.bapst@example.org",
        "Commune de Bulle, service social",
        "Bulle",
        "FR",
        languages=["fr", "de"],
        case_description=(
            "Nous voulons créer un café de quartier intergénérationnel. Comment "
            "impliquer les jeunes familles dès le départ?"
        ),
    ),
    Applicant(
        "Sandrine",
        "Monney",
        "sandrine.monney@example.org",
        "Association Bien vieillir à Romont",
        "Romont",
        "FR",
        case_description=(
            "Les personnes âgées isolées ne viennent pas à nos rencontres. Comment "
            "aller vers celles et ceux qui ne demandent rien?"
        ),
    ),
    Applicant(
        "Pierre",
        "Clerc",
        "pierre.clerc@example.org",
        "Paroisse réformée de Fribourg",
        "Fribourg",
        "FR",
    ),
    Applicant(
        "Isabelle",
        "Jaquet",
        "isabelle.jaquet@example.org",
        "Pro Senectute Fribourg",
        "Villars-sur-Glâne",
        "FR",
        languages=["fr", "de"],
    ),
    Applicant(
        "Marc",
        "Overney",
        "marc.overney@example.org",
        "Communauté de soutien de Marly",
        "Marly",
        "FR",
    ),
    Applicant(
        "Anne-Laure",
        "Pittet",
        "anne-laure.pittet@example.org",
        "Réseau Proches aidants Lausanne",
        "Lausanne",
        "VD",
    ),
    Applicant(
        "Yves",
        "Savary",
        "yves.savary@example.org",
        "Commune d’Estavayer",
        "Estavayer",
        "FR",
    ),
    Applicant(
        "Chantal",
        "Dousse",
        "chantal.dousse@example.org",
        "Bénévolat Sarine",
        "Fribourg",
        "FR",
    ),
    Applicant(
        "Olivier",
        "Cuennet",
        "olivier.cuennet@example.org",
        "Maison de quartier du Schoenberg",
        "Fribourg",
        "FR",
    ),
    Applicant(
        "Martine",
        "Perroud",
        "martine.perroud@example.org",
        "Commune de Châtel-Saint-Denis",
        "Châtel-Saint-Denis",
        "FR",
    ),
    Applicant(
        "Lucie",
        "Vonlanthen",
        "lucie.vonlanthen@example.org",
        "Caring Community Morat",
        "Morat",
        "FR",
        languages=["fr", "de"],
    ),
    Applicant(
        "Fabienne",
        "Chappuis",
        "fabienne.chappuis@example.org",
        "Communauté de soutien de Moudon",
        "Moudon",
        "VD",
        case_description=(
            "Notre commune soutient le projet, mais les habitantes et habitants ne "
            "s’en emparent pas. Comment passer d’un projet communal à un projet de "
            "quartier?"
        ),
    ),
    Applicant(
        "Thierry",
        "Favre",
        "thierry.favre@example.org",
        "Réseau Santé Glâne",
        "Romont",
        "FR",
    ),
    Applicant(
        "Céline",
        "Rey",
        "celine.rey@example.org",
        "Entraide Val-de-Travers",
        "Fleurier",
        "NE",
    ),
]

# Django's in-memory mail backend: the mails are stored, and listed under Mails in
# the admin, but not printed in the middle of load_demo's report.
QUIET_MAIL = "django.core.mail.backends.locmem.EmailBackend"


def _moment_in_window(workshop) -> datetime:
    """Now if registration is open, else a moment inside the registration window
    (the demo's dates move with the day it is loaded)."""
    now = timezone.now()
    opens = workshop.registration_opens_at or (now - timedelta(days=1))
    closes = workshop.registration_closes_at or workshop.start_at
    return min(max(now, opens + timedelta(hours=1)), closes - timedelta(hours=1))


def register_full_workshop(workshop) -> tuple[int, int, int]:
    """Register the applicants who are not registered yet, through
    ``services.registration.register``. Returns (created, confirmed, waiting)."""
    existing = set(
        Registration.objects.filter(workshop_key=workshop.translation_key).values_list(
            "email", flat=True
        )
    )
    language = workshop.locale.language_code
    created = 0
    with override_settings(EMAIL_BACKEND=QUIET_MAIL):
        for applicant in APPLICANTS:
            if applicant.email in existing:
                continue
            # Its own transaction: the mails are sent when it commits, here.
            registration_service.register(
                workshop=workshop,
                data=applicant.form_data(),
                language=language,
                now=_moment_in_window(workshop),
            )
            created += 1
    registrations = Registration.objects.filter(workshop_key=workshop.translation_key)
    return (
        created,
        registrations.filter(status="confirmed").count(),
        registrations.filter(status="waiting").count(),
    )
