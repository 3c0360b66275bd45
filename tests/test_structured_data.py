"""schema.org Event JSON-LD, parsed from the rendered workshop page."""

import json
import re

import pytest
from wagtail_factories import ImageFactory

from tests.factories import WorkshopPageFactory, translate, zurich

pytestmark = pytest.mark.django_db

SCRIPT_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(client, page) -> dict:
    response = client.get(page.url)
    assert response.status_code == 200
    scripts = SCRIPT_RE.findall(response.content.decode())
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_on_site_workshop(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        start_at=zurich(2030, 10, 30, 14),
        end_at=zurich(2030, 10, 30, 17),
    )
    data = json_ld(client, workshop)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Praxiswerkstatt Suhr"
    assert data["startDate"] == "2030-10-30T14:00:00+01:00"
    assert data["endDate"] == "2030-10-30T17:00:00+01:00"
    assert (
        data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    )
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"] == {
        "@type": "Place",
        "name": "Gemeindesaal",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Tramstrasse 10",
            "postalCode": "5034",
            "addressLocality": "Suhr",
            "addressRegion": "AG",
            "addressCountry": "CH",
        },
    }
    assert data["inLanguage"] == "de"
    assert data["isAccessibleForFree"] is True
    assert data["organizer"]["@type"] == "Organization"
    assert data["organizer"]["name"]
    assert data["organizer"]["email"] == "anna@example.org"
    assert data["url"].endswith(workshop.url)
    assert data["description"] == workshop.intro


def test_offer_at_price_zero(client, index):
    data = json_ld(client, WorkshopPageFactory(parent=index))
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] in ("0", 0)
    assert offer["priceCurrency"] == "CHF"
    assert offer["url"] == data["url"]


def test_paid_workshop_is_not_free(client, index):
    data = json_ld(client, WorkshopPageFactory(parent=index, is_free=False))
    assert data["isAccessibleForFree"] is False
    assert "offers" not in data


def test_online_workshop_has_a_virtual_location(client, index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    data = json_ld(client, workshop)
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": data["url"]}
    assert data["url"].endswith(workshop.url)


def test_hybrid_workshop_has_both_locations(client, index):
    data = json_ld(client, WorkshopPageFactory(parent=index, hybrid=True))
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [location["@type"] for location in data["location"]] == [
        "Place",
        "VirtualLocation",
    ]
    assert data["location"][0]["address"]["addressLocality"] == "Suhr"


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_in_language_is_the_language_of_the_workshop(client, index, language):
    data = json_ld(
        client, WorkshopPageFactory(parent=index, workshop_language=language)
    )
    assert data["inLanguage"] == language


def test_organizer_name_and_url_settings(client, index, settings):
    settings.WAGTAIL_ATELIER_ORGANIZER_NAME = "Réseau Caring Communities"
    settings.WAGTAIL_ATELIER_ORGANIZER_URL = "https://caringcommunities.ch/"
    data = json_ld(client, WorkshopPageFactory(parent=index))
    assert data["organizer"]["name"] == "Réseau Caring Communities"
    assert data["organizer"]["url"] == "https://caringcommunities.ch/"


def test_listing_image_is_an_absolute_url(client, index, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    workshop = WorkshopPageFactory(parent=index, listing_image=ImageFactory())
    data = json_ld(client, workshop)
    assert data["image"].startswith("http://testserver/")


@pytest.mark.parametrize(
    "title",
    [
        "</script><script>alert(1)</script>",
        "<!-- <script>alert(1)</script>",
        'Tom & Jerry\'s "Workshop" </SCRIPT>',
    ],
)
def test_title_cannot_break_out_of_the_script_element(client, index, title):
    workshop = WorkshopPageFactory(parent=index, title=title, intro=title)
    content = client.get(workshop.url).content.decode()
    assert "<script>alert(1)" not in content
    # The JSON-LD is the one inline script; the form's scripts have a src and no
    # inline code, so the title cannot open a script element of its own.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", content, re.S | re.I)
    assert content.lower().count("<script") == len(scripts)
    inline = [body for attrs, body in scripts if "src=" not in attrs]
    assert len(inline) == 1
    assert all(not body.strip() for attrs, body in scripts if "src=" in attrs)
    assert content.count('registration-form.js" defer></script>') == 1
    data = json.loads(SCRIPT_RE.findall(content)[0])
    assert data["name"] == title
    assert data["description"] == title


def test_the_organiser_is_named_in_the_pages_language(client, indexes):
    """tests/settings.py gives a dict by language: fr and it pages name it in theirs."""
    workshop = WorkshopPageFactory(parent=indexes["de"])
    french = translate(workshop, "fr", title="Atelier pratique")
    italian = translate(workshop, "it", title="Laboratorio pratico")
    assert json_ld(client, workshop)["organizer"]["name"] == (
        "Netzwerk Caring Communities"
    )
    assert json_ld(client, french)["organizer"]["name"] == "Réseau Caring Communities"
    assert json_ld(client, italian)["organizer"]["name"] == "Rete Caring Communities"


def test_a_language_missing_from_the_dict_takes_the_default_language(
    client, indexes, settings
):
    settings.WAGTAIL_ATELIER_ORGANIZER_NAME = {"de": "Netzwerk", "fr": "Réseau"}
    workshop = WorkshopPageFactory(parent=indexes["de"])
    italian = translate(workshop, "it", title="Laboratorio pratico")
    assert json_ld(client, italian)["organizer"]["name"] == "Netzwerk"


def test_without_the_setting_the_organiser_is_the_site_name(client, index, settings):
    from wagtail.models import Site

    del settings.WAGTAIL_ATELIER_ORGANIZER_NAME
    Site.objects.filter(is_default_site=True).update(site_name="Caring Communities")
    workshop = WorkshopPageFactory(parent=index)
    assert json_ld(client, workshop)["organizer"]["name"] == "Caring Communities"
