"""The "Networking list" screen of a workshop: who is on it before it goes, hold it
back or release it, and to whom it went.

Seeing it needs a registration view permission (names and addresses); holding back
and releasing need ``change_registration``. Registered by ``wagtail_hooks.py`` under
the ``wagtail_atelier_workshops`` namespace, beside the table plan and the harvest.
The number of queries does not grow with the number of registrations.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied

from ..links import workshop_admin_url
from ..models.choices import language_names
from ..models.mail import MailKind
from ..models.registration import Registration
from ..responses import private
from ..services import networking as service
from .table_plan import WorkshopAdminView


def networking_list_url(workshop) -> str:
    return workshop_admin_url("networking_list", workshop)


class NetworkingListView(WorkshopAdminView):
    template_name = "wagtail_atelier/admin/networking_list.html"
    header_icon = "group"
    page_title = gettext_lazy("Networking list")

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render()

    def render(self, *, error: str = "", status: int = 200) -> HttpResponse:
        key = self.workshop.translation_key
        networking_list = service.list_of(key)
        sent = networking_list is not None and networking_list.is_sent
        if sent:
            # The people it went to (those erased since are gone from the mails).
            people = list(
                Registration.objects.filter(
                    workshop_key=key,
                    anonymised_at__isnull=True,
                    mails__kind=MailKind.NETWORKING_LIST,
                )
                .only(*service.LIST_FIELDS, "share_contact")
                .order_by("last_name", "first_name", "pk")
            )
        else:
            people = list(service.members(key))
        for person in people:
            person.correspondence_language = language_names([person.language])
        due_at = service.due_at(self.workshop)
        too_late_at = service.too_late_at(self.workshop)
        now = timezone.now()
        context = self.get_context_data(
            workshop=self.workshop,
            networking_list=networking_list,
            is_sent=sent,
            is_held=networking_list is not None and networking_list.held,
            people=people,
            counts=service.counts(key),
            due_at=due_at,
            switched_off=due_at is None,
            too_late=too_late_at is not None and now >= too_late_at and not sent,
            is_due=due_at is not None and now >= due_at,
            can_change=self.can_change,
            action_url=self.request.path,
            error=error,
        )
        return private(
            TemplateResponse(self.request, self.template_name, context, status=status)
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.can_change:
            return permission_denied(request)
        action = request.POST.get("action")
        if action not in ("hold", "release"):
            return self.render(
                error=_("Choose whether to hold the list back or to release it."),
                status=400,
            )
        change = service.hold if action == "hold" else service.release
        try:
            change(self.workshop.translation_key, request.user)
        except service.AlreadySentError:
            messages.error(
                request,
                _("The networking list has already been sent: nothing was changed."),
            )
            return redirect(networking_list_url(self.workshop))
        if action == "hold":
            messages.success(
                request,
                _(
                    "The networking list is held back: it will not be sent until "
                    "you release it."
                ),
            )
        else:
            messages.success(
                request,
                _("The networking list is released: it goes once it is due."),
            )
        return redirect(networking_list_url(self.workshop))


urlpatterns = [
    path(
        "<int:page_id>/networking-list/",
        NetworkingListView.as_view(),
        name="networking_list",
    ),
]
