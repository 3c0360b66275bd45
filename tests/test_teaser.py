"""The "next workshop" teaser: the StreamField block and the template tag."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import (
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
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>:', html)


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
        assert '<p lang="' not in html


def test_german_visitor_sees_the_german_version(client, workshop, teaser_pages):
    for html in teasers(client, teaser_pages["de"]):
        assert shown(html) == [(workshop.url, "Praxiswerkstatt Suhr")]
        assert "atelier-language-note" not in html


def test_fallback_to_german_marked_with_its_language(client, workshop, teaser_pages):
    # No Italian translation: the German version, marked as German.
    for html in teasers(client, teaser_pages["it"]):
        assert shown(html) == [(workshop.url, "Praxiswerkstatt Suhr")]
        assert re.search(r'<p lang="de">\s*<a href="/de/', html)
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
        assert '<p lang="fr">' in html


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
    assert '<p lang="de">' in html and "Praxiswerkstatt Suhr" in html
