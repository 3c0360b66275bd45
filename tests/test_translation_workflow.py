"""The translation workflow with wagtail-localize (``wagtail_atelier/localize.py``):
translations stay drafts until an editor publishes them, the package's own texts
arrive translated, the testimonials block in the page's language."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from wagtail_atelier.blocks import TestimonialBlock as QuoteBlock
from wagtail_atelier.blocks import default_programme
from wagtail_atelier.localize import PRE_TRANSLATION_TOOL, editor_publishes

from .factories import TestimonialFactory as QuoteFactory
from .factories import WorkshopPageFactory, route, translate_snippet

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_workshop(indexes):
    """A live German workshop with the standard programme, under the index that has
    live French and Italian versions."""
    return WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Suhr",
        slug="suhr",
        intro="Menschen aus Caring Communities beraten sich kollegial.",
        body=default_programme("de"),
    )


@pytest.fixture
def translate_this_page(admin_client, django_capture_on_commit_callbacks):
    """The admin's "Translate this page", then what wagtail-localize queued for
    after the commit (the publication)."""

    def translate_this_page(page, *language_codes):
        locale_ids = [
            Locale.objects.get(language_code=code).pk for code in language_codes
        ]
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
                {"locales": locale_ids},
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        return {
            code: page.get_translation(Locale.objects.get(language_code=code))
            for code in language_codes
        }

    return translate_this_page


def translate_segment(page, language_code: str, path: str, text: str) -> None:
    """What the translator types in the translation editor for one segment."""
    source = TranslationSource.objects.get_for_instance(page)
    segment = StringSegment.objects.select_related("string", "context").get(
        source=source, context__path=path
    )
    StringTranslation.objects.update_or_create(
        translation_of=segment.string,
        locale=Locale.objects.get(language_code=language_code),
        context=segment.context,
        defaults={"data": text, "translation_type": "manual"},
    )


def publish_in_translation_editor(admin_client, page, capture):
    """The translation editor's "Publish" button."""
    with capture(execute=True):
        response = admin_client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]), {"action": "publish"}
        )
    assert response.status_code == 302
    page.refresh_from_db()
    return page


# -- a translation is a draft until an editor publishes it ----------------------------


def test_translating_a_live_workshop_leaves_the_french_page_a_draft(
    client, german_workshop, indexes, teaser_pages, translate_this_page
):
    french = translate_this_page(german_workshop, "fr")["fr"]

    assert not french.live
    assert french.has_unpublished_changes
    # Nowhere on the French site: not the page, index, teaser or calendar feed.
    french_path = f"/fr/atelier-pratique/{french.slug}/"
    assert client.get(french_path).status_code == 404
    for url in (indexes["fr"].url, route(indexes["fr"], "ical")):
        content = client.get(url).content.decode()
        assert "Praxiswerkstatt Suhr" not in content, url
        assert "Menschen aus Caring Communities" not in content, url
    # The French teaser falls back to the live German workshop, never the draft.
    teaser = client.get(teaser_pages["fr"].url).content.decode()
    assert french_path not in teaser
    assert german_workshop.url in teaser
    # The German workshop itself is untouched.
    german_workshop.refresh_from_db()
    assert german_workshop.live


def test_index_translation_stays_a_draft_too(root_page, index, translate_this_page):
    # The French site root exists, the French index does not yet.
    from .factories import translate

    translate(root_page, "fr", revision=False)
    french_index = translate_this_page(index, "fr")["fr"]
    assert not french_index.live


def test_publishing_in_the_translation_editor_makes_it_live(
    admin_client,
    client,
    german_workshop,
    indexes,
    teaser_pages,
    translate_this_page,
    django_capture_on_commit_callbacks,
):
    french = translate_this_page(german_workshop, "fr")["fr"]
    translate_segment(german_workshop, "fr", "title", "Atelier pratique Suhr")

    french = publish_in_translation_editor(
        admin_client, french, django_capture_on_commit_callbacks
    )

    assert french.live
    assert french.title == "Atelier pratique Suhr"
    assert client.get(french.url).status_code == 200
    for url in (
        indexes["fr"].url,
        teaser_pages["fr"].url,
        route(indexes["fr"], "ical"),
    ):
        assert "Atelier pratique Suhr" in client.get(url).content.decode(), url


