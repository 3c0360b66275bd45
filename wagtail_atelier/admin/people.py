"""The "Personal data" screen: answer a person's access or erasure request.

A user with ``wagtail_atelier.manage_personal_data`` enters an email address and sees
everything the package holds about it, grouped by kind of record; downloads it as a
JSON file or opens a printable view; and erases all of it after a confirmation.

The address travels only in POST bodies, never in a URL (URLs end up in server logs,
browser histories and Referer headers): every screen after the first is the answer
to a form. The URLs are registered by ``wagtail_hooks.py`` under the
``wagtail_atelier_people`` namespace.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..links import admin_people_url
from ..models import (
    FeedbackAnswer,
    FeedbackRequest,
    HostRequest,
    OutgoingMail,
    Registration,
    TableHarvest,
    TablePlan,
    Testimonial,
)
from ..models.registration import EMAIL_MAX_LENGTH, normalise_email
from ..permissions import user_can_manage_personal_data
from ..responses import private
from ..services import people as service
from .forms import AdminErrorSummaryMixin

#: Answering access and erasure requests (and purging workshops).

#: The URL namespace of the screen.
PEOPLE_ADMIN_NAMESPACE = "wagtail_atelier_people"

KIND_MODELS = {
    "registrations": Registration,
    "mails": OutgoingMail,
    "feedback_requests": FeedbackRequest,
    "feedback_answers": FeedbackAnswer,
    "testimonials": Testimonial,
    "harvests": TableHarvest,
    "table_plans": TablePlan,
    "host_requests": HostRequest,
}

#: Labels of the export's keys that are not model fields.
EXTRA_LABELS = {
    "id": gettext_lazy("ID"),
    "workshop": gettext_lazy("Workshop"),
    "to_you": gettext_lazy("Addressed to the person"),
    "registration": gettext_lazy("Registration"),
    "case_table": gettext_lazy("Their case table"),
    "table_language": gettext_lazy("Language of their table"),
    "tables_by_round": gettext_lazy("Table in each round"),
    "canton": gettext_lazy("Canton"),
    "languages": gettext_lazy("Languages"),
    "language": gettext_lazy("Language"),
    "updated_at": gettext_lazy("Updated at"),
}


# -- forms ---------------------------------------------------------------------------


class PersonForm(AdminErrorSummaryMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        # Someone else's address: the browser should neither offer nor keep it.
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The address the person used to register, give feedback or ask to host "
            "a workshop. Upper and lower case do not matter."
        ),
    )

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class EraseForm(PersonForm):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."),
        error_messages={
            "required": gettext_lazy(
                "Tick the box to confirm that everything about this person is to "
                "be erased."
            )
        },
    )


# -- displaying an export ------------------------------------------------------------


def _label(model, name: str) -> str:
    try:
        return capfirst(str(model._meta.get_field(name).verbose_name))
    except Exception:  # not a field of the model
        return capfirst(str(EXTRA_LABELS.get(name, name.replace("_", " "))))


def _display(model, name: str, value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if "title" in value:  # a workshop
            start = parse_datetime(value.get("start_at") or "")
            if start is not None:
                return f"{value['title']} ({formats.date_format(start, 'DATE_FORMAT')})"
            return str(value["title"])
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join("–" if item is None else str(item) for item in value)
    if isinstance(value, str):
        try:
            moment = parse_datetime(value) if value[10:11] == "T" else None
        except ValueError:
            moment = None
        if moment is not None:
            return formats.date_format(
                timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                "DATETIME_FORMAT",
            )
        try:
            field = model._meta.get_field(name)
        except Exception:
            return value
        if getattr(field, "choices", None):
            return str(dict(field.flatchoices).get(value, value))
    return str(value)


def display_groups(export: dict) -> list[dict]:
    """The export as the screens show it: per kind, a heading and, per record,
    labelled values."""
    groups = []
    for kind in service.KINDS:
        model = KIND_MODELS[kind]
        rows = [
            [
                {"label": _label(model, name), "value": _display(model, name, value)}
                for name, value in row.items()
                if name != "id"
            ]
            for row in export.get(kind, [])
        ]
        groups.append(
            {
                "kind": kind,
                "heading": capfirst(str(model._meta.verbose_name_plural)),
                "rows": rows,
                "count": len(rows),
            }
        )
    return groups


def counts_summary(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{capfirst(str(KIND_MODELS[kind]._meta.verbose_name_plural))}: {count}"
        for kind, count in counts.items()
        if kind in KIND_MODELS
    )


# -- views ---------------------------------------------------------------------------


class PersonalDataView(WagtailAdminTemplateMixin, View):
    """Base of the screen's views: the permission first, on every method."""

    http_method_names = ["get", "post"]
    header_icon = "user"
    page_title = gettext_lazy("Personal data")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not user_can_manage_personal_data(request.user):
            # A plain 403, not Wagtail's redirect to the dashboard: the request may
            # be a POST holding someone's address, which must not be replayed.
            return defaults.permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": admin_people_url(), "label": str(self.page_title)},
        ]

    def render(self, template: str, *, status: int = 200, **context) -> HttpResponse:
        context = self.get_context_data(
            index_url=admin_people_url(),
            export_url=people_url("export"),
            print_url=people_url("print"),
            erase_url=people_url("erase"),
            **context,
        )
        return private(TemplateResponse(self.request, template, context, status=status))

    def person_form(self) -> PersonForm:
        return PersonForm(self.request.POST)

    def invalid(self, form) -> HttpResponse:
        """Back to the search, with the errors (a form posted with a bad address)."""
        return self.render("wagtail_atelier/admin/people.html", form=form, status=400)


