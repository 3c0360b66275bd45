"""Bulk actions on registrations: confirm on GET, act on POST.

The listing's checkboxes send ``?action=<name>&id=1&id=2`` here. The confirmation
page lists every selected registration and what will happen to it (or why nothing
will); the POST runs the same services as the one-row actions, so a bulk cancel
moves the waiting list up and stores the mails exactly as a single cancel does.
Like :mod:`.actions`, this knows nothing of wagtail-modeladmin.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ..models import Registration, workshop_field
from ..permissions import REGISTRATION_CHANGE_PERMISSION, User
from ..services import registration as registration_service
from .actions import log_title


@dataclass(frozen=True)
class BulkAction:
    """What a bulk action is called, and the log action each change is logged as."""

    name: str
    label: str
    confirm_label: str
    log_action: str


BULK_ACTIONS = {
    action.name: action
    for action in (
        BulkAction(
            "attended",
            gettext_lazy("Mark attended"),
            gettext_lazy("Yes, mark attended"),
            "wagtail_atelier.registration.attended",
        ),
        BulkAction(
            "not_attended",
            gettext_lazy("Unmark attended"),
            gettext_lazy("Yes, remove the marks"),
            "wagtail_atelier.registration.not_attended",
        ),
        BulkAction(
            "cancel",
            gettext_lazy("Cancel registrations"),
            gettext_lazy("Yes, cancel these registrations"),
            "wagtail_atelier.registration.cancel",
        ),
    )
}


def workshop_started(registration, now) -> bool:
    start_at = registration.workshop_start_at
    return start_at is None or start_at <= now


def outcome(action: str, registration, now) -> tuple[bool, str]:
    """Whether ``action`` changes ``registration``, and what the coordinator is
    told will happen to it."""
    if action == "cancel":
        if registration.is_cancelled:
            return False, _("Already cancelled: nothing changes.")
        if registration.is_confirmed and not workshop_started(registration, now):
            return True, _(
                "Cancelled and told by e-mail. The place becomes free: the first "
                "person on the waiting list moves up and is told by e-mail."
            )
        return True, _("Cancelled and told by e-mail.")
    if action == "attended":
        if not registration.is_confirmed:
            return False, _("Not confirmed: cannot be marked, nothing changes.")
        if registration.attended_at is not None:
            return False, _("Already marked as attended: nothing changes.")
        return True, _("Marked as attended.")
    # not_attended
    if registration.attended_at is None:
        return False, _("Not marked as attended: nothing changes.")
    return True, _("The attendance mark is removed.")


class BulkRegistrationActionView(WagtailAdminTemplateMixin, View):
    """Run one of :data:`BULK_ACTIONS` on the selected registrations.

    Needs the registration change permission (checked before anything is looked
    up). Registrations the action does not apply to are listed as unchanged and
    left alone, also when their state changed between the two requests.
    """

    http_method_names = ["get", "post"]
    permission_required = REGISTRATION_CHANGE_PERMISSION
    template_name = "wagtail_atelier/admin/bulk_action.html"
    header_icon = "group"
    #: More than this is refused: a confirmation page must stay readable.
    max_selection = 500
    # Set by the admin that wires the view in (``as_view(index_url_name=...)``).
    index_url_name = ""
    index_label = gettext_lazy("Registrations")

    @classmethod
    def user_can(cls, user: User) -> bool:
        return user.has_perm(cls.permission_required)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not self.user_can(request.user):
            return permission_denied(request)
        data = request.POST if request.method == "POST" else request.GET
        self.action = BULK_ACTIONS.get(data.get("action", ""))
        ids = {value for value in data.getlist("id") if value.isdigit()}
        if self.action is None:
            messages.error(request, _("Choose an action for the selection."))
            return redirect(self.get_next_url())
        if not ids:
            messages.warning(
                request, _("Select at least one registration: nothing was changed.")
            )
            return redirect(self.get_next_url())
        if len(ids) > self.max_selection:
            messages.error(
                request,
                _("Select at most %(count)s registrations at a time.")
                % {"count": self.max_selection},
            )
            return redirect(self.get_next_url())
        self.registrations = list(
            Registration.objects.filter(pk__in=ids)
            .annotate(
                workshop_title=workshop_field("title"),
                workshop_start_at=workshop_field("start_at"),
            )
            .order_by("workshop_start_at", "workshop_key", "last_name", "pk")
        )
        if not self.registrations:
            messages.warning(
                request, _("Select at least one registration: nothing was changed.")
            )
            return redirect(self.get_next_url())
        return super().dispatch(request, *args, **kwargs)

    # -- the flow ---------------------------------------------------------------------

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        now = timezone.now()
        changed = []
        for registration in self.registrations:
            applies, _text = outcome(self.action.name, registration, now)
            if not applies:
                continue
            if self.perform(registration, now):
                changed.append(registration)
                log(
                    instance=registration,
                    action=self.action.log_action,
                    user=request.user,
                    title=log_title(registration),
                )
        message = self.get_message(changed, now)
        if changed:
            messages.success(request, message)
        else:
            messages.warning(request, message)
        return redirect(self.get_next_url())

    def perform(self, registration, now) -> bool:
        """Change ``registration``; whether it changed (someone may have been
        quicker)."""
        if self.action.name == "cancel":
            # The service leaves one already cancelled (by someone quicker) alone.
            cancelled = registration_service.cancel(
                registration, by_staff=True, now=now
            )
            return cancelled.cancelled_at == now
        registration_service.mark_attended(
            registration, attended=self.action.name == "attended", now=now
        )
        return True

    def get_message(self, changed: list, now) -> str:
        count = len(changed)
        if not count:
            return _("None of the selected registrations changed.")
        if self.action.name == "cancel":
            message = ngettext(
                "%(count)s registration cancelled; the person is told by e-mail.",
                "%(count)s registrations cancelled; each person is told by e-mail.",
                count,
            ) % {"count": count}
            promoted = list(
                Registration.objects.filter(
                    promoted_at=now,
                    workshop_key__in={r.workshop_key for r in changed},
                ).order_by("created_at", "pk")
            )
            if promoted:
                message += " " + _(
                    "Moved up from the waiting list and told by e-mail: %(names)s."
                ) % {"names": ", ".join(person.full_name for person in promoted)}
            return message
        if self.action.name == "attended":
            return ngettext(
                "%(count)s registration marked as attended.",
                "%(count)s registrations marked as attended.",
                count,
            ) % {"count": count}
        return ngettext(
            "Attendance mark removed from %(count)s registration.",
            "Attendance mark removed from %(count)s registrations.",
            count,
        ) % {"count": count}

    # -- the page ---------------------------------------------------------------------

    def get_index_url(self) -> str:
        return reverse(self.index_url_name) if self.index_url_name else "/"

    def get_next_url(self) -> str:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        next_url = data.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return next_url
        return self.get_index_url()

    def get_page_title(self) -> str:
        return str(self.action.label)

    def get_page_subtitle(self) -> str:
        count = len(self.registrations)
        return ngettext(
            "%(count)s registration selected",
            "%(count)s registrations selected",
            count,
        ) % {"count": count}

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": self.get_index_url(), "label": self.index_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = []
        for registration in self.registrations:
            applies, text = outcome(self.action.name, registration, now)
            start_at = registration.workshop_start_at
            workshop = registration.workshop_title or _("(workshop deleted)")
            if start_at is not None:
                workshop = f"{workshop} ({timezone.localtime(start_at):%d.%m.%Y})"
            rows.append(
                {
                    "registration": registration,
                    "workshop": workshop,
                    "applies": applies,
                    "outcome": text,
                }
            )
        changing = sum(1 for row in rows if row["applies"])
        context.update(
            action=self.action,
            rows=rows,
            changing=changing,
            unchanged=len(rows) - changing,
            next_url=self.get_next_url(),
            action_url=self.request.path,
        )
        return context
