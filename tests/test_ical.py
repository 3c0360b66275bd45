"""The .ics files (RFC 5545), parsed with the icalendar library."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import parse_http_date
from freezegun import freeze_time
from icalendar import Calendar
from wagtail.models import PageViewRestriction

from tests.factories import (
    WorkshopPageFactory,
    bulk_create_workshops,
    translate,
    zurich,
)

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


# -- the feed stays small -------------------------------------------------------------
#
# The index feed holds the upcoming workshops and those that ended in the last
# WAGTAIL_ATELIER_FEED_PAST_DAYS days, at most WAGTAIL_ATELIER_FEED_MAX_EVENTS, so its
# size and its queries are the same whatever the size of the archive.

FEED_SIZES = [10, 100, 1000]
# Wagtail's routing to the index and its view-restriction checks (6 on a warm
# request), then one query for the workshops of the feed.
FEED_BUDGET = 7


def ended_days_ago(days: float, **extra) -> dict:
    end = timezone.now() - timedelta(days=days)
    return {"start_at": end - timedelta(hours=3), "end_at": end, **extra}


def starts_in_days(days: float, **extra) -> dict:
    return {"start_at": timezone.now() + timedelta(days=days), **extra}


def feed(client, url, **extra) -> tuple[bytes, int, object]:
    """The feed without its DTSTAMP lines (the time of the response), the number of
    queries of a warm request, and the response."""
    client.get(url, **extra)  # warm Wagtail's caches (site root paths)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200
    content = re.sub(rb"DTSTAMP:[^\r]*\r\n", b"", response.content)
    return content, len(context.captured_queries), response


def summaries(response) -> list[str]:
    calendar = Calendar.from_ical(response.content)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


@pytest.mark.parametrize("size", FEED_SIZES)
def test_index_feed_does_not_grow_with_the_archive(
    client, index, size, django_assert_max_num_queries
):
    bulk_create_workshops(
        index,
        [starts_in_days(days) for days in (1, 8, 60)]
        + [ended_days_ago(days) for days in (2, 30)],
    )
    url = index.url + "ical/"
    before, queries_before, response = feed(client, url)
    assert len(summaries(response)) == 5

    # Years of past workshops, all beyond the window.
    bulk_create_workshops(index, [ended_days_ago(91 + n) for n in range(size)])
    after, queries_after, response = feed(client, url)
    assert after == before
    assert queries_after == queries_before
    with django_assert_max_num_queries(FEED_BUDGET):
        client.get(url)


@pytest.mark.parametrize("size", FEED_SIZES)
def test_index_feed_is_capped_upcoming_first(
    client, index, settings, size, django_assert_max_num_queries
):
    settings.WAGTAIL_ATELIER_FEED_MAX_EVENTS = 10
    bulk_create_workshops(index, [starts_in_days(1 + n) for n in range(10)])
    url = index.url + "ical/"
    before, queries_before, response = feed(client, url)
    assert len(summaries(response)) == 10

    # More upcoming workshops, later than the first ten, and a recent past: the cap
    # keeps the soonest ten.
    bulk_create_workshops(
        index,
        [starts_in_days(20 + n / 10) for n in range(size)]
        + [ended_days_ago(1 + n / 100) for n in range(size)],
    )
    after, queries_after, response = feed(client, url)
    assert after == before
    assert queries_after == queries_before
    with django_assert_max_num_queries(FEED_BUDGET):
        client.get(url)


def test_index_feed_holds_the_upcoming_and_a_recent_past(client, index, settings):
    specs = {
        "Next year": starts_in_days(365),
        "Tomorrow": starts_in_days(1),
        # Started an hour ago, ends in two: not ended, so upcoming.
        "Under way": starts_in_days(-1 / 24),
        "Last week": ended_days_ago(7),
        "Within the window": ended_days_ago(89),
        "Just beyond the window": ended_days_ago(91),
        "Three years ago": ended_days_ago(3 * 365),
    }
    bulk_create_workshops(
        index, [{"title": title, **spec} for title, spec in specs.items()]
    )
    response = client.get(index.url + "ical/")
    # In the file by start, oldest first.
    assert summaries(response) == [
        "Within the window",
        "Last week",
        "Under way",
        "Tomorrow",
        "Next year",
    ]

    settings.WAGTAIL_ATELIER_FEED_PAST_DAYS = 0
    response = client.get(index.url + "ical/")
    assert summaries(response) == ["Under way", "Tomorrow", "Next year"]


def test_feed_cap_drops_the_past_before_the_upcoming(client, index, settings):
    settings.WAGTAIL_ATELIER_FEED_MAX_EVENTS = 3
    bulk_create_workshops(
        index,
        [
            {"title": "Yesterday", **ended_days_ago(1)},
            {"title": "Last month", **ended_days_ago(30)},
            {"title": "In a week", **starts_in_days(7)},
            {"title": "Tomorrow", **starts_in_days(1)},
        ],
    )
    response = client.get(index.url + "ical/")
    assert summaries(response) == ["Yesterday", "Tomorrow", "In a week"]


def test_feed_leaves_out_drafts_and_restricted_workshops(client, index):
    WorkshopPageFactory(parent=index, title="Public")
    WorkshopPageFactory(parent=index, title="Draft", live=False)
    restricted = WorkshopPageFactory(parent=index, title="Restricted")
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.LOGIN
    )
    assert summaries(client.get(index.url + "ical/")) == ["Public"]


def test_index_feed_answers_conditional_gets(
    client, index, monkeypatch, django_assert_max_num_queries
):
    workshop = WorkshopPageFactory(parent=index, title="Erste Werkstatt")
    url = index.url + "ical/"
    response = client.get(url)
    etag = response["ETag"]
    assert etag.startswith('W/"')
    assert "Last-Modified" not in response

    # A repeat request: 304, no body, and no calendar built (one query for the
    # workshops, as for a 200).
    def must_not_render(*args, **kwargs):
        raise AssertionError("the calendar was built for a 304")

    monkeypatch.setattr("wagtail_atelier.ical.workshops_calendar", must_not_render)
    with django_assert_max_num_queries(FEED_BUDGET):
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    monkeypatch.undo()

    # Publishing a change to a workshop in the feed changes the ETag.
    workshop.title = "Erste Werkstatt, neu"
    workshop.save_revision().publish()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert summaries(changed) == ["Erste Werkstatt, neu"]
    assert changed["ETag"] != etag

    # So does a new workshop, and one that leaves the feed (unpublished): no date in
    # the feed gets newer then, which is why it has no Last-Modified.
    etags = [changed["ETag"]]
    second = WorkshopPageFactory(parent=index, title="Zweite Werkstatt")
    etags.append(client.get(url)["ETag"])
    second.unpublish()
    etags.append(client.get(url)["ETag"])
    assert etags[1] != etags[0]
    assert etags[2] != etags[1]
    # Back to the first workshop alone: the same content, the same ETag.
    assert etags[2] == etags[0]
    assert client.get(url, HTTP_IF_NONE_MATCH=etags[0]).status_code == 304


def test_workshop_file_answers_conditional_gets(client, workshop):
    workshop.save_revision().publish()
    workshop.refresh_from_db()
    url = workshop.url + "ical/"
    response = client.get(url)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert parse_http_date(last_modified) == int(workshop.last_published_at.timestamp())

    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_MODIFIED_SINCE": last_modified},
    ):
        not_modified = client.get(url, **headers)
        assert not_modified.status_code == 304, headers
        assert not_modified.content == b""
        assert not_modified["ETag"] == etag

    with freeze_time(timezone.now() + timedelta(minutes=5)):
        workshop.title = "Praxiswerkstatt Suhr, verschoben"
        workshop.save_revision().publish()
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200
    assert str(only_event(Calendar.from_ical(changed.content))["SUMMARY"]) == (
        "Praxiswerkstatt Suhr, verschoben"
    )


def test_the_mail_and_the_feed_carry_the_same_uid(
    client, indexes, django_capture_on_commit_callbacks
):
    """A person who gets the .ics in the confirmation mail and subscribes to the
    feed (in another language) sees the workshop once."""
    from tests.factories import registration_data
    from wagtail_atelier.models import OutgoingMail
    from wagtail_atelier.services import registration as services

    german = WorkshopPageFactory(parent=indexes["de"], title="Suhr", slug="suhr")
    french = translate(german, "fr", title="Atelier Suhr")
    with django_capture_on_commit_callbacks(execute=True):
        services.register(
            workshop=french,
            data=registration_data("zoe@example.org"),
            language="fr",
        )
    mail = OutgoingMail.objects.get(kind="confirmation")
    [attachment] = mail.attachments
    mailed = only_event(Calendar.from_ical(attachment["content"]))

    feed, _response = get_calendar(client, indexes["de"].url + "ical/")
    [fed] = [e for e in feed.walk("VEVENT") if "Suhr" in str(e["SUMMARY"])]
    own = only_event(get_calendar(client, french.url + "ical/")[0])

    assert str(mailed["UID"]) == str(fed["UID"]) == str(own["UID"])
    assert str(mailed["UID"]) == f"{german.translation_key}.workshop@localhost"
