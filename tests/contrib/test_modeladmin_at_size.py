"""The registrations listing and its exports at size: the same queries for 5 and for
50 registrations, rows shown exactly as wagtail-modeladmin's own templates show them,
and exports that read the rows in chunks (the CSV streamed) with their content
unchanged. The timings against Wagtail's user listing are in bench/admin_at_size.py."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import RegistrationFactory, WorkshopPageFactory
from wagtail_atelier.contrib.modeladmin.options import (
    ExportIndexView,
    RegistrationAdmin,
)

pytestmark = pytest.mark.django_db

# A page of the listing (up to 100 rows), for a user in the Editors group: session,
# user, permissions (2), profile, the workshop and language filters' choices (3), the
# counts (3), the page of rows, and the admin's menu and locales (5). Nothing per row.
LISTING_BUDGET = 18
# The same for an export without the menu and counts, for a superuser: session, user,
# profile, the filters' choices (3), the rows (read in chunks by one query).
EXPORT_BUDGET = 7
SIZES = [5, 50]


def index_url(query: str = "") -> str:
    return reverse("wagtail_atelier_registration_modeladmin_index") + query


def add_registrations(workshop, other, count: int) -> None:
    """``count`` registrations over two workshops, in every status, some attended
    (so that every kind of button shows)."""
    statuses = ["confirmed", "waiting", "cancelled", "confirmed"]
    for number in range(count):
        RegistrationFactory(
            workshop=(workshop, other)[number % 2],
            role=("participant", "case_presenter")[number % 2],
            status=statuses[number % len(statuses)],
            attended_at=timezone.now() if number % 4 == 3 else None,
        )


@pytest.fixture
def superuser(django_user_model):
    """A superuser with the admin in English: every column, the case details too."""
    from wagtail.users.models import UserProfile

    user = django_user_model.objects.create_superuser(
        username="root", email="root@example.org", password="x"
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def other(index):
    return WorkshopPageFactory(
        parent=index,
        title="Praxiswerkstatt Olten",
        start_at=timezone.now() - timedelta(days=3),  # started: delete shows
    )


def table_rows(response) -> list[str]:
    """The rows of the listing's table, whitespace between tags left out."""
    assert response.status_code == 200
    content = response.content.decode()
    body = content.rsplit("<tbody", 1)[-1].split("</tbody>", 1)[0]
    body = re.sub(r">\s+", ">", re.sub(r"\s+<", "<", body))
    return re.findall(r"<tr[ >].*?</tr>", body)


def read_all(response) -> tuple[list[bytes], bytes]:
    assert response.status_code == 200
    chunks = list(response.streaming_content)  # the test client closes it then
    return chunks, b"".join(chunks)


# -- query budgets ---------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_listing_has_a_query_budget_whatever_the_rows(
    client, users, workshop, other, size, django_assert_max_num_queries
):
    add_registrations(workshop, other, size)
    client.force_login(users["changer"])
    client.get(index_url())  # warm caches (content types, site)
    with django_assert_max_num_queries(LISTING_BUDGET):
        response = client.get(index_url())
    assert len(table_rows(response)) == size


@pytest.mark.parametrize("export", ["csv", "xlsx"])
@pytest.mark.parametrize("size", SIZES)
def test_the_exports_have_a_query_budget_whatever_the_rows(
    client, superuser, workshop, other, size, export, django_assert_max_num_queries
):
    add_registrations(workshop, other, size)
    admin_client = client
    admin_client.force_login(superuser)
    admin_client.get(index_url())
    with django_assert_max_num_queries(EXPORT_BUDGET):
        _chunks, content = read_all(admin_client.get(index_url(f"?export={export}")))
    if export == "csv":
        assert content.decode().count("\r\n") == size + 1
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert sheet.max_row == size + 1


@pytest.mark.parametrize("query", ["", "?export=csv", "?export=xlsx"])
def test_the_query_count_is_the_same_for_5_and_50_registrations(
    client, users, workshop, other, query
):
    client.force_login(users["changer"])
    counts = []
    for added in (SIZES[0], SIZES[1] - SIZES[0]):
        add_registrations(workshop, other, added)
        client.get(index_url())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(index_url(query))
            if response.streaming:
                read_all(response)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# -- what the listing shows ------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "changer"])
@pytest.mark.parametrize("query", ["", "?o=1.-2", "?status__exact=waiting&q=Muster"])
def test_the_rows_are_those_of_the_stock_listing(
    client, users, workshop, other, who, query, monkeypatch
):
    """The view renders the rows itself (no template tag and include per cell and
    button): the same cells, links and buttons as wagtail-modeladmin's templates,
    the buttons in Wagtail's dropdown and a checkbox added."""
    add_registrations(workshop, other, 12)
    RegistrationFactory(workshop=workshop, first_name="<b>Fett</b>", last_name="Muster")
    client.force_login(users[who])
    ours = [our_row(row) for row in table_rows(client.get(index_url(query)))]
    monkeypatch.setattr(
        RegistrationAdmin, "index_template_name", "modeladmin/index.html"
    )
    stock = [stock_row(row) for row in table_rows(client.get(index_url(query)))]
    assert ours == stock
    # The control: the comparison sees the buttons (a changer gets actions).
    assert any(len(actions) > 2 for _cells, actions in ours) == (who == "changer")
    assert len(ours) >= 3
    if not query:
        assert any("&lt;b&gt;Fett&lt;/b&gt;" in cells for cells, _actions in ours)


_LINK = re.compile(r'<a href="([^"]*)"[^>]*>\s*(.*?)\s*</a>')


