"""The retention: removing the personal data of past workshops and closed host
requests, automatically (:func:`apply_retention`, run daily by a task or the
``atelier_retention`` command) or for one workshop at once (:func:`purge_workshop`,
the admin's purge screen). No request objects.

What each model holds and what happens to it is read from the one list of personal
data, :data:`~wagtail_atelier.models.personal_data.REGISTRY`: rows whose
``retention`` is "anonymise" keep their kept fields (role, status, dates) and get the
anonymised values of their personal ones; rows whose ``retention`` is "delete" are
deleted. Per workshop (all its language versions):

- the counts the network keeps (:func:`workshop_statistics`) are stored first, in
  :class:`~wagtail_atelier.models.WorkshopStatistics`;
- registrations are anonymised (their self-service link ends with them);
- their mails, and every mail about the workshop, are deleted;
- feedback answers are deleted, except one that a testimonial still quotes with the
  person's consent: its text is blanked (the quote lives on in the testimonial,
  under that consent) and its feedback link stays open, without the registration,
  while the person may still withdraw their consent
  (``WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS``); every other feedback link is ended;
- the table plan is deleted, and the harvests, except those an editor marked
  "keep for the network's learning" (kept as they are, beside the anonymised
  registration);
- the purge is logged in the workshop page's history, with counts only.

A workshop is due ``WAGTAIL_ATELIER_RETENTION_MONTHS`` after it ended. A workshop
whose pages were all deleted is due that long after the last change to anything of
it (its registrations, mails, feedback, table plan, harvests): registrations are made
before a workshop, so that last change is as late as anything the package knows of
its date. A host request is anonymised ``WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS``
after it was closed (its ``status_changed_at``, else its last change), and its mails
are deleted.

Everything is idempotent: a second run finds nothing left and reports zeros.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.log_actions import log

from ..conf import get_setting
from ..models import (
    FeedbackAnswer,
    FeedbackRequest,
    HostRequest,
    OutgoingMail,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    TableHarvest,
    TablePlan,
    Testimonial,
    WorkshopStatistics,
    workshop_keys,
    workshop_version,
)
from ..models.host_request import CLOSED_STATUSES
from ..models.personal_data import PersonalData, personal_data
from .data_export import export_row
from .registration import lock_workshop

#: The audit-log action of a purge (registered in ``wagtail_hooks.py`` through
#: ``admin/purge.py``), on the workshop page; its data holds counts only.
PURGE_ACTION = "wagtail_atelier.workshop.personal_data_removed"


# -- reports ----------------------------------------------------------------------

#: The counts of a :class:`PurgeReport`, in the order screens show them.
COUNT_NAMES = (
    "registrations_anonymised",
    "mails_deleted",
    "feedback_answers_deleted",
    "feedback_answers_blanked",
    "feedback_links_ended",
    "table_plans_deleted",
    "harvests_deleted",
    "harvests_kept",
)


@dataclass
class PurgeReport:
    """What a purge of one workshop removed (or, in a dry run, would remove).

    ``workshop_key``, ``title`` and ``ended_at`` say which workshop (never a
    person); the other fields are counts.
    """

    workshop_key: uuid.UUID
    title: str = ""
    #: When the workshop ended (with no page left: the last change to its data).
    ended_at: dt.datetime | None = None
    registrations_anonymised: int = 0
    mails_deleted: int = 0
    feedback_answers_deleted: int = 0
    feedback_answers_blanked: int = 0
    feedback_links_ended: int = 0
    table_plans_deleted: int = 0
    harvests_deleted: int = 0
    harvests_kept: int = 0
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        """The counts alone (what the audit log records)."""
        return {name: getattr(self, name) for name in COUNT_NAMES}

    @property
    def removed(self) -> int:
        """How many rows lost personal data (the kept harvests not included)."""
        return sum(
            count for name, count in self.counts().items() if name != "harvests_kept"
        )


@dataclass
class HostRequestReport:
    """One host request whose contact data were (or would be) removed."""

    id: int
    closed_at: dt.datetime
    age_days: int
    mails_deleted: int = 0


@dataclass
class RetentionReport:
    """What :func:`apply_retention` did (or, in a dry run, would do)."""

    workshops: list[PurgeReport] = field(default_factory=list)
    host_requests: list[HostRequestReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def host_request_mails_deleted(self) -> int:
        return sum(report.mails_deleted for report in self.host_requests)

    def totals(self) -> dict[str, int]:
        """Counts only, summed over the workshops, and the host requests."""
        totals: Counter[str] = Counter()
        for report in self.workshops:
            totals.update(report.counts())
        return {
            "workshops": len(self.workshops),
            **{name: totals.get(name, 0) for name in COUNT_NAMES},
            "host_requests_anonymised": len(self.host_requests),
            "host_request_mails_deleted": self.host_request_mails_deleted,
        }

    @property
    def changed(self) -> bool:
        return bool(self.workshops or self.host_requests)


# -- time -------------------------------------------------------------------------


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` minus whole calendar months (31 March - 1 month = 28/29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` plus whole calendar months."""
    return months_before(moment, -months)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _key(workshop_key) -> uuid.UUID:
    return (
        workshop_key
        if isinstance(workshop_key, uuid.UUID)
        else uuid.UUID(str(workshop_key))
    )


