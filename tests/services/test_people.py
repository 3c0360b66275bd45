"""A person's data on request: finding, exporting and erasing everything about one
email address, and deleting records in the admin without leaving copies behind.

The dump tests dump the whole database (every app) and look for the person's
strings: run them on PostgreSQL too (``DATABASE_URL=postgres://... pytest``).
"""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, ModelLogEntry, Revision, Site
from wagtail_localize.models import (
    String,
    StringTranslation,
    TranslationSource,
)

from tests.factories import (
    RegistrationFactory,
    WorkshopPageFactory,
    registration_data,
    route,
    translate,
)
from tests.factories import (
    TestimonialFactory as QuoteFactory,
)
from wagtail_atelier.models import (
    FeedbackAnswer,
    FeedbackRequest,
    HostRequest,
    OutgoingMail,
    Registration,
    TablePlan,
)
from wagtail_atelier.models import (
    Testimonial as Quote,
)
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services import feedback as feedback_services
from wagtail_atelier.services import harvest as harvest_services
from wagtail_atelier.services import host_request as host_request_services
from wagtail_atelier.services import people
from wagtail_atelier.services import registration as registration_services
from wagtail_atelier.services import table_plan as table_plan_services

pytestmark = pytest.mark.django_db

FIRST = "Zoefirstmark"
LAST = "Lastmarkkeller"
EMAIL = "zoe.erasemark@example.org"
CASE = "Casemark: how do we keep our volunteers after a hard winter?"
NEEDS = "Accessmark: a step-free entrance"
QUOTE = "Quotemark: we came out of our bubble."
FRENCH_QUOTE = "Quotemarkfr : nous sommes sortis de notre bulle."
HOST_MESSAGE = "Hostmark: we would love a workshop in our village."
HARVEST = "Harvestmark: ask the neighbours first."
MARKERS = (FIRST, LAST, EMAIL, CASE, NEEDS, QUOTE, FRENCH_QUOTE, HOST_MESSAGE, HARVEST)


