"""Admin actions on registrations and mails: confirm on GET, act on POST.

Each action is a small view that reads the request, checks a real Django permission,
calls one service and redirects back with a message. They know nothing of
wagtail-modeladmin (``contrib/modeladmin`` wires them in), so they keep working if the
listings move to Wagtail's ``ModelViewSet``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from ..models import OutgoingMail, Registration
from ..models.mail import MailStatus
from ..permissions import MAIL_CHANGE_PERMISSION, REGISTRATION_CHANGE_PERMISSION, User
from ..services import mail as mail_service
from ..services import registration as registration_service

#: Audit-log actions, registered in ``wagtail_hooks.py``.
LOG_ACTIONS = {
    "wagtail_atelier.registration.promote": (
        gettext_lazy("Move up from the waiting list"),
        gettext_lazy("Moved up from the waiting list"),
    ),
    "wagtail_atelier.registration.cancel": (
        gettext_lazy("Cancel registration"),
        gettext_lazy("Registration cancelled by staff"),
    ),
    "wagtail_atelier.registration.attended": (
        gettext_lazy("Mark attended"),
        gettext_lazy("Marked as attended"),
    ),
    "wagtail_atelier.registration.not_attended": (
        gettext_lazy("Unmark attended"),
        gettext_lazy("Attendance mark removed"),
    ),
    "wagtail_atelier.mail.retry": (
        gettext_lazy("Retry mail"),
        gettext_lazy("Mail sent again by hand"),
    ),
}


def log_title(obj) -> str:
    """What the audit log calls a registration or mail: never the person's name, so
    that erasing a registration leaves no personal data behind in the log."""
    return f"{obj._meta.verbose_name} {obj.pk}"


class ObjectActionView(WagtailAdminTemplateMixin, View):
    """Run one action on one object.

    GET shows a confirmation page, POST acts, then redirects to ``?next=`` (a local
    URL) or the listing. Without ``permission_required`` the user is sent to the
    dashboard with an error; when the action does not apply to the object any more
    (someone else was quicker), nothing changes and a warning says why.
    """

    http_method_names = ["get", "post"]
    model: type = Registration
    permission_required: str = REGISTRATION_CHANGE_PERMISSION
    log_action: str = ""
    action_label = ""  # the button
    confirm_label = ""  # the submit button of the confirmation page
    header_icon = "cog"
    template_name = "wagtail_atelier/admin/confirm_action.html"
    # Set by the admin that wires the view in (``as_view(index_url_name=...)``).
    index_url_name = ""
    index_label = ""

    @classmethod
    def is_available(cls, obj) -> bool:
        """Whether the action applies to ``obj`` in its current state."""
        return True

    @classmethod
    def user_can(cls, user: User) -> bool:
        return user.has_perm(cls.permission_required)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # Permission first, so that someone without it cannot even tell which ids
        # exist.
        if not self.user_can(request.user):
            return permission_denied(request)
        self.object = get_object_or_404(self.model._default_manager, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    # -- what subclasses say ----------------------------------------------------------

    def get_question(self) -> str:
        raise NotImplementedError

    def get_explanation(self) -> list[str]:
        """Paragraphs under the question: what will happen."""
        return []

    def get_unavailable_message(self) -> str:
        raise NotImplementedError

    def perform(self) -> str:
        """Do it; return the message for the user (set ``self.message_level`` to
        ``messages.error`` or ``messages.warning`` when it did not go well)."""
        raise NotImplementedError

    # -- the flow ---------------------------------------------------------------------

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.is_available(self.object):
            messages.warning(request, self.get_unavailable_message())
            return redirect(self.get_next_url())
        return self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # No transaction around it all: the services lock what they need and do
        # nothing when the state changed under them, and a mail retry must not hold
        # a transaction open while it talks to the mail server.
        if not self.is_available(self.object):
            messages.warning(request, self.get_unavailable_message())
            return redirect(self.get_next_url())
        self.message_level = messages.success
        message = self.perform()
        log(
            instance=self.object,
            action=self.log_action,
            user=request.user,
            title=log_title(self.object),
        )
        self.message_level(request, message)
        return redirect(self.get_next_url())

    def get_index_url(self) -> str:
        return reverse(self.index_url_name)

    def get_next_url(self) -> str:
        next_url = self.request.POST.get("next") or self.request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return next_url
        return self.get_index_url()

    def get_page_title(self) -> str:
        return str(self.action_label)

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": self.get_index_url(), "label": self.index_label},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.object)},
        ]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            question=self.get_question(),
            explanation=self.get_explanation(),
            confirm_label=self.confirm_label,
            next_url=self.get_next_url(),
            action_url=self.request.path,
        )
        return context


# -- registrations ---------------------------------------------------------------------


class RegistrationActionView(ObjectActionView):
    model = Registration
    permission_required = REGISTRATION_CHANGE_PERMISSION
    header_icon = "group"
    index_label = gettext_lazy("Registrations")

    @property
    def workshop(self):
        return registration_service.workshop_for(self.object)

    def role_seats(self):
        workshop = self.workshop
        if workshop is None:
            return None
        return registration_service.seats(workshop)[self.object.role]

    def workshop_label(self) -> str:
        workshop = self.workshop
        return workshop.title if workshop is not None else _("(workshop deleted)")


class PromoteRegistrationView(RegistrationActionView):
    log_action = "wagtail_atelier.registration.promote"
    action_label = gettext_lazy("Promote from the waiting list")
    confirm_label = gettext_lazy("Yes, confirm the place")

    @classmethod
    def is_available(cls, obj) -> bool:
        return obj.is_waiting

    def get_question(self) -> str:
        return _("Give %(name)s a confirmed place at “%(workshop)s”?") % {
            "name": self.object.full_name,
            "workshop": self.workshop_label(),
        }

    def get_explanation(self) -> list[str]:
        paragraphs = [
            _("The person is told by e-mail that they have a place."),
        ]
        role_seats = self.role_seats()
        if role_seats is not None and role_seats.is_full:
            paragraphs.append(
                _(
                    "All %(capacity)s places for %(role)s are taken: confirming "
                    "this person goes beyond the limit."
                )
                % {"capacity": role_seats.capacity, "role": role_seats.label}
            )
        return paragraphs

    def get_unavailable_message(self) -> str:
        return _("%(name)s is not on the waiting list: nothing was changed.") % {
            "name": self.object.full_name
        }

    def perform(self) -> str:
        self.object = registration_service.promote(self.object)
        return _("%(name)s moved up from the waiting list and is told by e-mail.") % {
            "name": self.object.full_name
        }


class CancelRegistrationView(RegistrationActionView):
    log_action = "wagtail_atelier.registration.cancel"
    action_label = gettext_lazy("Cancel")
    confirm_label = gettext_lazy("Yes, cancel the registration")

    @classmethod
    def is_available(cls, obj) -> bool:
        return not obj.is_cancelled

    def get_question(self) -> str:
        return _("Cancel the registration of %(name)s for “%(workshop)s”?") % {
            "name": self.object.full_name,
            "workshop": self.workshop_label(),
        }

    def get_explanation(self) -> list[str]:
        paragraphs = [
            _("The person is told by e-mail that the registration is cancelled.")
        ]
        if self.object.is_confirmed:
            paragraphs.append(
                _(
                    "The place becomes free: if the workshop has not started, the "
                    "first person on the waiting list moves up and is told by e-mail."
                )
            )
        return paragraphs

    def get_unavailable_message(self) -> str:
        return _("The registration of %(name)s is already cancelled.") % {
            "name": self.object.full_name
        }

    def perform(self) -> str:
        now = timezone.now()
        self.object = registration_service.cancel(self.object, by_staff=True, now=now)
        promoted = list(
            Registration.objects.filter(
                workshop_key=self.object.workshop_key,
                role=self.object.role,
                promoted_at=now,
            ).order_by("created_at", "pk")
        )
        message = _("The registration of %(name)s is cancelled.") % {
            "name": self.object.full_name
        }
        if promoted:
            message += " " + _(
                "Moved up from the waiting list and told by e-mail: %(names)s."
            ) % {"names": ", ".join(person.full_name for person in promoted)}
        return message


class MarkAttendedView(RegistrationActionView):
    log_action = "wagtail_atelier.registration.attended"
    action_label = gettext_lazy("Mark attended")
    confirm_label = gettext_lazy("Yes, mark attended")
    attended = True

    @classmethod
    def is_available(cls, obj) -> bool:
        return obj.is_confirmed and (obj.attended_at is None) == cls.attended

    def get_question(self) -> str:
        return _("Mark that %(name)s attended “%(workshop)s”?") % {
            "name": self.object.full_name,
            "workshop": self.workshop_label(),
        }

    def get_unavailable_message(self) -> str:
        if not self.object.is_confirmed:
            return _("Only confirmed registrations can be marked: nothing was changed.")
        return _("%(name)s is already marked as attended.") % {
            "name": self.object.full_name
        }

    def perform(self) -> str:
        registration_service.mark_attended(self.object, attended=self.attended)
        return _("%(name)s is marked as attended.") % {"name": self.object.full_name}


class UnmarkAttendedView(MarkAttendedView):
    log_action = "wagtail_atelier.registration.not_attended"
    action_label = gettext_lazy("Unmark attended")
    confirm_label = gettext_lazy("Yes, remove the mark")
    attended = False

    @classmethod
    def is_available(cls, obj) -> bool:
        return obj.attended_at is not None

    def get_question(self) -> str:
        return _("Remove the attendance mark of %(name)s?") % {
            "name": self.object.full_name
        }

    def get_unavailable_message(self) -> str:
        return _("%(name)s is not marked as attended.") % {
            "name": self.object.full_name
        }

    def perform(self) -> str:
        registration_service.mark_attended(self.object, attended=False)
        return _("%(name)s is no longer marked as attended.") % {
            "name": self.object.full_name
        }


# -- mails -----------------------------------------------------------------------------


class RetryMailView(ObjectActionView):
    """Send a failed mail now, once, whatever its backoff or attempts say."""

    model = OutgoingMail
    permission_required = MAIL_CHANGE_PERMISSION
    log_action = "wagtail_atelier.mail.retry"
    action_label = gettext_lazy("Retry now")
    confirm_label = gettext_lazy("Yes, send it now")
    header_icon = "mail"
    index_label = gettext_lazy("Mails")

    @classmethod
    def is_available(cls, obj) -> bool:
        return obj.status in (MailStatus.FAILED, MailStatus.GAVE_UP)

    def get_page_subtitle(self) -> str:
        return self.object.subject

    def get_question(self) -> str:
        return _("Send “%(subject)s” again now?") % {"subject": self.object.subject}

    def get_explanation(self) -> list[str]:
        paragraphs = [
            _("Attempts so far: %(attempts)s.") % {"attempts": self.object.attempts}
        ]
        if self.object.last_error:
            paragraphs.append(
                _("Last error: %(error)s") % {"error": self.object.last_error}
            )
        return paragraphs

    def get_unavailable_message(self) -> str:
        return _("Only failed mails can be retried; this one is: %(status)s.") % {
            "status": self.object.get_status_display()
        }

    def perform(self) -> str:
        # Claim it first: of two clicks at once, only one sends.
        claimed = OutgoingMail.objects.filter(
            pk=self.object.pk, status__in=[MailStatus.FAILED, MailStatus.GAVE_UP]
        ).update(status=MailStatus.FAILED, next_attempt_at=timezone.now())
        outcome = mail_service.deliver(self.object.pk) if claimed else "skipped"
        self.object.refresh_from_db()
        if outcome == "sent":
            return _("The mail “%(subject)s” was sent.") % {
                "subject": self.object.subject
            }
        if outcome == "failed":
            self.message_level = messages.error
            return _(
                "Sending failed again (%(error)s). The mail stays in the list of "
                "failed mails."
            ) % {"error": self.object.last_error}
        self.message_level = messages.warning
        return _("The mail is already being sent: nothing was changed.")
