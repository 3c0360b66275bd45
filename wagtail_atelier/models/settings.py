"""Per-site settings editors change in the admin (Settings > Practice workshops).

Registered with Wagtail in ``wagtail_hooks.py``; needs ``wagtail.contrib.settings`` in
``INSTALLED_APPS``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting


def split_addresses(value: str) -> list[str]:
    """Addresses separated by new lines, commas or semicolons, in order, no repeats."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,;]+", value or ""):
        if part:
            seen.setdefault(part.strip(), None)
    return list(seen)


def validate_addresses(value: str) -> None:
    invalid = []
    for address in split_addresses(value):
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ValidationError(
            _("These are not valid email addresses: %(addresses)s"),
            params={"addresses": ", ".join(invalid)},
            code="invalid",
        )


class RegistrationNotifications(models.TextChoices):
    DIGEST = "digest", _("One daily digest per workshop")
    EACH = "each", _("A mail for each registration")
    NONE = "none", _("No mail")


class AtelierSettings(BaseSiteSetting):
    registration_notifications = models.CharField(
        _("mails about registrations to the workshop's contact"),
        max_length=10,
        choices=RegistrationNotifications.choices,
        default=RegistrationNotifications.DIGEST,
        help_text=_(
            "The contact of each workshop (and the addresses in the site's settings) "
            "get a daily digest with the counts and what changed, a mail for each "
            "registration, or nothing."
        ),
    )
    host_request_recipients = models.TextField(
        _("coordinators told of new host requests"),
        blank=True,
        validators=[validate_addresses],
        help_text=_(
            "One email address per line. Each new host request sent from this site is "
            "mailed to them."
        ),
    )

    # The recipients receive every host request: only host-request users set them.
    panels = [
        FieldPanel("registration_notifications"),
        FieldPanel(
            "host_request_recipients",
            permission="wagtail_atelier.change_hostrequest",
        ),
    ]

    class Meta:
        verbose_name = _("practice workshops")
        verbose_name_plural = _("practice workshops")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def host_request_recipient_list(self) -> list[str]:
        return split_addresses(self.host_request_recipients)
