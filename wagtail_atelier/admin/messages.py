"""The "Messages" screens of a workshop: write to a group of its registrants.

The list of the workshop's messages (with how many mails went out, wait or failed)
needs a registration view permission, as the registrations do; writing, previewing
and sending need ``change_registration``. The URLs are registered by
``wagtail_hooks.py`` under the ``wagtail_atelier_workshops`` namespace, beside the
table plan's.
"""

from __future__ import annotations

import uuid

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied

from ..links import admin_registrations_url, workshop_admin_url
from ..models.message import MESSAGE_BODY_MAX_LENGTH, MESSAGE_SUBJECT_MAX_LENGTH
from ..permissions import REGISTRATION_CHANGE_PERMISSION
from ..responses import private
from ..services import messages as service
from .forms import AdminErrorSummaryMixin
from .table_plan import WorkshopAdminView

#: Audit-log actions, registered in ``wagtail_hooks.py``.
LOG_ACTIONS = {
    service.SEND_ACTION: (
        gettext_lazy("Send message"),
        gettext_lazy("Message sent to a group of registrants"),
    ),
}


def messages_url(workshop) -> str:
    return workshop_admin_url("messages", workshop)


def write_url(workshop) -> str:
    return workshop_admin_url("message_write", workshop)


def placeholder_help() -> str:
    names = ", ".join(f"{{{name}}}" for name in service.PLACEHOLDERS)
    return _(
        "Plain text. These are replaced in each person's mail: %(names)s. "
        "Write no personal details here."
    ) % {"names": names}


def _check_placeholders(text: str) -> str:
    unknown = service.unknown_placeholders(text)
    if unknown:
        raise forms.ValidationError(
            ngettext(
                "%(unknown)s is not a placeholder this message knows. Use one of "
                "%(known)s, or write {{ and }} for a brace.",
                "%(unknown)s are not placeholders this message knows. Use one of "
                "%(known)s, or write {{ and }} for a brace.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(unknown),
                "known": ", ".join(f"{{{name}}}" for name in service.PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )
    return text


class MessageForm(AdminErrorSummaryMixin, forms.Form):
    group = forms.ChoiceField(
        label=pgettext_lazy("message recipients", "To"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose who gets the message."),
            "invalid_choice": gettext_lazy(
                "This group is no longer available (the table plan may have "
                "changed): choose again."
            ),
        },
    )
    subject = forms.CharField(
        label=pgettext_lazy("mail", "Subject"),
        max_length=MESSAGE_SUBJECT_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Write a subject.")},
    )
    body = forms.CharField(
        label=pgettext_lazy("mail", "Message"),
        max_length=MESSAGE_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": gettext_lazy("Write the message.")},
    )
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices: list[service.GroupChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.audiences = service.audiences(choices)
        self.fields["group"].choices = [
            (service.audience_value(choice.audience), group_choice_label(choice))
            for choice in choices
        ]
        self.fields["body"].help_text = placeholder_help()

    def clean_subject(self) -> str:
        return _check_placeholders(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return _check_placeholders(self.cleaned_data["body"])

    @property
    def audience(self) -> service.Audience:
        return self.audiences[self.cleaned_data["group"]]


def group_choice_label(choice: service.GroupChoice) -> str:
    label = choice.audience.label
    if choice.presenter is not None:
        label = _("%(table)s, with %(name)s") % {
            "table": label,
            "name": choice.presenter.full_name,
        }
    people = ngettext("%(count)s person", "%(count)s people", choice.count) % {
        "count": choice.count
    }
    return f"{label} ({people})"


class MessagesBaseView(WorkshopAdminView):
    header_icon = "mail"

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": messages_url(self.workshop), "label": _("Messages")},
        ]


class MessagesView(MessagesBaseView):
    """The workshop's messages: who got each, and how many mails went out."""

    template_name = "wagtail_atelier/admin/messages.html"
    page_title = gettext_lazy("Messages")
    http_method_names = ["get"]

    def get_breadcrumbs_items(self) -> list[dict]:
        items = super().get_breadcrumbs_items()
        items[-1] = {"url": "", "label": str(self.page_title)}
        return items

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        context = self.get_context_data(
            workshop=self.workshop,
            sent_messages=list(service.messages_of(self.workshop.translation_key)),
            can_change=self.can_change,
            write_url=write_url(self.workshop),
            registrations_url=admin_registrations_url(self.workshop),
        )
        return private(TemplateResponse(request, self.template_name, context))


class MessageWriteView(MessagesBaseView):
    """Write a message (GET), preview it per language, then send it (POST with
    ``action`` "preview" or "send")."""

    template_name = "wagtail_atelier/admin/message_write.html"
    page_title = gettext_lazy("Write a message")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # The permission before anything else, so that an id tells nothing.
        if not request.user.has_perm(REGISTRATION_CHANGE_PERMISSION):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    def read_workshop_data(self) -> None:
        self.choices = service.group_choices(self.workshop.translation_key)

    def form(self, data=None) -> MessageForm:
        initial = {"submission": uuid.uuid4()}
        group = self.request.GET.get("group", "")
        if group:
            initial["group"] = group
        return MessageForm(data, choices=self.choices, initial=initial)

    def render(self, form, *, previews=None, status: int = 200) -> HttpResponse:
        recipients = sum(p.count for p in previews or [])
        context = self.get_context_data(
            workshop=self.workshop,
            form=form,
            previews=previews,
            recipients=recipients,
            action_url=self.request.path,
            messages_url=messages_url(self.workshop),
            placeholders=[
                (f"{{{name}}}", meaning)
                for name, meaning in service.PLACEHOLDERS.items()
            ],
        )
        return private(
            TemplateResponse(self.request, self.template_name, context, status=status)
        )

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render(self.form())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        if not form.cleaned_data["submission"]:
            # Kept in the form (hidden) from the first preview on: a send posted
            # twice is recognised.
            form.data = form.data.copy()
            form.data["submission"] = str(uuid.uuid4())
        audience = form.audience
        key = self.workshop.translation_key
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        if request.POST.get("action") != "send":
            previews = service.previews(key, audience, subject, body)
            if not previews:
                return self.empty_group(form)
            return self.render(form, previews=previews)
        try:
            message = service.send_message(
                workshop=self.workshop,
                audience=audience,
                subject=subject,
                body=body,
                author=request.user,
                submission=form.cleaned_data["submission"] or None,
            )
        except service.EmptyGroupError:
            return self.empty_group(form)
        except service.AlreadySentError:
            messages.info(
                request,
                _("This message was already sent: it was not sent a second time."),
            )
            return redirect(messages_url(self.workshop))
        messages.success(
            request,
            ngettext(
                "The message is on its way to %(count)s person (%(group)s).",
                "The message is on its way to %(count)s people (%(group)s).",
                message.recipient_count,
            )
            % {"count": message.recipient_count, "group": message.group_label},
        )
        return redirect(messages_url(self.workshop) + f"#message-{message.pk}")

    def empty_group(self, form) -> HttpResponse:
        form.add_error(
            "group",
            _("Nobody is in this group at the moment: nothing was sent."),
        )
        return self.render(form, status=400)


urlpatterns = [
    path("<int:page_id>/messages/", MessagesView.as_view(), name="messages"),
    path(
        "<int:page_id>/messages/new/",
        MessageWriteView.as_view(),
        name="message_write",
    ),
]
