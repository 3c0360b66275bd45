"""The "Table plan" screen of a workshop, its printable view and its exports.

Seeing the plan needs a registration view permission (it holds names); changing it
needs ``change_registration``; the case questions on the printed sheets need
``view_case_details`` as well. Nothing here knows of wagtail-modeladmin; the URLs are
registered by ``wagtail_hooks.py`` under the ``wagtail_atelier_workshops`` namespace.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log
from wagtail.models import Page

from .. import planner
from ..links import workshop_admin_url
from ..models import TablePlan, WorkshopLanguage, WorkshopPageMixin
from ..models.choices import WorkshopFormat, language_names
from ..models.table_plan import MAX_GROUP_SIZE
from ..permissions import (
    REGISTRATION_CHANGE_PERMISSION,
    user_can_see_case_details,
    user_can_see_registrations,
)
from ..responses import private
from ..services import table_plan as service
from .actions import log_title
from .exports import neutralise_formula
from .forms import AdminErrorSummaryMixin

#: Audit-log actions, registered in ``wagtail_hooks.py``. A move against the rules
#: is logged with the codes of the rules it breaks.
LOG_ACTIONS = {
    "wagtail_atelier.table_plan.generate": (
        gettext_lazy("Generate table plan"),
        gettext_lazy("Table plan generated"),
    ),
    "wagtail_atelier.table_plan.replan": (
        gettext_lazy("Re-plan tables"),
        gettext_lazy("Table plan re-planned around the fixed places"),
    ),
    "wagtail_atelier.table_plan.move": (
        gettext_lazy("Move a person"),
        gettext_lazy("A person was moved to another table"),
    ),
    "wagtail_atelier.table_plan.move_against_rules": (
        gettext_lazy("Move a person against the rules"),
        gettext_lazy("A person was moved to another table despite the warning"),
    ),
    "wagtail_atelier.table_plan.lock": (
        gettext_lazy("Fix places"),
        gettext_lazy("Places in the table plan fixed or released"),
    ),
    "wagtail_atelier.table_plan.edit": (
        gettext_lazy("Edit table plan"),
        gettext_lazy("Table plan settings changed"),
    ),
}


def workshop_or_404(page_id: int):
    """The workshop page ``page_id`` (any language version), specific."""
    page = get_object_or_404(Page.objects.all(), pk=page_id).specific
    if not isinstance(page, WorkshopPageMixin):
        raise Http404
    return page


def table_plan_url(workshop) -> str:
    return workshop_admin_url("table_plan", workshop)


class PlanParametersForm(AdminErrorSummaryMixin, forms.Form):
    rounds = forms.IntegerField(
        label=gettext_lazy("Rounds"),
        min_value=1,
        max_value=planner.MAX_ROUNDS,
        initial=3,
        help_text=gettext_lazy("Usually three."),
    )
    min_size = forms.IntegerField(
        label=gettext_lazy("Smallest group"),
        min_value=2,
        max_value=MAX_GROUP_SIZE,
        initial=3,
        help_text=gettext_lazy("People at a table, the case presenter included."),
    )
    max_size = forms.IntegerField(
        label=gettext_lazy("Largest group"),
        min_value=2,
        max_value=MAX_GROUP_SIZE,
        initial=5,
        help_text=gettext_lazy("People at a table, the case presenter included."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_size"), data.get("max_size")
        if low is not None and high is not None and low > high:
            self.add_error(
                "min_size",
                _(
                    "The smallest group (%(min_size)s) cannot be larger than the "
                    "largest (%(max_size)s)."
                )
                % {"min_size": low, "max_size": high},
            )
        return data


class WorkshopAdminView(WagtailAdminTemplateMixin, View):
    """Base of the admin screens of one workshop (table plan, harvest): checks that
    the user may see registrations before anything else, then finds the workshop."""

    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # Permission first, so that someone without it cannot tell which ids exist.
        if not user_can_see_registrations(request.user):
            return permission_denied(request)
        self.workshop = workshop_or_404(kwargs["page_id"])
        self.read_workshop_data()
        return super().dispatch(request, *args, **kwargs)

    def read_workshop_data(self) -> None:
        """Read what the view needs once the workshop is known."""

    @property
    def can_change(self) -> bool:
        return self.request.user.has_perm(REGISTRATION_CHANGE_PERMISSION)

    @property
    def can_see_case_details(self) -> bool:
        """Case questions, accessibility needs, dietary notes: facilitators need
        them, not everyone who may see the names."""
        return user_can_see_case_details(self.request.user)

    def get_page_subtitle(self) -> str:
        return self.workshop.title

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.workshop.pk]),
                "label": self.workshop.title,
            },
        ]


class TablePlanBaseView(WorkshopAdminView):
    """A workshop admin view that reads the workshop's stored table plan."""

    def read_workshop_data(self) -> None:
        self.table_plan = TablePlan.objects.filter(
            workshop_key=self.workshop.translation_key
        ).first()

    @cached_property
    def plan_view(self) -> service.PlanView | None:
        """The stored plan as shown, read once per request (every change
        redirects, so it is never shown stale)."""
        if self.table_plan is None:
            return None
        return service.plan_view(self.table_plan)

    def require_view(self):
        view = self.plan_view
        if view is None:
            raise Http404(_("This workshop has no table plan yet."))
        return view


