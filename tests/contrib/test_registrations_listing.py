"""The coordinators' registrations listing: its few columns, each row's actions in
Wagtail's dropdown, the filters above the table, the seats of the workshop filtered
to, the bulk actions on a selection, and the exports (BOM, sheet name, dated
workshop). The layout in a browser is in tests/browser/test_registrations_listing.py.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import RegistrationFactory, WorkshopPageFactory
from wagtail_atelier.models import OutgoingMail, Registration
from wagtail_atelier.models.mail import MailKind

pytestmark = pytest.mark.django_db

INDEX = "wagtail_atelier_registration_modeladmin_index"
BULK = "wagtail_atelier_admin:registration_bulk"


def index_url(query: str = "") -> str:
    return reverse(INDEX) + query


def bulk_url() -> str:
    return reverse(BULK)


def date_of(workshop) -> str:
    return f"{timezone.localtime(workshop.start_at):%d.%m.%Y}"


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m).strip()) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(workshop):
    """In the workshop (3 participant places): two confirmed participants (one
    attended), a waiting one, a cancelled one, and a confirmed case presenter."""
    return {
        "anna": RegistrationFactory(
            workshop=workshop, first_name="Anna", last_name="Bärtschi"
        ),
        "bruno": RegistrationFactory(
            workshop=workshop,
            first_name="Bruno",
            last_name="Anwesend",
            attended_at=timezone.now(),
        ),
        "carla": RegistrationFactory(
            workshop=workshop, first_name="Carla", last_name="Wartend", status="waiting"
        ),
        "dora": RegistrationFactory(
            workshop=workshop,
            first_name="Dora",
            last_name="Abgemeldet",
            status="cancelled",
            cancelled_at=timezone.now(),
        ),
        "emil": RegistrationFactory(
            workshop=workshop,
            first_name="Emil",
            last_name="Fallgeber",
            role="case_presenter",
        ),
    }


@pytest.fixture
def other(index):
    return WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Olten",
        start_at=timezone.now() + timedelta(days=90),
    )


def page_of(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(index_url(query))
    assert response.status_code == 200
    return response.content.decode()


def table_body(content: str) -> str:
    return content.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def row_of(content: str, name: str) -> str:
    body = table_body(content)
    start = body.index(name)
    return body[body.rindex("<tr", 0, start) : body.index("</tr>", start)]


# -- columns ---------------------------------------------------------------------------


def test_the_listing_shows_few_essential_columns(client, users, people, workshop):
    content = page_of(client, users["viewer"])
    thead = content.split("<thead>", 1)[1].split("</thead>", 1)[0]
    headings = [
        re.sub(r"<[^>]+>|\s+", " ", heading).strip()
        for heading in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)
    ]
    assert headings == ["", "Name", "Workshop", "Role", "Status", "Registered on"]

    anna = row_of(content, "Bärtschi")
    assert f"Praxiswerkstatt Suhr ({date_of(workshop)})" in anna
    assert ">Participant<" in anna  # the short role, not the form's sentence
    assert f">{timezone.localtime(people['anna'].created_at):%d.%m.%Y}<" in anna
    # What stays in the inspect view and the exports.
    assert "person0@example.org" not in content
    assert "Caring Community Suhr" not in content
    # Attendance shows with the status.
    assert "attended" in row_of(content, "Anwesend")
    assert "attended" not in row_of(content, "Bärtschi").split("w-dropdown")[-1]


# -- row actions -----------------------------------------------------------------------


def test_each_rows_actions_are_in_wagtails_dropdown(client, users, people):
    content = page_of(client, users["changer"])
    body = table_body(content)
    assert body.count("<tr") == 5
    assert body.count('data-controller="w-dropdown"') == 5
    assert '<ul class="actions">' not in body  # no column of buttons

    waiting = row_of(content, "Wartend")
    toggle = re.search(r'<button type="button"[^>]*w-dropdown__toggle[^>]*>', waiting)
    assert toggle and 'aria-label="Actions for Carla Wartend"' in toggle.group(0)
    menu = waiting.split('data-w-dropdown-target="content"', 1)[1]
    labels = re.findall(r'class="atelier-row-action[^"]*">([^<]+)</a>', menu)
    assert labels == [
        "Inspect",
        "Edit",
        "Promote from the waiting list",
        "Cancel",
    ]
    cancelled = row_of(content, "Abgemeldet")
    assert "Cancel<" not in cancelled and "/promote/" not in cancelled


def test_viewers_get_only_inspect_in_the_dropdown(client, users, people):
    content = page_of(client, users["viewer"])
    menu = row_of(content, "Wartend").split('data-w-dropdown-target="content"')[1]
    assert re.findall(r'class="atelier-row-action[^"]*">([^<]+)</a>', menu) == [
        "Inspect"
    ]


# -- filters ---------------------------------------------------------------------------


def test_the_filters_sit_above_the_table_not_beside_it(client, users, people):
    content = page_of(client, users["viewer"])
    assert "changelist-filter" not in content  # the stock sidebar
    assert 'class="result-list col9"' not in content
    panel = content.index("atelier-filters__panel")
    assert panel < content.index('<table class="listing')
    titles = re.findall(r'class="atelier-filters__title"[^>]*>([^<]+)</h2>', content)
    assert titles == ["Workshop", "Role", "Status", "Language of correspondence"]
    assert "atelier-active-filters" not in content  # nothing filtered yet


def test_active_filters_show_as_pills_that_remove_them(
    client, users, people, workshop, other
):
    RegistrationFactory(workshop=other, last_name="Olten")
    query = f"?workshop_key={workshop.translation_key}&status__exact=confirmed"
    content = page_of(client, users["viewer"], query)
    assert "Olten" not in table_body(content)
    assert "Wartend" not in table_body(content)
    assert "Filters (2)" in content
    pills = content.split("atelier-active-filters", 1)[1].split("</ul>", 1)[0]
    removes = re.findall(r'<a class="w-pill__remove" href="([^"]*)"', pills)
    assert len(removes) == 2
    assert 'aria-label="Remove the filter Status: Confirmed"' in pills

    # Removing the status pill keeps the workshop.
    status_remove = removes[1].replace("&amp;", "&")
    assert "status__exact" not in status_remove
    content = page_of(client, users["viewer"], status_remove)
    assert "Wartend" in table_body(content)
    assert "Olten" not in table_body(content)


# -- seats -----------------------------------------------------------------------------


def test_the_seats_of_the_workshop_filtered_to_are_on_top(
    client, users, people, workshop
):
    content = page_of(
        client, users["viewer"], f"?workshop_key={workshop.translation_key}"
    )
    seats = content.split('class="atelier-seats"', 1)[1].split("</section>", 1)[0]
    assert f"Places at Praxiswerkstatt Suhr ({date_of(workshop)})" in seats
    text = re.sub(r"<[^>]+>|\s+", " ", seats)
    # Participants: Anna and Bruno of 3, Carla waiting; case presenters: Emil of 2.
    assert re.search(r"Participants\s+2 of 3 places confirmed\s+waiting list: 1", text)
    assert re.search(
        r"Case presenters\s+1 of 2 places confirmed\s+waiting list: 0", text
    )
    assert content.index("atelier-seats") < content.index('<table class="listing')


@pytest.mark.parametrize(
    "query", ["", "?workshop_key=not-a-key", "?role__exact=participant"]
)
def test_no_seats_without_one_workshop(client, users, people, query):
    assert 'class="atelier-seats"' not in page_of(client, users["viewer"], query)


# -- bulk actions ----------------------------------------------------------------------


def bulk_query(action: str, *registrations, next_url: str = "") -> dict:
    data = {"action": action, "id": [r.pk for r in registrations]}
    if next_url:
        data["next"] = next_url
    return data


def states() -> dict:
    return {
        r.last_name: (r.status, r.attended_at is not None)
        for r in Registration.objects.all()
    }


def test_changers_get_the_bulk_bar_and_checkboxes(client, users, people):
    content = page_of(client, users["changer"])
    form = content.split('<form id="atelier-bulk"', 1)[1]
    assert f'action="{bulk_url()}"' in form.split(">", 1)[0]
    for value in ("attended", "not_attended", "cancel"):
        assert f'name="action" value="{value}"' in form
    assert 'name="export" value="csv"' in form
    assert table_body(content).count('type="checkbox" name="id"') == 5
    assert 'aria-label="Select Anna Bärtschi"' in content
    assert "data-atelier-select-all" in content


def test_viewers_may_only_export_the_selection(client, users, people):
    content = page_of(client, users["viewer"])
    assert 'name="action"' not in content
    assert 'name="export" value="csv"' in content
    assert table_body(content).count('type="checkbox" name="id"') == 5


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_bulk_actions_are_denied_without_the_change_permission(
    client, users, people, who, method
):
    before = states()
    client.force_login(users[who])
    data = bulk_query("cancel", people["anna"], people["carla"])
    response = getattr(client, method)(bulk_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert "Bärtschi" not in response.content.decode()
    assert states() == before
    assert not OutgoingMail.objects.exists()


def test_bulk_cancel_confirms_first_and_lists_what_will_happen(client, users, people):
    client.force_login(users["changer"])
    before = states()
    response = client.get(
        bulk_url(),
        bulk_query("cancel", people["anna"], people["carla"], people["dora"]),
    )
    assert response.status_code == 200
    assert states() == before  # a GET only asks
    content = response.content.decode()
    assert "2 registrations will change." in content
    assert "1 stays as it is." in content
    rows = content.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    anna = rows[rows.index("Bärtschi") :].split("</tr>", 1)[0]
    assert "the first person on the waiting list moves up" in anna
    dora = rows[rows.index("Abgemeldet") :].split("</tr>", 1)[0]
    assert "Already cancelled: nothing changes." in dora
    assert "Emil" not in rows  # only the selection
    assert "Yes, cancel these registrations" in content
    assert content.count('type="hidden" name="id"') == 3


def test_bulk_cancel_uses_the_service_waiting_list_mails_and_log(
    client, users, people, django_capture_on_commit_callbacks
):
    client.force_login(users["changer"])
    listing = index_url("?status__exact=confirmed")
    with django_capture_on_commit_callbacks():
        response = client.post(
            bulk_url(),
            bulk_query("cancel", people["anna"], people["dora"], next_url=listing),
        )
    assert response.status_code == 302
    assert response["Location"] == listing
    anna = Registration.objects.get(pk=people["anna"].pk)
    carla = Registration.objects.get(pk=people["carla"].pk)
    assert anna.is_cancelled and anna.cancelled_at is not None
    assert carla.is_confirmed and carla.promoted_at == anna.cancelled_at
    # Mails stored as rows, as the one-row cancel does: Anna's cancellation and
    # Carla's place; none for Dora (already cancelled).
    kinds = sorted((mail.kind, tuple(mail.to)) for mail in OutgoingMail.objects.all())
    assert (MailKind.CANCELLATION, (anna.email,)) in kinds
    assert any(to == (carla.email,) for _kind, to in kinds)
    assert not any(to == (people["dora"].email,) for _kind, to in kinds)
    [(level, message)] = messages_of(response)
    assert level == "success"
    assert "1 registration cancelled" in message
    assert "Carla Wartend" in message
    entry = ModelLogEntry.objects.get(action="wagtail_atelier.registration.cancel")
    assert entry.object_id == str(anna.pk)
    assert "Bärtschi" not in entry.label


def test_bulk_attendance_marks_only_confirmed_and_unmarks(client, users, people):
    client.force_login(users["changer"])
    response = client.get(
        bulk_url(),
        bulk_query("attended", people["anna"], people["bruno"], people["carla"]),
    )
    content = response.content.decode()
    assert "1 registration will change." in content
    assert "Not confirmed: cannot be marked, nothing changes." in content
    assert "Already marked as attended: nothing changes." in content

    client.post(
        bulk_url(),
        bulk_query("attended", people["anna"], people["bruno"], people["carla"]),
    )
    after = states()
    assert after["Bärtschi"] == ("confirmed", True)
    assert after["Wartend"] == ("waiting", False)
    assert (
        ModelLogEntry.objects.filter(
            action="wagtail_atelier.registration.attended"
        ).count()
        == 1
    )

    response = client.post(
        bulk_url(), bulk_query("not_attended", people["anna"], people["bruno"])
    )
    after = states()
    assert after["Bärtschi"] == ("confirmed", False)
    assert after["Anwesend"] == ("confirmed", False)
    assert (
        "Attendance mark removed from 2 registrations." in messages_of(response)[-1][1]
    )


@pytest.mark.parametrize(
    "data",
    [
        {"action": "cancel"},  # nothing selected
        {"action": "cancel", "id": ["x", "-1"]},
        {"action": "cancel", "id": ["999999"]},
        {"action": "delete_everything", "id": ["1"]},
    ],
    ids=["empty", "not ids", "unknown id", "unknown action"],
)
def test_a_bad_selection_changes_nothing_and_says_so(client, users, people, data):
    client.force_login(users["changer"])
    before = states()
    response = client.post(bulk_url(), data)
    assert response.status_code == 302
    assert response["Location"] == index_url()
    assert states() == before
    assert messages_of(response)[0][0] in ("warning", "error")


def test_bulk_actions_only_return_inside_the_site(client, users, people):
    client.force_login(users["changer"])
    response = client.post(
        bulk_url(),
        bulk_query("attended", people["anna"], next_url="https://evil.example.org/"),
    )
    assert response["Location"] == index_url()


# -- exports ---------------------------------------------------------------------------


def test_the_csv_starts_with_a_bom_and_keeps_umlauts(client, users, people, workshop):
    client.force_login(users["viewer"])
    content = body(client.get(index_url("?export=csv")))
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0])[0] == "Workshop"
    assert "Bärtschi" in {row["Last name"] for row in rows}
    # The workshop with its date.
    assert {row["Workshop"] for row in rows} == {
        f"Praxiswerkstatt Suhr ({date_of(workshop)})"
    }


def test_the_xlsx_sheet_is_named_and_dates_the_workshop(
    client, users, people, workshop, other
):
    RegistrationFactory(workshop=other, last_name="Olten")
    client.force_login(users["viewer"])
    workbook = openpyxl.load_workbook(
        io.BytesIO(body(client.get(index_url("?export=xlsx"))))
    )
    assert workbook.sheetnames == ["Registrations"]
    rows = list(workbook.active.iter_rows(values_only=True))
    workshops = {row[0] for row in rows[1:]}
    assert workshops == {
        f"Praxiswerkstatt Suhr ({date_of(workshop)})",
        f"Praxiswerkstatt Olten ({date_of(other)})",
    }


@pytest.mark.parametrize(
    ("language", "sheet"),
    [("de", "Anmeldungen"), ("fr", "Inscriptions"), ("it", "Iscrizioni")],
)
def test_the_xlsx_sheet_name_is_translated(client, users, people, language, sheet):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(users["viewer"])
    profile.preferred_language = language
    profile.save()
    client.force_login(users["viewer"])
    workbook = openpyxl.load_workbook(
        io.BytesIO(body(client.get(index_url("?export=xlsx"))))
    )
    assert workbook.sheetnames == [sheet]


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_selection_is_exported_alone(client, users, people, export):
    client.force_login(users["viewer"])
    query = (
        f"?export={export}&id={people['anna'].pk}&id={people['emil'].pk}"
        f"&next={index_url()}"
    )
    response = client.get(index_url(query))
    assert response.status_code == 200
    content = body(response)
    if export == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        names = {row["Last name"] for row in rows}
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        heading, *rows = list(sheet.iter_rows(values_only=True))
        names = {dict(zip(heading, row, strict=True))["Last name"] for row in rows}
    assert names == {"Bärtschi", "Fallgeber"}


# -- queries ---------------------------------------------------------------------------


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "one workshop"])
def test_the_listing_costs_the_same_for_5_and_40_registrations(
    client, users, workshop, filtered
):
    client.force_login(users["changer"])
    query = f"?workshop_key={workshop.translation_key}" if filtered else ""
    counts, total = [], 0
    for added in (5, 35):
        RegistrationFactory.create_batch(added, workshop=workshop)
        total += added
        client.get(index_url(query))  # warm caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(index_url(query))
        assert table_body(response.content.decode()).count("<tr") == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
