"""A person's data on request: find it, export it, erase it (nDSG art. 25, GDPR
art. 15 and 17). No request objects.

A person is an email address. :func:`find_person` gathers every record the package
holds about it: registrations (any case of the address) with their mails, feedback
requests and answers, harvests and the table plans that seat them; the testimonials
made from their feedback answers, in every language; host requests sent with the
address and their mails; and any other mail addressed to it.

What each record shows in an export, and which of its fields are personal, is read
from :data:`~wagtail_atelier.models.personal_data.REGISTRY`, the one list of the
package's personal data.

:func:`erase_person` removes all of it in one transaction. The erasure is logged to
the ``wagtail_atelier.people`` Python logger at INFO, with the counts and the id of
the user who ran it, never the address: a log entry in the database would have to
point at an object, and every object about the person is gone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.search import index

from .. import planner
from ..models import (
    FeedbackAnswer,
    FeedbackRequest,
    HostRequest,
    OutgoingMail,
    Registration,
    TableHarvest,
    TablePlan,
    Testimonial,
)
from ..models.mail import MailKind
from ..models.personal_data import personal_data
from ..models.registration import normalise_email
from ..models.workshop import workshop_version
from . import networking
from . import registration as registration_service
from .data_export import export_row, json_value
from .feedback import delete_testimonials, forget_log_entries
from .table_plan import save_plan

logger = logging.getLogger("wagtail_atelier.people")

#: The kinds of record, in the order a person's data is shown and exported.
KINDS = (
    "registrations",
    "mails",
    "feedback_requests",
    "feedback_answers",
    "testimonials",
    "harvests",
    "table_plans",
    "host_requests",
)


@dataclass
class PersonRecords:
    """Everything the package holds about one address."""

    email: str
    registrations: list[Registration] = field(default_factory=list)
    mails: list[OutgoingMail] = field(default_factory=list)
    feedback_requests: list[FeedbackRequest] = field(default_factory=list)
    feedback_answers: list[FeedbackAnswer] = field(default_factory=list)
    #: Every language version of the testimonials made from their answers.
    testimonials: list[Testimonial] = field(default_factory=list)
    harvests: list[TableHarvest] = field(default_factory=list)
    table_plans: list[TablePlan] = field(default_factory=list)
    host_requests: list[HostRequest] = field(default_factory=list)
    #: Mails to other people that give the address as Reply-To (a workshop contact).
    reply_to_mails: list[OutgoingMail] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in KINDS}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values()) and not self.reply_to_mails

    @property
    def registration_ids(self) -> set[int]:
        return {registration.pk for registration in self.registrations}

    def addressed_to_person(self, mail: OutgoingMail) -> bool:
        return _holds_address(mail.to, self.email)


@dataclass(frozen=True)
class ErasureReport:
    """How many records of each kind an erasure removed."""

    registrations: int = 0
    #: Of the registrations, those whose seat was freed first (the waiting list
    #: moved up).
    seats_freed: int = 0
    mails: int = 0
    feedback_requests: int = 0
    feedback_answers: int = 0
    testimonials: int = 0
    harvests: int = 0
    table_plans: int = 0
    host_requests: int = 0
    log_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return sum(
            value for name, value in self.as_dict().items() if name != "seats_freed"
        )


# -- finding ------------------------------------------------------------------------


def _holds_address(addresses, email: str) -> bool:
    if not isinstance(addresses, list):
        return False
    return any(
        isinstance(address, str)
        and parseaddr(address)[1].strip().casefold() == email.casefold()
        for address in addresses
    )


def _mentions_address(field_name: str, email: str) -> Q:
    """Rows whose JSON list ``field_name`` may hold ``email``: a substring match on
    the JSON as text, which SQLite and PostgreSQL both support (``icontains`` on a
    JSONField); written as stored (PostgreSQL) and with JSON's escapes (SQLite keeps
    non-ASCII characters as ``\\uXXXX``). Callers check the match exactly."""
    escaped = json.dumps(email)[1:-1]
    condition = Q(**{f"{field_name}__icontains": email})
    if escaped != email:
        condition |= Q(**{f"{field_name}__icontains": escaped})
    return condition


def plan_person_ids(data: dict) -> set[int]:
    """The registration ids a stored table plan names (presenters and advisers)."""
    problem = (data or {}).get("problem") or {}
    ids = {table.get("presenter_id") for table in problem.get("tables") or []}
    ids |= {adviser.get("id") for adviser in problem.get("advisers") or []}
    return {pk for pk in ids if isinstance(pk, int)}


def find_person(email: str) -> PersonRecords:
    """Every record about ``email`` (compared without regard to case)."""
    email = normalise_email(email)
    records = PersonRecords(email=email)
    records.registrations = list(
        Registration.objects.filter(email__iexact=email).order_by("created_at", "pk")
    )
    registration_ids = records.registration_ids
    records.feedback_requests = list(
        FeedbackRequest.objects.filter(registration_id__in=registration_ids).order_by(
            "created_at", "pk"
        )
    )
    records.feedback_answers = list(
        FeedbackAnswer.objects.filter(request__in=records.feedback_requests).order_by(
            "created_at", "pk"
        )
    )
    keys = Testimonial.objects.filter(
        feedback_answer__in=records.feedback_answers
    ).values_list("translation_key", flat=True)
    records.testimonials = list(
        Testimonial.objects.filter(translation_key__in=list(keys))
        .select_related("locale", "workshop")
        .order_by("created_at", "pk")
    )
    records.harvests = list(
        TableHarvest.objects.filter(presenter_id__in=registration_ids).order_by("pk")
    )
    records.table_plans = [
        table_plan
        for table_plan in TablePlan.objects.filter(
            workshop_key__in={r.workshop_key for r in records.registrations}
        ).order_by("pk")
        if plan_person_ids(table_plan.data) & registration_ids
    ]
    records.host_requests = list(
        HostRequest.objects.filter(email__iexact=email).order_by("created_at", "pk")
    )
    host_request_ids = {host_request.pk for host_request in records.host_requests}
    for mail in OutgoingMail.objects.filter(
        Q(registration_id__in=registration_ids)
        | Q(host_request_id__in=host_request_ids)
        | _mentions_address("to", email)
        | _mentions_address("reply_to", email)
    ).order_by("created_at", "pk"):
        if (
            mail.registration_id in registration_ids
            or mail.host_request_id in host_request_ids
            or _holds_address(mail.to, email)
        ):
            records.mails.append(mail)
        elif _holds_address(mail.reply_to, email):
            records.reply_to_mails.append(mail)
    return records


# -- exporting ----------------------------------------------------------------------


class _Workshops:
    """The title and dates of each workshop, in the person's language, read once."""

    def __init__(self) -> None:
        self._cache: dict[tuple, dict | None] = {}

    def __call__(self, workshop_key, language: str = "") -> dict | None:
        if workshop_key is None:
            return None
        cache_key = (workshop_key, language)
        if cache_key not in self._cache:
            page = workshop_version(workshop_key, language or None)
            self._cache[cache_key] = (
                {
                    "title": page.title,
                    "start_at": json_value(page.start_at),
                    "end_at": json_value(page.end_at),
                }
                if page is not None
                else None
            )
        return self._cache[cache_key]