class TablePlanView(TablePlanBaseView):
    """See, generate, change and re-plan the table plan of one workshop."""

    template_name = "wagtail_atelier/admin/table_plan.html"
    header_icon = "table"
    page_title = gettext_lazy("Table plan")

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *super().get_breadcrumbs_items(),
            {"url": "", "label": str(self.page_title)},
        ]

    # -- GET -------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render(self.parameters_form())

    def parameters_form(self, data=None) -> PlanParametersForm:
        initial = {}
        if self.table_plan is not None:
            initial = {
                "rounds": self.table_plan.rounds,
                "min_size": self.table_plan.min_size,
                "max_size": self.table_plan.max_size,
            }
        return PlanParametersForm(data=data, initial=initial)

    def render(self, form, *, status=200, pending_move=None, **extra) -> HttpResponse:
        view = self.plan_view
        context = self.get_context_data(
            workshop=self.workshop,
            table_plan=self.table_plan,
            plan=view,
            form=form,
            can_change=self.can_change,
            can_see_case_details=self.can_see_case_details,
            pending_move=pending_move,
            is_online=self.workshop.format != WorkshopFormat.ON_SITE,
            language_choices=WorkshopLanguage.choices,
            **extra,
        )
        if view is not None:
            context.update(self.plan_context(view))
        response = TemplateResponse(
            self.request, self.template_name, context, status=status
        )
        return private(response)

    def plan_context(self, view: service.PlanView) -> dict:
        mark_breaches(view)
        return {
            "violations": [service.translate(v) for v in view.violations],
            "diagnostics": [
                {
                    "level": d.level,
                    "message": service.translate(d),
                    "suggestions": [service.translate(s) for s in d.suggestions],
                }
                for d in view.diagnostics
            ],
            "metrics": view.metrics,
            "tables": [
                {
                    "number": table.id,
                    "language": table.language,
                    "language_label": language_names([table.language]),
                    "presenter": view.registrations.get(table.presenter_id),
                }
                for table in view.tables
            ],
            "advisers": sorted(view.advisers, key=lambda r: r.full_name.casefold()),
            "absent_count": len(view.absent),
            # A name clicked in the plan preselects that person and round to move.
            "move_person": _int_or_none(self.request.GET.get("move", "")),
            "move_round": _int_or_none(self.request.GET.get("round", "")),
            "round_numbers": list(range(1, view.plan.problem.rounds + 1)),
            "zoom_rounds": list(range(1, view.plan.problem.rounds + 1)),
            "locked_count": len(view.plan.problem.active_locks),
        }

    # -- POST ------------------------------------------------------------------------

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not self.can_change:
            return permission_denied(request)
        handler = self.actions.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action: nothing was changed."))
            return redirect(table_plan_url(self.workshop))
        try:
            return handler(self)
        except service.StalePlanError:
            messages.warning(
                request,
                _(
                    "Someone changed the plan while you were looking at it: nothing "
                    "was changed. Here is the current plan."
                ),
            )
        except planner.PlannerInputError as error:
            messages.error(request, service.input_error_message(error))
        return redirect(table_plan_url(self.workshop))

    def revision(self) -> int | None:
        """The plan revision the posted form was shown with (None if missing)."""
        return _int_or_none(self.request.POST.get("revision", ""))

    def done(
        self,
        action: str,
        message: str,
        level=messages.success,
        data=None,
        fragment: str = "",
    ):
        """Log the change, tell the user, and show the plan again (at
        ``fragment``: the control that keeps focus, such as the moved person)."""
        log(
            instance=self.table_plan,
            action=action,
            user=self.request.user,
            title=log_title(self.table_plan),
            data=data or {},
        )
        level(self.request, message)
        return redirect(
            table_plan_url(self.workshop) + (f"#{fragment}" if fragment else "")
        )

    def outcome_message(self, first: str) -> str:
        if self.table_plan.feasible:
            return first + " " + _("It keeps every rule.")
        return (
            first
            + " "
            + _(
                "It is the best plan that could be made, but it breaks some rules: "
                "see below why, and what would help."
            )
        )

    # -- the actions (each one is listed in ``actions`` below) -----------------------

    def generate(self) -> HttpResponse:
        form = self.parameters_form(self.request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        self.table_plan = service.generate(
            self.workshop,
            rounds=data["rounds"],
            min_size=data["min_size"],
            max_size=data["max_size"],
            user=self.request.user,
            revision=self.revision() if self.table_plan is not None else None,
        )
        return self.done(
            "wagtail_atelier.table_plan.generate",
            self.outcome_message(_("The table plan is made.")),
            level=messages.success if self.table_plan.feasible else messages.warning,
        )

    def replan(self) -> HttpResponse:
        view = self.require_view()
        self.table_plan = service.replan(
            view, self.workshop, user=self.request.user, revision=self.revision()
        )
        return self.done(
            "wagtail_atelier.table_plan.replan",
            self.outcome_message(
                _("The plan is made again around the %(count)s fixed places.")
                % {"count": len(view.plan.problem.active_locks)}
            ),
            level=messages.success if self.table_plan.feasible else messages.warning,
        )

    def move(self) -> HttpResponse:
        """Seat a person at another table in one round. A move that breaks a rule is
        shown back first (409) with the choice to make it anyway (``force``)."""
        view = self.require_view()
        try:
            person, round_number, table = self.move_target()
        except ValueError:
            messages.error(self.request, _("Choose a person, a round and a table."))
            return redirect(table_plan_url(self.workshop))
        outcome = service.move(
            view,
            person,
            round_number,
            table,
            force=self.request.POST.get("force") == "1",
            user=self.request.user,
            revision=self.revision(),
        )
        name = view.registrations[person].full_name
        warnings = [service.translate(v) for v in outcome.violations]
        if not outcome.saved:
            return self.confirm_move(person, name, round_number, table, warnings)
        message = move_message(name, round_number, table)
        data = {
            "registration": person,
            "round": round_number,
            "table": table,
            "violations": [v.code for v in outcome.violations],
        }
        if outcome.violations:
            return self.done(
                "wagtail_atelier.table_plan.move_against_rules",
                message
                + " "
                + _("Against the rules, as you confirmed: %(warnings)s")
                % {"warnings": " ".join(warnings)},
                level=messages.warning,
                data=data,
                fragment=seat_id(round_number, person),
            )
        return self.done(
            "wagtail_atelier.table_plan.move",
            message,
            data=data,
            fragment=seat_id(round_number, person),
        )

    def move_target(self) -> tuple[int, int, int | None]:
        """The person, round and table (None: no table) a move form posted.

        Raises ``ValueError`` when one of them is not a number.
        """
        post = self.request.POST
        person = int(post.get("person", ""))
        round_number = int(post.get("round", ""))
        table = int(post["table"]) if post.get("table") else None
        return person, round_number, table

    def confirm_move(
        self,
        person: int,
        name: str,
        round_number: int,
        table: int | None,
        warnings: list[str],
    ) -> HttpResponse:
        """The plan again with the rules the move would break and the choice to move
        anyway. Nothing is stored yet, hence 409 rather than a redirect."""
        return self.render(
            self.parameters_form(),
            status=409,
            pending_move={
                "person": person,
                "name": name,
                "round": round_number,
                "table": table,
                "warnings": warnings,
                "seat": seat_id(round_number, person),
            },
        )

    def lock_round(self) -> HttpResponse:
        return self.set_round_locks(locked=True)

    def unlock_round(self) -> HttpResponse:
        return self.set_round_locks(locked=False)

    def set_round_locks(self, *, locked: bool) -> HttpResponse:
        """Fix (or release) the places of the posted round."""
        view = self.require_view()
        rounds = view.plan.problem.rounds
        round_number = _int_or_none(self.request.POST.get("round", "")) or 0
        if not 1 <= round_number <= rounds:
            raise planner.PlannerInputError(
                "round_out_of_range", round=round_number or "?", rounds=rounds
            )
        changed = service.set_locks(
            view,
            round_number=round_number,
            locked=locked,
            user=self.request.user,
            revision=self.revision(),
        )
        if locked:
            message = ngettext(
                "%(count)s place of round %(round)s is fixed.",
                "%(count)s places of round %(round)s are fixed.",
                changed,
            )
        else:
            message = ngettext(
                "%(count)s place of round %(round)s is released.",
                "%(count)s places of round %(round)s are released.",
                changed,
            )
        return self.done(
            "wagtail_atelier.table_plan.lock",
            message % {"count": changed, "round": round_number},
            data={"round": round_number, "locked": locked, "count": changed},
        )

    def unlock_all(self) -> HttpResponse:
        view = self.require_view()
        changed = service.set_locks(
            view, locked=False, user=self.request.user, revision=self.revision()
        )
        return self.done(
            "wagtail_atelier.table_plan.lock",
            ngettext(
                "%(count)s fixed place is released.",
                "%(count)s fixed places are released.",
                changed,
            )
            % {"count": changed},
            data={"locked": False, "count": changed},
        )

    def set_table_language(self) -> HttpResponse:
        view = self.require_view()
        try:
            table = int(self.request.POST.get("table", ""))
        except ValueError:
            raise planner.PlannerInputError(
                "unknown_move_target", kind="table", id="?"
            ) from None
        language = self.request.POST.get("language", "")
        if language not in WorkshopLanguage.values:
            messages.error(
                self.request,
                _("Choose one of the languages offered: nothing was changed."),
            )
            return redirect(table_plan_url(self.workshop))
        caused = service.set_table_language(
            view, table, language, user=self.request.user, revision=self.revision()
        )
        message = _("Table %(table)s is now held in %(language)s.") % {
            "table": table,
            "language": language_names([language]),
        }
        level = messages.success
        if caused:
            message += " " + _(
                "Some people there do not speak it: re-plan, or move them."
            )
            level = messages.warning
        return self.done(
            "wagtail_atelier.table_plan.edit",
            message,
            level=level,
            data={"table": table, "language": language},
        )

    def set_reminder(self) -> HttpResponse:
        self.require_view()
        show = self.request.POST.get("show_in_reminder") == "1"
        service.set_show_in_reminder(self.table_plan, show)
        message = (
            _("The reminder mail will tell each person their tables.")
            if show
            else _("The reminder mail will not mention the tables.")
        )
        return self.done(
            "wagtail_atelier.table_plan.edit", message, data={"reminder": show}
        )

    #: What the screen's forms may post as ``action``, and the method that does it.
    #: Anything else changes nothing and says so.
    actions: ClassVar[dict[str, Callable[[TablePlanView], HttpResponse]]] = {
        "generate": generate,
        "replan": replan,
        "move": move,
        "lock_round": lock_round,
        "unlock_round": unlock_round,
        "unlock_all": unlock_all,
        "table_language": set_table_language,
        "reminder": set_reminder,
    }


def mark_breaches(view: service.PlanView) -> None:
    """Mark the seat of the round that breaks a rule, not the person's every seat."""
    in_breach = {
        (violation.adviser_id, violation.round)
        for violation in view.violations
        if violation.adviser_id is not None
    }
    for round_ in view.rounds:
        for table in round_.tables:
            for seat in table.advisers:
                seat.in_breach = (seat.registration.pk, round_.number) in in_breach


def seat_id(round_number: int, person: int) -> str:
    """The id of a person's name in a round of the plan: focus returns there after
    a move."""
    return f"seat-{round_number}-{person}"


def move_message(name: str, round_number: int, table: int | None) -> str:
    """ "Anna Muster moves to table 3 in round 2." (or to no table)."""
    where = (
        _("table %(table)s") % {"table": table} if table is not None else _("no table")
    )
    return _("%(name)s moves to %(where)s in round %(round)s.") % {
        "name": name,
        "where": where,
        "round": round_number,
    }


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


# -- outputs -----------------------------------------------------------------------


class TablePlanPrintView(TablePlanBaseView):
    """One sheet per table and one card per person, for printing, in the language
    the workshop is held in (not the admin user's): they lie on the tables.

    They never show the case questions: the registration form promises that only
    the facilitation team reads them. ``?copy=facilitators`` gives the
    facilitators' copy of the sheets, with the questions, to users who may see case
    details; it says so on every sheet."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view = self.require_view()
        facilitators_copy = request.GET.get("copy") == "facilitators"
        if facilitators_copy and not self.can_see_case_details:
            return permission_denied(request)
        cards = [
            {
                "registration": registration,
                "tables": list(enumerate(view.tables_of(registration), start=1)),
            }
            for registration in view.people
        ]
        sheets = []
        for table in view.tables:
            sheets.append(
                {
                    "number": table.id,
                    "language_code": table.language,
                    "presenter": view.registrations.get(table.presenter_id),
                    "rounds": [
                        (
                            round_.number,
                            next(
                                t.advisers
                                for t in round_.tables
                                if t.number == table.id
                            ),
                        )
                        for round_ in view.rounds
                    ],
                }
            )
        # The screen's own controls (never printed) in the admin user's language.
        toolbar = {
            "language": translation.get_language(),
            "print": _("Print"),
            "back": _("Back to the table plan"),
            "note": _(
                "The sheets and cards are in the language the workshop is held in."
            ),
        }
        language = self.workshop.workshop_language or translation.get_language()
        with translation.override(language):
            for sheet in sheets:
                sheet["language"] = language_names([sheet["language_code"]])
            response = TemplateResponse(
                request,
                "wagtail_atelier/admin/table_plan_print.html",
                {
                    "workshop": self.workshop,
                    "plan": view,
                    "sheets": sheets,
                    "cards": [] if facilitators_copy else cards,
                    "feasible": not view.violations,
                    "facilitators_copy": facilitators_copy,
                    "toolbar": toolbar,
                },
            )
            response.render()
        return private(response)


def _csv_response(filename: str, *, bom: bool = True) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if bom:
        # A byte order mark, so that spreadsheet programs read the accents right.
        response.write("\ufeff")
    return private(response), csv.writer(response)


class TablePlanCSVView(TablePlanBaseView):
    """Everyone with their table in each round."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view = self.require_view()
        rounds = range(1, view.plan.problem.rounds + 1)
        response, writer = _csv_response(
            f"{slugify(self.workshop.slug)}-table-plan.csv"
        )
        writer.writerow(
            [
                _("Last name"),
                _("First name"),
                _("Role"),
                _("Organisation"),
                _("Email"),
                *[_("Round %(round)s") % {"round": r} for r in rounds],
            ]
        )
        for person in view.people:
            writer.writerow(
                [
                    neutralise_formula(value)
                    for value in (
                        person.last_name,
                        person.first_name,
                        str(person.role_label),
                        person.organisation,
                        person.email,
                        *[
                            "" if table is None else str(table)
                            for table in view.tables_of(person)
                        ],
                    )
                ]
            )
        return response


class ZoomBreakoutCSVView(TablePlanBaseView):
    """Zoom's breakout-room pre-assignment file for one round: each case presenter
    and the participants of their table in a room named after the table."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view = self.require_view()
        round_number = kwargs["round"]
        if not 1 <= round_number <= view.plan.problem.rounds:
            raise Http404(_("There is no such round in this plan."))
        round_ = view.rounds[round_number - 1]
        response, writer = _csv_response(
            f"{slugify(self.workshop.slug)}-zoom-round-{round_number}.csv",
            # Zoom reads the header by name: no byte order mark before it.
            bom=False,
        )
        # Zoom matches these column names exactly, in English, whatever the language.
        writer.writerow(["Pre-assign Room Name", "Email Address"])
        for table in round_.tables:
            room = room_name(table.number, self.workshop.workshop_language)
            if table.presenter is not None:
                writer.writerow([room, neutralise_formula(table.presenter.email)])
            for seat in table.advisers:
                writer.writerow([room, neutralise_formula(seat.registration.email)])
        return response


def room_name(number: int, language: str) -> str:
    """ "Tisch 3", "Table 3", "Tavolo 3": in the language the workshop is held in,
    which is what the participants see in Zoom."""
    with translation.override(language):
        return _("Table %(number)s") % {"number": number}


urlpatterns = [
    path("<int:page_id>/table-plan/", TablePlanView.as_view(), name="table_plan"),
    path(
        "<int:page_id>/table-plan/print/",
        TablePlanPrintView.as_view(),
        name="table_plan_print",
    ),
    path(
        "<int:page_id>/table-plan/table-plan.csv",
        TablePlanCSVView.as_view(),
        name="table_plan_csv",
    ),
    path(
        "<int:page_id>/table-plan/zoom-round-<int:round>.csv",
        ZoomBreakoutCSVView.as_view(),
        name="table_plan_zoom",
    ),
]
