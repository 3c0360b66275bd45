from .choices import Canton, WorkshopFormat, WorkshopLanguage
from .host_request import (
    HostFormat,
    HostRequest,
    HostRequestPage,
    HostRequestPageMixin,
    HostRequestStatus,
    VenueAvailability,
)
from .mail import MailKind, MailStatus, OutgoingMail
from .registration import (
    Registration,
    RegistrationRole,
    RegistrationStatus,
    WorkshopSeats,
)
from .settings import AtelierSettings
from .table_plan import TableHarvest, TablePlan
from .testimonial import (
    ConsentMethod,
    FeedbackAnswer,
    FeedbackRequest,
    Naming,
    Testimonial,
    TestimonialRole,
)
from .workshop import (
    WorkshopIndexPage,
    WorkshopIndexPageMixin,
    WorkshopPage,
    WorkshopPageForm,
    WorkshopPageMixin,
)

__all__ = [
    "AtelierSettings",
    "Canton",
    "ConsentMethod",
    "FeedbackAnswer",
    "FeedbackRequest",
    "HostFormat",
    "HostRequest",
    "HostRequestPage",
    "HostRequestPageMixin",
    "HostRequestStatus",
    "MailKind",
    "MailStatus",
    "Naming",
    "OutgoingMail",
    "Registration",
    "RegistrationRole",
    "RegistrationStatus",
    "TableHarvest",
    "TablePlan",
    "Testimonial",
    "TestimonialRole",
    "VenueAvailability",
    "WorkshopSeats",
    "WorkshopFormat",
    "WorkshopIndexPage",
    "WorkshopIndexPageMixin",
    "WorkshopLanguage",
    "WorkshopPage",
    "WorkshopPageForm",
    "WorkshopPageMixin",
]
