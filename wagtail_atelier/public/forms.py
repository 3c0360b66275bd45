"""Public forms: registration, "lost my link", host requests and feedback."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..models.choices import Canton, WorkshopFormat, WorkshopLanguage
from ..models.host_request import (
    EXPECTED_PEOPLE_MAX,
    MESSAGE_MAX_LENGTH,
    HostFormat,
    VenueAvailability,
)
from ..models.registration import (
    CASE_DESCRIPTION_MAX_LENGTH,
    RegistrationRole,
    normalise_email,
)
from ..models.testimonial import QUOTE_MAX_LENGTH, ROLE_ATTRIBUTIONS, Naming
from .spam import fill_time_problem, form_started_token, use_form_start

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    _("Enter a phone number with digits, spaces and an optional + only."),
)

# No markup in what people type: nothing here needs a tag, and a name or a case
# description that carries one ends up in mails, exports and the admin. "<" followed by
# a letter, "/", "!" or "?" starts a tag; "a < b" and "<3" stay allowed. Django's own
# "Enter a valid value." message, so the error shows in every language Django speaks.
no_markup = RegexValidator(r"<[A-Za-z/!?]", inverse_match=True, code="markup")


#: A label that ends like a sentence ("...this workshop.", "...take part?") is
#: followed by the error without a colon: "?: " and ".: " read as typos.
SENTENCE_END = (".", "?", "!", ":", ";", "\u2026")


def label_with_error(label, error) -> str:
    """One line of an error summary: "Email: This field is required." in the
    active language. The format is translatable, so French can put its space
    before the colon ("E-mail : Champ requis.")."""
    label = str(label).strip()
    if label.endswith(SENTENCE_END):
        return pgettext(
            "error summary line, after a label that ends with a full stop or "
            "question mark",
            "%(label)s %(error)s",
        ) % {"label": label, "error": error}
    return gettext("%(label)s: %(error)s") % {"label": label, "error": error}


class ErrorSummaryMixin:
    """What the error summary of a public form lists: each error with the id of
    the control its link moves focus to. A group of radio buttons or checkboxes
    is a fieldset, which takes no focus: its link leads to the first choice."""

    def error_summary(self) -> list[dict]:
        lines = [
            {"target": "", "text": str(error)} for error in self.non_field_errors()
        ]
        for field in self:
            if not field.errors:
                continue
            target = "" if field.is_hidden else focus_target_id(field)
            for error in field.errors:
                lines.append(
                    {"target": target, "text": label_with_error(field.label, error)}
                )
        return lines


def focus_target_id(field) -> str:
    """The id of the control that takes focus for ``field`` (a bound field)."""
    if getattr(field.field.widget, "use_fieldset", False):
        subwidgets = field.subwidgets
        if subwidgets:
            return subwidgets[0].id_for_label or ""
    return field.id_for_label or ""


class SpamProtectedForm(ErrorSummaryMixin, forms.Form):
    """Adds the honeypot and the signed start time; ``is_spam`` says if the honeypot
    was filled, which the view rejects without storing or mailing anything."""

    # Named like a field bots love; hidden from people and screen readers in the
    # template (aria-hidden wrapper, tabindex -1, autocomplete off).
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    form_started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        # Every rendering gets a fresh start time, so a form shown again after an
        # error can be submitted right away. Signed when the field is rendered, not
        # before: a cached workshop page renders the form without it (the script
        # fetches one from the page's form-token/ route).
        self.initial["form_started"] = form_started_token
        if self.is_bound:
            data = self.data.copy()
            self._submitted_started = data.get("form_started", "")
            data["form_started"] = form_started_token()
            self.data = data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def use_start(self, scope: str) -> bool:
        """Mark the signed start time this submission came with as used; False if
        it was used before (a replayed form, or the second of a double click), which
        the view answers like a success without storing or mailing anything. Call
        after ``is_valid()``, right before processing."""
        return use_form_start(getattr(self, "_submitted_started", ""), scope)

    def clean(self):
        cleaned_data = super().clean()
        problem = fill_time_problem(getattr(self, "_submitted_started", ""))
        if problem == "too_fast":
            raise forms.ValidationError(
                _("That was quick! Please check your entries and send the form again."),
                code="too_fast",
            )
        if problem in ("expired", "invalid"):
            raise forms.ValidationError(
                _(
                    "This form has expired. Please check your entries and send it "
                    "again."
                ),
                code="expired",
            )
        return cleaned_data


class RegistrationForm(SpamProtectedForm):
    role = forms.ChoiceField(
        label=_("How would you like to take part?"),
        choices=RegistrationRole.choices,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, validators=[no_markup]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, validators=[no_markup]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_validator]
    )
    organisation = forms.CharField(
        label=_("Caring community or organisation"),
        max_length=200,
        validators=[no_markup],
    )
    town = forms.CharField(label=_("Town"), max_length=100, validators=[no_markup])
    canton = forms.ChoiceField(
        label=_("Canton"), choices=[("", _("Choose a canton")), *Canton.choices]
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages in which you can take part in the discussions"),
        choices=WorkshopLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    case_description = forms.CharField(
        label=_("Your question or challenge"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=CASE_DESCRIPTION_MAX_LENGTH,
        required=False,
        validators=[no_markup],
        help_text=_(
            "A few sentences are enough: what is happening, and what you would like "
            "advice on. You will present it briefly at the workshop; nothing needs "
            "to be polished. Only the facilitation team reads it."
        ),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
        validators=[no_markup],
        help_text=_("For example step-free access, induction loop, sign language."),
    )
    dietary_note = forms.CharField(
        label=_("Dietary note for the apéritif"),
        max_length=200,
        required=False,
        validators=[no_markup],
    )
    privacy_consent = forms.BooleanField(
        label=_("I agree that my details are used to organise this workshop."),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )
    share_contact = forms.BooleanField(
        # Says exactly what the networking list does (services/networking.py);
        # raise WAGTAIL_ATELIER_SHARE_CONTACT_VERSION when this wording changes.
        label=_(
            "Networking list: if I attend the workshop, I receive by email, a few "
            "days later, the list of the other participants who ticked this box, "
            "and I am on it with my name, organisation, town, email and the "
            "languages I speak (never my question). I can withdraw on my "
            "registration page until the list is sent."
        ),
        required=False,
    )

    field_order = [
        "role",
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "town",
        "canton",
        "languages",
        "case_description",
        "accessibility_needs",
        "dietary_note",
        "privacy_consent",
        "share_contact",
        "website",
        "form_started",
    ]

    def __init__(self, *args, workshop=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        if workshop is not None and not self.is_bound:
            self.initial.setdefault("languages", [workshop.workshop_language])
        if workshop is not None and workshop.format == WorkshopFormat.ONLINE:
            # No venue to reach and no apéritif: ask only what helps online.
            del self.fields["dietary_note"]
            self.fields["accessibility_needs"].help_text = _(
                "For example captions, sign language or regular breaks."
            )

    #: The role for which the case question is required (and shown, with the
    #: script); the server checks it in clean() whatever the browser showed.
    case_role = RegistrationRole.CASE_PRESENTER

    def clean_email(self):
        return normalise_email(
            self.cleaned_data["email"], self.fields["email"].max_length
        )

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("role") == RegistrationRole.CASE_PRESENTER
            and not (cleaned_data.get("case_description") or "").strip()
        ):
            self.add_error(
                "case_description",
                forms.ValidationError(
                    _("Please describe your question in a few sentences."),
                    code="required",
                ),
            )
        return cleaned_data

    @property
    def personal_fields(self):
        return [self[name] for name in ("first_name", "last_name", "email", "phone")]

    @property
    def place_fields(self):
        return [self[name] for name in ("organisation", "town", "canton")]

    @property
    def note_fields(self):
        return [
            self[name]
            for name in ("accessibility_needs", "dietary_note")
            if name in self.fields
        ]


class LostLinkForm(SpamProtectedForm):
    email = forms.EmailField(label=_("Email"), max_length=254)


class HostRequestForm(SpamProtectedForm):
    """An organisation asks to host a workshop in its region."""

    organisation = forms.CharField(
        label=_("Organisation or caring community"),
        max_length=200,
        validators=[no_markup],
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=200, validators=[no_markup]
    )
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[phone_validator]
    )
    canton = forms.ChoiceField(
        label=_("Canton"), choices=[("", _("Choose a canton")), *Canton.choices]
    )
    region = forms.CharField(
        label=_("Town or region"), max_length=200, validators=[no_markup]
    )
    preferred_period = forms.CharField(
        label=_("Preferred period"),
        max_length=200,
        required=False,
        validators=[no_markup],
        help_text=_('For example "next spring" or "a Saturday in October".'),
    )
    languages = forms.MultipleChoiceField(
        label=_("Language(s) of the workshop"),
        choices=WorkshopLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=HostFormat.choices, widget=forms.RadioSelect
    )
    venue = forms.ChoiceField(
        label=_("Do you have a venue?"),
        choices=VenueAvailability.choices,
        widget=forms.RadioSelect,
    )
    venue_accessibility = forms.CharField(
        label=_("Accessibility of the venue"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        validators=[no_markup],
        help_text=_("For example step-free access, public transport, induction loop."),
    )
    expected_people = forms.IntegerField(
        label=_("Expected number of people"),
        min_value=1,
        max_value=EXPECTED_PEOPLE_MAX,
        required=False,
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        validators=[no_markup],
        help_text=_("Anything we should know: your community, your questions, ideas."),
    )
    privacy_consent = forms.BooleanField(
        label=_("I agree that these details are used to answer this request."),
        error_messages={
            "required": _("Please accept the privacy notice to send the request.")
        },
    )

    field_order = [
        "organisation",
        "contact_name",
        "email",
        "phone",
        "canton",
        "region",
        "preferred_period",
        "languages",
        "format",
        "venue",
        "venue_accessibility",
        "expected_people",
        "message",
        "privacy_consent",
        "website",
        "form_started",
    ]

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if language and not self.is_bound:
            self.initial.setdefault("languages", [language[:2]])

    def clean_email(self):
        return normalise_email(
            self.cleaned_data["email"], self.fields["email"].max_length
        )

    @property
    def contact_fields(self):
        return [
            self[name] for name in ("organisation", "contact_name", "email", "phone")
        ]

    @property
    def place_fields(self):
        return [self[name] for name in ("canton", "region", "preferred_period")]


class FeedbackForm(ErrorSummaryMixin, forms.Form):
    """The short form behind the secret link of the feedback mail.

    The naming choices show the person's own details ("Anna Muster", "Anna, Suhr"),
    so they see exactly what would appear under their words.
    """

    takeaway = forms.CharField(
        label=_("What do you take away from the workshop?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=QUOTE_MAX_LENGTH,
        validators=[no_markup],
    )
    may_quote = forms.BooleanField(
        label=_(
            "You may publish my answer, or part of it, on the network's website, "
            "also translated, and name me as I choose below. I can withdraw this "
            "consent at any time with the link in the e-mail."
        ),
        required=False,
    )
    naming = forms.ChoiceField(
        label=_("How may we name you?"),
        choices=Naming.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    show_organisation = forms.BooleanField(
        label=_("Also name my caring community or organisation"),
        required=False,
    )

    def __init__(self, *args, registration=None, role: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        role_label = ROLE_ATTRIBUTIONS.get(role, "")
        if registration is None:
            # The registration is gone: only the role can be shown.
            self.fields["naming"].choices = [(Naming.ROLE_ONLY, role_label)]
            del self.fields["show_organisation"]
            return
        first = registration.first_name
        self.fields["naming"].choices = [
            (Naming.FULL_NAME, f"{first} {registration.last_name}"),
            (Naming.FIRST_NAME_AND_TOWN, f"{first}, {registration.town}"),
            (Naming.ROLE_ONLY, _("Only my role: %(role)s") % {"role": role_label}),
        ]
        self.fields["show_organisation"].label = _(
            "Also name my caring community or organisation: %(organisation)s"
        ) % {"organisation": registration.organisation}

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("may_quote") and not cleaned_data.get("naming"):
            self.add_error(
                "naming",
                forms.ValidationError(
                    _("Choose how we may name you, or do not let us quote you."),
                    code="required",
                ),
            )
        return cleaned_data