# -- what belongs to a workshop -------------------------------------------------------


def _withdrawal_window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=get_setting("WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS"))


def _quoted_answers() -> models.QuerySet[FeedbackAnswer]:
    """Answers a testimonial still quotes with the person's consent: consent given,
    not withdrawn, and a testimonial made from it whose consent stands (draft or
    live: an editor may still publish it)."""
    return FeedbackAnswer.objects.filter(
        Exists(
            Testimonial.objects.filter(
                feedback_answer=OuterRef("pk"), consent_withdrawn_at__isnull=True
            )
        ),
        may_quote=True,
        consent_withdrawn_at__isnull=True,
    )


def _withdrawal_link_needed(now: dt.datetime) -> Q:
    """Feedback requests whose link must stay: the answer is quoted with consent,
    and the person may still withdraw that consent with the link."""
    return Q(
        answer__in=_quoted_answers(), created_at__gte=_withdrawal_window_start(now)
    )


class _Scope:
    """The rows of some workshops (``keys``; None: every workshop) that hold
    personal data still to remove, one queryset per kind of removal (none
    evaluated)."""

    def __init__(self, keys: list[uuid.UUID] | None, now: dt.datetime) -> None:
        self.keys = keys
        self.now = now

    def _of(self, path: str = "workshop_key") -> Q:
        if self.keys is None:
            return Q(**{f"{path}__isnull": False})
        return Q(**{f"{path}__in": self.keys})

    @property
    def registrations(self) -> models.QuerySet[Registration]:
        return Registration.objects.filter(self._of(), anonymised_at__isnull=True)

    @property
    def mails(self) -> models.QuerySet[OutgoingMail]:
        # By the registration too: mails queued before they knew their workshop.
        return OutgoingMail.objects.filter(
            self._of() | self._of("registration__workshop_key")
        )

    @property
    def answers(self) -> models.QuerySet[FeedbackAnswer]:
        return FeedbackAnswer.objects.filter(self._of("request__workshop_key"))

    @property
    def answers_to_delete(self) -> models.QuerySet[FeedbackAnswer]:
        return self.answers.exclude(pk__in=_quoted_answers().values("pk"))

    @property
    def answers_to_blank(self) -> models.QuerySet[FeedbackAnswer]:
        blank = personal_data(FeedbackAnswer).anonymised_values()
        return self.answers.filter(pk__in=_quoted_answers().values("pk")).exclude(
            **blank
        )

    @property
    def requests(self) -> models.QuerySet[FeedbackRequest]:
        return FeedbackRequest.objects.filter(self._of())

    @property
    def links_to_end(self) -> models.QuerySet[FeedbackRequest]:
        return self.requests.filter(link_digest__isnull=False).exclude(
            _withdrawal_link_needed(self.now)
        )

    @property
    def requests_with_registration(self) -> models.QuerySet[FeedbackRequest]:
        return self.requests.filter(registration__isnull=False)

    @property
    def table_plans(self) -> models.QuerySet[TablePlan]:
        return TablePlan.objects.filter(self._of())

    @property
    def harvests_to_delete(self) -> models.QuerySet[TableHarvest]:
        return TableHarvest.objects.filter(self._of(), keep_after_retention=False)

    @property
    def harvests_to_keep(self) -> models.QuerySet[TableHarvest]:
        """Kept harvests whose presenter is anonymised now (counted once)."""
        return TableHarvest.objects.filter(
            self._of(),
            keep_after_retention=True,
            presenter__anonymised_at__isnull=True,
        )

    def last_changes(self) -> dict[uuid.UUID, dt.datetime]:
        """``{workshop_key: last change}`` of the workshops that still hold personal
        data, in one query per kind of removal."""
        sources: list[tuple[models.QuerySet, str, str]] = [
            (self.registrations, "workshop_key", "updated_at"),
            (
                self.mails.annotate(
                    mail_workshop_key=Coalesce(
                        "workshop_key", "registration__workshop_key"
                    )
                ),
                "mail_workshop_key",
                "created_at",
            ),
            (self.answers_to_delete, "request__workshop_key", "created_at"),
            (self.answers_to_blank, "request__workshop_key", "created_at"),
            (self.links_to_end, "workshop_key", "created_at"),
            (self.requests_with_registration, "workshop_key", "created_at"),
            (self.table_plans, "workshop_key", "updated_at"),
            (self.harvests_to_delete, "workshop_key", "updated_at"),
        ]
        last: dict[uuid.UUID, dt.datetime] = {}
        for queryset, key, when in sources:
            rows = queryset.order_by().values_list(key).annotate(last=Max(when))
            for workshop_key, changed_at in rows:
                if workshop_key is None:
                    continue
                if workshop_key not in last or changed_at > last[workshop_key]:
                    last[workshop_key] = changed_at
        return last


