"""The workshop index: order, grouping, highlight, filters, pagination, iCal feed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import ngettext
from icalendar import Calendar

from tests.factories import WorkshopPageFactory, zurich
from wagtail_atelier.models import WorkshopIndexPage
from wagtail_atelier.models.choices import HELD_IN_LANGUAGE

pytestmark = pytest.mark.django_db


def days(n: int):
    return timezone.now() + timedelta(days=n)


def titles(content: str) -> list[str]:
    """Workshop titles in the order the index shows them."""
    return re.findall(
        r'class="atelier-card__title"><a href="[^"]*">([^<]*)</a>', content
    )


def section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    end = content.find("</section>", start)
    return content[start:end]


@pytest.fixture
def programme(index):
    """Two past years and three upcoming workshops, created out of order."""
    return {
        "in 60 days": WorkshopPageFactory(
            parent=index, title="In 60 days", start_at=days(60)
        ),
        "2021": WorkshopPageFactory(
            parent=index, title="2021", start_at=zurich(2021, 5, 7, 14)
        ),
        "in 10 days": WorkshopPageFactory(
            parent=index, title="In 10 days", start_at=days(10)
        ),
        "2023": WorkshopPageFactory(
            parent=index, title="2023", start_at=zurich(2023, 10, 30, 14)
        ),
        "2021 autumn": WorkshopPageFactory(
            parent=index, title="2021 autumn", start_at=zurich(2021, 11, 5, 14)
        ),
        "in 30 days": WorkshopPageFactory(
            parent=index, title="In 30 days", start_at=days(30)
        ),
    }


def test_index_is_a_page(client, index):
    response = client.get(index.url)
    assert response.status_code == 200
    assert isinstance(response.context["page"], WorkshopIndexPage)


def test_upcoming_soonest_first_then_past_most_recent_first(client, index, programme):
    content = client.get(index.url).content.decode()
    assert titles(content) == [
        "In 10 days",
        "In 30 days",
        "In 60 days",
        "2023",
        "2021 autumn",
        "2021",
    ]


def test_the_next_workshop_is_highlighted(client, index, programme):
    content = client.get(index.url).content.decode()
    highlighted = section(content, "next-heading")
    assert titles(highlighted) == ["In 10 days"]
    assert "atelier-card--featured" in highlighted
    assert titles(section(content, "upcoming-heading")) == ["In 30 days", "In 60 days"]


def test_past_workshops_are_grouped_by_year_most_recent_first(client, index, programme):
    past = section(client.get(index.url).content.decode(), "past-heading")
    years = re.findall(r"<h3>(\d{4})</h3>", past)
    assert years == ["2023", "2021"]
    assert titles(past.split("<h3>2021</h3>")[1]) == ["2021 autumn", "2021"]


def test_year_is_the_swiss_year(client, index):
    # 31 December 23:30 UTC is already New Year in Zurich.
    WorkshopPageFactory(
        parent=index, title="Silvester", start_at=zurich(2022, 1, 1, 0, 30)
    )
    past = section(client.get(index.url).content.decode(), "past-heading")
    assert re.findall(r"<h3>(\d{4})</h3>", past) == ["2022"]


def test_an_ongoing_workshop_is_still_upcoming(client, index):
    WorkshopPageFactory(
        parent=index,
        title="Running",
        start_at=days(0) - timedelta(hours=1),
        end_at=days(0) + timedelta(hours=2),
    )
    content = client.get(index.url).content.decode()
    assert titles(section(content, "next-heading")) == ["Running"]


def test_only_past_workshops_means_no_highlight(client, index):
    WorkshopPageFactory(parent=index, title="Old", past=True)
    content = client.get(index.url).content.decode()
    assert 'id="next-heading"' not in content
    assert titles(section(content, "past-heading")) == ["Old"]


def test_empty_index_says_so(client, index):
    response = client.get(index.url)
    assert response.status_code == 200
    assert 'class="atelier-empty"' in response.content.decode()


def test_unpublished_and_private_workshops_are_not_listed(client, index):
    WorkshopPageFactory(parent=index, title="Visible")
    WorkshopPageFactory(parent=index, title="Draft").unpublish()
    private = WorkshopPageFactory(parent=index, title="Private")
    private.view_restrictions.create(restriction_type="password", password="x")
    assert titles(client.get(index.url).content.decode()) == ["Visible"]


def test_workshops_of_another_index_are_not_listed(client, root_page, index):
    other = WorkshopIndexPage(title="Andere", slug="andere")
    root_page.add_child(instance=other)
    WorkshopPageFactory(parent=index, title="Mine")
    WorkshopPageFactory(parent=other, title="Theirs")
    assert titles(client.get(index.url).content.decode()) == ["Mine"]


# -- filters ------------------------------------------------------------------------


@pytest.fixture
def varied(index):
    return [
        WorkshopPageFactory(parent=index, title="Suhr", start_at=days(5)),
        WorkshopPageFactory(
            parent=index,
            title="Lausanne",
            start_at=days(6),
            town="Lausanne",
            canton="VD",
            workshop_language="fr",
            format="hybrid",
        ),
        WorkshopPageFactory(
            parent=index,
            title="Online fr",
            start_at=days(7),
            online=True,
            workshop_language="fr",
        ),
        WorkshopPageFactory(
            parent=index,
            title="Bellinzona",
            start_at=days(8),
            town="Bellinzona",
            canton="TI",
            workshop_language="it",
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"format": "online"}, ["Online fr"]),
        ({"format": "hybrid"}, ["Lausanne"]),
        ({"format": "on_site"}, ["Suhr", "Bellinzona"]),
        ({"language": "fr"}, ["Lausanne", "Online fr"]),
        ({"language": "it"}, ["Bellinzona"]),
        ({"canton": "VD"}, ["Lausanne"]),
        ({"canton": "ZH"}, []),
        ({"language": "fr", "format": "online"}, ["Online fr"]),
        (
            {"format": "", "language": "", "canton": ""},
            ["Suhr", "Lausanne", "Online fr", "Bellinzona"],
        ),
    ],
)
def test_filters(client, index, varied, query, expected):
    response = client.get(index.url, query)
    assert response.status_code == 200
    assert titles(response.content.decode()) == expected


def test_no_match_says_so(client, index, varied):
    content = client.get(index.url, {"canton": "ZH"}).content.decode()
    assert 'class="atelier-empty"' in content
    assert 'href="/de/praxiswerkstatt/"' in content  # reset link


def test_active_filter_is_selected_in_the_form(client, index, varied):
    content = client.get(index.url, {"canton": "VD"}).content.decode()
    assert '<option value="VD" selected>' in content


@pytest.mark.parametrize(
    "query",
    [
        {"format": "teleport"},
        {"language": "en"},
        {"canton": "XX"},
        {"unknown": "1"},
    ],
)
def test_unknown_filter_values_are_ignored(client, index, varied, query):
    response = client.get(index.url, query)
    assert response.status_code == 200
    assert len(titles(response.content.decode())) == 4


def test_one_unknown_value_does_not_drop_the_valid_filters(client, index, varied):
    response = client.get(index.url, {"format": "teleport", "language": "it"})
    assert titles(response.content.decode()) == ["Bellinzona"]


SCRIPT = '"><script>alert(1)</script>'


@pytest.mark.parametrize("parameter", ["format", "language", "canton", "unknown"])
def test_script_in_a_parameter_is_never_reflected(client, index, settings, parameter):
    settings.WAGTAIL_ATELIER_INDEX_PAGE_SIZE = 1
    WorkshopPageFactory(parent=index, start_at=days(5))
    WorkshopPageFactory(parent=index, start_at=days(6))
    response = client.get(index.url, {parameter: SCRIPT})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert "alert(1)</script>" not in content
    assert 'rel="next"' in content  # the pagination link carries the query, encoded


def test_script_in_the_page_number_is_a_404(client, index):
    response = client.get(index.url, {"page": SCRIPT})
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()


# -- pagination ---------------------------------------------------------------------


@pytest.fixture
def many(index, settings):
    settings.WAGTAIL_ATELIER_INDEX_PAGE_SIZE = 2
    return [
        WorkshopPageFactory(
            parent=index, title=f"W{i}", start_at=days(i + 1), canton=canton
        )
        for i, canton in enumerate(["AG", "VD", "AG", "VD", "AG"])
    ]


def test_pages(client, index, many):
    assert titles(client.get(index.url).content.decode()) == ["W0", "W1"]
    second = client.get(index.url, {"page": "2"}).content.decode()
    assert titles(second) == ["W2", "W3"]
    # The highlight belongs to the first page only.
    assert 'id="next-heading"' not in second
    assert titles(client.get(index.url, {"page": "3"}).content.decode()) == ["W4"]


@pytest.mark.parametrize(
    "page", ["0", "4", "-1", "abc", "1.5", "99999999999999999999", " "]
)
def test_bogus_or_out_of_range_page_is_a_404(client, index, many, page):
    assert client.get(index.url, {"page": page}).status_code == 404


def test_empty_page_parameter_is_the_first_page(client, index, many):
    response = client.get(index.url, {"page": ""})
    assert response.status_code == 200
    assert titles(response.content.decode()) == ["W0", "W1"]


def test_pagination_links_keep_the_filters(client, index, many):
    content = client.get(index.url, {"canton": "AG"}).content.decode()
    assert titles(content) == ["W0", "W2"]
    next_link = re.search(r'<a rel="next" href="([^"]*)"', content).group(1)
    assert next_link == "?canton=AG&amp;page=2"
    second = client.get(index.url, {"canton": "AG", "page": "2"}).content.decode()
    assert titles(second) == ["W4"]
    previous_link = re.search(r'<a rel="prev" href="([^"]*)"', second).group(1)
    assert previous_link == "?canton=AG&amp;page=1"


def test_page_past_the_filtered_results_is_a_404(client, index, many):
    assert client.get(index.url, {"canton": "AG", "page": "3"}).status_code == 404


# -- iCal feed ----------------------------------------------------------------------


def test_index_links_its_calendar_feed(client, index):
    content = client.get(index.url).content.decode()
    assert '<link rel="alternate" type="text/calendar"' in content
    assert f'href="{index.url}ical/"' in content


def test_calendar_feed_lists_only_upcoming_live_workshops(client, index, programme):
    WorkshopPageFactory(parent=index, title="Draft", start_at=days(20)).unpublish()
    private = WorkshopPageFactory(parent=index, title="Private", start_at=days(21))
    private.view_restrictions.create(restriction_type="password", password="x")
    response = client.get(index.url + "ical/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["In 10 days", "In 30 days", "In 60 days"]


# -- the cards: when, where, language, places, register ------------------------------


def card_of(content: str, title: str) -> str:
    start = content.index(f">{title}</a>")
    return content[start : content.index("</article>", start)]


def test_cards_say_time_place_language_and_places_per_role(client, index):
    from tests.factories import RegistrationFactory

    open_ = WorkshopPageFactory(
        parent=index,
        title="Open",
        start_at=zurich(2031, 3, 4, 14),
        end_at=zurich(2031, 3, 4, 17),
        case_presenter_capacity=2,
        participant_capacity=5,
        show_places_left=True,
    )
    RegistrationFactory(workshop=open_, role="participant")
    full = WorkshopPageFactory(
        parent=index,
        title="Full",
        start_at=days(40),
        case_presenter_capacity=1,
        participant_capacity=1,
    )
    RegistrationFactory(workshop=full, role="case_presenter")
    RegistrationFactory(workshop=full, role="participant")
    online = WorkshopPageFactory(
        parent=index,
        title="Online",
        start_at=days(50),
        online=True,
        workshop_language="fr",
    )
    closed = WorkshopPageFactory(
        parent=index,
        title="Closed",
        start_at=days(60),
        registration_closes_at=days(-1),
        participant_capacity=1,
    )
    RegistrationFactory(workshop=closed, role="participant")
    WorkshopPageFactory(parent=index, title="Past", past=True)
    content = client.get(index.url).content.decode()

    card = card_of(content, "Open")
    assert "14:00" in card and "17:00" in card and "Suhr" in card
    with translation.override("de"):
        held_in = f"({HELD_IN_LANGUAGE['de']})"
        left = [
            ngettext("%(left)s place left", "%(left)s places left", n) % {"left": n}
            for n in (2, 4)
        ]
    assert held_in in card
    assert all(text in card for text in left), left
    assert f'href="{open_.url}#registration"' in card

    card = card_of(content, "Full")
    assert card.count("atelier-availability__role--waiting_list") == 2
    assert f'href="{full.url}#registration"' in card
    assert (
        "atelier-card--waiting-list"
        in content[: content.index(">Full</a>")].rsplit("<article", 1)[1]
    )

    card = card_of(content, "Online")
    assert "Suhr" not in card and "atelier-language-note" in card
    assert f'href="{online.url}#registration"' in card

    card = card_of(content, "Closed")
    assert "atelier-availability__role--full" in card
    assert "#registration" not in card

    card = card_of(content, "Past")
    assert "atelier-availability" not in card and "#registration" not in card


def test_places_left_are_not_counted_when_the_page_hides_them(client, index):
    WorkshopPageFactory(
        parent=index, title="Hidden", participant_capacity=5, show_places_left=False
    )
    card = card_of(client.get(index.url).content.decode(), "Hidden")
    assert "atelier-availability__role--available" in card
    assert "places_left" not in card
