"""The workshop page in the Wagtail admin (create form) and on the public site."""

import html
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from tests.factories import WorkshopPageFactory, zurich
from wagtail_atelier.blocks import default_programme
from wagtail_atelier.models import WorkshopPage

pytestmark = pytest.mark.django_db


def add_url(parent):
    return reverse(
        "wagtailadmin_pages:add", args=("wagtail_atelier", "workshoppage", parent.pk)
    )


def list_block(items):
    """ListBlock form data (``streamfield`` is for StreamBlocks)."""
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i)}
        for i, value in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def post_data(**overrides):
    data = {
        "title": "Praxiswerkstatt Olten",
        "slug": "praxiswerkstatt-olten",
        "start_at": "2030-10-30 14:00",
        "end_at": "2030-10-30 17:30",
        "format": "on_site",
        "venue_name": "Stadthaus",
        "street": "Dornacherstrasse 1",
        "postcode": "4600",
        "town": "Olten",
        "canton": "SO",
        "online_meeting_details": "",
        "workshop_language": "de",
        "is_free": "on",
        "cost_note": "",
        "contact_name": "Anna Muster",
        "contact_email": "anna@example.org",
        "case_presenter_capacity": "6",
        "participant_capacity": "24",
        "registration_opens_at": "2030-08-01 08:00",
        "registration_closes_at": "2030-10-23 23:59",
        "intro": "Menschen aus Caring Communities beraten sich kollegial.",
        "body": streamfield(
            [
                ("paragraph", rich_text("<p>Willkommen in Olten.</p>")),
                (
                    "programme",
                    {
                        "heading": "Ablauf",
                        "steps": list_block(
                            [
                                {
                                    "time": "14:00",
                                    "title": "Anliegen im Plenum",
                                    "text": "",
                                },
                                {"time": "", "title": "Apéro", "text": "Zum Schluss."},
                            ]
                        ),
                    },
                ),
            ]
        ),
        "comments": inline_formset([]),
        "action-publish": "Publish",
    }
    data.update(overrides)
    return nested_form_data(data)


# -- admin: where a workshop can be added --------------------------------------------


def test_add_subpage_of_an_index_goes_straight_to_the_workshop_form(
    admin_client, index
):
    response = admin_client.get(
        reverse("wagtailadmin_pages:add_subpage", args=(index.pk,))
    )
    assert response.status_code == 302
    assert response["Location"] == add_url(index)


def test_workshop_is_not_offered_outside_an_index(admin_client, root_page, index):
    response = admin_client.get(
        reverse("wagtailadmin_pages:add_subpage", args=(root_page.pk,))
    )
    assert response.status_code == 200
    assert add_url(root_page) not in response.content.decode()


def test_adding_a_workshop_outside_an_index_is_refused_without_error(
    admin_client, root_page
):
    response = admin_client.get(add_url(root_page))
    assert response.status_code in (302, 403)
    response = admin_client.post(add_url(root_page), post_data())
    assert response.status_code in (302, 403)
    assert not WorkshopPage.objects.exists()


# -- admin: the create form ------------------------------------------------------------


def _programme_titles(stream_value) -> list[str]:
    programmes = [
        block.value for block in stream_value if block.block_type == "programme"
    ]
    assert len(programmes) == 1
    return [step["title"] for step in programmes[0]["steps"]]


@pytest.mark.parametrize("language_code", ["de", "fr", "it"])
def test_create_form_starts_with_the_standard_programme_in_the_page_language(
    admin_client, indexes, language_code
):
    response = admin_client.get(add_url(indexes[language_code]))
    assert response.status_code == 200
    expected = [
        step["title"] for step in default_programme(language_code)[0][1]["steps"]
    ]
    assert len(expected) == 4
    form = response.context["form"]
    assert _programme_titles(form["body"].value()) == expected
    # ... and it is what the editor sees: the StreamField's initial JSON in the page.
    content = html.unescape(response.content.decode())
    for title in expected:
        assert json.dumps(title)[1:-1] in content


def test_create_form_post_creates_a_live_workshop(admin_client, index):
    response = admin_client.post(add_url(index), post_data())
    assert response.status_code == 302, response.context["form"].errors
    workshop = WorkshopPage.objects.get(slug="praxiswerkstatt-olten")
    assert workshop.live
    assert workshop.get_parent().pk == index.pk
    assert workshop.locale_id == index.locale_id
    # Entered in Swiss time.
    assert workshop.start_at == zurich(2030, 10, 30, 14)
    assert workshop.end_at == zurich(2030, 10, 30, 17, 30)
    assert workshop.town == "Olten"
    assert workshop.participant_capacity == 24
    assert [block.block_type for block in workshop.body] == ["paragraph", "programme"]
    assert _programme_titles(workshop.body) == ["Anliegen im Plenum", "Apéro"]


