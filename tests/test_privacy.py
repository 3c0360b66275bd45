"""The online meeting information never leaves the admin.

Every public output is fetched for an online and a hybrid workshop with translations in
the three languages, and searched for a marker that only the meeting information holds.
"""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.search import index as search_index

from tests.factories import MEETING_MARKER, WorkshopPageFactory, translate, zurich
from wagtail_atelier.models import WorkshopPage

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "fr", "it"]


@pytest.fixture(params=["online", "hybrid"])
def workshops(request, indexes):
    """One workshop in three languages; the meeting information is synchronised."""
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt online",
        start_at=zurich(2099, 3, 4, 14),
        **{request.param: True},
    )
    return {
        "de": german,
        "fr": translate(german, "fr", title="Atelier pratique en ligne"),
        "it": translate(german, "it", title="Laboratorio pratico online"),
    }


def assert_private(response):
    assert response.status_code == 200
    assert MEETING_MARKER not in response.content.decode()


def test_the_marker_is_stored_and_the_admin_shows_it(admin_client, workshops):
    # Control: the information exists, is shared by the translations, and the check
    # below would find it if it leaked.
    for page in workshops.values():
        page.refresh_from_db()
        assert MEETING_MARKER in page.online_meeting_details
    response = admin_client.get(
        reverse("wagtailadmin_pages:edit", args=(workshops["de"].pk,))
    )
    assert MEETING_MARKER in response.content.decode()


def test_not_on_the_workshop_pages(client, workshops):
    for language in LANGUAGES:
        response = client.get(workshops[language].url)
        assert_private(response)
        assert f'<html lang="{language}">' in response.content.decode()


def test_not_in_the_workshop_calendar_files(client, workshops):
    for language in LANGUAGES:
        assert_private(client.get(workshops[language].url + "ical/"))


def test_not_on_the_indexes_nor_in_their_feeds(client, workshops, indexes):
    for language in LANGUAGES:
        index = indexes[language]
        for query in ({}, {"format": workshops["de"].format}):
            response = client.get(index.url, query)
            assert_private(response)
            assert workshops[language].title in response.content.decode()
        assert_private(client.get(index.url + "ical/"))


def test_not_in_the_structured_data(rf, workshops):
    for page in workshops.values():
        data = page.structured_data(rf.get(page.url))
        assert data["name"] == page.title
        assert MEETING_MARKER not in json.dumps(data)


def test_not_in_the_teaser_block_nor_tag(client, workshops, teaser_pages):
    for language in LANGUAGES:
        response = client.get(teaser_pages[language].url)
        assert_private(response)
        # Both teasers show the workshop (so the check above looked at it): its
        # title and the register link's accessible name, which repeats it.
        teasers = BeautifulSoup(response.content.decode(), "html.parser").select(
            "section.atelier-teaser"
        )
        assert len(teasers) == 2
        assert all(workshops[language].title in teaser.get_text() for teaser in teasers)


def index_now(pages):
    # Wagtail 7.0 updates the index in a task after the commit, which a test
    # transaction never reaches; index explicitly so both versions are checked.
    for page in pages:
        search_index.insert_or_update_object(page)


def test_not_in_the_search_index(workshops):
    index_now(workshops.values())
    assert WorkshopPage.objects.live().search("Praxiswerkstatt").count() >= 1
    assert WorkshopPage.objects.search(MEETING_MARKER).count() == 0
    assert WorkshopPage.objects.search("zoom.example.org").count() == 0


def test_not_in_the_search_index_after_an_edit(workshops):
    page = workshops["de"]
    page.online_meeting_details = f"https://other.example.org/{MEETING_MARKER}-2"
    page.save_revision().publish()
    index_now([page])
    assert WorkshopPage.objects.search(f"{MEETING_MARKER}-2").count() == 0
