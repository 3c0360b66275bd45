"""The editor's decision on a change notice, and the cancellation of a workshop.

After a publication that changed what registrants know (``services/change_notices``),
the ``after_publish_page`` hook (``wagtail_hooks.py``) sends the editor to
:class:`ChangeNoticeView`: "N confirmed and M waiting people will be told", with
"Send notices" and "Don't tell". The page is already published either way: Wagtail's
publish is one form post, and asking after it keeps Wagtail's own edit view as it is.
:class:`CancelWorkshopView` asks for a confirmation (and an optional reason) before
cancelling. Both need the permission to publish the workshop page; neither shows
any personal data, only counts.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models import ChangeNotice
from ..responses import private
from ..services import change_notices as service
from .forms import AdminErrorSummaryMixin
from .table_plan import workshop_or_404

#: Audit-log actions, registered in ``wagtail_hooks.py``; counts only.
LOG_ACTIONS = {
    service.CANCEL_ACTION: (
        gettext_lazy("Cancel workshop"),
        gettext_lazy("Workshop cancelled; its registrants were told"),
    ),
    service.NOTICE_SENT_ACTION: (
        gettext_lazy("Send change notices"),
        gettext_lazy("Registrants told of a change of the workshop"),
    ),
}


def can_publish(user, page) -> bool:
    return page.permissions_for_user(user).can_publish()


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


class _WorkshopView(WagtailAdminTemplateMixin, View):
    http_method_names = ["get", "post"]
    header_icon = "mail"

    def get_page_subtitle(self) -> str:
        return self.workshop.title

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": edit_url(self.workshop), "label": self.workshop.title},
            {"url": "", "label": str(self.page_title)},
        ]


class ChangeNoticeView(_WorkshopView):
    template_name = "wagtail_atelier/admin/change_notice.html"
    page_title = gettext_lazy("Tell the registrants?")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        self.notice = get_object_or_404(ChangeNotice, pk=kwargs["notice_id"])
        if self.notice.page_id is None:
            raise Http404
        self.workshop = workshop_or_404(self.notice.page_id)
        if not can_publish(request.user, self.workshop):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        counts = service.recipient_counts(self.workshop.translation_key)
        context = self.get_context_data(
            workshop=self.workshop,
            notice=self.notice,
            changes=service.notice_changes(self.notice, self.workshop),
            confirmed=counts["confirmed"],
            waiting=counts["waiting"],
            action_url=request.path,
            edit_url=edit_url(self.workshop),
        )
        return private(TemplateResponse(request, self.template_name, context))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.POST.get("action") == "send":
            told = service.send_notice(self.notice, user=request.user)
            if told:
                from wagtail.log_actions import log

                log(
                    instance=self.workshop,
                    action=service.NOTICE_SENT_ACTION,
                    user=request.user,
                    data={"told": told},
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s person will be told of the change.",
                        "%(count)s people will be told of the change.",
                        told,
                    )
                    % {"count": told},
                )
            else:
                messages.info(request, _("This change notice was already decided."))
        elif request.POST.get("action") == "dismiss":
            if service.dismiss_notice(self.notice, user=request.user):
                messages.info(request, _("Nobody will be told of this change."))
            else:
                messages.info(request, _("This change notice was already decided."))
        else:
            messages.error(request, _("Choose whether to tell the registrants."))
            return redirect(request.path)
        return redirect(edit_url(self.workshop))


class CancelWorkshopForm(AdminErrorSummaryMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, for the mail to the registrants (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that every confirmed and waiting person is told at once."
        ),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Tick the box to confirm the cancellation. Nothing was changed."
            )
        },
    )


class CancelWorkshopView(_WorkshopView):
    template_name = "wagtail_atelier/admin/cancel_workshop.html"
    page_title = gettext_lazy("Cancel workshop")
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        self.workshop = workshop_or_404(kwargs["page_id"])
        if not can_publish(request.user, self.workshop):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render(CancelWorkshopForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = CancelWorkshopForm(request.POST)
        if self.workshop.is_cancelled:
            messages.info(request, _("This workshop is already cancelled."))
            return redirect(edit_url(self.workshop))
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            notice = service.cancel_workshop(
                self.workshop, reason=form.cleaned_data["reason"], user=request.user
            )
        except service.AlreadyCancelledError:
            messages.info(request, _("This workshop is already cancelled."))
        else:
            messages.success(
                request,
                ngettext(
                    "The workshop is cancelled; %(count)s person will be told.",
                    "The workshop is cancelled; %(count)s people will be told.",
                    notice.recipients,
                )
                % {"count": notice.recipients},
            )
        return redirect(edit_url(self.workshop))

    def render(self, form, *, status: int = 200) -> HttpResponse:
        counts = service.recipient_counts(self.workshop.translation_key)
        context = self.get_context_data(
            workshop=self.workshop,
            form=form,
            confirmed=counts["confirmed"],
            waiting=counts["waiting"],
            action_url=self.request.path,
            edit_url=edit_url(self.workshop),
        )
        return private(
            TemplateResponse(self.request, self.template_name, context, status=status)
        )


def after_publish_page(request: HttpRequest, page):
    """``after_publish_page`` hook: a publication that left a notice to decide sends
    the editor to the decision (Wagtail's own "published" message is shown there)."""
    from ..models import WorkshopPageMixin

    if not isinstance(page, WorkshopPageMixin):
        return None
    notice = service.pending_notice(page.translation_key)
    if notice is None or not can_publish(request.user, page):
        return None
    messages.success(
        request,
        _("Page '%(page_title)s' has been published.")
        % {"page_title": page.get_admin_display_title()},
    )
    return redirect("wagtail_atelier_change_notices:decide", notice_id=notice.pk)


def remind_pending_notice(request: HttpRequest, page):
    """``before_edit_page`` hook: opening a workshop whose last published change
    nobody decided on yet (the editor left the decision screen) says so, with a
    button to the decision. Nothing for who cannot publish it."""
    from ..models import WorkshopPageMixin

    if request.method != "GET" or not isinstance(
        page.specific_deferred, WorkshopPageMixin
    ):
        return None
    notice = service.pending_notice(page.translation_key)
    if notice is None or not can_publish(request.user, page):
        return None
    messages.warning(
        request,
        _(
            "A published change of date, place or format has not been told to the "
            "registrants yet."
        ),
        buttons=[
            messages.button(
                reverse(f"{NAMESPACE}:decide", args=[notice.pk]),
                _("Decide whom to tell"),
            )
        ],
    )
    return None


NAMESPACE = "wagtail_atelier_change_notices"

urlpatterns = [
    path("<int:notice_id>/", ChangeNoticeView.as_view(), name="decide"),
    path("cancel/<int:page_id>/", CancelWorkshopView.as_view(), name="cancel"),
]