def test_sync_with_publish_keeps_an_unpublished_translation_a_draft(
    admin_client,
    german_workshop,
    translate_this_page,
    django_capture_on_commit_callbacks,
):
    french = translate_this_page(german_workshop, "fr")["fr"]
    source = TranslationSource.objects.get_for_instance(german_workshop)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]),
            {"publish_translations": "on"},
        )

    assert response.status_code == 302
    french.refresh_from_db()
    assert not french.live


def test_sync_updates_a_live_translation(
    admin_client,
    german_workshop,
    translate_this_page,
    django_capture_on_commit_callbacks,
):
    french = translate_this_page(german_workshop, "fr")["fr"]
    french = publish_in_translation_editor(
        admin_client, french, django_capture_on_commit_callbacks
    )
    german_workshop.participant_capacity = 12
    german_workshop.save_revision().publish()
    source = TranslationSource.objects.get_for_instance(german_workshop)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]),
            {"publish_translations": "on"},
        )

    french.refresh_from_db()
    assert french.live
    assert french.participant_capacity == 12


def test_a_fully_translated_translation_is_published_on_creation(
    german_workshop, translate_this_page
):
    """The documented decision: with every text already translated nothing German
    would show, so wagtail-localize's publication goes ahead."""
    source, _created = TranslationSource.get_or_create_from_instance(german_workshop)
    for path, text in {
        "title": "Atelier pratique Suhr",
        "slug": "atelier-pratique-suhr",
        "intro": "Des personnes de communautés de soutien se conseillent.",
    }.items():
        translate_segment(german_workshop, "fr", path, text)

    french = translate_this_page(german_workshop, "fr")["fr"]

    assert french.live
    assert french.title == "Atelier pratique Suhr"
    assert french.slug == "atelier-pratique-suhr"


def test_code_can_publish_on_an_editors_behalf(
    german_workshop, translate_this_page, django_capture_on_commit_callbacks
):
    french = translate_this_page(german_workshop, "fr")["fr"]
    translation = Translation.objects.get(
        source__object_id=german_workshop.translation_key,
        target_locale=french.locale,
    )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    french.refresh_from_db()
    assert not french.live

    with editor_publishes(french), django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    french.refresh_from_db()
    assert french.live


def test_ordinary_publishing_of_a_page_is_not_held_back(indexes):
    # A German page published in the page editor: no wagtail-localize revision.
    draft = WorkshopPageFactory(parent=indexes["de"], title="Entwurf", live=False)
    draft.save_revision().publish()
    draft.refresh_from_db()
    assert draft.live


# -- pre-translation: the package's own texts -------------------------------------


PROGRAMME = {
    "fr": ("Programme", "Situations en plénière", "Trois tours de table"),
    "it": ("Programma", "Casi in plenaria", "Tre giri di conversazione ai tavoli"),
}


@pytest.mark.parametrize("language", ["fr", "it"])
def test_standard_programme_arrives_translated(
    german_workshop, translate_this_page, language
):
    translated = translate_this_page(german_workshop, language)[language]

    programme = translated.body[0].value
    heading, first, second = PROGRAMME[language]  # translation-dependent
    assert programme["heading"] == heading
    assert [step["title"] for step in programme["steps"]][:2] == [first, second]
    assert (
        programme["steps"][0]["text"]
        != default_programme("de")[0][1]["steps"][0]["text"]
    )
    assert (
        programme["steps"][0]["text"]
        == (default_programme(language)[0][1]["steps"][0]["text"])
    )
    # Marked as the package's, so the translator sees where it came from.
    assert StringTranslation.objects.filter(
        locale__language_code=language, tool_name=PRE_TRANSLATION_TOOL
    ).count() == (1 + 2 * 4)
    # The editor's own texts are left to the translator.
    assert translated.intro == german_workshop.intro


