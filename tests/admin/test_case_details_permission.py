"""The case question, accessibility needs and dietary note of a registration are
shown only with ``view_case_details``: facilitators need the case, not the address
list, and whoever needs the address list does not need the case.

The matrix covers every screen that shows registrations (listing, inspect view,
CSV and XLSX exports, correction form, table plan and its printed sheets and CSV,
harvest) for every kind of user.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import RegistrationFactory, admin_user
from wagtail_atelier.permissions import user_can_see_case_details
from wagtail_atelier.services import table_plan

pytestmark = pytest.mark.django_db

NAME = "Verborgenhuber"
CASE = "Meine Mutter ist dement und ich pflege sie allein"
ACCESSIBILITY = "Rollstuhl mit Begleitperson"
DIETARY = "Glutenfrei wegen Zoeliakie"
CASE_TEXTS = (CASE, ACCESSIBILITY, DIETARY)

VIEW = "wagtail_atelier.view_registration"
CHANGE = "wagtail_atelier.change_registration"
CASE_DETAILS = "wagtail_atelier.view_case_details"


@pytest.fixture
def users(django_user_model):
    return {
        "anonymous": None,
        "viewer": admin_user(django_user_model, "viewer", VIEW),
        "facilitator": admin_user(django_user_model, "facilitator", VIEW, CASE_DETAILS),
        "changer": admin_user(django_user_model, "changer", CHANGE),
        "case_changer": admin_user(
            django_user_model, "case_changer", CHANGE, CASE_DETAILS
        ),
        "case_only": admin_user(django_user_model, "case_only", CASE_DETAILS),
        "superuser": django_user_model.objects.create_superuser(
            username="root", email="root@example.org", password="x"
        ),
    }


#: Who sees the names, and who sees the case texts as well.
SEE_NAMES = {"viewer", "facilitator", "changer", "case_changer", "superuser"}
SEE_CASES = {"facilitator", "case_changer", "superuser"}


@pytest.fixture
def planned(workshop):
    """A workshop with one case presenter who told us everything, three
    participants, and a table plan."""
    presenter = RegistrationFactory(
        workshop=workshop,
        role="case_presenter",
        first_name="Zoe",
        last_name=NAME,
        case_description=CASE,
        accessibility_needs=ACCESSIBILITY,
        dietary_note=DIETARY,
    )
    for number in range(3):
        RegistrationFactory(workshop=workshop, last_name=f"Rat{number}")
    table_plan.generate(workshop, rounds=3, min_size=3, max_size=5, seed=1)
    return workshop, presenter


def workshop_screen(name):
    return lambda page, presenter: reverse(
        f"wagtail_atelier_workshops:{name}", args=[page.pk]
    )


def registrations(action, query=""):
    def build(page, presenter):
        if action == "index":
            return reverse("wagtail_atelier_registration_modeladmin_index") + query
        return reverse(
            f"wagtail_atelier_registration_modeladmin_{action}", args=[presenter.pk]
        )

    return build


CHANGERS = {"changer", "case_changer", "superuser"}

# (screen, URL, who may open it, the case texts it shows to those who may see them:
# the control that proves the check would catch them)
SCREENS = [
    ("listing", registrations("index"), SEE_NAMES, ()),
    ("inspect", registrations("inspect"), SEE_NAMES, CASE_TEXTS),
    ("export csv", registrations("index", "?export=csv"), SEE_NAMES, CASE_TEXTS),
    ("export xlsx", registrations("index", "?export=xlsx"), SEE_NAMES, CASE_TEXTS),
    # The case question is never corrected by staff: not in the form at all.
    ("edit", registrations("edit"), CHANGERS, (ACCESSIBILITY, DIETARY)),
    ("table plan", workshop_screen("table_plan"), SEE_NAMES, ()),
    # The sheets lie on the tables: never the case question (the registration form
    # promises that only the facilitation team reads it) ...
    ("table plan print", workshop_screen("table_plan_print"), SEE_NAMES, ()),
    # ... which their own, labelled copy shows, to them only.
    (
        "facilitators' copy",
        lambda page, presenter: (
            workshop_screen("table_plan_print")(page, presenter) + "?copy=facilitators"
        ),
        SEE_CASES,
        (CASE,),
    ),
    ("table plan csv", workshop_screen("table_plan_csv"), SEE_NAMES, ()),
    ("harvest", workshop_screen("harvest"), SEE_NAMES, (CASE,)),
]
USERS = (
    "anonymous",
    "viewer",
    "facilitator",
    "changer",
    "case_changer",
    "case_only",
    "superuser",
)


def content_of(response) -> str:
    """The text a user gets: the page, the CSV, or the cells of the XLSX."""
    data = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if data.startswith(b"PK"):  # an XLSX file
        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize(
    ("build_url", "may_open", "shown"),
    [screen[1:] for screen in SCREENS],
    ids=[screen[0] for screen in SCREENS],
)
def test_the_case_texts_need_their_own_permission(
    client, users, planned, who, build_url, may_open, shown
):
    page, presenter = planned
    user = users[who]
    if user is not None:
        client.force_login(user)
    response = client.get(build_url(page, presenter))
    content = content_of(response)

    if who not in may_open:
        assert response.status_code == 302
        expected = "wagtailadmin_login" if user is None else "wagtailadmin_home"
        assert response["Location"].startswith(reverse(expected))
        assert NAME not in content
    else:
        assert response.status_code == 200
        assert NAME in content or 'name="last_name"' in content
    for text in CASE_TEXTS:
        # Shown to those with the case permission (the control), never to others.
        expected = who in SEE_CASES and who in may_open and text in shown
        assert (text in content) is expected, text


def test_without_the_case_permission_the_correction_leaves_the_notes_alone(
    client, users, planned
):
    page, presenter = planned
    client.force_login(users["changer"])
    url = reverse("wagtail_atelier_registration_modeladmin_edit", args=[presenter.pk])
    data = {
        "first_name": "Zoé",
        "last_name": NAME,
        "email": presenter.email,
        "phone": "",
        "organisation": presenter.organisation,
        "town": presenter.town,
        "canton": presenter.canton,
        "accessibility_needs": "",
        "dietary_note": "überschrieben",
    }
    response = client.post(url, data)
    assert response.status_code == 302

    presenter.refresh_from_db()
    assert presenter.first_name == "Zoé"  # the correction is saved
    assert presenter.accessibility_needs == ACCESSIBILITY
    assert presenter.dietary_note == DIETARY

    client.force_login(users["case_changer"])
    assert client.post(url, {**data, "dietary_note": "vegetarisch"}).status_code == 302
    presenter.refresh_from_db()
    assert presenter.dietary_note == "vegetarisch"
    assert presenter.accessibility_needs == ""


def test_who_may_see_the_case_details(users):
    assert {who for who in USERS if user_can_see_case_details(users[who])} == SEE_CASES
    assert not user_can_see_case_details(None)
    inactive = users["facilitator"]
    inactive.is_active = False
    assert not user_can_see_case_details(inactive)