def database_dump() -> str:
    """Every row of every app, as ``manage.py dumpdata`` writes it."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def found_in(dump: str, marker: str) -> bool:
    # As written and as JSON escapes it; without regard to case (addresses).
    return any(
        form.casefold() in dump.casefold()
        for form in (marker, json.dumps(marker)[1:-1])
    )


def localize(testimonial: Quote, language_code: str, quote: str) -> Quote:
    """Translate ``testimonial`` with wagtail-localize, as a translator does in its
    editor: a source, a translated string, then the translation published."""
    locale = Locale.objects.get(language_code=language_code)
    source, _created = TranslationSource.get_or_create_from_instance(testimonial)
    for segment in source.stringsegment_set.select_related("string", "context"):
        if segment.context.path == "quote":
            StringTranslation.objects.create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                data=quote,
            )
    translated, _created = source.create_or_update_translation(locale)
    return Quote.objects.get(pk=translated.pk)


# -- the person -----------------------------------------------------------------------


@pytest.fixture
def workshop(indexes):
    page = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Aarau",
        slug="aarau",
        start_at=timezone.now() + timedelta(days=10),
        case_presenter_capacity=None,
        participant_capacity=None,
    )
    translate(page, "fr", title="Atelier pratique Aarau")
    return page


@pytest.fixture
def person(workshop):
    """Zoe registers as a case presenter, is seated in the table plan, attends,
    gets a harvest, answers the feedback with consent; the quote is published and
    translated into French; she also asks to host a workshop. Others take part."""
    registration = registration_services.register(
        workshop=workshop,
        data=registration_data(
            EMAIL,
            role="case_presenter",
            first_name=FIRST,
            last_name=LAST,
            case_description=CASE,
            accessibility_needs=NEEDS,
        ),
        language="de",
    ).registration
    others = [
        RegistrationFactory(workshop=workshop, role="case_presenter"),
        *(RegistrationFactory(workshop=workshop) for _ in range(5)),
    ]
    table_plan_services.generate(workshop, rounds=3, min_size=3, max_size=5)
    # The workshop took place three days ago; everyone attended.
    start = timezone.now() - timedelta(days=3, hours=3)
    type(workshop).objects.filter(translation_key=workshop.translation_key).update(
        start_at=start, end_at=start + timedelta(hours=3)
    )
    Registration.objects.update(attended_at=timezone.now())
    harvest = harvest_services.save_harvest(registration, HARVEST, "", user=None)
    harvest_services.send_harvest(harvest, user=None)
    feedback_services.send_due_feedback_requests()
    feedback_request = FeedbackRequest.objects.get(registration=registration)
    feedback_services.answer(
        feedback_request,
        data={"takeaway": QUOTE, "may_quote": True, "naming": "full_name"},
    )
    testimonial = Quote.objects.get()
    testimonial.save_revision().publish()
    localize(testimonial, "fr", FRENCH_QUOTE)
    host_request = host_request_services.submit(
        page=None,
        site=Site.objects.get(is_default_site=True),
        data={
            "organisation": "Caring Community Aarau",
            "contact_name": f"{FIRST} {LAST}",
            "email": EMAIL.upper(),
            "canton": "AG",
            "region": "Aarau",
            "languages": ["de"],
            "format": "on_site",
            "venue": "yes",
            "expected_people": 20,
            "message": HOST_MESSAGE,
        },
        language="de",
    )
    return {
        "registration": registration,
        "others": others,
        "feedback_request": feedback_request,
        "testimonial": testimonial,
        "host_request": host_request,
    }


# -- the dump test --------------------------------------------------------------------


def test_after_the_erasure_the_database_holds_nothing_of_the_person(workshop, person):
    before = database_dump()
    for marker in MARKERS:
        assert found_in(before, marker), marker  # the control: the dump sees them

    report = people.erase_person(EMAIL.upper())

    after = database_dump()
    for marker in MARKERS:
        assert not found_in(after, marker), marker
    assert report.registrations == 1
    assert report.testimonials == 2  # German and French
    assert report.host_requests == 1
    assert report.feedback_answers == 1
    assert report.harvests == 1
    assert report.table_plans == 1
    assert report.mails >= 4  # confirmation, harvest, feedback, acknowledgement
    # The others and the plan are still there, and the plan still reads.
    assert Registration.objects.count() == len(person["others"])
    table_plan = TablePlan.objects.get()
    view = table_plan_services.plan_view(table_plan)
    assert view is not None
    assert person["registration"].pk not in people.plan_person_ids(table_plan.data)
    # The secret links answer "not found".
    from django.test import Client

    page = feedback_services.live_workshop_version(workshop.translation_key, "de")
    token = person["feedback_request"].token
    assert Client().get(route(page, "feedback", token)).status_code == 404


def test_nothing_about_others_is_erased(workshop, person):
    other = person["others"][0]
    other_mails = OutgoingMail.objects.filter(registration=other).count()
    people.erase_person(EMAIL)
    assert Registration.objects.filter(pk=other.pk).exists()
    assert OutgoingMail.objects.filter(registration=other).count() == other_mails
    assert FeedbackAnswer.objects.count() == 0
    assert FeedbackRequest.objects.count() == len(person["others"])


def test_an_active_registration_for_a_coming_workshop_frees_its_seat(index):
    workshop = WorkshopPageFactory(parent=index, participant_capacity=1)
    data = registration_data(EMAIL, first_name=FIRST, last_name=LAST)
    registration_services.register(workshop=workshop, data=data, language="de")
    waiting = registration_services.register(
        workshop=workshop,
        data=registration_data("next@example.org"),
        language="de",
    ).registration
    assert waiting.is_waiting

    report = people.erase_person(EMAIL)

    assert report.seats_freed == 1
    waiting.refresh_from_db()
    assert waiting.is_confirmed
    assert OutgoingMail.objects.filter(
        registration=waiting, kind=MailKind.PROMOTION
    ).exists()
    # No mail to the erased person is left, not even the cancellation.
    for mail in OutgoingMail.objects.all():
        assert EMAIL not in json.dumps(mail.to) + mail.body_text
    assert not Registration.objects.filter(email=EMAIL).exists()


def test_the_erasure_is_logged_with_counts_but_without_the_address(
    workshop, person, caplog, django_user_model
):
    user = django_user_model.objects.create_user(username="dpo", password="x")
    with caplog.at_level(logging.DEBUG):
        people.erase_person(EMAIL, user=user)
    messages = [record.getMessage() for record in caplog.records]
    assert any("registrations" in m and str(user.pk) in m for m in messages)
    for message in messages:
        for marker in MARKERS:
            assert marker.casefold() not in message.casefold()
    for entry in ModelLogEntry.objects.all():
        text = entry.label + json.dumps(entry.data)
        for marker in MARKERS:
            assert marker not in text


def test_mails_to_the_address_are_found_whatever_their_case(db):
    addressed = OutgoingMail.objects.create(
        kind=MailKind.CONFIRMATION,
        to=[f"Zoe <{EMAIL.upper()}>"],
        language="de",
        subject="x",
        next_attempt_at=timezone.now(),
    )
    reply_to = OutgoingMail.objects.create(
        kind=MailKind.CONFIRMATION,
        to=["someone@example.org"],
        reply_to=[EMAIL, "office@example.org"],
        language="de",
        subject="y",
        next_attempt_at=timezone.now(),
    )
    OutgoingMail.objects.create(
        kind=MailKind.CONFIRMATION,
        to=[f"not-{EMAIL}"],  # contains the address, is another one
        language="de",
        subject="z",
        next_attempt_at=timezone.now(),
    )
    records = people.find_person(EMAIL)
    assert records.mails == [addressed]
    assert records.reply_to_mails == [reply_to]
    people.erase_person(EMAIL)
    assert not OutgoingMail.objects.filter(pk=addressed.pk).exists()
    reply_to.refresh_from_db()
    assert reply_to.reply_to == ["office@example.org"]
    assert OutgoingMail.objects.count() == 2


def test_an_unknown_address_erases_nothing(workshop, person):
    counts = {
        model: model.objects.count()
        for model in (Registration, OutgoingMail, Quote, HostRequest)
    }
    report = people.erase_person("nobody@example.org")
    assert report.total == 0
    for model, count in counts.items():
        assert model.objects.count() == count


# -- the export -----------------------------------------------------------------------


def test_the_export_holds_every_kind_of_record(workshop, person):
    export = people.export_person(EMAIL.upper())
    json.dumps(export)  # JSON-able as it is
    assert export["email"] == EMAIL
    for kind in people.KINDS:
        assert export[kind], kind
    [registration] = export["registrations"]
    assert registration["first_name"] == FIRST
    assert registration["case_description"] == CASE
    assert registration["accessibility_needs"] == NEEDS
    assert registration["workshop"]["title"] == "Praxiswerkstatt Aarau"
    assert {t["quote"] for t in export["testimonials"]} == {QUOTE, FRENCH_QUOTE}
    assert export["feedback_answers"][0]["takeaway"] == QUOTE
    assert export["harvests"][0]["key_insights"] == HARVEST
    assert export["host_requests"][0]["message"] == HOST_MESSAGE
    [seat] = export["table_plans"]
    assert seat["case_table"] is not None
    kinds = {mail["kind"] for mail in export["mails"]}
    assert {
        MailKind.CONFIRMATION,
        MailKind.HARVEST,
        MailKind.FEEDBACK_REQUEST,
        MailKind.HOST_REQUEST_ACKNOWLEDGEMENT,
    } <= kinds
    # Nothing about the other people: not their names, not their plan entries.
    text = json.dumps(export)
    for other in person["others"]:
        assert other.first_name not in text
    # Notifications to the workshop's contact: that they were sent, not to whom.
    for mail in export["mails"]:
        if not mail["to_you"]:
            assert "to" not in mail and "body_text" not in mail


def test_the_table_plan_keeps_working_without_the_person(workshop, person):
    table_plan = TablePlan.objects.get()
    data = people.without_people(
        table_plan.data, {person["registration"].pk, person["others"][1].pk}
    )
    from wagtail_atelier import planner

    plan = planner.Plan.from_dict(data)
    ids = {t.presenter_id for t in plan.problem.tables} | {
        a.id for a in plan.problem.advisers
    }
    assert person["registration"].pk not in ids
    assert person["others"][1].pk not in ids


# -- deleting records in the admin leaves no copy (the audit's findings) --------------


def test_deleting_a_registration_in_the_admin_deletes_its_feedback(
    admin_client, workshop, person
):
    registration = person["registration"]
    registration_services.cancel(registration, by_staff=True)
    url = reverse(
        "wagtail_atelier_registration_modeladmin_delete", args=[registration.pk]
    )
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert not FeedbackRequest.objects.filter(pk=person["feedback_request"].pk).exists()
    assert not FeedbackAnswer.objects.filter(takeaway=QUOTE).exists()
    page = feedback_services.live_workshop_version(workshop.translation_key, "de")
    token = person["feedback_request"].token
    assert admin_client.get(route(page, "feedback", token)).status_code == 404
    dump = database_dump()
    for marker in (CASE, NEEDS, HARVEST):
        assert not found_in(dump, marker), marker


def test_deleting_a_host_request_deletes_its_mails(admin_client, workshop, person):
    host_request = person["host_request"]
    assert OutgoingMail.objects.filter(host_request=host_request).exists()
    url = reverse(
        "wagtail_atelier_hostrequest_modeladmin_delete", args=[host_request.pk]
    )
    assert admin_client.post(url).status_code == 302
    assert not OutgoingMail.objects.filter(host_request_id=host_request.pk).exists()
    assert not found_in(database_dump(), HOST_MESSAGE)


def test_deleting_a_testimonial_in_the_admin_leaves_no_quote(admin_client, locales):
    testimonial = QuoteFactory(live=False, quote=QUOTE)
    testimonial.save_revision().publish()  # logged: the label was the quote
    french = localize(testimonial, "fr", FRENCH_QUOTE)
    assert String.objects.filter(data=QUOTE).exists()
    assert ModelLogEntry.objects.filter(object_id=str(testimonial.pk)).exists()
    for entry in ModelLogEntry.objects.all():
        assert "Quotemark" not in entry.label  # labels are neutral when written

    for version in (french, testimonial):
        url = reverse(
            "wagtailsnippets_wagtail_atelier_testimonial:delete", args=[version.pk]
        )
        assert admin_client.post(url).status_code == 302

    assert not Quote.objects.exists()
    assert not Revision.objects.filter(object_id=str(testimonial.pk)).exists()
    assert not TranslationSource.objects.exists()
    dump = database_dump()
    for marker in (QUOTE, FRENCH_QUOTE):
        assert not found_in(dump, marker), marker


def test_deleting_one_translation_keeps_the_others_strings(admin_client, locales):
    testimonial = QuoteFactory(live=False, quote=QUOTE)
    testimonial.save_revision().publish()
    french = localize(testimonial, "fr", FRENCH_QUOTE)
    url = reverse(
        "wagtailsnippets_wagtail_atelier_testimonial:delete", args=[french.pk]
    )
    assert admin_client.post(url).status_code == 302
    assert not StringTranslation.objects.filter(data=FRENCH_QUOTE).exists()
    # The German testimonial is untouched, and its string is left to it.
    assert Quote.objects.get(pk=testimonial.pk).quote == QUOTE
    assert String.objects.filter(data=QUOTE).exists()


def test_old_log_labels_are_rewritten_when_the_testimonial_goes(locales):
    testimonial = QuoteFactory(quote=QUOTE)
    pk = testimonial.pk
    entry = ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Quote),
        object_id=str(pk),
        label="placeholder",
        action="wagtail.edit",
        timestamp=timezone.now(),
    )
    # As written before labels were neutral.
    ModelLogEntry.objects.filter(pk=entry.pk).update(label=QUOTE)
    testimonial.delete()
    entry.refresh_from_db()
    assert QUOTE not in entry.label
    assert entry.label.endswith(f" {pk}")
