"""The networking list's page behind an attendee's secret link: the people the list
was mailed to who still agree, printable. Only for someone the list was sent to and
who still agrees; 404 for anyone else (the page tells nothing about who is on it),
and gone with the retention (which ends the link and deletes the mails)."""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse

from ..models.registration import Registration
from ..responses import private
from ..services import networking


def networking_list(request, workshop, token):
    registration = (
        Registration.objects.with_token(token)
        .filter(workshop_key=workshop.translation_key)
        .first()
    )
    if registration is None:
        raise Http404
    people = list(networking.page_members(workshop.translation_key))
    if not any(person.pk == registration.pk for person in people):
        raise Http404
    response = TemplateResponse(
        request,
        "wagtail_atelier/pages/networking_list.html",
        {
            "page": workshop,
            "self": workshop,
            "registration": registration,
            "others": [person for person in people if person.pk != registration.pk],
            "sent_at": networking.sent_at(workshop.translation_key),
            "detail_url": workshop.get_url(request)
            + workshop.reverse_subpage("registration", args=[token]),
        },
    )
    return private(response)