def test_create_form_blank_end_gives_three_hours(admin_client, index):
    response = admin_client.post(add_url(index), post_data(end_at=""))
    assert response.status_code == 302, response.context["form"].errors
    workshop = WorkshopPage.objects.get(slug="praxiswerkstatt-olten")
    assert workshop.end_at == zurich(2030, 10, 30, 17)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_at": "2030-10-30 13:00"}, "end_at"),
        ({"registration_closes_at": "2030-10-30 15:00"}, "registration_closes_at"),
        ({"registration_opens_at": "2030-10-24 08:00"}, "registration_opens_at"),
        ({"case_presenter_capacity": "-1"}, "case_presenter_capacity"),
        ({"participant_capacity": "-5"}, "participant_capacity"),
        ({"town": ""}, "town"),
        ({"start_at": "not a date"}, "start_at"),
    ],
)
def test_invalid_create_form_shows_errors_and_creates_nothing(
    admin_client, index, changes, field
):
    response = admin_client.post(add_url(index), post_data(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert not WorkshopPage.objects.exists()


def test_online_workshop_without_town_is_accepted_in_the_admin(admin_client, index):
    data = post_data(
        format="online",
        venue_name="",
        street="",
        postcode="",
        town="",
        canton="",
        online_meeting_details="https://meet.example.org/abc",
    )
    response = admin_client.post(add_url(index), data)
    assert response.status_code == 302, response.context["form"].errors
    assert WorkshopPage.objects.get().is_online


# -- public page ----------------------------------------------------------------------


def test_workshop_page_shows_the_facts(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Suhr",
        start_at=zurich(2030, 10, 30, 14),
        end_at=zurich(2030, 10, 30, 17),
        cost_note="Apéro offeriert",
        body=default_programme("de"),
    )
    response = client.get(workshop.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content and "Praxiswerkstatt Suhr" in content
    assert '<time datetime="2030-10-30T14:00:00+01:00">' in content
    assert "14:00" in content and "17:00" in content
    assert "Gemeindesaal<br>Tramstrasse 10<br>5034 Suhr" in content
    assert "Apéro offeriert" in content
    assert 'href="mailto:anna@example.org"' in content
    assert f'href="{workshop.url}ical/"' in content
    for step in default_programme("de")[0][1]["steps"]:
        assert html.escape(step["title"]) in content


def test_online_workshop_page_shows_no_address(client, index):
    workshop = WorkshopPageFactory(parent=index, online=True)
    content = client.get(workshop.url).content.decode()
    assert "<address>" not in content
    assert "Tramstrasse" not in content


def test_past_workshop_is_marked(client, index):
    past = WorkshopPageFactory(parent=index, past=True)
    upcoming = WorkshopPageFactory(parent=index)
    assert "atelier-workshop--past" in client.get(past.url).content.decode()
    assert "atelier-workshop--past" not in client.get(upcoming.url).content.decode()


def test_unpublished_workshop_is_not_served(client, index):
    workshop = WorkshopPageFactory(parent=index)
    url = workshop.url
    workshop.unpublish()
    assert client.get(url).status_code == 404
    assert client.get(url + "ical/").status_code == 404


def test_html_in_the_title_is_escaped(client, index):
    workshop = WorkshopPageFactory(parent=index, title="<b>Fett</b> & Co")
    content = client.get(workshop.url).content.decode()
    assert "<b>Fett</b>" not in content
    assert "&lt;b&gt;Fett&lt;/b&gt; &amp; Co" in content


def test_end_on_another_day_shows_both_dates(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        start_at=zurich(2030, 10, 30, 14),
        end_at=zurich(2030, 10, 31, 12),
    )
    content = client.get(workshop.url).content.decode()
    assert '<time datetime="2030-10-31T12:00:00+01:00">' in content
    assert "31." in content or "31 " in content
    assert timedelta(hours=22) == workshop.end_at - workshop.start_at


def test_unknown_workshop_is_a_404(client, index):
    WorkshopPageFactory(parent=index, slug="suhr")
    assert client.get(f"{index.url}nirgendwo/").status_code == 404
    assert client.get(f"{index.url}suhr/nirgendwo/").status_code == 404


def test_index_routes_come_before_a_workshop_with_the_same_slug(client, index):
    WorkshopPageFactory(parent=index, slug="ical", title="Heisst ical")
    response = client.get(f"{index.url}ical/")
    assert response["Content-Type"].startswith("text/calendar")


def test_private_workshop_asks_for_the_password(client, index):
    workshop = WorkshopPageFactory(parent=index, title="Geheim")
    workshop.view_restrictions.create(restriction_type="password", password="x")
    response = client.get(workshop.url)
    assert response.status_code == 200
    assert "Geheim</h1>" not in response.content.decode()
    assert "password" in response.content.decode().lower()
