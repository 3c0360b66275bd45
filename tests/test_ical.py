"""The .ics files (RFC 5545), parsed with the icalendar library."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from tests.factories import WorkshopPageFactory, translate, zurich

pytestmark = pytest.mark.django_db


def get_calendar(client, url, **extra) -> tuple[Calendar, object]:
    response = client.get(url, **extra)
    assert response.status_code == 200
    return Calendar.from_ical(response.content), response


def only_event(calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def workshop(index):
    return WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        slug="suhr-2030",
        start_at=zurich(2030, 10, 30, 14),
        end_at=zurich(2030, 10, 30, 17),
    )


def test_workshop_ics_is_a_calendar_file(client, workshop):
    calendar, response = get_calendar(client, workshop.url + "ical/")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="suhr-2030.ics"' in response["Content-Disposition"]
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    # RFC 5545 lines are CRLF-terminated and folded at 75 octets.
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


def test_event_fields(client, workshop):
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    assert str(event["SUMMARY"]) == "Praxiswerkstatt Suhr"
    assert event.get("DTSTAMP") is not None
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert str(event["LOCATION"]) == "Gemeindesaal, Tramstrasse 10, 5034 Suhr"
    assert str(event["URL"]).endswith(workshop.url)
    assert "Caring Communities" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:anna@example.org"


@pytest.mark.parametrize(
    ("start", "end", "utc_start", "utc_end"),
    [
        # Winter time: UTC+1.
        (zurich(2030, 10, 30, 14), zurich(2030, 10, 30, 17), (13, 0), (16, 0)),
        # Summer time: UTC+2.
        (zurich(2030, 6, 12, 9, 30), zurich(2030, 6, 12, 12, 30), (7, 30), (10, 30)),
    ],
)
def test_times_are_utc_and_match_zurich_time(
    client, index, start, end, utc_start, utc_end
):
    workshop = WorkshopPageFactory(parent=index, start_at=start, end_at=end)
    calendar, response = get_calendar(client, workshop.url + "ical/")
    event = only_event(calendar)
    dtstart, dtend = event["DTSTART"].dt, event["DTEND"].dt
    assert dtstart.utcoffset().total_seconds() == 0
    assert (dtstart.hour, dtstart.minute) == utc_start
    assert (dtend.hour, dtend.minute) == utc_end
    assert dtstart == start and dtend == end
    assert (
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%S}Z".encode() in response.content
    )


def test_uid_is_stable_across_translations_and_not_the_url(client, indexes):
    workshop = WorkshopPageFactory(
        parent=indexes["de"], start_at=zurich(2030, 10, 30, 14)
    )
    french = translate(workshop, "fr", title="Atelier pratique à Suhr", slug="suhr-fr")
    german_event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    french_event = only_event(get_calendar(client, french.url + "ical/")[0])
    uid = str(german_event["UID"])
    assert uid == str(french_event["UID"])
    assert str(french_event["SUMMARY"]) == "Atelier pratique à Suhr"
    assert "http" not in uid and "/" not in uid
    assert workshop.slug not in uid and "suhr-fr" not in uid
    assert "@" in uid


def test_uid_does_not_change_with_the_slug_or_the_host_name(client, workshop):
    before = str(only_event(get_calendar(client, workshop.url + "ical/")[0])["UID"])
    workshop.slug = "renamed"
    workshop.save_revision().publish()
    workshop.refresh_from_db()
    after = only_event(
        get_calendar(client, workshop.url + "ical/", HTTP_HOST="www.example.org")[0]
    )
    assert str(after["UID"]) == before


def test_uid_domain_setting(client, workshop, settings):
    settings.WAGTAIL_ATELIER_ICAL_UID_DOMAIN = "caring-communities.ch"
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    assert str(event["UID"]).endswith("@caring-communities.ch")


def test_uids_differ_between_workshops(client, index):
    first = WorkshopPageFactory(parent=index)
    second = WorkshopPageFactory(parent=index)
    uid = [
        str(only_event(get_calendar(client, page.url + "ical/")[0])["UID"])
        for page in (first, second)
    ]
    assert uid[0] != uid[1]


def test_online_workshop_location_is_the_page_url(client, index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    location = str(event["LOCATION"])
    assert location.startswith("http") and location.endswith(workshop.url)
    assert location == str(event["URL"])


def test_hybrid_workshop_location_is_the_address(client, index):
    workshop = WorkshopPageFactory(parent=index, hybrid=True)
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    assert str(event["LOCATION"]) == "Gemeindesaal, Tramstrasse 10, 5034 Suhr"


def test_text_is_escaped(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        title="Sorge; Nachbarschaft, Netz\\werk",
        venue_name="Saal; 1. Stock",
    )
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    assert str(event["SUMMARY"]) == "Sorge; Nachbarschaft, Netz\\werk"
    assert str(event["LOCATION"]).startswith("Saal; 1. Stock, ")


def test_index_feed(client, index):
    upcoming = WorkshopPageFactory(
        parent=index, title="Upcoming", start_at=zurich(2099, 3, 4, 9)
    )
    WorkshopPageFactory(parent=index, title="Past", start_at=zurich(2020, 3, 4, 9))
    calendar, response = get_calendar(client, index.url + "ical/")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Zurich"
    event = only_event(calendar)
    assert str(event["SUMMARY"]) == "Upcoming"
    assert event["DTSTART"].dt == zurich(2099, 3, 4, 9)
    assert event["DTSTART"].dt.utcoffset().total_seconds() == 0
    assert event.get("DTSTAMP") is not None
    # The same event, with the same UID, as in the workshop's own file.
    own = only_event(get_calendar(client, upcoming.url + "ical/")[0])
    assert str(event["UID"]) == str(own["UID"])


def test_index_feed_of_an_empty_index_is_a_valid_calendar(client, index):
    calendar, _response = get_calendar(client, index.url + "ical/")
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_dtstamp_is_utc(client, workshop):
    event = only_event(get_calendar(client, workshop.url + "ical/")[0])
    stamp = event["DTSTAMP"].dt
    assert isinstance(stamp, datetime)
    assert stamp.utcoffset().total_seconds() == 0