# -- statistics -----------------------------------------------------------------------


def _empty_role_counts() -> dict[str, int]:
    return {
        RegistrationStatus.CONFIRMED.value: 0,
        RegistrationStatus.WAITING.value: 0,
        RegistrationStatus.CANCELLED.value: 0,
        "attended": 0,
    }


def workshop_statistics(workshop_key) -> dict:
    """The counts the network keeps of a workshop (all its language versions), as
    they stand once its personal data are removed; the structure is
    :class:`~wagtail_atelier.models.WorkshopStatistics`'s.

    Roles, statuses, attendance and the "share my contact" opt-ins are kept fields,
    so they are counted over every registration, anonymised or not. Cantons and
    languages are personal and blanked by the anonymisation: they are the counts
    stored when the earlier registrations were anonymised plus those of the
    registrations not anonymised yet (confirmed ones only). The statistics are
    stored in the same transaction that anonymises the rows they counted, so a row is
    counted once, and running this again after the purge gives the same numbers,
    never zeros.
    """
    key = _key(workshop_key)
    registrations = Registration.objects.filter(workshop_key=key).order_by()
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    roles = {role: _empty_role_counts() for role in RegistrationRole.values}
    share_contact = 0
    rows = registrations.values("role").annotate(
        confirmed=Count("pk", filter=confirmed),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
        attended=Count("pk", filter=confirmed & Q(attended_at__isnull=False)),
        share_contact=Count("pk", filter=confirmed & Q(share_contact=True)),
    )
    for row in rows:
        counts = roles.setdefault(row["role"], _empty_role_counts())
        for name in counts:
            counts[name] = row[name]
        share_contact += row["share_contact"]

    stored = (
        WorkshopStatistics.objects.filter(workshop_key=key)
        .values_list("counts", flat=True)
        .first()
    ) or {}
    cantons: Counter[str] = Counter(stored.get("cantons", {}))
    languages: Counter[str] = Counter(stored.get("languages", {}))
    not_anonymised = registrations.filter(confirmed, anonymised_at__isnull=True)
    for canton, count in (
        not_anonymised.values_list("canton").annotate(n=Count("pk")).order_by()
    ):
        if canton:
            cantons[canton] += count
    for spoken in not_anonymised.values_list("languages", flat=True):
        languages.update(code for code in spoken or () if isinstance(code, str))
    return {
        "roles": roles,
        "cantons": dict(sorted(cantons.items())),
        "languages": dict(sorted(languages.items())),
        "share_contact": share_contact,
    }


def _store_statistics(key: uuid.UUID, now: dt.datetime) -> WorkshopStatistics:
    """Store :func:`workshop_statistics`; only inside the transaction that then
    anonymises the registrations it counted (see there)."""
    statistics, _created = WorkshopStatistics.objects.update_or_create(
        workshop_key=key,
        defaults={"counts": workshop_statistics(key), "computed_at": now},
    )
    return statistics


# -- removing ------------------------------------------------------------------------