def _plan_entry(data: dict, pk: int) -> dict:
    """What a stored table plan says about one person, and nothing about others."""
    problem = (data or {}).get("problem") or {}
    entry: dict[str, Any] = {}
    for table in problem.get("tables") or []:
        if table.get("presenter_id") == pk:
            entry["case_table"] = table.get("id")
            entry["table_language"] = table.get("language", "")
    for adviser in problem.get("advisers") or []:
        if adviser.get("id") == pk:
            entry["tables_by_round"] = [
                dict(pairs).get(pk) for pairs in (data.get("seating") or [])
            ]
    return entry


def export_person(email: str) -> dict:
    """Everything about ``email``, as a JSON-able dict: per kind of record, the
    registry's exported fields of each row, with the workshop's title and dates."""
    records = find_person(email)
    workshop = _Workshops()
    registrations_by_pk = {r.pk: r for r in records.registrations}
    export: dict[str, Any] = {
        "email": records.email,
        "exported_at": json_value(timezone.now()),
    }
    export["registrations"] = [
        {
            **export_row(registration),
            "workshop": workshop(registration.workshop_key, registration.language),
        }
        for registration in records.registrations
    ]
    mail_entry = personal_data(OutgoingMail)
    mails = []
    for mail in records.mails:
        fields = mail_entry.exported_fields()
        to_person = records.addressed_to_person(mail)
        if not to_person:
            # A notification about them to the workshop's contact or the network:
            # that it was sent, not others' addresses.
            fields = tuple(name for name in fields if name not in ("to", "body_text"))
        mails.append(
            {
                **export_row(mail, fields),
                "to_you": to_person,
                "workshop": workshop(mail.workshop_key, mail.language),
            }
        )
    export["mails"] = mails
    export["feedback_requests"] = [
        {
            **export_row(feedback_request),
            "workshop": workshop(
                feedback_request.workshop_key, feedback_request.language
            ),
        }
        for feedback_request in records.feedback_requests
    ]
    export["feedback_answers"] = [
        export_row(answer) for answer in records.feedback_answers
    ]
    export["testimonials"] = [
        {
            **export_row(testimonial),
            "language": testimonial.locale.language_code,
            "workshop": testimonial.workshop.title if testimonial.workshop else None,
        }
        for testimonial in records.testimonials
    ]
    export["harvests"] = [
        {
            **export_row(harvest),
            "workshop": workshop(
                harvest.workshop_key,
                getattr(registrations_by_pk.get(harvest.presenter_id), "language", ""),
            ),
        }
        for harvest in records.harvests
    ]
    table_plans = []
    for table_plan in records.table_plans:
        for pk in sorted(plan_person_ids(table_plan.data) & records.registration_ids):
            registration = registrations_by_pk[pk]
            table_plans.append(
                {
                    "id": table_plan.pk,
                    "registration": pk,
                    **_plan_entry(table_plan.data, pk),
                    "updated_at": json_value(table_plan.updated_at),
                    "workshop": workshop(
                        table_plan.workshop_key, registration.language
                    ),
                }
            )
    export["table_plans"] = table_plans
    export["host_requests"] = [
        export_row(host_request) for host_request in records.host_requests
    ]
    return export


