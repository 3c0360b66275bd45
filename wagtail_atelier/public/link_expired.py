"""The page a secret link answers once it has expired (410 Gone): friendly, in the
page's language, and without any of the person's data."""

from __future__ import annotations

from datetime import datetime

from django.template.response import TemplateResponse

from ..conf import get_setting
from ..responses import private
from ..structured_data import organizer_name

#: The setting that gives the validity of each kind of link, in days.
_DAYS_SETTING = {
    "registration": "WAGTAIL_ATELIER_LINK_GRACE_DAYS",
    "feedback": "WAGTAIL_ATELIER_FEEDBACK_ANSWER_DAYS",
    "withdrawal": "WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS",
}


class LinkExpiredError(Exception):
    """A secret link that exists but no longer opens anything."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def link_expired(
    request, workshop, kind: str, *, closed_at: datetime | None = None
) -> TemplateResponse:
    """``kind``: "registration" (self-service link), "feedback" (answering) or
    "withdrawal" (withdrawing consent to be quoted, with ``closed_at``: when)."""
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/link_expired.html",
        {
            "page": workshop,
            "self": workshop,
            "kind": kind,
            "closed_at": closed_at,
            "days": get_setting(_DAYS_SETTING[kind]),
            "organizer_name": organizer_name(workshop, request),
            "organizer_url": get_setting("WAGTAIL_ATELIER_ORGANIZER_URL"),
        },
        status=410,
    )
    return private(response)