def _remove(entry: PersonalData, queryset: models.QuerySet, now: dt.datetime) -> int:
    """Apply ``entry``'s retention to the rows of ``queryset``; return how many."""
    if entry.retention == "delete":
        deleted = queryset.order_by().delete()[1]
        return deleted.get(entry.model_class._meta.label, 0)
    if entry.retention == "anonymise":
        values = entry.anonymised_values()
        if any(f.name == "anonymised_at" for f in entry.model_class._meta.fields):
            values["anonymised_at"] = now
        return queryset.order_by().update(**values)
    raise ValueError(f"{entry.model} is not removed by the retention")


def export_rows(entry: PersonalData, queryset: models.QuerySet) -> list[dict]:
    """The rows of ``queryset`` as JSON-ready dicts: the id and ``entry``'s
    :meth:`~wagtail_atelier.models.personal_data.PersonalData.exported_fields`."""
    fields = entry.exported_fields()
    return [export_row(row, fields) for row in queryset.order_by("pk")]


def workshop_rows(workshop_key) -> dict[str, models.QuerySet]:
    """Every row of the models the purge covers that belongs to the workshop, by
    model label (what the purge screen's download holds)."""
    key = _key(workshop_key)
    return {
        "wagtail_atelier.Registration": Registration.objects.filter(workshop_key=key),
        "wagtail_atelier.OutgoingMail": OutgoingMail.objects.filter(
            Q(workshop_key=key) | Q(registration__workshop_key=key)
        ),
        "wagtail_atelier.FeedbackRequest": FeedbackRequest.objects.filter(
            workshop_key=key
        ),
        "wagtail_atelier.FeedbackAnswer": FeedbackAnswer.objects.filter(
            request__workshop_key=key
        ),
        "wagtail_atelier.TablePlan": TablePlan.objects.filter(workshop_key=key),
        "wagtail_atelier.TableHarvest": TableHarvest.objects.filter(workshop_key=key),
    }


def export_workshop(workshop_key) -> dict[str, list[dict]]:
    """All the personal data of one workshop, ``{model label: rows}``, for the
    download before a purge (the registry says which fields of each)."""
    return {
        label: export_rows(personal_data(label), queryset)
        for label, queryset in workshop_rows(workshop_key).items()
    }


def purge_workshop(
    workshop_key,
    *,
    now: dt.datetime | None = None,
    user=None,
    dry_run: bool = False,
) -> PurgeReport:
    """Remove the personal data of one workshop (all its language versions) now,
    whenever it took place: see the module. ``dry_run`` counts without changing
    anything. Idempotent: a workshop with nothing left gives a report of zeros (and
    no log entry). The purge is logged in the history of the workshop's page, counts
    only, by ``user`` (None for the automatic retention); a workshop with no page
    left has no history to log in."""
    now = _now(now)
    key = _key(workshop_key)
    scope = _Scope([key], now)
    page = workshop_version(key)
    report = PurgeReport(
        workshop_key=key,
        title=page.title if page is not None else "",
        ended_at=page.end_at if page is not None else None,
        dry_run=dry_run,
    )
    if dry_run:
        report.registrations_anonymised = scope.registrations.count()
        report.mails_deleted = scope.mails.count()
        report.feedback_answers_deleted = scope.answers_to_delete.count()
        report.feedback_answers_blanked = scope.answers_to_blank.count()
        report.feedback_links_ended = scope.links_to_end.count()
        report.table_plans_deleted = scope.table_plans.count()
        report.harvests_deleted = scope.harvests_to_delete.count()
        report.harvests_kept = scope.harvests_to_keep.count()
        return report

    with transaction.atomic():
        # Registering and cancelling take the same lock: nobody registers halfway.
        lock_workshop(key)
        report.harvests_kept = scope.harvests_to_keep.count()
        if scope.registrations.exists():
            _store_statistics(key, now)
        report.harvests_deleted = _remove(
            personal_data(TableHarvest), scope.harvests_to_delete, now
        )
        report.mails_deleted = _remove(personal_data(OutgoingMail), scope.mails, now)
        answers = personal_data(FeedbackAnswer)
        report.feedback_answers_deleted = _remove(answers, scope.answers_to_delete, now)
        # The quote lives on in the testimonial, under the person's consent.
        report.feedback_answers_blanked = scope.answers_to_blank.update(
            **answers.anonymised_values()
        )
        requests = personal_data(FeedbackRequest)
        report.feedback_links_ended = _remove(requests, scope.links_to_end, now)
        # The links kept for a withdrawal no longer lead to the registration.
        scope.requests_with_registration.update(registration=None)
        report.table_plans_deleted = _remove(
            personal_data(TablePlan), scope.table_plans, now
        )
        report.registrations_anonymised = _remove(
            personal_data(Registration), scope.registrations, now
        )
        if report.removed and page is not None:
            log(instance=page, action=PURGE_ACTION, data=report.counts(), user=user)
    return report


