"""Where the package keeps personal data: the one list that the retention, the
per-person export and the erasure read.

Every concrete field of every record model of the package is named here, either as
personal data (with the value it takes when anonymised) or as kept; a field added
without an entry fails ``tests/test_personal_data.py``. Pages are content that
editors publish and are not listed; a testimonial is content too, but it quotes a
person, so it is listed and erased when that person withdraws their consent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class PersonalData:
    """The personal data of one model.

    ``personal`` maps each field holding personal data to the value it gets when the
    row is anonymised; ``kept`` names the fields that say nothing about a person.
    ``retention`` is what the retention does with a row whose time is up:
    ``"anonymise"`` (blank the personal fields, keep the row for the counts),
    ``"delete"``, or ``"consent"`` (kept while the person's consent lasts).
    """

    model: str
    personal: dict[str, Any]
    kept: frozenset[str]
    retention: Literal["anonymise", "delete", "consent", "none"]
    why: str = ""
    export: tuple[str, ...] = field(default=())

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def anonymise(self, instance: models.Model) -> list[str]:
        """Blank the personal fields of ``instance`` (unsaved); return their names."""
        for name, value in self.personal.items():
            setattr(instance, name, value() if callable(value) else value)
        return list(self.personal)

    def anonymised_values(self) -> dict[str, Any]:
        """The personal fields' anonymised values, for ``QuerySet.update()``."""
        return {
            name: value() if callable(value) else value
            for name, value in self.personal.items()
        }

    def exported_fields(self) -> tuple[str, ...]:
        """What a person's export shows of a row: its personal data and the kept
        fields that give it meaning (dates, status, role)."""
        return self.export or tuple(self.personal)


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


REGISTRY: dict[str, PersonalData] = {
    entry.model: entry
    for entry in (
        PersonalData(
            model="wagtail_atelier.Registration",
            personal={
                "first_name": "",
                "last_name": "",
                "email": "",
                "phone": "",
                "organisation": "",
                "town": "",
                "canton": "",
                "languages": _empty_list,
                "case_description": "",
                "accessibility_needs": "",
                "dietary_note": "",
                "link_nonce": "",
                "link_digest": None,
            },
            kept=frozenset(
                {
                    "id",
                    "workshop_key",
                    "page",
                    "language",
                    "role",
                    "status",
                    "privacy_consent_at",
                    "privacy_notice_version",
                    "share_contact",
                    "share_contact_at",
                    "share_contact_version",
                    "share_contact_withdrawn_at",
                    "created_at",
                    "updated_at",
                    "promoted_at",
                    "cancelled_at",
                    "attended_at",
                    "reminder_sent_at",
                    "anonymised_at",
                }
            ),
            retention="anonymise",
            why="To organise the workshop: seats, mails, tables, follow-up talk.",
            export=(
                "first_name",
                "last_name",
                "email",
                "phone",
                "organisation",
                "town",
                "canton",
                "languages",
                "role",
                "status",
                "case_description",
                "accessibility_needs",
                "dietary_note",
                "share_contact",
                "share_contact_at",
                "share_contact_version",
                "share_contact_withdrawn_at",
                "privacy_consent_at",
                "privacy_notice_version",
                "language",
                "created_at",
                "promoted_at",
                "cancelled_at",
                "attended_at",
            ),
        ),
        PersonalData(
            model="wagtail_atelier.OutgoingMail",
            personal={
                "to": _empty_list,
                "reply_to": _empty_list,
                "subject": "",
                "body_text": "",
                "body_html": "",
                "attachments": _empty_list,
                "last_error": "",
            },
            kept=frozenset(
                {
                    "id",
                    "kind",
                    "registration",
                    "host_request",
                    "message",
                    "change_notice",
                    "workshop_key",
                    "language",
                    "template",
                    "rendered_at",
                    "status",
                    "attempts",
                    "created_at",
                    "next_attempt_at",
                    "sent_at",
                }
            ),
            retention="delete",
            why="Proof of what the person was told, and retries of failed mails.",
            export=("kind", "to", "subject", "body_text", "status", "created_at"),
        ),
        PersonalData(
            model="wagtail_atelier.FeedbackRequest",
            personal={"link_nonce": "", "link_digest": None, "registration": None},
            kept=frozenset({"id", "workshop_key", "language", "role", "created_at"}),
            retention="anonymise",
            why="The feedback link, which also lets a quoted person withdraw.",
            export=("role", "language", "created_at"),
        ),
        PersonalData(
            model="wagtail_atelier.FeedbackAnswer",
            personal={"takeaway": ""},
            kept=frozenset(
                {
                    "id",
                    "request",
                    "may_quote",
                    "naming",
                    "show_organisation",
                    "consent_text_version",
                    "created_at",
                    "consent_withdrawn_at",
                }
            ),
            retention="delete",
            why="What the person answered after the workshop.",
            export=(
                "takeaway",
                "may_quote",
                "naming",
                "show_organisation",
                "consent_text_version",
                "created_at",
                "consent_withdrawn_at",
            ),
        ),
        PersonalData(
            model="wagtail_atelier.Testimonial",
            personal={
                "quote": "",
                "first_name": "",
                "last_name": "",
                "town": "",
                "organisation": "",
                "role_description": "",
                "consent_note": "",
            },
            kept=frozenset(
                {
                    "id",
                    "translation_key",
                    "locale",
                    "live",
                    "has_unpublished_changes",
                    "first_published_at",
                    "last_published_at",
                    "live_revision",
                    "latest_revision",
                    "go_live_at",
                    "expire_at",
                    "expired",
                    "naming",
                    "role",
                    "show_organisation",
                    "workshop",
                    "consent_given_at",
                    "consent_method",
                    "consent_text_version",
                    "consent_withdrawn_at",
                    "feedback_answer",
                    "created_at",
                }
            ),
            retention="consent",
            why="A quote published with the person's consent, until they withdraw it.",
            export=(
                "quote",
                "first_name",
                "last_name",
                "town",
                "organisation",
                "naming",
                "role",
                "live",
                "consent_given_at",
                "consent_method",
                "consent_text_version",
                "consent_withdrawn_at",
            ),
        ),
        PersonalData(
            model="wagtail_atelier.HostRequest",
            personal={
                "contact_name": "",
                "email": "",
                "phone": "",
                "preferred_period": "",
                "venue_accessibility": "",
                "message": "",
                "internal_notes": "",
            },
            kept=frozenset(
                {
                    "id",
                    "status",
                    "organisation",
                    "canton",
                    "region",
                    "languages",
                    "format",
                    "venue",
                    "expected_people",
                    "privacy_consent_at",
                    "privacy_notice_version",
                    "language",
                    "page",
                    "site",
                    "workshop",
                    "coordinator",
                    "created_at",
                    "updated_at",
                    "status_changed_at",
                    "anonymised_at",
                }
            ),
            retention="anonymise",
            why="To coordinate a workshop with the organisation that asked for it.",
            export=(
                "organisation",
                "contact_name",
                "email",
                "phone",
                "canton",
                "region",
                "preferred_period",
                "languages",
                "format",
                "venue",
                "venue_accessibility",
                "expected_people",
                "message",
                "status",
                "privacy_consent_at",
                "created_at",
            ),
        ),
        PersonalData(
            model="wagtail_atelier.TablePlan",
            personal={"data": _empty_dict},
            kept=frozenset(
                {
                    "id",
                    "workshop_key",
                    "rounds",
                    "min_size",
                    "max_size",
                    "seed",
                    "feasible",
                    "show_in_reminder",
                    "revision",
                    "created_at",
                    "updated_at",
                    "updated_by",
                }
            ),
            retention="delete",
            why="Who sits at which table in each round (registration ids only).",
        ),
        PersonalData(
            model="wagtail_atelier.TableHarvest",
            personal={"key_insights": "", "next_steps": ""},
            kept=frozenset(
                {
                    "id",
                    "presenter",
                    "workshop_key",
                    "created_at",
                    "updated_at",
                    "updated_by",
                    "sent_at",
                    "keep_after_retention",
                }
            ),
            retention="delete",
            why="What the case presenter takes away; kept without the person only "
            "when an editor marked the text as naming nobody.",
            export=("key_insights", "next_steps", "sent_at", "created_at"),
        ),
        PersonalData(
            model="wagtail_atelier.Message",
            # The coordinators' text for a whole group, with placeholders: the
            # names and links are filled in only in each person's mail (an
            # OutgoingMail, listed above), which is what the retention, the export
            # and the erasure reach.
            personal={},
            kept=frozenset(
                {
                    "id",
                    "workshop_key",
                    "page",
                    "group",
                    "table_number",
                    "subject",
                    "body",
                    "author",
                    "submission",
                    "recipient_count",
                    "created_at",
                    "sent_at",
                }
            ),
            retention="none",
            why="The coordinators' text to a group; it names nobody.",
        ),
        PersonalData(
            model="wagtail_atelier.WorkshopSeats",
            personal={},
            kept=frozenset({"id", "workshop_key", "digest_covers_until"}),
            retention="none",
        ),
        PersonalData(
            model="wagtail_atelier.NetworkingList",
            # Who was on the list is in its mails (OutgoingMail, deleted with them).
            personal={},
            kept=frozenset(
                {
                    "id",
                    "workshop_key",
                    "held",
                    "held_changed_at",
                    "held_changed_by",
                    "sent_at",
                    "recipient_count",
                }
            ),
            retention="none",
            why="Whether the networking list is held back, and when it went.",
        ),
        PersonalData(
            model="wagtail_atelier.ChangeNotice",
            # What changed and who decided (editors, not registrants); the meeting
            # information is never copied, only whether it changed.
            personal={},
            kept=frozenset(
                {
                    "id",
                    "workshop_key",
                    "page",
                    "kind",
                    "status",
                    "previous",
                    "state_digest",
                    "sequence",
                    "created_at",
                    "created_by",
                    "decided_at",
                    "decided_by",
                    "recipients",
                }
            ),
            retention="none",
            why="What registrants were told of a change, as counts.",
        ),
        PersonalData(
            model="wagtail_atelier.WorkshopStatistics",
            personal={},
            kept=frozenset({"id", "workshop_key", "counts", "computed_at"}),
            retention="none",
            why="Counts only: what the network keeps for its statistics.",
        ),
        PersonalData(
            model="wagtail_atelier.NetworkFeed",
            personal={},
            kept=frozenset(
                {"id", "url", "data", "etag", "fetched_at", "checked_at", "last_error"}
            ),
            retention="none",
            why="Another site's public feed of workshops, which holds no personal "
            "data (docs/network-feed.md).",
        ),
        PersonalData(
            model="wagtail_atelier.AtelierSettings",
            # The coordinators' own work addresses, set by host-request users.
            personal={},
            kept=frozenset(
                {"id", "site", "host_request_recipients", "registration_notifications"}
            ),
            retention="none",
        ),
    )
}


def personal_data(model: type[models.Model] | str) -> PersonalData:
    label = model if isinstance(model, str) else model._meta.label
    return REGISTRY[label]
