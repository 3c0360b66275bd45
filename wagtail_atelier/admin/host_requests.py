"""Admin pieces of host requests that are not wagtail-modeladmin classes: the status
change (a form, then one service call) and how its audit-log entries read."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.log_actions import LogFormatter
from wagtail.models import Page

from ..models import HostRequest, HostRequestStatus, workshop_pages
from ..permissions import HOST_REQUEST_CHANGE_PERMISSION
from ..services import host_request as services
from .actions import ObjectActionView
from .forms import AdminErrorSummaryMixin


class WorkshopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        start = timezone.localtime(obj.workshop_start_at)
        return f"{obj.title} ({start:%d.%m.%Y}, {obj.locale.get_display_name()})"


class HostRequestStatusForm(AdminErrorSummaryMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"), widget=forms.RadioSelect
    )
    workshop = WorkshopChoiceField(
        label=gettext_lazy("Workshop"),
        queryset=Page.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Needed for “Scheduled”: the published workshop page this request became. "
            "Its link is mailed to the requester."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("Kept in the request's history; never sent."),
    )

    def __init__(self, *args, host_request: HostRequest, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(HostRequestStatus.choices)
        self.fields["status"].choices = [
            (status, labels[status]) for status in host_request.allowed_transitions()
        ]
        # Only published, coming workshops: the requester gets a link that works.
        now = timezone.now()
        self.fields["workshop"].queryset = (
            workshop_pages(lambda pages: pages.live().filter(end_at__gte=now))
            .select_related("locale")
            .order_by("workshop_start_at", "pk")
        )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("status") == HostRequestStatus.SCHEDULED:
            if not cleaned_data.get("workshop"):
                self.add_error(
                    "workshop",
                    forms.ValidationError(
                        _("Choose the workshop this request became."), code="required"
                    ),
                )
        else:
            cleaned_data["workshop"] = None
        return cleaned_data


class HostRequestStatusView(ObjectActionView):
    """Move a host request on in its workflow: only the allowed next statuses are
    offered, and the service checks them again under a lock."""

    model = HostRequest
    permission_required = HOST_REQUEST_CHANGE_PERMISSION
    action_label = gettext_lazy("Change status")
    confirm_label = gettext_lazy("Change the status")
    header_icon = "tasks"
    index_label = gettext_lazy("Host requests")
    template_name = "wagtail_atelier/admin/host_request_status.html"

    @classmethod
    def is_available(cls, obj) -> bool:
        return bool(obj.allowed_transitions())

    def get_unavailable_message(self) -> str:
        return _("The status of this request can no longer be changed.")

    def get_question(self) -> str:
        return _("“%(request)s” is %(status)s. What is its new status?") % {
            "request": self.object,
            "status": self.object.get_status_display().lower(),
        }

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", HostRequestStatusForm(host_request=self.object))
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.is_available(self.object):
            messages.warning(request, self.get_unavailable_message())
            return redirect(self.get_next_url())
        form = HostRequestStatusForm(request.POST, host_request=self.object)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            self.object = services.change_status(
                self.object,
                status=form.cleaned_data["status"],
                workshop=form.cleaned_data.get("workshop"),
                note=form.cleaned_data.get("note", ""),
                user=request.user,
            )
        except services.TransitionNotAllowedError:
            # Someone else changed it meanwhile.
            messages.warning(
                request,
                _("The status changed meanwhile; nothing was changed. Look again."),
            )
            return redirect(self.get_next_url())
        message = _("“%(request)s” is now %(status)s.") % {
            "request": self.object,
            "status": self.object.get_status_display().lower(),
        }
        if self.object.status == HostRequestStatus.SCHEDULED:
            message += " " + _("The workshop's link is mailed to the requester.")
        messages.success(request, message)
        return redirect(self.get_next_url())


class HostRequestStatusFormatter(LogFormatter):
    label = gettext_lazy("Change host request status")

    def format_message(self, log_entry):
        labels = dict(HostRequestStatus.choices)
        data = log_entry.data or {}
        message = _("Status: %(from)s → %(to)s") % {
            "from": labels.get(data.get("from"), data.get("from")),
            "to": labels.get(data.get("to"), data.get("to")),
        }
        if data.get("note"):
            message += " — " + data["note"]
        return message

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("note", "")
