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
from . import forms as admin_forms
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
    """One case presenter's harvest: one of the forms the screen saves together.

    Each field also posts the value it was shown with (``show_hidden_initial``):
    only what the coordinator changed is saved, and a change someone else made
    meanwhile is not overwritten unnoticed."""

    key_insights = forms.CharField(
        label=gettext_lazy("Key insights"),
        help_text=gettext_lazy("What the case presenter takes away from the advice."),
        required=False,
        max_length=HARVEST_TEXT_MAX_LENGTH,
        show_hidden_initial=True,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"),
        help_text=gettext_lazy("What the case presenter plans to do next."),
        required=False,
        max_length=HARVEST_TEXT_MAX_LENGTH,
        show_hidden_initial=True,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def shown_values(self) -> dict[str, str] | None:
        """The values the form was shown with, as posted; None when the post
        does not say (then nothing can be compared)."""
        values = {}
        for name, field in self.fields.items():
            key = self.add_initial_prefix(name)
            if key not in self.data:
                return None
            values[name] = _normalised(field.to_python(self.data.get(key)))
        return values


def _normalised(text) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def form_prefix(presenter) -> str:
    return f"harvest-{presenter.pk}"


def stored_values(harvest) -> dict[str, str]:
    return {
        "key_insights": harvest.key_insights if harvest else "",
        "next_steps": harvest.next_steps if harvest else "",
    }


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
    """Every case table's harvest in one form: read, record (all saved together,
    or nothing), send."""

    template_name = "wagtail_atelier/admin/harvest.html"
    page_title = gettext_lazy("Harvest")

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render()

    def forms_for(self, presenters, data=None) -> dict[int, HarvestForm]:
        return {
            presenter.pk: HarvestForm(
                data,
                prefix=form_prefix(presenter),
                initial=stored_values(service.harvest_of(presenter)),
            )
            for presenter in presenters
        }

    def render(
        self,
        presenters=None,
        bound_forms: dict[int, HarvestForm] | None = None,
        *,
        error_lines: list[dict] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        if presenters is None:
            presenters = list(service.presenters(self.workshop.translation_key))
        unbound = self.forms_for(presenters)
        entries = []
        for presenter in presenters:
            harvest = service.harvest_of(presenter)
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
                    "form": (bound_forms or {}).get(presenter.pk)
                    or unbound[presenter.pk],
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
            error_lines=error_lines or [],
        )
        response = TemplateResponse(
            self.request, self.template_name, context, status=status
        )
        return private(response)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.can_change:
            return permission_denied(request)
        posted = request.POST.getlist("presenter")
        current = list(service.presenters(self.workshop.translation_key))
        by_pk = {presenter.pk: presenter for presenter in current}
        wanted = []
        for value in posted:
            presenter = self.find_posted(value, by_pk)
            if presenter is None:
                if not any(self.find_posted(v, by_pk) for v in posted):
                    return self.not_a_presenter()
                # Someone left (cancelled, moved to the waiting list) while the
                # screen was open: keep what was typed for the others.
                messages.error(
                    request,
                    _(
                        "One of the people on this screen is no longer a confirmed "
                        "case presenter: nothing was saved. What you typed for the "
                        "others is kept below; save again."
                    ),
                )
                return self.render(
                    current,
                    self.forms_for(
                        [p for p in current if str(p.pk) in posted], request.POST
                    ),
                    status=409,
                )
            wanted.append(presenter)
        if not wanted:
            return self.not_a_presenter()
        forms_by_pk = self.forms_for(wanted, request.POST)
        lines = []
        for presenter in wanted:
            form = forms_by_pk[presenter.pk]
            if not form.is_valid():
                lines += admin_forms.error_lines(form, prefix=presenter.full_name)
        if lines:
            return self.render(
                current,
                forms_by_pk,
                error_lines=lines,
                status=400,
            )
        changes, conflicts = [], []
        for presenter in wanted:
            form = forms_by_pk[presenter.pk]
            if not form.has_changed():
                continue
            shown = form.shown_values()
            stored = {
                name: _normalised(value)
                for name, value in stored_values(service.harvest_of(presenter)).items()
            }
            if shown is not None and shown != stored:
                conflicts.append(presenter)
                continue
            changes.append(
                (
                    presenter,
                    form.cleaned_data["key_insights"],
                    form.cleaned_data["next_steps"],
                )
            )
        if conflicts:
            lines = [
                {
                    "target": forms_by_pk[p.pk]["key_insights"].id_for_label,
                    "text": _(
                        "%(name)s: someone else changed this harvest while you "
                        "were typing. Their version is shown under your text: "
                        "adapt yours if needed, then save again."
                    )
                    % {"name": p.full_name},
                }
                for p in conflicts
            ]
            # Shown again with the saved values as the new starting point, so that
            # a second save is taken as deliberate.
            for presenter in conflicts:
                form = forms_by_pk[presenter.pk]
                form.conflict = True
                form.data = form.data.copy()
                for name, value in stored_values(service.harvest_of(presenter)).items():
                    form.data[form.add_initial_prefix(name)] = value
            return self.render(
                current,
                forms_by_pk,
                error_lines=lines,
                status=409,
            )
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect(harvest_url(self.workshop))
        try:
            harvests = service.save_harvests(changes, request.user)
        except service.NotACasePresenterError:
            return self.not_a_presenter()
        names = [presenter.full_name for presenter, *_rest in changes]
        if len(names) == 1:
            message = _("The harvest of %(name)s is saved.") % {"name": names[0]}
        else:
            message = _("The harvests of %(names)s are saved.") % {
                "names": ", ".join(names)
            }
        sent_before = [h for h in harvests if h.sent_at is not None]
        if len(harvests) == 1 and sent_before:
            message += " " + _(
                "It was sent before this change: send it again if the case "
                "presenter should have the new version."
            )
        elif sent_before:
            message += " " + _(
                "Some were sent before this change: send them again if the case "
                "presenters should have the new version."
            )
        messages.success(request, message)
        first = changes[0][0]
        return redirect(harvest_url(self.workshop) + f"#presenter-{first.pk}")

    @staticmethod
    def find_posted(value, by_pk):
        try:
            return by_pk.get(int(value))
        except (TypeError, ValueError):
            return None


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
