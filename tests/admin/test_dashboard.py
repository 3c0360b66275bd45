"""The practice-workshop panel on the Wagtail admin home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from tests.factories import (
    HostRequestFactory,
    RegistrationFactory,
    WorkshopPageFactory,
    admin_user,
    both_page_classes,
    translate,
)
from wagtail_atelier.admin.dashboard import AtelierDashboardPanel, upcoming_workshops
from wagtail_atelier.models import workshop_page_models

pytestmark = [pytest.mark.django_db, both_page_classes]

HOME = "/admin/"


@pytest.fixture
def users(django_user_model):
    return {
        "editor": admin_user(django_user_model, "editor"),
        "coordinator": admin_user(
            django_user_model,
            "coordinator",
            "wagtail_atelier.view_hostrequest",
            "wagtail_atelier.view_registration",
        ),
    }


@pytest.fixture
def activity(workshop_versions, index):
    """Registrations on the workshop's three versions, a past workshop, a new and an
    old host request."""
    workshop = workshop_versions["de"]
    RegistrationFactory.create_batch(2, workshop=workshop, role="case_presenter")
    RegistrationFactory(workshop=workshop_versions["fr"], role="participant")
    RegistrationFactory(
        workshop=workshop_versions["it"], role="participant", status="waiting"
    )
    RegistrationFactory(workshop=workshop, role="participant", status="cancelled")
    WorkshopPageFactory(parent=index, title="Vergangene Werkstatt", past=True)
    HostRequestFactory(organisation="Neue Anfrage Aarau")
    HostRequestFactory(organisation="Alte Anfrage Sion", status="declined")
    return workshop


PANEL = 'id="atelier-dashboard-section"'


def panel_html(client) -> str:
    html = client.get(HOME).content.decode()
    assert PANEL in html
    return html[html.index(PANEL) :]


def test_coordinators_see_new_host_requests_and_the_counts(client, users, activity):
    client.force_login(users["coordinator"])
    html = panel_html(client)
    assert "1 new host request" in html
    assert "Neue Anfrage Aarau" in html
    assert "Alte Anfrage Sion" not in html
    row = re.search(
        rf'<tr data-workshop="{activity.translation_key}">.*?</tr>', html, flags=re.S
    ).group(0)
    # One row for the workshop, whatever the language its people registered in.
    assert html.count(f'data-workshop="{activity.translation_key}"') == 1
    assert "Case presenters: 2 confirmed, 0 waiting" in row
    assert "Participants: 1 confirmed, 1 waiting" in row
    link = reverse("wagtail_atelier_registration_modeladmin_index") + (
        f"?workshop_key={activity.translation_key}"
    )
    assert link in row
    assert reverse("wagtail_atelier_workshops:table_plan", args=[activity.pk]) in row
    assert "Vergangene Werkstatt" not in html


def test_editors_without_permissions_see_no_personal_data(client, users, activity):
    client.force_login(users["editor"])
    html = client.get(HOME).content.decode()
    assert "Neue Anfrage Aarau" not in html
    assert "host request" not in html
    # The counts are not personal; the link to the people is not there.
    assert "Case presenters: 2 confirmed, 0 waiting" in html
    assert reverse("wagtail_atelier_registration_modeladmin_index") not in html
    assert "/table-plan/" not in html


def test_the_panel_is_left_out_when_there_is_nothing_to_show(client, users, db):
    client.force_login(users["editor"])
    assert PANEL not in client.get(HOME).content.decode()
    client.force_login(users["coordinator"])
    html = client.get(HOME).content.decode()
    assert PANEL in html
    assert "0 new host requests" in html


def test_the_panel_shows_the_workshop_in_the_admin_language(
    workshop_versions, rf, users
):
    workshops = upcoming_workshops("fr")
    assert [w.pk for w in workshops] == [workshop_versions["fr"].pk]
    workshops = upcoming_workshops("en")
    assert len(workshops) == 1


@pytest.mark.parametrize("size", [1, 6])
def test_the_panel_costs_the_same_whatever_the_number_of_workshops(
    rf, users, index, size, django_assert_max_num_queries
):
    for n in range(size):
        workshop = WorkshopPageFactory(
            parent=index, start_at=timezone.now() + timedelta(days=10 + n)
        )
        translate(workshop, "fr", title=f"Atelier {n}")
        RegistrationFactory.create_batch(2, workshop=workshop)
        HostRequestFactory()
    request = rf.get(HOME)
    request.user = users["coordinator"]
    panel = AtelierDashboardPanel(request)
    users["coordinator"].has_perm("wagtail_atelier.view_hostrequest")  # warm the cache
    Site.get_site_root_paths()  # warm Wagtail's cache of the sites' roots
    with CaptureQueriesContext(connection) as queries:
        html = panel.render_html({})
    assert html.count("data-workshop=") == size
    # New requests (list and count), the workshops with their locales (one query
    # per workshop page class: the shipped one and the test app's), the counts.
    budget = 3 + len(workshop_page_models())
    assert len(queries) <= budget, [q["sql"] for q in queries]