# -- erasing ------------------------------------------------------------------------


def without_people(data: dict, person_ids: set[int]) -> dict:
    """A stored table plan without ``person_ids``: their entries, seats and locks
    go; a case presenter's table goes too, and the people seated at it in a round
    are left without a table in that round (re-planning places them again)."""
    data = json.loads(json.dumps(data))  # a deep copy
    problem = data.get("problem") or {}
    gone_tables = {
        table.get("id")
        for table in problem.get("tables") or []
        if table.get("presenter_id") in person_ids
    }
    problem["tables"] = [
        table
        for table in problem.get("tables") or []
        if table.get("presenter_id") not in person_ids
    ]
    problem["advisers"] = [
        adviser
        for adviser in problem.get("advisers") or []
        if adviser.get("id") not in person_ids
    ]
    problem["locks"] = [
        lock
        for lock in problem.get("locks") or []
        if lock[0] not in person_ids and lock[2] not in gone_tables
    ]
    problem["absent"] = [
        pk for pk in problem.get("absent") or [] if pk not in person_ids
    ]
    data["seating"] = [
        [
            [adviser_id, None if table_id in gone_tables else table_id]
            for adviser_id, table_id in pairs
            if adviser_id not in person_ids
        ]
        for pairs in data.get("seating") or []
    ]
    data["problem"] = problem
    return data


