"""The "Harvest" screen of a workshop: what each case presenter takes away.

Seeing it needs a registration view permission (names); the case questions need
``view_case_details`` as well; recording and sending need ``change_registration``.
The URLs are registered by ``wagtail_hooks.py`` under the
``wagtail_atelier_workshops`` namespace, beside the table plan's.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied

from ..links import workshop_admin_url
from ..models.choices import language_names
from ..permissions import REGISTRATION_CHANGE_PERMISSION
from ..responses import private
from ..services import harvest as service
from .table_plan import WorkshopAdminView

#: Longest text the form takes for each field: a harvest is a few paragraphs.
HARVEST_TEXT_MAX_LENGTH = 5000

#: Audit-log actions, registered in ``wagtail_hooks.py``.
LOG_ACTIONS = {
    service.EDIT_ACTION: (
        gettext_lazy("Record harvest"),
        gettext_lazy("Harvest of a case table recorded or changed"),
    ),
    service.SEND_ACTION: (
        gettext_lazy("Send harvest"),
        gettext_lazy("Harvest sent to the case presenter"),
    ),
}


def harvest_url(workshop) -> str:
    return workshop_admin_url("harvest", workshop)


class HarvestForm(forms.Form):
    key_insights = forms.CharField(
        label=gettext_lazy("Key insights"),
        help_text=gettext_lazy("What the case presenter takes away from the advice."),
        required=False,
        max_length=HARVEST_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"),
        help_text=gettext_lazy("What the case presenter plans to do next."),
        required=False,
        max_length=HARVEST_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def form_prefix(presenter) -> str:
    return f"harvest-{presenter.pk}"


class HarvestBaseView(WorkshopAdminView):
    """A workshop admin view about its case presenters' harvests."""

    header_icon = "clipboard-list"

    def find_presenter(self, presenter_id):
        """The confirmed case presenter ``presenter_id`` of this workshop, or None
        (an unknown id, someone of another workshop, a cancelled presenter)."""
        try:
            presenter_id = int(presenter_id)
        except (TypeError, ValueError):
            return None
        return (
            service.presenters(self.workshop.translation_key)
            .filter(pk=presenter_id)
            .first()
        )

    def not_a_presenter(self) -> HttpResponse:
        messages.error(
            self.request,
            _(
                "This person is not a confirmed case presenter of this workshop: "
                "nothing was saved or sent."
            ),
        )
        return redirect(harvest_url(self.workshop))


class HarvestView(HarvestBaseView):
    """Each case table's harvest: read it, record it, send it."""

    template_name = "wagtail_atelier/admin/harvest.html"
    page_title = gettext_lazy("Harvest")

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render()

    def render(self, bound_form=None, *, status=200) -> HttpResponse:
        entries = []
        for presenter in service.presenters(self.workshop.translation_key):
            harvest = service.harvest_of(presenter)
            if bound_form is not None and bound_form.prefix == form_prefix(presenter):
                form = bound_form
            else:
                form = HarvestForm(
                    prefix=form_prefix(presenter),
                    initial={
                        "key_insights": harvest.key_insights if harvest else "",
                        "next_steps": harvest.next_steps if harvest else "",
                    },
                )
            entries.append(
                {
                    "presenter": presenter,
                    "language": language_names([presenter.language]),
                    "harvest": harvest,
                    "is_empty": harvest is None or harvest.is_empty,
                    "changed_since_sent": bool(
                        harvest
                        and harvest.sent_at
                        and harvest.updated_at > harvest.sent_at
                    ),
                    "form": form,
                    "send_url": workshop_admin_url(
                        "harvest_send", self.workshop, presenter.pk
                    ),
                }
            )
        context = self.get_context_data(
            workshop=self.workshop,
            entries=entries,
            can_change=self.can_change,
            can_see_case_details=self.can_see_case_details,
            action_url=self.request.path,
        )
        response = TemplateResponse(
            self.request, self.template_name, context, status=status
        )
        return private(response)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.can_change:
            return permission_denied(request)
        presenter = self.find_presenter(request.POST.get("presenter"))
        if presenter is None:
            return self.not_a_presenter()
        form = HarvestForm(request.POST, prefix=form_prefix(presenter))
        if not form.is_valid():
            messages.error(
                request, _("The harvest could not be saved: see the errors below.")
            )
            return self.render(form, status=400)
        try:
            harvest = service.save_harvest(
                presenter,
                form.cleaned_data["key_insights"],
                form.cleaned_data["next_steps"],
                request.user,
            )
        except service.NotACasePresenterError:
            return self.not_a_presenter()
        message = _("The harvest of %(name)s is saved.") % {"name": presenter.full_name}
        if harvest.sent_at is not None:
            message += " " + _(
                "It was sent before this change: send it again if the case "
                "presenter should have the new version."
            )
        messages.success(request, message)
        return redirect(harvest_url(self.workshop) + f"#presenter-{presenter.pk}")


