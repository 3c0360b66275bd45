from .choices import Canton, WorkshopFormat, WorkshopLanguage
from .workshop import (
    WorkshopIndexPage,
    WorkshopIndexPageMixin,
    WorkshopPage,
    WorkshopPageForm,
    WorkshopPageMixin,
)

__all__ = [
    "Canton",
    "WorkshopFormat",
    "WorkshopIndexPage",
    "WorkshopIndexPageMixin",
    "WorkshopLanguage",
    "WorkshopPage",
    "WorkshopPageForm",
    "WorkshopPageMixin",
]
