"""Several organisations on one installation, each with its own site, root and
workshop index: the teaser, the feeds, the dashboard and the admin listings keep
each site's workshops apart, unless configured (or chosen) to show all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from tests.factories import (
    HostRequestFactory,
    RegistrationFactory,
    TeaserPageFactory,
    WorkshopIndexPageFactory,
    WorkshopPageFactory,
    admin_user,
    translate,
)

pytestmark = pytest.mark.django_db

HOST_A = "localhost"
HOST_B = "b.example.org"


@pytest.fixture
def network(translated_roots, locales):
    """Site A (the default, three languages) and site B (German only), each with an
    index, a teaser page, a workshop, a registration and a host request. B's
    workshop comes first, so a teaser that mixed the sites would show it."""
    site_a = Site.objects.get(is_default_site=True)
    site_a.hostname, site_a.site_name = HOST_A, "Organisation A"
    site_a.save()
    root = Page.get_first_root_node()
    home_b = root.add_child(
        instance=Page(title="Startseite B", slug="home-b", locale=locales["de"])
    )
    site_b = Site.objects.create(
        hostname=HOST_B, port=80, root_page=home_b, site_name="Organisation B"
    )
    index_a = WorkshopIndexPageFactory(parent=translated_roots["de"], slug="werk")
    index_b = WorkshopIndexPageFactory(parent=home_b, slug="werk")
    workshop_a = WorkshopPageFactory(
        parent=index_a,
        title="Werkstatt A",
        start_at=timezone.now() + timedelta(days=20),
    )
    translate(workshop_a, "fr", title="Atelier A")
    workshop_b = WorkshopPageFactory(
        parent=index_b,
        title="Werkstatt B",
        start_at=timezone.now() + timedelta(days=10),
    )
    block = [("next_workshop", {"heading": "", "propose_page": None})]
    teaser_a = TeaserPageFactory(parent=translated_roots["de"], body=block)
    teaser_b = TeaserPageFactory(parent=home_b, body=block)
    RegistrationFactory(workshop=workshop_a, last_name="Aebischer")
    RegistrationFactory(workshop=workshop_b, last_name="Bernasconi")
    HostRequestFactory(organisation="Anfrage bei A", site=site_a)
    HostRequestFactory(organisation="Anfrage bei B", site=site_b)
    return {
        "sites": (site_a, site_b),
        "indexes": (index_a, index_b),
        "workshops": (workshop_a, workshop_b),
        "teasers": (teaser_a, teaser_b),
    }


def get(client, host, url, **extra):
    response = client.get(url, HTTP_HOST=host, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def relative(page) -> str:
    return page.get_url_parts()[2]


def test_each_site_serves_its_own_pages(client, network):
    index_a, index_b = network["indexes"]
    assert "Werkstatt A" in get(client, HOST_A, relative(index_a))
    html_b = get(client, HOST_B, relative(index_b))
    assert "Werkstatt B" in html_b
    assert "Werkstatt A" not in html_b


def test_the_teaser_shows_the_next_workshop_of_its_own_site(client, network):
    teaser_a, teaser_b = network["teasers"]
    html_a = get(client, HOST_A, relative(teaser_a))
    assert "Werkstatt A" in html_a
    assert "Werkstatt B" not in html_a
    html_b = get(client, HOST_B, relative(teaser_b))
    assert "Werkstatt B" in html_b
    assert "Werkstatt A" not in html_b


def test_the_teaser_shows_every_site_when_configured(client, network):
    teaser_a, _teaser_b = network["teasers"]
    with override_settings(WAGTAIL_ATELIER_TEASER_ALL_SITES=True):
        html_a = get(client, HOST_A, relative(teaser_a))
    # B's workshop comes first in the network.
    assert "Werkstatt B" in html_a


def test_the_teaser_tag_can_show_every_site(rf, network):
    from django.template import Context, Template

    teaser_a, _teaser_b = network["teasers"]
    request = rf.get("/", HTTP_HOST=HOST_A)
    template = Template(
        "{% load wagtail_atelier_tags %}{% next_workshop_teaser all_sites=True %}"
    )
    html = template.render(Context({"request": request, "page": teaser_a}))
    assert "Werkstatt B" in html
    own = Template("{% load wagtail_atelier_tags %}{% next_workshop_teaser %}")
    html = own.render(Context({"request": request, "page": teaser_a}))
    assert "Werkstatt A" in html and "Werkstatt B" not in html


@pytest.mark.parametrize("route", ["ical/", "json/"])
def test_the_feeds_keep_to_their_index(client, network, route):
    index_a, index_b = network["indexes"]
    feed_a = get(client, HOST_A, relative(index_a) + route)
    feed_b = get(client, HOST_B, relative(index_b) + route)
    assert "Werkstatt A" in feed_a and "Werkstatt B" not in feed_a
    assert "Werkstatt B" in feed_b and "Werkstatt A" not in feed_b


def test_the_json_feed_has_absolute_urls_on_its_own_host(client, network):
    _index_a, index_b = network["indexes"]
    response = client.get(relative(index_b) + "json/", HTTP_HOST=HOST_B)
    (entry,) = response.json()["workshops"]
    assert entry["translations"]["de"]["url"].startswith(f"http://{HOST_B}/")


@pytest.fixture
def coordinator(django_user_model):
    return admin_user(
        django_user_model,
        "coordinator",
        "wagtail_atelier.view_hostrequest",
        "wagtail_atelier.view_registration",
    )


def test_the_dashboard_shows_the_current_sites_workshops(client, network, coordinator):
    client.force_login(coordinator)
    html_a = get(client, HOST_A, "/admin/")
    assert "Werkstatt A" in html_a and "Werkstatt B" not in html_a
    assert "Anfrage bei A" in html_a and "Anfrage bei B" not in html_a
    assert "Show all sites" in html_a
    html_b = get(client, HOST_B, "/admin/")
    assert "Werkstatt B" in html_b and "Werkstatt A" not in html_b
    everything = get(client, HOST_A, "/admin/?atelier_sites=all")
    assert "Werkstatt A" in everything and "Werkstatt B" in everything
    assert "Anfrage bei A" in everything and "Anfrage bei B" in everything
    assert "Show the current site only" in everything


def test_the_registrations_listing_keeps_to_the_current_site(
    client, network, coordinator
):
    client.force_login(coordinator)
    url = reverse("wagtail_atelier_registration_modeladmin_index")
    html_a = get(client, HOST_A, url)
    assert "Aebischer" in html_a and "Bernasconi" not in html_a
    assert "All sites" in html_a
    html_b = get(client, HOST_B, url)
    assert "Bernasconi" in html_b and "Aebischer" not in html_b
    everything = get(client, HOST_A, url + "?site=all")
    assert "Aebischer" in everything and "Bernasconi" in everything
    _site_a, site_b = network["sites"]
    other = get(client, HOST_A, url + f"?site={site_b.pk}")
    assert "Bernasconi" in other and "Aebischer" not in other
    # The workshop filter offers the workshops of the site shown.
    assert "Werkstatt B" not in html_a


def test_an_unknown_site_shows_nothing_never_an_error(client, network, coordinator):
    client.force_login(coordinator)
    url = reverse("wagtail_atelier_registration_modeladmin_index")
    for value in ("999999", "nonsense", "9" * 30, "-1"):
        html = get(client, HOST_A, url + f"?site={value}")
        assert "Aebischer" not in html and "Bernasconi" not in html


def test_the_host_requests_listing_keeps_to_the_current_site(
    client, network, coordinator
):
    client.force_login(coordinator)
    url = reverse("wagtail_atelier_hostrequest_modeladmin_index")
    html_a = get(client, HOST_A, url)
    assert "Anfrage bei A" in html_a and "Anfrage bei B" not in html_a
    everything = get(client, HOST_A, url + "?site=all")
    assert "Anfrage bei A" in everything and "Anfrage bei B" in everything


def test_the_mails_listing_keeps_to_the_current_site(
    client, network, django_user_model
):
    from wagtail_atelier.models import HostRequest, MailKind, OutgoingMail

    workshop_a, workshop_b = network["workshops"]
    _site_a, site_b = network["sites"]

    def mail(subject, **about):
        OutgoingMail.objects.create(
            kind=MailKind.CONFIRMATION,
            to=["person@example.org"],
            language="de",
            subject=subject,
            body_text="…",
            next_attempt_at=timezone.now(),
            **about,
        )

    mail("Bestätigung A", workshop_key=workshop_a.translation_key)
    mail("Bestätigung B", workshop_key=workshop_b.translation_key)
    mail(
        "Anfrage-Antwort B",
        host_request=HostRequest.objects.get(organisation="Anfrage bei B"),
    )
    mail("Ohne Praxiswerkstatt")
    client.force_login(
        admin_user(django_user_model, "mails", "wagtail_atelier.view_outgoingmail")
    )
    url = reverse("wagtail_atelier_outgoingmail_modeladmin_index")
    html_a = get(client, HOST_A, url)
    assert "Bestätigung A" in html_a
    assert "Bestätigung B" not in html_a and "Anfrage-Antwort B" not in html_a
    # A mail about neither a workshop nor a request is never hidden.
    assert "Ohne Praxiswerkstatt" in html_a
    assert "All sites" in html_a
    html_b = get(client, HOST_A, url + f"?site={site_b.pk}")
    assert "Bestätigung B" in html_b and "Anfrage-Antwort B" in html_b
    assert "Bestätigung A" not in html_b
    everything = get(client, HOST_A, url + "?site=all")
    for subject in ("Bestätigung A", "Bestätigung B", "Anfrage-Antwort B"):
        assert subject in everything


def test_one_site_has_no_site_filter(client, index, coordinator):
    workshop = WorkshopPageFactory(parent=index)
    RegistrationFactory(workshop=workshop, last_name="Einzig")
    client.force_login(coordinator)
    html = get(
        client, "localhost", reverse("wagtail_atelier_registration_modeladmin_index")
    )
    assert "Einzig" in html
    assert "All sites" not in html