# -- the automatic retention ----------------------------------------------------------


def due_workshops(
    now: dt.datetime | None = None,
) -> list[tuple[uuid.UUID, dt.datetime]]:
    """``(key, last change)`` of the workshops whose personal data are due for
    removal: ended ``WAGTAIL_ATELIER_RETENTION_MONTHS`` ago (any workshop page
    class) and still holding some; a workshop with no page left counts as ended at
    the last change to anything of it. Empty when the setting is None. The number
    of queries does not grow with the data."""
    months = get_setting("WAGTAIL_ATELIER_RETENTION_MONTHS")
    if months is None:
        return []
    now = _now(now)
    cutoff = months_before(now, months)
    last_changes = _Scope(None, now).last_changes()
    if not last_changes:
        return []
    pending = list(last_changes)
    with_page = workshop_keys(lambda pages: pages.filter(translation_key__in=pending))
    ended = workshop_keys(
        lambda pages: pages.filter(translation_key__in=pending, end_at__lt=cutoff)
    )
    due = [
        (changed_at, key)
        for key, changed_at in last_changes.items()
        if key in ended or (key not in with_page and changed_at < cutoff)
    ]
    return [(key, changed_at) for changed_at, key in sorted(due)]


def _closed_host_requests(now: dt.datetime) -> models.QuerySet[HostRequest]:
    months = get_setting("WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS")
    closed = HostRequest.objects.annotate(
        closed_at=Coalesce("status_changed_at", "updated_at")
    ).filter(status__in=CLOSED_STATUSES, anonymised_at__isnull=True)
    if months is None:
        return closed.none()
    return closed.filter(closed_at__lt=months_before(now, months))


def anonymise_host_requests(
    now: dt.datetime | None = None, *, dry_run: bool = False
) -> list[HostRequestReport]:
    """Anonymise the host requests closed (scheduled, declined, withdrawn) for
    ``WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS`` and delete their mails; the
    organisation, canton, region, languages and format stay. Oldest first."""
    now = _now(now)
    with transaction.atomic():
        due = _closed_host_requests(now)
        if not dry_run:
            # A concurrent run waits here, then finds these rows done and skips
            # them; a coordinator reopening a request waits for the commit.
            due = due.select_for_update()
        rows = list(due.order_by("closed_at", "pk").values_list("pk", "closed_at"))
        if not rows:
            return []
        ids = [pk for pk, _closed_at in rows]
        mails = OutgoingMail.objects.filter(host_request_id__in=ids)
        mail_counts = dict(
            mails.order_by().values_list("host_request_id").annotate(count=Count("pk"))
        )
        reports = [
            HostRequestReport(
                id=pk,
                closed_at=closed_at,
                age_days=(now - closed_at).days,
                mails_deleted=mail_counts.get(pk, 0),
            )
            for pk, closed_at in rows
        ]
        if not dry_run:
            _remove(personal_data(OutgoingMail), mails, now)
            requests = HostRequest.objects.filter(pk__in=ids)
            _remove(personal_data(HostRequest), requests, now)
    return reports


def apply_retention(
    now: dt.datetime | None = None, *, dry_run: bool = False
) -> RetentionReport:
    """Remove the personal data that are due (see the module): run it daily. One
    transaction per workshop, so that a failure leaves the others done; running it
    again does nothing more and reports zeros. ``dry_run`` reports what would go
    and changes nothing."""
    now = _now(now)
    report = RetentionReport(dry_run=dry_run)
    for key, last_change in due_workshops(now):
        purge = purge_workshop(key, now=now, dry_run=dry_run)
        if purge.ended_at is None:  # no page left
            purge.ended_at = last_change
        if purge.removed or purge.harvests_kept:
            report.workshops.append(purge)
    report.host_requests = anonymise_host_requests(now, dry_run=dry_run)
    return report
