"""Three languages: rendering, dates, language notes, switcher, wagtail-localize fields,
and the translated interface strings.

Tests marked ``# translation-dependent`` assert the wording of the de/fr/it catalogues
(wagtail_atelier/locale); the others hold whatever the catalogues say.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail_localize.fields import get_translatable_fields
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from tests.factories import WorkshopPageFactory, translate, zurich
from wagtail_atelier.blocks import default_programme
from wagtail_atelier.localize import editor_publishes
from wagtail_atelier.models import WorkshopPage

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "fr", "it"]


@pytest.fixture
def suhr(indexes):
    """The Suhr workshop of 30 October 2023 (held in German), in three languages."""
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt in Suhr",
        slug="suhr",
        start_at=zurich(2023, 10, 30, 14),
        end_at=zurich(2023, 10, 30, 17),
        body=default_programme("de"),
    )
    return {
        "de": german,
        "fr": translate(german, "fr", title="Atelier pratique à Suhr", slug="suhr-fr"),
        "it": translate(
            german, "it", title="Laboratorio pratico a Suhr", slug="suhr-it"
        ),
    }


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def h1(content: str) -> str:
    return re.search(r"<h1[^>]*>([^<]*)</h1>", content).group(1)


# -- rendering in three languages ---------------------------------------------------


def test_each_translation_renders_in_its_language(client, suhr):
    for language, page in suhr.items():
        content = get(client, page.url)
        assert f'<html lang="{language}">' in content
        assert h1(content) == page.title
        assert page.url.startswith(f"/{language}/")


def test_translations_share_the_facts(suhr):
    for page in suhr.values():
        page.refresh_from_db()
        assert page.start_at == zurich(2023, 10, 30, 14)
        assert page.town == "Suhr"
        assert page.workshop_language == "de"
        assert page.translation_key == suhr["de"].translation_key


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("de", "30. Oktober 2023", "Montag, 30. Oktober 2023"),
        ("fr", "30 octobre 2023", "lundi 30 octobre 2023"),
        ("it", "30 ottobre 2023", "lunedì 30 ottobre 2023"),
    ],
)
def test_dates_in_the_page_language(client, suhr, indexes, language, short, long):
    page = get(client, suhr[language].url)
    assert f">{long}</time>" in page
    assert f"{long}, 14:00</time>" in page
    listing = get(client, indexes[language].url)
    assert f">{short}</time>" in listing


def test_french_page_of_a_german_workshop_says_it_is_held_in_german(client, suhr):
    german = get(client, suhr["de"].url)
    assert "atelier-language-note" not in german
    french = get(client, suhr["fr"].url)
    assert "atelier-language-note" in french
    # translation-dependent
    assert '<span class="atelier-language-note">(en allemand)</span>' in french
    # translation-dependent
    italian = get(client, suhr["it"].url)
    assert '<span class="atelier-language-note">(in tedesco)</span>' in italian


def test_german_page_of_a_french_workshop(client, indexes):
    workshop = WorkshopPageFactory(parent=indexes["de"], workshop_language="fr")
    content = get(client, workshop.url)
    # translation-dependent
    assert "(auf Französisch)" in content
    # The index card says so too.
    assert "(auf Französisch)" in get(
        client, indexes["de"].url
    )  # translation-dependent


# -- language switcher --------------------------------------------------------------


def switcher_links(content: str) -> dict[str, str]:
    nav = re.search(r'<nav class="atelier-languages".*?</nav>', content, re.S)
    if nav is None:
        return {}
    return {
        lang: href
        for href, lang in re.findall(r'<a href="([^"]*)" lang="(\w+)"', nav.group(0))
    }


def alternate_links(content: str) -> dict[str, str]:
    return dict(
        re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]*)">', content)
    )


def test_switcher_links_to_each_live_translation(client, suhr):
    expected = {language: page.url for language, page in suhr.items()}
    for page in suhr.values():
        content = get(client, page.url)
        assert switcher_links(content) == expected
        assert alternate_links(content) == {
            language: f"http://testserver{url}" for language, url in expected.items()
        }
    # The current language is marked.
    assert re.search(
        r'<a href="/fr/[^"]*" lang="fr" hreflang="fr" aria-current="page">',
        get(client, suhr["fr"].url),
    )


def test_switcher_skips_missing_and_draft_translations(client, indexes):
    german = WorkshopPageFactory(parent=indexes["de"], slug="nur-de")
    french = translate(german, "fr", title="Brouillon", publish=False)
    content = get(client, german.url)
    assert switcher_links(content) == {}  # nothing to switch to
    assert list(alternate_links(content)) == ["de"]
    french.save_revision().publish()
    content = get(client, german.url)
    assert set(switcher_links(content)) == {"de", "fr"}
    assert "/it/" not in "".join(switcher_links(content).values())


def test_index_switcher(client, indexes):
    content = get(client, indexes["it"].url)
    assert switcher_links(content) == {
        "de": "/de/praxiswerkstatt/",
        "fr": "/fr/atelier-pratique/",
        "it": "/it/laboratorio-pratico/",
    }


# -- i18n URLs -------------------------------------------------------------------------


def test_root_redirects_to_a_language_prefix(client, translated_roots):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CH,fr;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/de/"


def test_page_of_one_language_is_not_served_under_another_prefix(client, suhr):
    assert client.get("/fr/praxiswerkstatt/suhr/").status_code == 404


# -- wagtail-localize: synchronised and translated fields ------------------------------


def _fields():
    return {field.field_name: field for field in get_translatable_fields(WorkshopPage)}


@pytest.mark.parametrize(
    "name",
    [
        "start_at",
        "end_at",
        "format",
        "street",
        "postcode",
        "canton",
        "workshop_language",
        "is_free",
        "case_presenter_capacity",
        "participant_capacity",
        "registration_opens_at",
        "registration_closes_at",
        "contact_email",
        "online_meeting_details",
    ],
)
def test_facts_are_synchronised_and_not_overridable(name):
    field = _fields()[name]
    page = WorkshopPage()
    assert field.is_synchronized(page)
    assert not field.is_translated(page)
    assert not field.is_overridable(page)


@pytest.mark.parametrize("name", ["title", "slug", "intro", "body", "cost_note"])
def test_texts_are_translated(name):
    field = _fields()[name]
    assert field.is_translated(WorkshopPage())


def test_synchronising_copies_the_facts_and_keeps_the_translation(
    indexes, django_capture_on_commit_callbacks
):
    """The wagtail-localize workflow: translate the title, then change the German
    workshop and sync: the French version gets the new facts, keeps its title."""
    french_locale = indexes["fr"].locale
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Suhr",
        start_at=zurich(2030, 10, 30, 14),
        online_meeting_details="Raum 1",
    )
    source, _created = TranslationSource.get_or_create_from_instance(german)
    Translation.objects.create(source=source, target_locale=french_locale)
    title = StringSegment.objects.select_related("string", "context").get(
        source=source, context__path="title"
    )
    StringTranslation.objects.create(
        translation_of=title.string,
        locale=french_locale,
        context=title.context,
        data="Atelier pratique à Suhr",
    )
    # wagtail-localize publishes on commit; with the intro still German, only an
    # editor's publication makes the translation live (wagtail_atelier.localize).
    with django_capture_on_commit_callbacks(execute=True):
        source.create_or_update_translation(french_locale, fallback=True)
    french = german.get_translation(french_locale)
    assert french.title == "Atelier pratique à Suhr"
    assert not french.live
    with editor_publishes(french), django_capture_on_commit_callbacks(execute=True):
        source.create_or_update_translation(french_locale, fallback=True)
    french.refresh_from_db()
    assert french.live

    german.start_at = zurich(2030, 11, 6, 14)
    german.end_at = None
    german.participant_capacity = 12
    german.online_meeting_details = "Raum 2"
    german.save_revision().publish()
    source.update_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        source.create_or_update_translation(french_locale, fallback=True)

    french.refresh_from_db()
    assert french.start_at == zurich(2030, 11, 6, 14)
    assert french.end_at == zurich(2030, 11, 6, 17)
    assert french.participant_capacity == 12
    assert french.online_meeting_details == "Raum 2"
    assert french.title == "Atelier pratique à Suhr"


# -- the standard programme ----------------------------------------------------------


PROGRAMME_TITLES = {
    # translation-dependent
    "de": None,  # German wording is checked by the structure test below
    "fr": [
        "Situations en plénière",
        "Trois tours de table",
        "Récolte en plénière",
        "Apéritif",
    ],
    "it": [
        "Casi in plenaria",
        "Tre giri di conversazione ai tavoli",
        "Raccolta in plenaria",
        "Aperitivo",
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_default_programme_has_four_steps_in_the_language(language):
    programme = default_programme(language)
    assert [block_type for block_type, _value in programme] == ["programme"]
    steps = programme[0][1]["steps"]
    assert len(steps) == 4
    assert all(
        step["time"] is None and step["title"] and step["text"] for step in steps
    )
    titles = [step["title"] for step in steps]
    if PROGRAMME_TITLES[language]:
        assert titles == PROGRAMME_TITLES[language]  # translation-dependent
    # translation-dependent: each language has its own wording, not the English source.
    assert titles != [step["title"] for step in default_programme("en")[0][1]["steps"]]
    # 3 to 5 people in three rounds: the method of the network.
    assert "3" in steps[1]["text"] and "5" in steps[1]["text"]


def test_default_programme_does_not_change_the_active_language():
    with translation.override("it"):
        default_programme("fr")
        assert translation.get_language() == "it"


def test_admin_create_form_programme_in_french(admin_client, indexes):
    response = admin_client.get(
        reverse(
            "wagtailadmin_pages:add",
            args=("wagtail_atelier", "workshoppage", indexes["fr"].pk),
        )
    )
    body = response.context["form"]["body"].value()
    titles = [step["title"] for step in body[0].value["steps"]]
    assert titles == PROGRAMME_TITLES["fr"]  # translation-dependent


# -- validation messages -------------------------------------------------------------


@pytest.fixture
def workshop(index):
    start = zurich(2030, 10, 30, 14)
    return WorkshopPageFactory(
        parent=index, start_at=start, end_at=start + timedelta(hours=3)
    )


def _messages(workshop, language) -> dict:
    with translation.override(language), pytest.raises(ValidationError) as excinfo:
        workshop.full_clean()
    with translation.override(language):
        return excinfo.value.message_dict


def test_validation_messages_in_french(workshop):
    # translation-dependent (all assertions below)
    workshop.end_at = workshop.start_at - timedelta(hours=1)
    assert _messages(workshop, "fr")["end_at"] == [
        "L’atelier pratique doit se terminer après son début."
    ]
    workshop.end_at = workshop.start_at + timedelta(hours=3)

    workshop.registration_closes_at = workshop.start_at + timedelta(days=1)
    assert _messages(workshop, "fr")["registration_closes_at"] == [
        "Les inscriptions doivent être closes avant le début de l’atelier pratique."
    ]

    workshop.registration_closes_at = workshop.start_at - timedelta(days=2)
    workshop.registration_opens_at = workshop.start_at - timedelta(days=1)
    assert _messages(workshop, "fr")["registration_opens_at"] == [
        "Les inscriptions doivent ouvrir avant leur clôture."
    ]
    workshop.registration_opens_at = workshop.registration_closes_at = None

    workshop.participant_capacity = -1
    assert _messages(workshop, "fr")["participant_capacity"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 0."
    ]
    workshop.participant_capacity = None

    workshop.town = ""
    assert _messages(workshop, "fr")["town"] == [
        "Indiquez la localité où se tient l’atelier pratique."
    ]


def test_validation_messages_in_german_and_italian(workshop):
    workshop.end_at = workshop.start_at
    german = _messages(workshop, "de")["end_at"][0]
    italian = _messages(workshop, "it")["end_at"][0]
    english = _messages(workshop, "en")["end_at"][0]
    assert len({german, italian, english}) == 3  # translation-dependent
    assert (
        italian == "Il laboratorio pratico deve terminare dopo il suo inizio."
    )  # translation-dependent


def test_admin_shows_validation_errors_in_the_editors_language(
    admin_client, admin_user, index
):
    # translation-dependent
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "fr"
    profile.save()
    url = reverse(
        "wagtailadmin_pages:add", args=("wagtail_atelier", "workshoppage", index.pk)
    )
    response = admin_client.post(
        url,
        {
            "title": "Kaputt",
            "slug": "kaputt",
            "start_at": "2030-10-30 14:00",
            "end_at": "2030-10-30 13:00",
            "format": "on_site",
            "town": "",
            "workshop_language": "de",
            "body-count": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "Publish",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "L’atelier pratique doit se terminer après son début." in content
    assert "Indiquez la localité où se tient l’atelier pratique." in content
    assert not WorkshopPage.objects.exists()


# -- interface strings ------------------------------------------------------------


def test_workshop_page_interface_in_three_languages(client, suhr):
    # translation-dependent
    expected = {
        "de": "Praxiswerkstatt",
        "fr": "Atelier pratique",
        "it": "Laboratorio pratico",
    }
    for language, kicker in expected.items():
        content = get(client, suhr[language].url)
        assert f'<p class="atelier-kicker">{kicker}</p>' in content


def test_index_filters_in_french(client, indexes):
    content = get(client, indexes["fr"].url)
    # translation-dependent
    assert '<option value="online">En ligne</option>' in content
    assert "Tous les formats" in content
    assert "Aucun atelier pratique n’est prévu pour le moment." in content


def test_teaser_in_french(client, teaser_pages):
    content = get(client, teaser_pages["fr"].url)
    # translation-dependent
    assert "Prochain atelier pratique</h2>" in content
    assert "Vous souhaitez organiser un atelier pratique dans votre région" in content


def test_teaser_fallback_note_in_french(client, indexes, teaser_pages):
    WorkshopPageFactory(
        parent=indexes["de"], title="Suhr", start_at=zurich(2099, 1, 5, 14)
    )
    content = get(client, teaser_pages["fr"].url)
    # translation-dependent
    assert "Cet atelier pratique n’est pas encore annoncé dans votre langue." in content
    assert "(en allemand)" in content
