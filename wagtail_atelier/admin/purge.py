"""The "Remove personal data" screen of a workshop, the way pretix's data shredders
work: a preview counts what will be removed and what is kept, a button downloads
everything first (a JSON file), and the irreversible purge asks for a confirmation.

Only users with ``manage_personal_data`` (superusers too) reach it; everyone else is
sent away before the workshop is even looked up. The download and the purge are
recorded in the page's history with counts only. The URLs are registered by
``wagtail_hooks.py`` under the ``wagtail_atelier_workshops`` namespace, beside the
table plan's and the harvest's.
"""

from __future__ import annotations

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.log_actions import log

from ..conf import get_setting
from ..links import workshop_admin_url
from ..models import Canton, RegistrationRole
from ..models.choices import language_names
from ..permissions import user_can_manage_personal_data
from ..responses import private
from ..services import retention as service
from .forms import AdminErrorSummaryMixin
from .table_plan import WorkshopAdminView, workshop_or_404

#: Answering access and erasure requests and purging workshops.

EXPORT_ACTION = "wagtail_atelier.workshop.personal_data_exported"

#: Audit-log actions, registered in ``wagtail_hooks.py``. Their entries hold counts
#: only, and are labelled with the page's title.
LOG_ACTIONS = {
    service.PURGE_ACTION: (
        gettext_lazy("Remove personal data"),
        gettext_lazy("Personal data of the workshop removed; the counts are kept"),
    ),
    EXPORT_ACTION: (
        gettext_lazy("Download personal data"),
        gettext_lazy("Personal data of the workshop downloaded"),
    ),
}

#: What each count of a purge report is called on the screen.
COUNT_LABELS = {
    "registrations_anonymised": gettext_lazy(
        "Registrations anonymised (names, contact details, organisation, canton, "
        "languages, case question, notes and self-service link removed)"
    ),
    "mails_deleted": gettext_lazy("Mails deleted"),
    "feedback_answers_deleted": gettext_lazy("Feedback answers deleted"),
    "feedback_answers_blanked": gettext_lazy(
        "Feedback answers quoted in a testimonial: text removed, consent record kept"
    ),
    "feedback_links_ended": gettext_lazy("Feedback links ended"),
    "table_plans_deleted": gettext_lazy("Table plan deleted"),
    "harvests_deleted": gettext_lazy("Harvests deleted"),
    "harvests_kept": gettext_lazy("Harvests kept (marked as naming nobody)"),
}

STATUS_LABELS = {
    "confirmed": gettext_lazy("Confirmed"),
    "waiting": gettext_lazy("Waiting list"),
    "cancelled": gettext_lazy("Cancelled"),
    "attended": gettext_lazy("Attended"),
}


def purge_url(workshop) -> str:
    return workshop_admin_url("purge", workshop)


class PurgeConfirmForm(AdminErrorSummaryMixin, forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Tick the box to confirm that you understand that the removal "
                "cannot be undone. Nothing was removed."
            )
        },
    )


class PurgeBaseView(WorkshopAdminView):
    """A screen that needs ``manage_personal_data``, whatever else the user may do
    (the registration permissions alone do not open it)."""

    header_icon = "bin"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # Permission first, so that someone without it cannot tell which ids exist.
        if not user_can_manage_personal_data(request.user):
            return permission_denied(request)
        self.workshop = workshop_or_404(kwargs["page_id"])
        return View.dispatch(self, request, *args, **kwargs)

    @property
    def workshop_key(self):
        return self.workshop.translation_key


class PurgeView(PurgeBaseView):
    """Step 1 (GET): what will go and what stays, and the download. Step 2 (POST,
    with the box ticked): the purge."""

    template_name = "wagtail_atelier/admin/purge.html"
    page_title = gettext_lazy("Remove personal data")

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render(PurgeConfirmForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = PurgeConfirmForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        report = service.purge_workshop(self.workshop_key, user=request.user)
        if report.removed:
            messages.success(
                request,
                _("The personal data of this workshop are removed: %(counts)s.")
                % {"counts": counts_sentence(report)},
            )
        else:
            messages.info(
                request,
                _("This workshop held no personal data any more: nothing was changed."),
            )
        return redirect(purge_url(self.workshop))

    def render(self, form: PurgeConfirmForm, *, status: int = 200) -> HttpResponse:
        report = service.purge_workshop(self.workshop_key, dry_run=True)
        months = get_setting("WAGTAIL_ATELIER_RETENTION_MONTHS")
        context = self.get_context_data(
            workshop=self.workshop,
            form=form,
            counts=[
                {"name": name, "label": COUNT_LABELS[name], "count": count}
                for name, count in report.counts().items()
            ],
            has_personal_data=report.removed > 0,
            statistics=statistics_context(
                service.workshop_statistics(self.workshop_key)
            ),
            retention_months=months,
            retention_date=(
                service.months_after(self.workshop.end_at, months)
                if months is not None
                else None
            ),
            is_past=self.workshop.end_at < timezone.now(),
            download_url=workshop_admin_url("purge_download", self.workshop),
            action_url=self.request.path,
        )
        response = TemplateResponse(
            self.request, self.template_name, context, status=status
        )
        return private(response)


class PurgeDownloadView(PurgeBaseView):
    """Everything the purge will remove, as a JSON file (POST: it is logged)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        data = service.export_workshop(self.workshop_key)
        document = {
            "workshop": {
                "title": self.workshop.title,
                "translation_key": str(self.workshop_key),
                "start_at": self.workshop.start_at,
                "end_at": self.workshop.end_at,
            },
            "exported_at": timezone.now(),
            "data": data,
        }
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"{slugify(self.workshop.slug) or 'workshop'}-personal-data.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        log(
            instance=self.workshop,
            action=EXPORT_ACTION,
            user=request.user,
            data={label: len(rows) for label, rows in data.items()},
        )
        return private(response)


def counts_sentence(report: service.PurgeReport) -> str:
    """ "Mails deleted: 7; Harvests deleted: 1" (the counts that are not zero)."""
    return "; ".join(
        f"{COUNT_LABELS[name]}: {count}"
        for name, count in report.counts().items()
        if count
    )


def statistics_context(counts: dict) -> dict:
    """The stored statistics, with translated labels, for the template."""
    roles = counts.get("roles", {})
    return {
        "statuses": list(STATUS_LABELS.values()),
        "roles": [
            {
                "label": RegistrationRole(role).plural_label,
                "counts": [
                    roles.get(role, {}).get(status, 0) for status in STATUS_LABELS
                ],
            }
            for role in RegistrationRole.values
        ],
        "cantons": [
            {"label": str(dict(Canton.choices).get(code, code)), "count": count}
            for code, count in counts.get("cantons", {}).items()
        ],
        "languages": [
            {"label": language_names([code]), "count": count}
            for code, count in counts.get("languages", {}).items()
        ],
        "share_contact": counts.get("share_contact", 0),
    }


urlpatterns = [
    path("<int:page_id>/personal-data/", PurgeView.as_view(), name="purge"),
    path(
        "<int:page_id>/personal-data/download.json",
        PurgeDownloadView.as_view(),
        name="purge_download",
    ),
]
