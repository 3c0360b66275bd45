"""The "next workshop" teaser: the StreamField block and the template tag."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import (
    RegistrationFactory,
    TeaserPageFactory,
    WorkshopPageFactory,
    both_page_classes,
    translate,
)

pytestmark = [pytest.mark.django_db, both_page_classes]


def days(n: int):
    return timezone.now() + timedelta(days=n)


def teasers(client, page) -> tuple[str, str]:
    """(block, tag) HTML of a TeaserPage."""
    response = client.get(page.url)
    assert response.status_code == 200
    content = response.content.decode()
    block, tag = content.split('<div id="tag">')
    return block, tag


def shown(html: str) -> list[tuple[str, str]]:
    """(href, title) of the workshop links in a teaser."""
    return re.findall(
        r'class="atelier-teaser__title"[^>]*><a href="([^"]*)">([^<]*)</a>', html
    )


@pytest.fixture
def workshop(indexes):
    """A German workshop translated into French only."""
    german = WorkshopPageFactory(
        parent=indexes["de"], title="Praxiswerkstatt Suhr", start_at=days(20)
    )
    translate(german, "fr", title="Atelier pratique à Suhr")
    return german


def test_next_workshop_in_the_visitors_language(client, workshop, teaser_pages):
    french = workshop.get_translation(teaser_pages["fr"].locale)
    for html in teasers(client, teaser_pages["fr"]):
        assert shown(html) == [(french.url, "Atelier pratique à Suhr")]
        assert "atelier-teaser__note" not in html
        assert 'atelier-teaser__title" lang=' not in html


def test_german_visitor_sees_the_german_version(client, workshop, teaser_pages):
    for html in teasers(client, teaser_pages["de"]):
        assert shown(html) == [(workshop.url, "Praxiswerkstatt Suhr")]
        assert "atelier-language-note" not in html


def test_fallback_to_german_marked_with_its_language(client, workshop, teaser_pages):
    # No Italian translation: the German version, marked as German.
    for html in teasers(client, teaser_pages["it"]):
        assert shown(html) == [(workshop.url, "Praxiswerkstatt Suhr")]
        assert re.search(
            r'<h3 class="atelier-teaser__title" lang="de"><a href="/de/', html
        )
        assert "atelier-teaser__note" in html
        # Held in German, announced to an Italian visitor.
        assert "atelier-language-note" in html


def test_draft_translation_is_not_used(client, indexes, teaser_pages):
    german = WorkshopPageFactory(parent=indexes["de"], title="Suhr", start_at=days(20))
    translate(german, "it", title="Bozza", publish=False)
    for html in teasers(client, teaser_pages["it"]):
        assert shown(html) == [(german.url, "Suhr")]
        assert "Bozza" not in html


def test_fallback_when_the_workshop_exists_only_in_french(
    client, indexes, teaser_pages
):
    french_only = WorkshopPageFactory(
        parent=indexes["fr"],
        title="Atelier Lausanne",
        start_at=days(3),
        workshop_language="fr",
        town="Lausanne",
        canton="VD",
    )
    for html in teasers(client, teaser_pages["de"]):
        assert shown(html) == [(french_only.url, "Atelier Lausanne")]
        assert '<h3 class="atelier-teaser__title" lang="fr">' in html


def test_the_soonest_workshop_is_shown(client, indexes, teaser_pages):
    WorkshopPageFactory(parent=indexes["de"], title="Later", start_at=days(40))
    WorkshopPageFactory(parent=indexes["de"], title="Sooner", start_at=days(4))
    WorkshopPageFactory(parent=indexes["de"], title="Past", start_at=days(-30))
    for html in teasers(client, teaser_pages["de"]):
        assert [title for _url, title in shown(html)] == ["Sooner"]


def test_past_unpublished_and_private_workshops_are_never_shown(
    client, indexes, teaser_pages
):
    WorkshopPageFactory(parent=indexes["de"], title="Past", past=True)
    WorkshopPageFactory(
        parent=indexes["de"], title="Draft", start_at=days(2)
    ).unpublish()
    private = WorkshopPageFactory(
        parent=indexes["de"], title="Private", start_at=days(3)
    )
    private.view_restrictions.create(restriction_type="password", password="x")
    for html in teasers(client, teaser_pages["de"]):
        assert shown(html) == []
        for title in ("Past", "Draft", "Private"):
            assert f">{title}<" not in html


def test_invitation_when_nothing_is_scheduled(client, teaser_pages):
    block, tag = teasers(client, teaser_pages["fr"])
    with translation.override("fr"):
        invitation = gettext(
            "Would you like to organise a practice workshop in your region? "
            "We look forward to hearing from you."
        )
        propose = gettext("Propose a workshop")
    for html in (block, tag):
        assert shown(html) == []
        assert invitation.replace("'", "&#x27;") in html
    # No page or URL to propose a workshop given: no link.
    assert propose not in block and propose not in tag


def test_block_links_to_the_host_request_page_in_the_visitors_language(
    client, translated_roots
):
    hosting = TeaserPageFactory(
        parent=translated_roots["de"], title="Gastgeber", slug="gastgeber"
    )
    hosting_fr = translate(hosting, "fr", title="Accueillir", slug="accueillir")
    german = TeaserPageFactory(
        parent=translated_roots["de"],
        slug="start",
        body=[
            ("next_workshop", {"heading": "Nächste Werkstatt", "propose_page": hosting})
        ],
    )
    french = translate(german, "fr")
    block, _tag = teasers(client, french)
    with translation.override("fr"):
        propose = gettext("Propose a workshop")
    assert f'<a href="{hosting_fr.url}">{propose}</a>' in block
    assert hosting_fr.url == "/fr/accueillir/"
    # The block's heading is the editor's.
    assert "Nächste Werkstatt</h2>" in block
    block_de, _tag = teasers(client, german)
    assert 'href="/de/gastgeber/"' in block_de


def test_tag_links_to_the_given_url(rf, translated_roots):
    template = Template(
        "{% load wagtail_atelier_tags %}"
        '{% next_workshop_teaser heading="Bientôt" propose_url="/fr/accueillir/" %}'
    )
    with translation.override("fr"):
        html = template.render(Context({"request": rf.get("/fr/")}))
        propose = gettext("Propose a workshop")
    assert f'<a href="/fr/accueillir/">{propose}</a>' in html
    assert "Bientôt</h2>" in html


def test_tag_without_a_page_uses_the_active_language(rf, workshop):
    template = Template("{% load wagtail_atelier_tags %}{% next_workshop_teaser %}")
    with translation.override("fr"):
        html = template.render(Context({"request": rf.get("/fr/")}))
    assert "Atelier pratique à Suhr" in html
    with translation.override("it"):
        html = template.render(Context({"request": rf.get("/it/")}))
    assert (
        '<h3 class="atelier-teaser__title" lang="de">' in html
        and "Praxiswerkstatt Suhr" in html
    )


# -- the visitor's language first, within the window ----------------------------------


def test_a_workshop_held_in_the_visitors_language_soon_after_comes_first(
    client, indexes, teaser_pages
):
    # The earliest is held in French; a German one follows four weeks later.
    WorkshopPageFactory(
        parent=indexes["fr"],
        title="Atelier Lausanne",
        start_at=days(10),
        workshop_language="fr",
    )
    WorkshopPageFactory(
        parent=indexes["de"], title="Werkstatt Olten", start_at=days(38)
    )
    for html in teasers(client, teaser_pages["de"]):
        assert [title for _url, title in shown(html)] == ["Werkstatt Olten"]
    # A French visitor still gets the earliest, held in French.
    for html in teasers(client, teaser_pages["fr"]):
        assert [title for _url, title in shown(html)] == ["Atelier Lausanne"]


def test_outside_the_window_the_earliest_is_shown(client, indexes, teaser_pages):
    WorkshopPageFactory(
        parent=indexes["fr"],
        title="Atelier Lausanne",
        start_at=days(10),
        workshop_language="fr",
    )
    # Eight weeks and a day after the earliest: too far.
    WorkshopPageFactory(
        parent=indexes["de"], title="Werkstatt Olten", start_at=days(67)
    )
    for html in teasers(client, teaser_pages["de"]):
        assert [title for _url, title in shown(html)] == ["Atelier Lausanne"]


def test_the_window_is_a_setting(client, indexes, teaser_pages, settings):
    WorkshopPageFactory(
        parent=indexes["fr"],
        title="Atelier Lausanne",
        start_at=days(10),
        workshop_language="fr",
    )
    WorkshopPageFactory(
        parent=indexes["de"], title="Werkstatt Olten", start_at=days(38)
    )
    settings.WAGTAIL_ATELIER_TEASER_LANGUAGE_WINDOW = None
    for html in teasers(client, teaser_pages["de"]):
        assert [title for _url, title in shown(html)] == ["Atelier Lausanne"]
    settings.WAGTAIL_ATELIER_TEASER_LANGUAGE_WINDOW = timedelta(weeks=20)
    WorkshopPageFactory(
        parent=indexes["de"], title="Werkstatt Aarau", start_at=days(90)
    )
    for html in teasers(client, teaser_pages["de"]):
        # The soonest of those held in German.
        assert [title for _url, title in shown(html)] == ["Werkstatt Olten"]


def test_held_in_german_but_translated_shows_the_visitors_page(
    client, indexes, teaser_pages
):
    """An Italian visitor, no workshop held in Italian: the earliest, on its Italian
    page, saying it is held in French."""
    lausanne = WorkshopPageFactory(
        parent=indexes["fr"],
        title="Atelier Lausanne",
        start_at=days(10),
        workshop_language="fr",
    )
    italian = translate(lausanne, "it", title="Laboratorio Losanna")
    WorkshopPageFactory(
        parent=indexes["de"], title="Werkstatt Olten", start_at=days(38)
    )
    for html in teasers(client, teaser_pages["it"]):
        assert shown(html) == [(italian.url, "Laboratorio Losanna")]
        assert "atelier-language-note" in html


# -- what the teaser says: when, where, language, places, register ---------------------


def test_teaser_says_when_where_and_links_the_form(client, workshop, teaser_pages):
    for html in teasers(client, teaser_pages["de"]):
        assert workshop.start_local.strftime("%H:%M") in html
        assert "Suhr" in html
        with translation.override("de"):
            assert gettext("Register") in html
            assert gettext("Registration open") in html
        assert f'href="{workshop.url}#registration"' in html


def test_teaser_of_a_full_workshop_offers_the_waiting_list(
    client, indexes, teaser_pages
):
    full = WorkshopPageFactory(
        parent=indexes["de"],
        title="Voll",
        start_at=days(5),
        case_presenter_capacity=1,
        participant_capacity=1,
    )
    RegistrationFactory(workshop=full, role="case_presenter")
    RegistrationFactory(workshop=full, role="participant")
    for html in teasers(client, teaser_pages["de"]):
        with translation.override("de"):
            assert gettext("Fully booked: waiting list open") in html
            assert gettext("Join the waiting list") in html
            assert gettext("Registration open") not in html
        assert html.count("atelier-availability__role--waiting_list") == 2


def test_teaser_costs_the_same_whatever_the_number_of_workshops(rf, indexes):
    template = Template("{% load wagtail_atelier_tags %}{% next_workshop_teaser %}")

    def count() -> int:
        with translation.override("de"):
            template.render(Context({"request": rf.get("/de/")}))  # warm the caches
            with CaptureQueriesContext(connection) as context:
                html = template.render(Context({"request": rf.get("/de/")}))
        assert "atelier-availability" in html
        return len(context.captured_queries)

    WorkshopPageFactory(parent=indexes["fr"], start_at=days(10), workshop_language="fr")
    one = count()
    for n in range(6):
        WorkshopPageFactory(
            parent=indexes["fr"], start_at=days(11 + n), workshop_language="fr"
        )
    assert count() == one
