"""A change notice in the demo: the full workshop in Fribourg moves to another room
after people registered, the editor chooses to tell them, and each confirmed and
waiting person gets a mail in their language with the old and the new place and an
updated calendar entry (stored in "Outgoing mails").

Run once: a second ``load_demo`` finds the notice and changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from wagtail_atelier.models import ChangeNotice, ChangeNoticeKind
from wagtail_atelier.services import change_notices

#: The room the workshop moves to (appended to the venue's name).
NEW_ROOM = "salle 2"


def notify_room_change(workshop) -> ChangeNotice | None:
    """Publish ``workshop`` in another room and tell its registrants; None when the
    demo's notice exists already."""
    if ChangeNotice.objects.filter(
        workshop_key=workshop.translation_key, kind=ChangeNoticeKind.CHANGE
    ).exists():
        return None
    page = workshop.get_latest_revision_as_object()
    page.venue_name = f"{page.venue_name}, {NEW_ROOM}".lstrip(", ")
    with transaction.atomic():
        page.save_revision().publish()
    notice = change_notices.pending_notice(workshop.translation_key)
    if notice is None:
        return None
    with transaction.atomic():
        change_notices.send_notice(notice)
    return notice