def our_row(row: str) -> tuple[str, list]:
    """A row of the listing as (its cells, its actions): without the checkbox, the
    actions out of Wagtail's dropdown."""
    row = re.sub(r'<td class="atelier-select">.*?</td>', "", row)
    match = re.search(r'<div data-controller="w-dropdown".*?</div></div>', row)
    assert match, row
    return row.replace(match.group(0), ""), _LINK.findall(match.group(0))


def stock_row(row: str) -> tuple[str, list]:
    """A row of wagtail-modeladmin's own listing as (its cells, its buttons)."""
    match = re.search(r'<ul class="actions">.*?</ul>', row)
    assert match, row
    return row.replace(match.group(0), ""), _LINK.findall(match.group(0))


# -- exports ---------------------------------------------------------------------------


@pytest.fixture
def frozen_registrations(workshop, other):
    """Three registrations made at a known time (10:30:15 in Zurich)."""
    with freeze_time("2025-03-01 09:30:15.123456"):
        RegistrationFactory(
            workshop=workshop,
            role="case_presenter",
            first_name="Zoé",
            last_name="Keller",
            email="zoe@example.org",
            phone="+41 79 123 45 67",
            organisation='=HYPERLINK("https://evil.example.org","klick")',
            languages=["de", "fr"],
            share_contact=True,
            case_description="Wie gewinnen wir Freiwillige?",
        )
    with freeze_time("2025-03-01 09:31:00"):
        RegistrationFactory(
            workshop=other,
            first_name="Max",
            last_name="Muster",
            email="max@example.org",
            status="waiting",
        )
    with freeze_time("2025-03-01 09:32:00"):
        RegistrationFactory(
            workshop=workshop,
            first_name="Eva",
            last_name="Abgemeldet",
            email="eva@example.org",
            status="cancelled",
        )


# What the CSV held before the export streamed in chunks, for a user without the
# case details: labels, local times, translated choices, neutralised formulas; with
# a BOM first (for Excel) and the workshops' dates (see expected_csv()).
EXPECTED_CSV = (
    "\ufeffWorkshop,Role,Status,First name,Last name,Email,Phone,"
    "Caring community or organisation,Town,Canton,Languages for the discussions,"
    "Shares contact with the other participants,Language of correspondence,"
    "Registered at,"
    "Attendance marked at\r\n"
    "Praxiswerkstatt Suhr ({suhr}),"
    "I take part in the discussions,Cancelled,Eva,Abgemeldet,"
    "eva@example.org,,Caring Community Suhr,Suhr,Aargau,German,no,de,"
    "2025-03-01 10:32:00,\r\n"
    "Praxiswerkstatt Olten ({olten}),"
    "I take part in the discussions,Waiting list,Max,Muster,"
    "max@example.org,,Caring Community Suhr,Suhr,Aargau,German,no,de,"
    "2025-03-01 10:31:00,\r\n"
    "Praxiswerkstatt Suhr ({suhr}),I bring a case,Confirmed,Zoé,Keller,zoe@example.org,"
    '+41 79 123 45 67,"\'=HYPERLINK(""https://evil.example.org"",""klick"")",'
    'Suhr,Aargau,"German, French",yes,de,2025-03-01 10:30:15,\r\n'
)


def expected_csv(workshop, other) -> str:
    return EXPECTED_CSV.format(
        suhr=f"{timezone.localtime(workshop.start_at):%d.%m.%Y}",
        olten=f"{timezone.localtime(other.start_at):%d.%m.%Y}",
    )


def test_the_csv_is_streamed_in_chunks_and_unchanged(
    client, users, frozen_registrations, workshop, other, monkeypatch
):
    client.force_login(users["viewer"])
    expected = expected_csv(workshop, other)
    response = client.get(index_url("?export=csv"))
    assert response.streaming is True
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="registrations.csv"'
    _chunks, content = read_all(response)
    assert content.decode("utf-8") == expected

    # Two rows at a time: the heading, then two chunks (2 rows, 1 row), the same text.
    monkeypatch.setattr(ExportIndexView, "export_chunk_size", 2)
    chunks, content = read_all(client.get(index_url("?export=csv")))
    assert len(chunks) == 3
    assert content.decode("utf-8") == expected


def test_the_csv_keeps_the_filter_and_the_users_language(
    client, users, frozen_registrations, other, monkeypatch
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(users["viewer"])
    profile.preferred_language = "de"
    profile.save()
    monkeypatch.setattr(ExportIndexView, "export_chunk_size", 1)
    client.force_login(users["viewer"])
    _chunks, content = read_all(
        client.get(index_url(f"?workshop_key={other.translation_key}&export=csv"))
    )
    lines = content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Praxiswerkstatt,Rolle,Status,Vorname,Nachname")
    assert "Warteliste" in lines[1] and "Muster" in lines[1]


def test_the_xlsx_is_built_row_by_row_with_the_same_cells(
    client, superuser, frozen_registrations, monkeypatch
):
    admin_client = client
    admin_client.force_login(superuser)
    monkeypatch.setattr(ExportIndexView, "export_chunk_size", 2)
    response = admin_client.get(index_url("?export=xlsx"))
    assert response.streaming is True  # a file, sent in blocks
    assert response["Content-Disposition"] == (
        'attachment; filename="registrations.xlsx"'
    )
    _chunks, content = read_all(response)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    heading, *rows = rows
    rows = [dict(zip(heading, row, strict=True)) for row in rows]
    assert [row["Last name"] for row in rows] == ["Abgemeldet", "Muster", "Keller"]
    keller = rows[2]
    assert keller["Role"] == "I bring a case"
    assert (
        keller["Question or challenge"] == "Wie gewinnen wir Freiwillige?"
    )  # superuser
    assert keller["Caring community or organisation"].startswith("'=HYPERLINK")
    assert keller["Registered at"] == timezone.datetime(2025, 3, 1, 10, 30, 15)
    assert keller["Attendance marked at"] is None
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