def _remove_from_plan(table_plan: TablePlan, person_ids: set[int], user) -> None:
    data = without_people(table_plan.data, person_ids)
    try:
        plan = planner.Plan.from_dict(data)
    except planner.PlannerInputError:
        # Unreadable without them: the coordinators plan the workshop again.
        TablePlan.objects.filter(pk=table_plan.pk).update(data={}, feasible=False)
        return
    save_plan(table_plan, plan, user=user)


def _coming(registration: Registration, now: datetime) -> bool:
    workshop = registration_service.workshop_for(registration)
    return workshop is not None and workshop.start_at > now


def erase_person(
    email: str, *, user=None, now: datetime | None = None
) -> ErasureReport:
    """Erase everything about ``email``, in one transaction.

    An active registration for a workshop still to come is cancelled first, as staff
    would, so that the waiting list moves up (the cancellation mail to the person is
    deleted with the rest). Then: testimonials in every language (revisions and
    wagtail-localize data included), the person's seats in stored table plans,
    registrations (with their mails and harvests), feedback requests and answers,
    host requests (with their mails), other mails to the address, the address as
    Reply-To of other mails, and the audit-log entries about all of these.
    """
    now = now or timezone.now()
    email = normalise_email(email)
    with transaction.atomic():
        seats_freed = 0
        for registration in Registration.objects.filter(email__iexact=email).active():
            if _coming(registration, now):
                registration_service.cancel(registration, by_staff=True, now=now)
                seats_freed += 1
        records = find_person(email)
        registration_ids = records.registration_ids

        testimonials = delete_testimonials(
            {t.translation_key for t in records.testimonials}, forget_log=True
        )
        for table_plan in records.table_plans:
            _remove_from_plan(table_plan, registration_ids, user)
        for kind in ("harvests", "mails", "host_requests", "feedback_requests"):
            for instance in getattr(records, kind):
                if index.class_is_indexed(type(instance)):
                    index.remove_object(instance)

        log_entries = 0
        for model, instances in (
            (Registration, records.registrations),
            (OutgoingMail, records.mails),
            (FeedbackRequest, records.feedback_requests),
            (FeedbackAnswer, records.feedback_answers),
            (TableHarvest, records.harvests),
            (HostRequest, records.host_requests),
        ):
            log_entries += forget_log_entries(model, [i.pk for i in instances])

        # Explicitly, so that nothing relies on cascades for the counts; what a
        # cascade would delete is gone already when its turn comes.
        FeedbackRequest.objects.filter(
            pk__in=[r.pk for r in records.feedback_requests]
        ).delete()
        OutgoingMail.objects.filter(pk__in=[m.pk for m in records.mails]).delete()
        TableHarvest.objects.filter(pk__in=[h.pk for h in records.harvests]).delete()
        Registration.objects.filter(pk__in=registration_ids).delete()
        # The networking lists mailed to others named the person: rewrite the
        # stored copies without them.
        networking.forget_erased(
            m.workshop_key
            for m in records.mails
            if m.kind == MailKind.NETWORKING_LIST and m.workshop_key
        )
        HostRequest.objects.filter(
            pk__in=[h.pk for h in records.host_requests]
        ).delete()
        for mail in records.reply_to_mails:
            mail.reply_to = [
                address
                for address in mail.reply_to
                if not _holds_address([address], email)
            ]
            mail.save(update_fields=["reply_to"])

        report = ErasureReport(
            registrations=len(records.registrations),
            seats_freed=seats_freed,
            mails=len(records.mails),
            feedback_requests=len(records.feedback_requests),
            feedback_answers=len(records.feedback_answers),
            testimonials=testimonials,
            harvests=len(records.harvests),
            table_plans=len(records.table_plans),
            host_requests=len(records.host_requests),
            log_entries=log_entries,
        )
    logger.info(
        "Erased the personal data of one person, by user %s: %s",
        getattr(user, "pk", None),
        report.as_dict(),
    )
    return report