class PeopleView(PersonalDataView):
    """Enter an address (GET), see what is found (POST)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render("wagtail_atelier/admin/people.html", form=PersonForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.person_form()
        if not form.is_valid():
            return self.invalid(form)
        export = service.export_person(form.cleaned_data["email"])
        groups = display_groups(export)
        return self.render(
            "wagtail_atelier/admin/people.html",
            form=form,
            email=form.cleaned_data["email"],
            groups=groups,
            found=any(group["count"] for group in groups),
        )


class PeopleExportView(PersonalDataView):
    """Everything found, as a JSON file."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.person_form()
        if not form.is_valid():
            return self.invalid(form)
        export = service.export_person(form.cleaned_data["email"])
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        # No address in the file name: downloads folders are shared and synced.
        filename = f"personal-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private(response)


class PeoplePrintView(PersonalDataView):
    """Everything found, as a page to read and print."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.person_form()
        if not form.is_valid():
            return self.invalid(form)
        export = service.export_person(form.cleaned_data["email"])
        return private(
            TemplateResponse(
                request,
                "wagtail_atelier/admin/people_print.html",
                {
                    "email": form.cleaned_data["email"],
                    "exported_at": timezone.now(),
                    "groups": display_groups(export),
                    "index_url": admin_people_url(),
                },
            )
        )


class PeopleEraseView(PersonalDataView):
    """Confirm (the address comes from the results), then erase."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.POST.get("action") == "erase":
            form = EraseForm(request.POST)
            if form.is_valid():
                report = service.erase_person(
                    form.cleaned_data["email"], user=request.user
                )
                messages.success(
                    request,
                    _(
                        "Everything about this person is erased. %(summary)s. "
                        "Log entries removed: %(log_entries)s."
                    )
                    % {
                        "summary": counts_summary(report.as_dict()),
                        "log_entries": report.log_entries,
                    },
                )
                return redirect(admin_people_url())
            status = 400
            if "email" in form.errors:
                return self.invalid(PersonForm(request.POST))
        else:
            person = self.person_form()
            if not person.is_valid():
                return self.invalid(person)
            form = EraseForm(initial={"email": person.cleaned_data["email"]})
            status = 200
        email = form.data.get("email") if form.is_bound else form.initial["email"]
        email = normalise_email(email)
        counts = service.find_person(email).counts()
        return self.render(
            "wagtail_atelier/admin/people_erase.html",
            form=form,
            email=email,
            counts=[
                {
                    "label": capfirst(str(KIND_MODELS[kind]._meta.verbose_name_plural)),
                    "count": count,
                }
                for kind, count in counts.items()
            ],
            status=status,
        )


def people_url(name: str) -> str:
    return reverse(f"{PEOPLE_ADMIN_NAMESPACE}:{name}")


urlpatterns = [
    path("", PeopleView.as_view(), name="index"),
    path("export/", PeopleExportView.as_view(), name="export"),
    path("print/", PeoplePrintView.as_view(), name="print"),
    path("erase/", PeopleEraseView.as_view(), name="erase"),
]


class PersonalDataMenuItem(MenuItem):
    """Shown only to users who may answer access and erasure requests."""

    def is_shown(self, request):
        return user_can_manage_personal_data(request.user)


def personal_data_menu_item(order: int) -> MenuItem:
    return PersonalDataMenuItem(
        gettext_lazy("Personal data"),
        # Lazy: the menu may be built before the admin's URLs are loaded.
        reverse_lazy(f"{PEOPLE_ADMIN_NAMESPACE}:index"),
        name="atelier-personal-data",
        icon_name="user",
        order=order,
    )
