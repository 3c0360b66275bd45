"""The demo's message to registrants: the coordinators write once to the confirmed
people of the upcoming online workshop, and each gets their own mail, in their
language, with their own link (listed under Mails and on the workshop's Messages
screen in the admin). Sent through the package's own service, as the admin's
"Send" button does; found again by its fixed submission id, so loading the demo
twice sends it once.
"""

from __future__ import annotations

from django.test.utils import override_settings

from home.demo_content import demo_key
from home.demo_waiting_list import QUIET_MAIL
from wagtail_atelier.models import Message, MessageGroup
from wagtail_atelier.services import messages as messages_service

#: The fixed submission id of the demo's message.
DEMO_MESSAGE = demo_key("message/online-next/confirmed")

SUBJECT = "{workshop_title}: bitte bringt eure Fragen mit"
BODY = (
    "Hallo {first_name}\n\n"
    "Wir freuen uns auf die Praxiswerkstatt am {workshop_date}, {workshop_time}. "
    "Der Link zum Online-Raum kommt wie gewohnt mit der Erinnerung.\n\n"
    "Wer einen Fall mitbringt: Bitte haltet eure Frage in zwei, drei Sätzen "
    "bereit.\n\n"
    "Herzliche Grüsse\n"
    "Das Koordinationsteam des Netzwerks Caring Communities"
)


def send_demo_message(workshop, author=None) -> tuple[bool, Message]:
    """Send the demo message to the confirmed people of ``workshop`` unless it was
    sent before. Returns (sent now, the message)."""
    existing = Message.objects.filter(submission=DEMO_MESSAGE).first()
    if existing is not None:
        return False, existing
    # The mails are sent after the commit, here (the immediate task backend),
    # into memory: stored and listed in the admin, not printed.
    with override_settings(EMAIL_BACKEND=QUIET_MAIL):
        message = messages_service.send_message(
            workshop=workshop,
            audience=messages_service.Audience(MessageGroup.CONFIRMED),
            subject=SUBJECT,
            body=BODY,
            author=author,
            submission=DEMO_MESSAGE,
        )
    return True, message
