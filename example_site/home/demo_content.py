"""The demo content of ``load_demo``: every page written in German, French and Italian.

Each page is written once per language with the same structure, so that the texts of
its source language become the wagtail-localize source and the other two become the
translations of the same segments. The French texts follow the network's own public
page on the practice workshop; the German and Italian ones are written from it with
the vocabulary the package uses (Praxiswerkstatt, Fallgeber·in, laboratorio pratico,
comunità solidale...).

Dates of upcoming workshops are relative to the day the command runs, so the demo
always has a past and a future.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wagtail_atelier.blocks import default_programme

LANGUAGES = ("de", "fr", "it")
TIME_ZONE = ZoneInfo("Europe/Zurich")

# Fixed keys make the demo idempotent: a page is found again by its translation key,
# whatever an editor did to its title or slug since, and StreamField blocks keep the
# same ids in every language, so their segments line up.
DEMO_NAMESPACE = uuid.UUID("2f6c1b1e-8f5e-4f57-9a3c-6c1d2d5e7a10")


def demo_key(name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, name)


def block_id(page_key: str, name: str) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{page_key}/{name}"))


# -- home page ----------------------------------------------------------------------

HOME = {
    "de": {
        "title": "Netzwerk Caring Communities",
        "slug": "startseite",
        "search_description": (
            "Das Netzwerk Caring Communities verbindet sorgende Gemeinschaften in der "
            "ganzen Schweiz. Seine Praxiswerkstatt lädt ein- bis zweimal im Jahr zur "
            "kollegialen Beratung ein."
        ),
        "intro": (
            "<h2>Sorgende Gemeinschaften in der ganzen Schweiz</h2>"
            "<p>Das Netzwerk Caring Communities verbindet Menschen und Organisationen, "
            "die sich in ihrer Gemeinde, ihrem Quartier oder ihrer Region für ein "
            "gutes Zusammenleben und gegenseitige Unterstützung engagieren.</p>"
            "<p>In der <b>Praxiswerkstatt</b> teilen Engagierte aus sorgenden "
            "Gemeinschaften aktuelle Fragen und Herausforderungen aus ihrem "
            "Praxisalltag und beraten sich gegenseitig kollegial. Die kostenlose "
            "Veranstaltung dauert rund drei Stunden und findet seit 2019 ein- bis "
            "zweimal pro Jahr statt, online oder an wechselnden Orten in der "
            "Schweiz.</p>"
        ),
        "next_heading": "Nächste Praxiswerkstatt",
        "testimonials_heading": "Stimmen aus der Praxiswerkstatt",
        "outro": (
            "<h2>Eine Praxiswerkstatt in Ihrer Region?</h2>"
            "<p>Möchten Sie als Gastgeber eine Praxiswerkstatt in Ihrer Region "
            "durchführen, mit einem eigenen Anliegen kollegiale Beratung erhalten oder "
            "als Teilnehmer·in andere Engagierte aus sorgenden Gemeinschaften "
            "kennenlernen? Wir freuen uns auf Ihre Nachricht.</p>"
        ),
    },
    "fr": {
        "title": "Réseau Caring Communities",
        "slug": "accueil",
        "search_description": (
            "Le réseau Caring Communities relie les communautés de soutien de toute la "
            "Suisse. Son atelier pratique invite une à deux fois par an au conseil "
            "collégial."
        ),
        "intro": (
            "<h2>Des communautés de soutien dans toute la Suisse</h2>"
            "<p>Le réseau Caring Communities relie des personnes et des organisations "
            "qui s’engagent dans leur commune, leur quartier ou leur région pour le "
            "vivre-ensemble et le soutien mutuel.</p>"
            "<p>Dans l’<b>atelier pratique</b>, des personnes engagées dans des "
            "communautés de soutien partagent les questionnements et les défis actuels "
            "de leur pratique quotidienne et se font conseiller mutuellement et "
            "collégialement. Cette manifestation gratuite d’environ trois heures a "
            "lieu depuis 2019 une à deux fois par an, sous forme numérique ou dans "
            "divers lieux en Suisse.</p>"
        ),
        "next_heading": "Prochain atelier pratique",
        "testimonials_heading": "Ce qu’en disent les participant·es",
        "outro": (
            "<h2>Un atelier pratique dans votre région?</h2>"
            "<p>Vous souhaitez organiser un atelier pratique dans votre région en tant "
            "qu’hôte, recevoir des conseils collégiaux en amenant une situation ou "
            "entrer en contact avec d’autres actrices et acteurs des communautés de "
            "soutien en tant que participant·e aux discussions? Nous nous réjouissons "
            "de recevoir votre message.</p>"
        ),
    },
    "it": {
        "title": "Rete Caring Communities",
        "slug": "pagina-iniziale",
        "search_description": (
            "La Rete Caring Communities collega le comunità solidali di tutta la "
            "Svizzera. Il suo laboratorio pratico invita una o due volte all’anno alla "
            "consulenza collegiale."
        ),
        "intro": (
            "<h2>Comunità solidali in tutta la Svizzera</h2>"
            "<p>La Rete Caring Communities collega persone e organizzazioni che si "
            "impegnano nel loro comune, nel loro quartiere o nella loro regione per la "
            "convivenza e il sostegno reciproco.</p>"
            "<p>Nel <b>laboratorio pratico</b>, persone attive nelle comunità solidali "
            "condividono le domande e le sfide attuali della loro pratica quotidiana e "
            "si consigliano a vicenda in modo collegiale. Questo evento gratuito di "
            "circa tre ore si svolge dal 2019 una o due volte all’anno, online o in "
            "diverse località della Svizzera.</p>"
        ),
        "next_heading": "Prossimo laboratorio pratico",
        "testimonials_heading": "Le voci dei partecipanti",
        "outro": (
            "<h2>Un laboratorio pratico nella vostra regione?</h2>"
            "<p>Desiderate ospitare un laboratorio pratico nella vostra regione, "
            "ricevere una consulenza collegiale portando un caso o entrare in contatto "
            "con altre persone attive nelle comunità solidali come partecipanti? "
            "Saremo lieti di ricevere il vostro messaggio.</p>"
        ),
    },
}


#: The testimonials (``DemoTestimonial.key``) the home page shows, in this order.
HOME_TESTIMONIALS = ("bubble", "courage")


def home_fields(language: str, testimonials: dict[str, int] | None = None) -> dict:
    """The home page in ``language``. ``testimonials`` maps the keys of
    ``HOME_TESTIMONIALS`` to the primary keys of the snippets (any language
    version: the block shows each in the visitor's language)."""
    text = HOME[language]
    testimonials = testimonials or {}
    return {
        "title": text["title"],
        "slug": text["slug"],
        "search_description": text["search_description"],
        "body": [
            {
                "type": "paragraph",
                "id": block_id("home", "intro"),
                "value": text["intro"],
            },
            {
                "type": "next_workshop",
                "id": block_id("home", "next-workshop"),
                "value": {"heading": text["next_heading"], "propose_page": None},
            },
            {
                "type": "testimonials",
                "id": block_id("home", "testimonials"),
                "value": {
                    "heading": text["testimonials_heading"],
                    "testimonials": [
                        {
                            "type": "item",
                            "id": block_id("home", f"testimonial/{key}"),
                            "value": testimonials[key],
                        }
                        for key in HOME_TESTIMONIALS
                        if key in testimonials
                    ],
                    "random_count": 0,
                    "random_role": "",
                },
            },
            {
                "type": "paragraph",
                "id": block_id("home", "outro"),
                "value": text["outro"],
            },
        ],
    }


# -- workshop index -----------------------------------------------------------------

INDEX = {
    "de": {
        "title": "Praxiswerkstatt",
        "slug": "praxiswerkstatt",
        "search_description": (
            "Die Praxiswerkstatt des Netzwerks Caring Communities: kollegiale Beratung "
            "für Engagierte in sorgenden Gemeinschaften, online und vor Ort."
        ),
        "intro": (
            "<p>In der Praxiswerkstatt teilen Menschen, die sich in sorgenden "
            "Gemeinschaften engagieren, aktuelle Fragen und Herausforderungen aus "
            "ihrem Praxisalltag und beraten sich gegenseitig kollegial. Die kostenlose "
            "Veranstaltung von rund drei Stunden ermöglicht den Teilnehmenden, "
            "Erfahrungen und Wissen auszutauschen.</p>"
            "<p>Seit 2019 findet die Praxiswerkstatt des Netzwerks Caring Communities "
            "ein- bis zweimal pro Jahr statt, online oder an wechselnden Orten in der "
            "Schweiz.</p>"
            "<h2>Wie läuft die Praxiswerkstatt ab?</h2>"
            "<ol>"
            "<li>Die Fallgeber·innen stellen ihre Anliegen im Plenum kurz vor.</li>"
            "<li>Kleingruppen von 3 bis 5 Personen besprechen die Fragestellung in "
            "drei Tischrunden und beraten die Person, die das Anliegen mitgebracht "
            "hat, kollegial.</li>"
            "<li>Die Ergebnisse werden im Plenum gesammelt.</li>"
            "<li>Beim anschliessenden Apéro bleibt Zeit, sich zu vernetzen, neue "
            "Kontakte zu knüpfen und Lerngemeinschaften für die Zukunft zu bilden.</li>"
            "</ol>"
        ),
    },
    "fr": {
        "title": "Atelier pratique",
        "slug": "atelier-pratique",
        "search_description": (
            "L’atelier pratique du réseau Caring Communities: des conseils collégiaux "
            "pour les personnes engagées dans des communautés de soutien, en ligne et "
            "sur place."
        ),
        "intro": (
            "<p>Dans l’atelier pratique, des personnes engagées dans des communautés "
            "de soutien partagent les questionnements et les défis actuels de leur "
            "pratique quotidienne et se font conseiller mutuellement et "
            "collégialement. Cette manifestation gratuite d’environ trois heures "
            "permet aux participant·es d’échanger leurs expériences et leurs "
            "connaissances.</p>"
            "<p>Depuis 2019, l’atelier pratique du réseau Caring Communities a lieu "
            "une à deux fois par an, sous forme numérique ou dans divers lieux en "
            "Suisse.</p>"
            "<h2>Comment se déroule l’atelier pratique?</h2>"
            "<ol>"
            "<li>Les personnes qui présentent des situations posent brièvement leurs "
            "questions en plénière.</li>"
            "<li>Des petits groupes de 3 à 5 personnes discutent ensuite de la "
            "problématique lors de trois tours de table et conseillent collégialement "
            "la personne qui présente le cas.</li>"
            "<li>Les résultats sont récoltés en plénière.</li>"
            "<li>L’apéritif qui suit est l’occasion de réseauter, de nouer de nouveaux "
            "contacts et de former des communautés apprenantes pour l’avenir.</li>"
            "</ol>"
        ),
    },
    "it": {
        "title": "Laboratorio pratico",
        "slug": "laboratorio-pratico",
        "search_description": (
            "Il laboratorio pratico della Rete Caring Communities: consulenza "
            "collegiale per le persone attive nelle comunità solidali, online e in "
            "presenza."
        ),
        "intro": (
            "<p>Nel laboratorio pratico, persone attive nelle comunità solidali "
            "condividono le domande e le sfide attuali della loro pratica quotidiana e "
            "si consigliano a vicenda in modo collegiale. Questo evento gratuito di "
            "circa tre ore permette ai partecipanti di scambiare esperienze e "
            "conoscenze.</p>"
            "<p>Dal 2019 il laboratorio pratico della Rete Caring Communities si "
            "svolge una o due volte all’anno, online o in diverse località della "
            "Svizzera.</p><h2>Come si svolge il laboratorio pratico?</h2>"
            "<ol>"
            "<li>Le persone che portano un caso presentano brevemente la loro domanda "
            "in plenaria.</li>"
            "<li>Piccoli gruppi di 3–5 persone discutono poi la questione in tre giri "
            "di tavolo e consigliano in modo collegiale la persona che ha portato il "
            "caso.</li>"
            "<li>I risultati vengono raccolti in plenaria.</li>"
            "<li>L’aperitivo che segue è l’occasione per fare rete, allacciare nuovi "
            "contatti e formare comunità di apprendimento per il futuro.</li>"
            "</ol>"
        ),
    },
}


def index_fields(language: str) -> dict:
    return dict(INDEX[language])


# -- workshops ----------------------------------------------------------------------

# Minutes after the start of each step of the standard programme (three hours).
PROGRAMME_OFFSETS = (0, 30, 135, 165)


@dataclass
class DemoWorkshop:
    key: str
    source_language: str
    workshop_language: str
    format: str
    # Either a fixed local start (past workshops) or weeks from today on a weekday.
    start: datetime | None = None
    weeks_ahead: int = 0
    weekday: int = 3
    start_time: time = time(14, 0)
    venue_name: str = ""
    street: str = ""
    postcode: str = ""
    town: str = ""
    canton: str = ""
    online_meeting_details: str = ""
    contact_name: str = ""
    contact_email: str = ""
    case_presenter_capacity: int | None = None
    participant_capacity: int | None = None
    show_places_left: bool = False
    # Town names in the other languages, as wagtail-localize overrides of a
    # synchronised field ("Freiburg" for Fribourg on the German page).
    town_translations: dict[str, str] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def start_at(self, today: date) -> datetime:
        if self.start is not None:
            return self.start
        day = today + timedelta(weeks=self.weeks_ahead)
        day += timedelta(days=(self.weekday - day.weekday()) % 7)
        if is_holiday_season(day):
            # Nobody runs a workshop between Christmas and Epiphany.
            day += timedelta(weeks=3)
        return datetime.combine(day, self.start_time, tzinfo=TIME_ZONE)

    def schedule(self, today: date) -> dict:
        start_at = self.start_at(today)
        closes = datetime.combine(
            start_at.date() - timedelta(days=7), time(23, 59), tzinfo=TIME_ZONE
        )
        return {
            "start_at": start_at,
            "end_at": start_at + timedelta(hours=3),
            "registration_opens_at": start_at - timedelta(weeks=8),
            "registration_closes_at": closes,
        }

    def facts(self) -> dict:
        """The synchronised fields, the same in every language."""
        return {
            "format": self.format,
            "workshop_language": self.workshop_language,
            "venue_name": self.venue_name,
            "street": self.street,
            "postcode": self.postcode,
            "town": self.town,
            "canton": self.canton,
            "online_meeting_details": self.online_meeting_details,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "case_presenter_capacity": self.case_presenter_capacity,
            "participant_capacity": self.participant_capacity,
            "show_places_left": self.show_places_left,
            "is_free": True,
        }

    def fields(self, language: str, start_at: datetime) -> dict:
        """The translated fields in ``language``, body with fixed block ids."""
        text = self.texts[language]
        return {
            "title": text["title"],
            "slug": text["slug"],
            "search_description": text["search_description"],
            "intro": text["intro"],
            "cost_note": text.get("cost_note", ""),
            "body": [
                {
                    "type": "paragraph",
                    "id": block_id(self.key, "paragraph"),
                    "value": text["paragraph"],
                },
                programme(self.key, language, start_at),
            ],
        }


def is_holiday_season(day: date) -> bool:
    return (day.month, day.day) >= (12, 18) or (day.month, day.day) <= (1, 6)


def programme(page_key: str, language: str, start_at: datetime) -> dict:
    """The package's standard programme as raw StreamField data with fixed ids, the
    steps timed from the start of the workshop."""
    ((block_type, value),) = default_programme(language)
    local_start = start_at.astimezone(TIME_ZONE)
    steps = []
    for number, (step, offset) in enumerate(
        zip(value["steps"], PROGRAMME_OFFSETS, strict=True)
    ):
        at = (local_start + timedelta(minutes=offset)).time()
        steps.append(
            {
                "type": "item",
                "id": block_id(page_key, f"programme-step-{number}"),
                "value": {**step, "time": at.strftime("%H:%M:%S")},
            }
        )
    return {
        "type": block_type,
        "id": block_id(page_key, "programme"),
        "value": {"heading": value["heading"], "steps": steps},
    }


WORKSHOPS = [
    DemoWorkshop(
        key="suhr-2023",
        source_language="de",
        workshop_language="de",
        format="on_site",
        start=datetime(2023, 10, 30, 14, 0, tzinfo=TIME_ZONE),
        venue_name="Gemeindesaal",
        street="Tramstrasse 10",
        postcode="5034",
        town="Suhr",
        canton="AG",
        contact_name="Anna Muster",
        contact_email="anna.muster@example.org",
        case_presenter_capacity=6,
        participant_capacity=24,
        texts={
            "de": {
                "title": "Praxiswerkstatt in Suhr",
                "slug": "praxiswerkstatt-suhr-2023",
                "search_description": (
                    "Praxiswerkstatt des Netzwerks Caring Communities in Suhr AG: "
                    "kollegiale Beratung für Engagierte in sorgenden Gemeinschaften."
                ),
                "intro": (
                    "Engagierte aus sorgenden Gemeinschaften im Aargau und darüber "
                    "hinaus bringen Fragen aus ihrem Alltag mit und beraten sich in "
                    "drei Tischrunden kollegial."
                ),
                "cost_note": "Apéro offeriert von der Gemeinde Suhr",
                "paragraph": (
                    "<p>Die Praxiswerkstatt in Suhr findet auf Deutsch statt. Sie "
                    "richtet sich an Freiwillige, Fachpersonen und Vertreter·innen von "
                    "Gemeinden, die sich in einer Caring Community engagieren oder "
                    "eine aufbauen möchten.</p>"
                    "<p>Bringen Sie als Fallgeber·in ein Anliegen mit oder beraten Sie "
                    "als Teilnehmer·in andere: Beide Rollen sind gleich wertvoll.</p>"
                ),
            },
            "fr": {
                "title": "Atelier pratique à Suhr",
                "slug": "atelier-pratique-suhr-2023",
                "search_description": (
                    "Atelier pratique du réseau Caring Communities à Suhr AG: des "
                    "conseils collégiaux pour les communautés de soutien."
                ),
                "intro": (
                    "Des personnes engagées dans des communautés de soutien d’Argovie "
                    "et d’ailleurs amènent des questions de leur quotidien et se "
                    "conseillent collégialement lors de trois tours de table."
                ),
                "cost_note": "Apéritif offert par la commune de Suhr",
                "paragraph": (
                    "<p>L’atelier pratique de Suhr se déroule en allemand. Il "
                    "s’adresse aux bénévoles, aux professionnel·les et aux "
                    "représentant·es des communes qui s’engagent dans une communauté "
                    "de soutien ou souhaitent en créer une.</p>"
                    "<p>Amenez une situation ou participez aux discussions: les deux "
                    "rôles sont tout aussi précieux.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico a Suhr",
                "slug": "laboratorio-pratico-suhr-2023",
                "search_description": (
                    "Laboratorio pratico della Rete Caring Communities a Suhr AG: "
                    "consulenza collegiale per le comunità solidali."
                ),
                "intro": (
                    "Persone attive nelle comunità solidali dell’Argovia e non solo "
                    "portano domande dalla loro quotidianità e si consigliano in modo "
                    "collegiale in tre giri di tavolo."
                ),
                "cost_note": "Aperitivo offerto dal Comune di Suhr",
                "paragraph": (
                    "<p>Il laboratorio pratico di Suhr si svolge in tedesco. Si "
                    "rivolge a volontari, professionisti e rappresentanti dei comuni "
                    "che si impegnano in una comunità solidale o desiderano crearne "
                    "una.</p>"
                    "<p>Portate un caso o partecipate alle discussioni: entrambi i "
                    "ruoli sono ugualmente preziosi.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="online-2024",
        source_language="fr",
        workshop_language="fr",
        format="online",
        start=datetime(2024, 5, 14, 17, 30, tzinfo=TIME_ZONE),
        contact_name="Claire Exemple",
        contact_email="claire.exemple@example.org",
        case_presenter_capacity=4,
        participant_capacity=16,
        texts={
            "fr": {
                "title": "Atelier pratique en ligne, printemps 2024",
                "slug": "atelier-pratique-en-ligne-2024",
                "search_description": (
                    "Atelier pratique en ligne du réseau Caring Communities: des "
                    "conseils collégiaux pour les communautés de soutien."
                ),
                "intro": (
                    "Un atelier pratique en visioconférence pour les communautés de "
                    "soutien de toute la Suisse romande: des situations concrètes, "
                    "trois tours de table en petits groupes et des conseils collégiaux."
                ),
                "paragraph": (
                    "<p>Cet atelier pratique se déroule en ligne et en français. Les "
                    "tours de table ont lieu dans des salles de groupe; il suffit d’un "
                    "ordinateur avec caméra et micro.</p>"
                ),
            },
            "de": {
                "title": "Praxiswerkstatt online, Frühling 2024",
                "slug": "praxiswerkstatt-online-2024",
                "search_description": (
                    "Online-Praxiswerkstatt des Netzwerks Caring Communities: "
                    "kollegiale Beratung für sorgende Gemeinschaften."
                ),
                "intro": (
                    "Eine Praxiswerkstatt per Videokonferenz für sorgende "
                    "Gemeinschaften aus der ganzen Romandie: konkrete Anliegen, drei "
                    "Tischrunden in Kleingruppen und kollegiale Beratung."
                ),
                "paragraph": (
                    "<p>Diese Praxiswerkstatt findet online und auf Französisch statt. "
                    "Die Tischrunden finden in Gruppenräumen statt; Sie brauchen nur "
                    "einen Computer mit Kamera und Mikrofon.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico online, primavera 2024",
                "slug": "laboratorio-pratico-online-2024",
                "search_description": (
                    "Laboratorio pratico online della Rete Caring Communities: "
                    "consulenza collegiale per le comunità solidali."
                ),
                "intro": (
                    "Un laboratorio pratico in videoconferenza per le comunità "
                    "solidali di tutta la Svizzera romanda: casi concreti, tre giri di "
                    "tavolo in piccoli gruppi e consulenza collegiale."
                ),
                "paragraph": (
                    "<p>Questo laboratorio pratico si svolge online e in francese. I "
                    "giri di tavolo si tengono in sale di gruppo; basta un computer "
                    "con videocamera e microfono.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="online-next",
        source_language="de",
        workshop_language="de",
        format="online",
        weeks_ahead=3,
        weekday=1,
        start_time=time(17, 30),
        # Fake, and never public: the package keeps it out of pages, calendars and
        # structured data.
        online_meeting_details=(
            "Zoom: https://zoom.us/j/98765432100?pwd=DEMO-NOT-PUBLIC\n"
            "Meeting-ID: 987 6543 2100\n"
            "Kenncode: atelier"
        ),
        contact_name="Anna Muster",
        contact_email="anna.muster@example.org",
        case_presenter_capacity=4,
        participant_capacity=16,
        texts={
            "de": {
                "title": "Praxiswerkstatt online",
                "slug": "praxiswerkstatt-online",
                "search_description": (
                    "Online-Praxiswerkstatt des Netzwerks Caring Communities: "
                    "kollegiale Beratung für sorgende Gemeinschaften, ohne Anreise."
                ),
                "intro": (
                    "Die Praxiswerkstatt per Videokonferenz: ohne Anreise, mit "
                    "Engagierten aus sorgenden Gemeinschaften der ganzen "
                    "Deutschschweiz."
                ),
                "paragraph": (
                    "<p>Diese Praxiswerkstatt findet online und auf Deutsch statt. Die "
                    "Zugangsdaten erhalten Sie mit der Bestätigung Ihrer "
                    "Anmeldung.</p>"
                ),
            },
            "fr": {
                "title": "Atelier pratique en ligne",
                "slug": "atelier-pratique-en-ligne",
                "search_description": (
                    "Atelier pratique en ligne du réseau Caring Communities: des "
                    "conseils collégiaux pour les communautés de soutien, sans "
                    "déplacement."
                ),
                "intro": (
                    "L’atelier pratique en visioconférence: sans déplacement, avec des "
                    "personnes engagées dans des communautés de soutien de toute la "
                    "Suisse alémanique."
                ),
                "paragraph": (
                    "<p>Cet atelier pratique se déroule en ligne et en allemand. Vous "
                    "recevrez les données d’accès avec la confirmation de votre "
                    "inscription.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico online",
                "slug": "laboratorio-pratico-online",
                "search_description": (
                    "Laboratorio pratico online della Rete Caring Communities: "
                    "consulenza collegiale per le comunità solidali, senza spostamenti."
                ),
                "intro": (
                    "Il laboratorio pratico in videoconferenza: senza spostamenti, con "
                    "persone attive nelle comunità solidali di tutta la Svizzera "
                    "tedesca."
                ),
                "paragraph": (
                    "<p>Questo laboratorio pratico si svolge online e in tedesco. "
                    "Riceverete i dati di accesso con la conferma della vostra "
                    "iscrizione.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="fribourg",
        source_language="fr",
        workshop_language="fr",
        format="on_site",
        weeks_ahead=5,
        weekday=3,
        venue_name="Centre de quartier",
        street="Rue de l’Atelier 12",
        postcode="1700",
        town="Fribourg",
        canton="FR",
        contact_name="Claire Exemple",
        contact_email="claire.exemple@example.org",
        # A small room, three tables: load_demo fills it and puts three people on
        # the waiting list (demo_waiting_list.py).
        case_presenter_capacity=3,
        participant_capacity=9,
        show_places_left=True,
        town_translations={"de": "Freiburg", "it": "Friburgo"},
        texts={
            "fr": {
                "title": "Atelier pratique à Fribourg",
                "slug": "atelier-pratique-fribourg",
                "search_description": (
                    "Atelier pratique du réseau Caring Communities à Fribourg: des "
                    "conseils collégiaux pour les communautés de soutien."
                ),
                "intro": (
                    "Sortir de sa bulle: des personnes engagées dans des communautés "
                    "de soutien se retrouvent à Fribourg pour partager leurs défis et "
                    "se conseiller collégialement."
                ),
                "cost_note": "Apéritif offert par la Ville de Fribourg",
                "paragraph": (
                    "<p>L’atelier pratique de Fribourg se déroule en français. Il faut "
                    "du courage pour amener une question, mais cela en vaut la peine: "
                    "les personnes qui amènent une situation reçoivent des impulsions "
                    "et des idées concrètes de plusieurs tables.</p>"
                ),
            },
            "de": {
                "title": "Praxiswerkstatt in Freiburg",
                "slug": "praxiswerkstatt-freiburg",
                "search_description": (
                    "Praxiswerkstatt des Netzwerks Caring Communities in Freiburg: "
                    "kollegiale Beratung für sorgende Gemeinschaften."
                ),
                "intro": (
                    "Raus aus der eigenen Blase: Engagierte aus sorgenden "
                    "Gemeinschaften treffen sich in Freiburg, um ihre "
                    "Herausforderungen zu teilen und sich kollegial zu beraten."
                ),
                "cost_note": "Apéro offeriert von der Stadt Freiburg",
                "paragraph": (
                    "<p>Die Praxiswerkstatt in Freiburg findet auf Französisch statt. "
                    "Es braucht Mut, ein Anliegen mitzubringen, aber es lohnt sich: "
                    "Fallgeber·innen erhalten konkrete Impulse und Ideen von mehreren "
                    "Tischen.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico a Friburgo",
                "slug": "laboratorio-pratico-friburgo",
                "search_description": (
                    "Laboratorio pratico della Rete Caring Communities a Friburgo: "
                    "consulenza collegiale per le comunità solidali."
                ),
                "intro": (
                    "Uscire dalla propria bolla: persone attive nelle comunità "
                    "solidali si incontrano a Friburgo per condividere le loro sfide e "
                    "consigliarsi in modo collegiale."
                ),
                "cost_note": "Aperitivo offerto dalla Città di Friburgo",
                "paragraph": (
                    "<p>Il laboratorio pratico di Friburgo si svolge in francese. Ci "
                    "vuole coraggio per portare una domanda, ma ne vale la pena: le "
                    "persone che portano un caso ricevono stimoli e idee concrete da "
                    "più tavoli.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="bellinzona",
        source_language="it",
        workshop_language="it",
        format="on_site",
        weeks_ahead=10,
        weekday=5,
        start_time=time(9, 30),
        venue_name="Sala multiuso",
        street="Via dell’Esempio 5",
        postcode="6500",
        town="Bellinzona",
        canton="TI",
        contact_name="Giulia Esempio",
        contact_email="giulia.esempio@example.org",
        case_presenter_capacity=6,
        participant_capacity=24,
        town_translations={"fr": "Bellinzone"},
        texts={
            "it": {
                "title": "Laboratorio pratico a Bellinzona",
                "slug": "laboratorio-pratico-bellinzona",
                "search_description": (
                    "Laboratorio pratico della Rete Caring Communities a Bellinzona: "
                    "consulenza collegiale per le comunità solidali del Ticino."
                ),
                "intro": (
                    "Il laboratorio pratico arriva in Ticino: persone attive nelle "
                    "comunità solidali condividono le sfide della loro pratica "
                    "quotidiana e si consigliano in modo collegiale."
                ),
                "cost_note": "Aperitivo offerto dal Comune di Bellinzona",
                "paragraph": (
                    "<p>Il laboratorio pratico di Bellinzona si svolge in italiano. "
                    "Circa un quarto dei partecipanti porta un caso e resta al proprio "
                    "tavolo; gli altri cambiano tavolo a ogni giro, così ogni caso "
                    "riceve sguardi nuovi.</p>"
                ),
            },
            "de": {
                "title": "Praxiswerkstatt in Bellinzona",
                "slug": "praxiswerkstatt-bellinzona",
                "search_description": (
                    "Praxiswerkstatt des Netzwerks Caring Communities in Bellinzona: "
                    "kollegiale Beratung für sorgende Gemeinschaften im Tessin."
                ),
                "intro": (
                    "Die Praxiswerkstatt kommt ins Tessin: Engagierte aus sorgenden "
                    "Gemeinschaften teilen Herausforderungen aus ihrem Praxisalltag "
                    "und beraten sich kollegial."
                ),
                "cost_note": "Apéro offeriert von der Stadt Bellinzona",
                "paragraph": (
                    "<p>Die Praxiswerkstatt in Bellinzona findet auf Italienisch "
                    "statt. Rund ein Viertel der Teilnehmenden bringt ein Anliegen mit "
                    "und bleibt an seinem Tisch; die anderen wechseln in jeder Runde "
                    "den Tisch, so dass jedes Anliegen neue Sichtweisen erhält.</p>"
                ),
            },
            "fr": {
                "title": "Atelier pratique à Bellinzone",
                "slug": "atelier-pratique-bellinzone",
                "search_description": (
                    "Atelier pratique du réseau Caring Communities à Bellinzone: des "
                    "conseils collégiaux pour les communautés de soutien du Tessin."
                ),
                "intro": (
                    "L’atelier pratique s’installe au Tessin: des personnes engagées "
                    "dans des communautés de soutien partagent les défis de leur "
                    "pratique quotidienne et se conseillent collégialement."
                ),
                "cost_note": "Apéritif offert par la Ville de Bellinzone",
                "paragraph": (
                    "<p>L’atelier pratique de Bellinzone se déroule en italien. "
                    "Environ un quart des participant·es amène une situation et reste "
                    "à sa table; les autres changent de table à chaque tour, si bien "
                    "que chaque situation bénéficie de regards nouveaux.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="luzern",
        source_language="de",
        workshop_language="de",
        format="on_site",
        weeks_ahead=16,
        weekday=2,
        venue_name="Quartierzentrum",
        street="Beispielstrasse 8",
        postcode="6003",
        town="Luzern",
        canton="LU",
        contact_name="Anna Muster",
        contact_email="anna.muster@example.org",
        case_presenter_capacity=8,
        participant_capacity=32,
        town_translations={"fr": "Lucerne", "it": "Lucerna"},
        texts={
            "de": {
                "title": "Praxiswerkstatt in Luzern",
                "slug": "praxiswerkstatt-luzern",
                "search_description": (
                    "Praxiswerkstatt des Netzwerks Caring Communities in Luzern: "
                    "kollegiale Beratung für sorgende Gemeinschaften."
                ),
                "intro": (
                    "Kollegiale Beratung nach dem Pro Action Café: In Luzern bringen "
                    "Engagierte aus sorgenden Gemeinschaften ihre Anliegen an den "
                    "Tisch."
                ),
                "cost_note": "Apéro offeriert vom Quartierverein",
                "paragraph": (
                    "<p>Die Praxiswerkstatt in Luzern findet auf Deutsch statt. Nach "
                    "der Werkstatt bietet das Moderationsteam allen Fallgeber·innen "
                    "ein kurzes Nachgespräch an.</p>"
                ),
            },
            "fr": {
                "title": "Atelier pratique à Lucerne",
                "slug": "atelier-pratique-lucerne",
                "search_description": (
                    "Atelier pratique du réseau Caring Communities à Lucerne: des "
                    "conseils collégiaux pour les communautés de soutien."
                ),
                "intro": (
                    "Des conseils collégiaux selon la méthode du Pro Action Café: à "
                    "Lucerne, des personnes engagées dans des communautés de soutien "
                    "amènent leurs situations à la table."
                ),
                "cost_note": "Apéritif offert par l’association de quartier",
                "paragraph": (
                    "<p>L’atelier pratique de Lucerne se déroule en allemand. Après "
                    "l’atelier, l’équipe d’animation propose un bref entretien de "
                    "suivi à chaque personne ayant amené une situation.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico a Lucerna",
                "slug": "laboratorio-pratico-lucerna",
                "search_description": (
                    "Laboratorio pratico della Rete Caring Communities a Lucerna: "
                    "consulenza collegiale per le comunità solidali."
                ),
                "intro": (
                    "Consulenza collegiale secondo il metodo Pro Action Café: a "
                    "Lucerna, persone attive nelle comunità solidali portano i loro "
                    "casi al tavolo."
                ),
                "cost_note": "Aperitivo offerto dall’associazione di quartiere",
                "paragraph": (
                    "<p>Il laboratorio pratico di Lucerna si svolge in tedesco. Dopo "
                    "il laboratorio, il team di moderazione offre un breve colloquio "
                    "di follow-up a ogni persona che ha portato un caso.</p>"
                ),
            },
        },
    ),
    DemoWorkshop(
        key="lausanne",
        source_language="fr",
        workshop_language="fr",
        format="on_site",
        weeks_ahead=22,
        weekday=3,
        venue_name="Maison de quartier",
        street="Avenue de l’Exemple 20",
        postcode="1004",
        town="Lausanne",
        canton="VD",
        contact_name="Claire Exemple",
        contact_email="claire.exemple@example.org",
        case_presenter_capacity=6,
        participant_capacity=24,
        town_translations={"it": "Losanna"},
        texts={
            "fr": {
                "title": "Atelier pratique à Lausanne",
                "slug": "atelier-pratique-lausanne",
                "search_description": (
                    "Atelier pratique du réseau Caring Communities à Lausanne: des "
                    "conseils collégiaux pour les communautés de soutien."
                ),
                "intro": (
                    "Impulsions, idées et réseau: un après-midi d’échange pour les "
                    "communautés de soutien de Suisse romande."
                ),
                "cost_note": "Apéritif offert par la maison de quartier",
                "paragraph": (
                    "<p>L’atelier pratique de Lausanne se déroule en français. Les "
                    "inscriptions ouvrent environ deux mois avant l’atelier.</p>"
                    "<p>Vous souhaitez former une communauté apprenante avec d’autres "
                    "participant·es? Du temps est prévu pour cela pendant "
                    "l’apéritif.</p>"
                ),
            },
            "de": {
                "title": "Praxiswerkstatt in Lausanne",
                "slug": "praxiswerkstatt-lausanne",
                "search_description": (
                    "Praxiswerkstatt des Netzwerks Caring Communities in Lausanne: "
                    "kollegiale Beratung für sorgende Gemeinschaften."
                ),
                "intro": (
                    "Impulse, Ideen und Vernetzung: ein Nachmittag des Austauschs für "
                    "sorgende Gemeinschaften aus der Romandie."
                ),
                "cost_note": "Apéro offeriert vom Quartierzentrum",
                "paragraph": (
                    "<p>Die Praxiswerkstatt in Lausanne findet auf Französisch statt. "
                    "Die Anmeldung öffnet rund zwei Monate vor der Werkstatt.</p>"
                    "<p>Möchten Sie mit anderen Teilnehmenden eine Lerngemeinschaft "
                    "bilden? Beim Apéro ist Zeit dafür eingeplant.</p>"
                ),
            },
            "it": {
                "title": "Laboratorio pratico a Losanna",
                "slug": "laboratorio-pratico-losanna",
                "search_description": (
                    "Laboratorio pratico della Rete Caring Communities a Losanna: "
                    "consulenza collegiale per le comunità solidali."
                ),
                "intro": (
                    "Stimoli, idee e rete: un pomeriggio di scambio per le comunità "
                    "solidali della Svizzera romanda."
                ),
                "cost_note": "Aperitivo offerto dal centro di quartiere",
                "paragraph": (
                    "<p>Il laboratorio pratico di Losanna si svolge in francese. Le "
                    "iscrizioni si aprono circa due mesi prima del laboratorio.</p>"
                    "<p>Desiderate formare una comunità di apprendimento con altri "
                    "partecipanti? Durante l’aperitivo c’è tempo per farlo.</p>"
                ),
            },
        },
    ),
]


# -- host request page --------------------------------------------------------------

HOST_REQUEST = {
    "de": {
        "title": "Eine Praxiswerkstatt in Ihrer Region",
        "slug": "praxiswerkstatt-in-ihrer-region",
        "intro": (
            "<p>Möchten Sie eine Praxiswerkstatt in Ihrer Region durchführen? Wir "
            "freuen uns auf Ihre Nachricht.</p>"
        ),
    },
    "fr": {
        "title": "Organiser un atelier pratique dans votre région",
        "slug": "atelier-pratique-dans-votre-region",
        "intro": (
            "<p>Vous souhaitez organiser un atelier pratique dans votre région ? Nous "
            "nous réjouissons de recevoir votre message.</p>"
        ),
    },
    "it": {
        "title": "Un laboratorio pratico nella vostra regione",
        "slug": "laboratorio-pratico-nella-vostra-regione",
        "intro": (
            "<p>Desiderate organizzare un laboratorio pratico nella vostra regione? "
            "Saremo lieti di ricevere il vostro messaggio.</p>"
        ),
    },
}


def host_request_fields(language: str) -> dict:
    return dict(HOST_REQUEST[language])


# -- testimonials -------------------------------------------------------------------


@dataclass
class DemoTestimonial:
    """A published testimonial: the facts, and the translated texts per language
    (the first language is the original)."""

    key: str
    role: str
    texts: dict[str, dict[str, str]]
    naming: str = "role_only"
    consent_method: str = "written"
    consent_text_version: str = "1"

    @property
    def source_language(self) -> str:
        return next(iter(self.texts))


TESTIMONIALS = [
    DemoTestimonial(
        key="bubble",
        role="participant",
        texts={
            "fr": {
                "quote": "L'atelier nous permet de sortir de notre bulle.",
                "role_description": "Participante d'une communauté de soutien",
            },
            "de": {
                "quote": "Die Praxiswerkstatt holt uns aus unserer Blase.",
                "role_description": "Teilnehmerin einer Caring Community",
            },
            "it": {
                "quote": "Il laboratorio ci fa uscire dalla nostra bolla.",
                "role_description": "Partecipante di una comunità solidale",
            },
        },
    ),
    DemoTestimonial(
        key="courage",
        role="case_presenter",
        texts={
            "fr": {
                "quote": (
                    "Il n'est pas nécessaire de tout faire toute seule. Il faut du "
                    "courage pour amener une question, mais cela en vaut la peine."
                ),
                "role_description": (
                    "Participante ayant amené une situation d'une communauté de soutien"
                ),
            },
            "de": {
                "quote": (
                    "Man muss nicht alles allein machen. Es braucht Mut, eine Frage "
                    "einzubringen, aber es lohnt sich."
                ),
                "role_description": (
                    "Teilnehmerin einer Caring Community, die ein Anliegen "
                    "eingebracht hat"
                ),
            },
            "it": {
                "quote": (
                    "Non è necessario fare tutto da sola. Ci vuole coraggio per "
                    "portare una domanda, ma ne vale la pena."
                ),
                "role_description": (
                    "Partecipante di una comunità solidale che ha portato un caso"
                ),
            },
        },
    ),
]
