"""How long the secret links open what they open.

A secret link is the only key to a person's data, and a mailbox outlives its
usefulness: so each link works only while the person needs it.

- The self-service link of a registration (see, cancel, withdraw the "share my
  contact" opt-in) until ``WAGTAIL_ATELIER_LINK_GRACE_DAYS`` after the workshop
  ended.
- The feedback link lets the person answer until
  ``WAGTAIL_ATELIER_FEEDBACK_ANSWER_DAYS`` after the feedback mail, and withdraw
  their consent to be quoted until ``WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS`` after it
  (afterwards they write to the network, which can still remove a quote).

Each rule is a pure function of the records and the time; the settings are read at
call time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from ..conf import get_setting


def _days(name: str) -> timedelta:
    return timedelta(days=get_setting(name))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def registration_link_expires_at(workshop) -> datetime:
    """When the self-service links of ``workshop``'s registrations stop working."""
    return workshop.end_at + _days("WAGTAIL_ATELIER_LINK_GRACE_DAYS")


def registration_link_open(workshop, now: datetime | None = None) -> bool:
    return _now(now) < registration_link_expires_at(workshop)


def feedback_answer_closes_at(feedback_request) -> datetime:
    """Until when the feedback form of ``feedback_request`` can be answered."""
    return feedback_request.created_at + _days("WAGTAIL_ATELIER_FEEDBACK_ANSWER_DAYS")


def feedback_answer_open(feedback_request, now: datetime | None = None) -> bool:
    return _now(now) < feedback_answer_closes_at(feedback_request)


def withdrawal_closes_at(feedback_request) -> datetime:
    """Until when the feedback link lets the person withdraw consent to be quoted."""
    return feedback_request.created_at + _days("WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS")


def withdrawal_open(feedback_request, now: datetime | None = None) -> bool:
    return _now(now) < withdrawal_closes_at(feedback_request)