class HarvestSendView(HarvestBaseView):
    """Confirm (GET), then mail one harvest to its case presenter (POST)."""

    template_name = "wagtail_atelier/admin/harvest_send.html"
    page_title = gettext_lazy("Send the harvest")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # The permission before anything else, so that an id tells nothing.
        if not request.user.has_perm(REGISTRATION_CHANGE_PERMISSION):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": harvest_url(self.workshop), "label": _("Harvest")},
            {"url": "", "label": str(self.page_title)},
        ]

    def load(self, presenter_id) -> HttpResponse | None:
        """Set ``presenter`` and ``harvest``; or say why there is nothing to send."""
        self.presenter = self.find_presenter(presenter_id)
        if self.presenter is None:
            return self.not_a_presenter()
        self.harvest = service.harvest_of(self.presenter)
        if self.harvest is None or self.harvest.is_empty:
            return self.nothing_to_send()
        return None

    def nothing_to_send(self) -> HttpResponse:
        messages.warning(
            self.request,
            _(
                "There is nothing to send yet: record the key insights or the next "
                "steps of %(name)s first."
            )
            % {"name": self.presenter.full_name},
        )
        return redirect(harvest_url(self.workshop) + f"#presenter-{self.presenter.pk}")

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = self.load(kwargs["presenter_id"])
        if refused is not None:
            return refused
        language = language_names([self.presenter.language])
        explanation = [
            _("The mail goes to %(email)s, with the texts below.")
            % {"email": self.presenter.email}
        ]
        if self.harvest.sent_at is not None:
            explanation.append(
                _(
                    "It was already sent (%(date)s). It will be sent again, as it "
                    "is now."
                )
                % {
                    "date": formats.date_format(
                        timezone.localtime(self.harvest.sent_at),
                        "DATETIME_FORMAT",
                    )
                }
            )
        context = self.get_context_data(
            workshop=self.workshop,
            presenter=self.presenter,
            harvest=self.harvest,
            question=_("Send the harvest to %(name)s in %(language)s?")
            % {"name": self.presenter.full_name, "language": language},
            explanation=explanation,
            confirm_label=_("Yes, send it"),
            action_url=request.path,
            next_url=harvest_url(self.workshop),
        )
        return private(TemplateResponse(request, self.template_name, context))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = self.load(kwargs["presenter_id"])
        if refused is not None:
            return refused
        try:
            service.send_harvest(self.harvest, request.user)
        except service.EmptyHarvestError:
            return self.nothing_to_send()
        except service.NotACasePresenterError:
            return self.not_a_presenter()
        messages.success(
            request,
            _("The harvest is on its way to %(name)s, in %(language)s.")
            % {
                "name": self.presenter.full_name,
                "language": language_names([self.presenter.language]),
            },
        )
        return redirect(harvest_url(self.workshop) + f"#presenter-{self.presenter.pk}")


urlpatterns = [
    path("<int:page_id>/harvest/", HarvestView.as_view(), name="harvest"),
    path(
        "<int:page_id>/harvest/<int:presenter_id>/send/",
        HarvestSendView.as_view(),
        name="harvest_send",
    ),
]
