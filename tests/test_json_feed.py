"""The index's JSON feed (``<index>/json/``): its schema, its caching, its cost, and
that it never says anything about people."""

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from tests.factories import (
    MEETING_MARKER,
    RegistrationFactory,
    WorkshopPageFactory,
    bulk_create_workshops,
    translate,
)
from wagtail_atelier.json_feed import FeedError, load_schema, validate_feed

pytestmark = pytest.mark.django_db


def feed_url(index) -> str:
    return index.url + "json/"


def get_feed(client, index, **headers):
    response = client.get(feed_url(index), **headers)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json(), response


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_feed_validates_against_the_schema(client, indexes):
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Suhr",
        case_presenter_capacity=1,
        participant_capacity=5,
        show_places_left=True,
    )
    translate(german, "fr", title="Atelier pratique à Suhr")
    WorkshopPageFactory(parent=indexes["de"], online=True)
    WorkshopPageFactory(parent=indexes["de"], hybrid=True, is_free=False)
    RegistrationFactory(workshop=german, role="case_presenter")
    data, _response = get_feed(client, indexes["de"])
    jsonschema.validate(
        data,
        load_schema(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validate_feed(data)  # the consumer's own check agrees
    assert data["language"] == "de"
    assert len(data["workshops"]) == 3
    first = data["workshops"][0]
    assert first["id"] == str(german.translation_key)
    assert set(first["translations"]) == {"de", "fr"}
    french = first["translations"]["fr"]
    assert french["title"] == "Atelier pratique à Suhr"
    assert french["url"].startswith("http://")
    assert french["register_url"] == french["url"] + "#registration"
    assert first["start"].endswith(("+01:00", "+02:00"))
    assert first["registration"]["roles"] == {
        "case_presenter": {"state": "waiting_list", "places_left": 0},
        "participant": {"state": "open", "places_left": 5},
    }
    assert first["place"]["town"] == "Suhr"
    online = data["workshops"][1]
    assert online["place"] is None and online["online"] is True


def test_past_and_unpublished_workshops_are_left_out(client, index):
    WorkshopPageFactory(parent=index, past=True)
    draft = WorkshopPageFactory(parent=index)
    draft.unpublish()
    upcoming = WorkshopPageFactory(parent=index)
    data, _response = get_feed(client, index)
    assert [w["id"] for w in data["workshops"]] == [str(upcoming.translation_key)]


def test_no_personal_data_ever(client, index):
    workshop = WorkshopPageFactory(parent=index, hybrid=True)
    RegistrationFactory(
        workshop=workshop, first_name="Zora", last_name="Geheim", email="zora@x.org"
    )
    content = client.get(feed_url(index)).content.decode()
    for secret in (
        "anna@example.org",
        "Anna Muster",
        MEETING_MARKER,
        "zora@x.org",
        "Geheim",
    ):
        assert secret not in content


def test_etag_and_304_on_repeat(client, index):
    workshop = WorkshopPageFactory(
        parent=index, participant_capacity=3, show_places_left=True
    )
    _data, first = get_feed(client, index)
    etag = first["ETag"]
    assert etag
    assert "public" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get(feed_url(index), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # A seat taken changes what the feed says, so its ETag.
    RegistrationFactory(workshop=workshop)
    changed = client.get(feed_url(index), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("count", [10, 100])
def test_query_count_does_not_grow_with_workshops(
    client, indexes, count, django_assert_max_num_queries
):
    start = timezone.now() + timedelta(days=5)
    workshops = bulk_create_workshops(
        indexes["de"],
        [{"start_at": start + timedelta(days=i)} for i in range(count)],
    )
    translate(workshops[0], "fr", revision=False)
    client.get(feed_url(indexes["de"]))  # warm Wagtail's caches
    with django_assert_max_num_queries(10):
        response = client.get(feed_url(indexes["de"]))
    assert len(response.json()["workshops"]) == count


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"format_version": 2},
        "not a feed",
    ],
)
def test_validate_feed_rejects_what_is_not_a_feed(bad):
    with pytest.raises(FeedError):
        validate_feed(bad)


def test_a_cancelled_workshop_stays_in_the_feed_as_cancelled(client, index):
    """Cancelling (issue 13's change notices) keeps the page published: the feed
    says "cancelled", and stays valid for the sites that read it."""
    from wagtail_atelier.services.change_notices import cancel_workshop

    workshop = WorkshopPageFactory(parent=index)
    cancel_workshop(workshop, reason="Raum nicht verfügbar")
    data, _response = get_feed(client, index)
    jsonschema.validate(data, load_schema())
    validate_feed(data)
    [item] = data["workshops"]
    assert item["registration"]["state"] == "cancelled"
    assert all(
        role["state"] == "closed" for role in item["registration"]["roles"].values()
    )
