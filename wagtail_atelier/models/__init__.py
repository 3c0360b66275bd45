from .change_notice import ChangeNotice, ChangeNoticeKind, ChangeNoticeStatus
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
from .message import Message, MessageGroup
from .network import NetworkFeed
from .networking import NetworkingList
from .registration import (
    Registration,
    RegistrationRole,
    RegistrationStatus,
    WorkshopSeats,
)
from .secret_links import SecretLinkMixin
from .settings import AtelierSettings
from .statistics import WorkshopStatistics
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
    find_workshops,
    workshop_field,
    workshop_keys,
    workshop_page_models,
    workshop_pages,
    workshop_version,
    workshop_versions,
)

__all__ = [
    "AtelierSettings",
    "Canton",
    "ChangeNotice",
    "ChangeNoticeKind",
    "ChangeNoticeStatus",
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
    "Message",
    "MessageGroup",
    "Naming",
    "NetworkingList",
    "NetworkFeed",
    "OutgoingMail",
    "Registration",
    "RegistrationRole",
    "RegistrationStatus",
    "SecretLinkMixin",
    "TableHarvest",
    "TablePlan",
    "Testimonial",
    "TestimonialRole",
    "VenueAvailability",
    "WorkshopSeats",
    "WorkshopStatistics",
    "WorkshopFormat",
    "WorkshopIndexPage",
    "WorkshopIndexPageMixin",
    "WorkshopLanguage",
    "WorkshopPage",
    "WorkshopPageForm",
    "WorkshopPageMixin",
    "find_workshops",
    "workshop_field",
    "workshop_keys",
    "workshop_page_models",
    "workshop_pages",
    "workshop_version",
    "workshop_versions",
]
