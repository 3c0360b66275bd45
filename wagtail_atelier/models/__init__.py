from .choices import Canton, WorkshopFormat, WorkshopLanguage
from .mail import MailKind, MailStatus, OutgoingMail
from .registration import (
    Registration,
    RegistrationRole,
    RegistrationStatus,
    WorkshopSeats,
)
from .workshop import (
    WorkshopIndexPage,
    WorkshopIndexPageMixin,
    WorkshopPage,
    WorkshopPageForm,
    WorkshopPageMixin,
)

__all__ = [
    "Canton",
    "MailKind",
    "MailStatus",
    "OutgoingMail",
    "Registration",
    "RegistrationRole",
    "RegistrationStatus",
    "WorkshopSeats",
    "WorkshopFormat",
    "WorkshopIndexPage",
    "WorkshopIndexPageMixin",
    "WorkshopLanguage",
    "WorkshopPage",
    "WorkshopPageForm",
    "WorkshopPageMixin",
]
