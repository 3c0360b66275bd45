"""Fictional people registered for one upcoming demo workshop, so that the
registrations listing, the dashboard and the table plan screen have something to show.

Every name, organisation and address here is invented; the e-mail addresses are on
``example.org``, which never receives mail. Some people share an organisation (two
from the same Gemeinde, a participant from a case presenter's own caring community),
so that the table plan has colleagues to keep apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The demo workshop (a ``WorkshopPage.key`` of ``demo_content.WORKSHOPS``) that gets
#: the registrations: the first upcoming one held in German.
WORKSHOP_KEY = "online-next"

#: Stored as the privacy notice version, so demo registrations are easy to find.
PRIVACY_NOTICE_VERSION = "demo"

#: What ``load_demo`` passes to ``services.table_plan.generate``; a fixed seed makes
#: the demo plan the same on every machine.
TABLE_PLAN = {"rounds": 3, "min_size": 3, "max_size": 5, "seed": 1}


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    email: str
    organisation: str
    town: str
    canton: str
    languages: list[str] = field(default_factory=lambda: ["de"])
    case_description: str = ""

    @property
    def role(self) -> str:
        return "case_presenter" if self.case_description else "participant"


CASE_PRESENTERS = [
    DemoPerson(
        first_name="Regula",
        last_name="Aebischer",
        email="regula.aebischer@example.org",
        organisation="Sorgende Gemeinschaft Wettingen",
        town="Wettingen",
        canton="AG",
        case_description=(
            "Unsere Nachbarschaftshilfe bekommt immer mehr Anfragen, aber fast alle "
            "Freiwilligen sind über 65. Wie gewinnen wir Jüngere, ohne sie mit "
            "festen Einsätzen zu überfordern?"
        ),
    ),
    DemoPerson(
        first_name="Thomas",
        last_name="Brunner",
        email="thomas.brunner@example.org",
        organisation="Gemeinde Burgdorf, Fachstelle Alter",
        town="Burgdorf",
        canton="BE",
        case_description=(
            "Viele ältere Menschen in unseren Quartieren leben allein und kommen "
            "nicht an unsere Anlässe. Wie erreichen wir gerade jene, die sich "
            "zurückgezogen haben?"
        ),
    ),
    DemoPerson(
        first_name="Corinne",
        last_name="Favre-Meier",
        email="corinne.favre@example.org",
        organisation="Caring Community Biel/Bienne",
        town="Biel/Bienne",
        canton="BE",
        languages=["de", "fr"],
        case_description=(
            "In unserer zweisprachigen Stadt arbeiten die deutsch- und die "
            "französischsprachigen Freiwilligengruppen nebeneinander her. Wie "
            "bringen wir sie an einen Tisch?"
        ),
    ),
    DemoPerson(
        first_name="Beat",
        last_name="Zürcher",
        email="beat.zuercher@example.org",
        organisation="Verein Nachbarschaft Frauenfeld",
        town="Frauenfeld",
        canton="TG",
        case_description=(
            "Die Gemeinde will unseren Fahrdienst mitfinanzieren, erwartet dafür "
            "aber Kennzahlen. Wie zeigen wir, was er bewirkt, ohne dass die "
            "Freiwilligen Formulare ausfüllen müssen?"
        ),
    ),
]

PARTICIPANTS = [
    DemoPerson(
        "Sandra",
        "Käser",
        "sandra.kaeser@example.org",
        "Gemeinde Burgdorf, Fachstelle Alter",
        "Burgdorf",
        "BE",
    ),
    DemoPerson(
        "Peter",
        "Hostettler",
        "peter.hostettler@example.org",
        "Gemeinde Burgdorf, Fachstelle Alter",
        "Burgdorf",
        "BE",
    ),
    DemoPerson(
        "Marco",
        "Bernasconi",
        "marco.bernasconi@example.org",
        "Nachbarschaftshilfe Baden",
        "Baden",
        "AG",
    ),
    DemoPerson(
        "Claudia",
        "Steiner",
        "claudia.steiner@example.org",
        "Nachbarschaftshilfe Baden",
        "Baden",
        "AG",
    ),
    DemoPerson(
        "Ursula",
        "Widmer",
        "ursula.widmer@example.org",
        "Reformierte Kirchgemeinde Wettingen",
        "Wettingen",
        "AG",
    ),
    DemoPerson(
        "Monika",
        "Lüthi",
        "monika.luethi@example.org",
        "Sorgende Gemeinschaft Wettingen",
        "Wettingen",
        "AG",
    ),
    DemoPerson(
        "Daniel",
        "Schmid",
        "daniel.schmid@example.org",
        "Gemeinde Rheinfelden",
        "Rheinfelden",
        "AG",
    ),
    DemoPerson(
        "Nathalie",
        "Rochat",
        "nathalie.rochat@example.org",
        "Nachbarschaftsnetz Murten",
        "Murten",
        "FR",
        ["de", "fr"],
    ),
    DemoPerson(
        "Jasmin",
        "Ammann",
        "jasmin.ammann@example.org",
        "Caring Community Biel/Bienne",
        "Biel/Bienne",
        "BE",
        ["de", "fr"],
    ),
    DemoPerson(
        "Simone",
        "Gerber",
        "simone.gerber@example.org",
        "Spitex Region Frauenfeld",
        "Frauenfeld",
        "TG",
    ),
    DemoPerson(
        "Reto",
        "Caflisch",
        "reto.caflisch@example.org",
        "Gemeinde Domat/Ems",
        "Domat/Ems",
        "GR",
    ),
    DemoPerson(
        "Andreas",
        "Keller",
        "andreas.keller@example.org",
        "Quartierverein Breitenrain",
        "Bern",
        "BE",
    ),
    DemoPerson(
        "Fabienne",
        "Imhof",
        "fabienne.imhof@example.org",
        "Gemeinde Visp",
        "Visp",
        "VS",
        ["de", "fr"],
    ),
    DemoPerson(
        "Hans-Peter",
        "Gisler",
        "hans-peter.gisler@example.org",
        "Gemeinde Altdorf",
        "Altdorf",
        "UR",
    ),
]

PEOPLE = CASE_PRESENTERS + PARTICIPANTS