def test_pre_translation_keeps_the_translators_text(
    german_workshop, translate_this_page
):
    source, _created = TranslationSource.get_or_create_from_instance(german_workshop)
    heading = StringSegment.objects.get(
        source=source, context__path__endswith=".heading"
    )
    StringTranslation.objects.create(
        translation_of=heading.string,
        locale=Locale.objects.get(language_code="fr"),
        context=heading.context,
        data="Déroulement",
        translation_type="manual",
    )

    french = translate_this_page(german_workshop, "fr")["fr"]

    assert french.body[0].value["heading"] == "Déroulement"


def test_programme_added_before_a_sync_arrives_translated(
    admin_client, indexes, translate_this_page, django_capture_on_commit_callbacks
):
    german = WorkshopPageFactory(parent=indexes["de"], title="Praxiswerkstatt Olten")
    french = translate_this_page(german, "fr")["fr"]
    german.body = default_programme("de")
    german.save_revision().publish()
    source = TranslationSource.objects.get_for_instance(german)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]),
            {"publish_translations": "on"},
        )

    french.refresh_from_db()
    latest = french.get_latest_revision_as_object()
    assert latest.body[0].value["heading"] == "Programme"  # translation-dependent
    assert latest.body[0].value["steps"][0]["title"] == "Situations en plénière"


# -- the testimonials block -----------------------------------------------------------


def test_testimonials_block_valid_with_only_a_number_at_random():
    block = QuoteBlock()
    # The admin form's one empty chooser comes back as None.
    value = block.to_python(
        {"heading": "", "testimonials": [None], "random_count": 3, "random_role": ""}
    )
    cleaned = block.clean(value)
    assert list(cleaned["testimonials"]) == []
    assert cleaned["random_count"] == 3


def test_testimonials_block_with_an_empty_chooser_and_no_number_is_invalid():
    block = QuoteBlock()
    value = block.to_python(
        {"heading": "", "testimonials": [None], "random_count": None}
    )
    with pytest.raises(ValidationError):
        block.clean(value)


@pytest.fixture
def french_quote(locales):
    german = QuoteFactory(quote="Wir kommen aus unserer Blase heraus.")
    return translate_snippet(german, "fr", quote="Nous sortons de notre bulle.")


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("", id="empty"),
        pytest.param("Stimmen", id="german-default"),  # translation-dependent
    ],
)
def test_testimonials_heading_in_the_page_language(
    admin_client,
    client,
    indexes,
    french_quote,
    translate_this_page,
    django_capture_on_commit_callbacks,
    heading,
):
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Olten",
        body=[
            (
                "testimonials",
                {"heading": heading, "random_count": 1, "random_role": ""},
            )
        ],
    )
    assert "<h2" in client.get(german.url).content.decode()
    assert "Stimmen</h2>" in client.get(german.url).content.decode()
    french = translate_this_page(german, "fr")["fr"]
    french = publish_in_translation_editor(
        admin_client, french, django_capture_on_commit_callbacks
    )

    content = client.get(french.url).content.decode()
    assert "Témoignages</h2>" in content  # translation-dependent
    assert "Stimmen</h2>" not in content
    assert "Nous sortons de notre bulle." in content


def test_testimonials_heading_of_the_editor_is_translated_after_sync(
    admin_client,
    client,
    indexes,
    french_quote,
    translate_this_page,
    django_capture_on_commit_callbacks,
):
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Olten",
        body=[
            (
                "testimonials",
                {"heading": "Das sagen Teilnehmende", "random_count": 1},
            )
        ],
    )
    french = translate_this_page(german, "fr")["fr"]
    source = TranslationSource.objects.get_for_instance(german)
    segment = StringSegment.objects.get(
        source=source, context__path__endswith=".heading"
    )
    translate_segment(german, "fr", segment.context.path, "Ce qu’en disent les gens")
    french = publish_in_translation_editor(
        admin_client, french, django_capture_on_commit_callbacks
    )

    content = client.get(french.url).content.decode()
    assert "Ce qu’en disent les gens</h2>" in content
    assert "Das sagen Teilnehmende" not in content
