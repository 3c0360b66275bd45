"""The wagtail-modeladmin classes, and only here.

wagtail-modeladmin is in maintenance mode upstream; keeping every use of it in this
module means it can be swapped for Wagtail's ModelViewSet without touching the rest.
"""

from __future__ import annotations

import uuid

from django.contrib.admin import SimpleListFilter
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from .models import OutgoingMail, Registration, WorkshopPage


class NoCreatePermissionHelper(PermissionHelper):
    """Registrations come from the public form, mails from the services."""

    def user_can_create(self, user):
        return False


class WorkshopListFilter(SimpleListFilter):
    title = _("workshop")
    parameter_name = "workshop_key"

    def lookups(self, request, model_admin):
        keys = set(Registration.objects.values_list("workshop_key", flat=True).distinct())
        titles: dict = {}
        pages = (
            WorkshopPage.objects.filter(translation_key__in=keys)
            .order_by("-start_at", "pk")
            .values_list("translation_key", "title", "start_at")
        )
        for key, title, start_at in pages:
            titles.setdefault(key, f"{start_at:%Y-%m-%d} {title}")
        return [(str(key), label) for key, label in titles.items()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(workshop_key=uuid.UUID(value))
        except ValueError:
            return queryset.none()


def workshop_title_subquery():
    return Subquery(
        WorkshopPage.objects.filter(translation_key=OuterRef("workshop_key"))
        .order_by("pk")
        .values("title")[:1]
    )


class RegistrationAdmin(ModelAdmin):
    model = Registration
    menu_label = _("Registrations")
    menu_icon = "group"
    menu_order = 100
    permission_helper_class = NoCreatePermissionHelper
    list_display = (
        "full_name",
        "workshop_title",
        "role",
        "status",
        "language",
        "organisation",
        "created_at",
    )
    list_filter = (WorkshopListFilter, "role", "status", "language")
    search_fields = ("first_name", "last_name", "email", "organisation", "town")
    inspect_view_enabled = True
    inspect_view_fields = (
        "role",
        "status",
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "town",
        "canton",
        "languages",
        "case_description",
        "accessibility_needs",
        "dietary_note",
        "share_contact",
        "language",
        "privacy_consent_at",
        "privacy_notice_version",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended_at",
    )
    list_export = (
        "workshop_title",
        "role",
        "status",
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "town",
        "canton",
        "languages",
        "case_description",
        "accessibility_needs",
        "dietary_note",
        "share_contact",
        "language",
        "created_at",
        "attended_at",
    )
    export_filename = "registrations"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(workshop_title=workshop_title_subquery())

    @staticmethod
    def workshop_title(obj):
        return getattr(obj, "workshop_title", "")

    workshop_title.short_description = _("workshop")  # type: ignore[attr-defined]

    @staticmethod
    def full_name(obj):
        return obj.full_name

    full_name.short_description = _("name")  # type: ignore[attr-defined]


class OutgoingMailAdmin(ModelAdmin):
    model = OutgoingMail
    menu_label = _("Mails")
    menu_icon = "mail"
    menu_order = 900
    permission_helper_class = NoCreatePermissionHelper
    list_display = ("subject", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "language")
    search_fields = ("subject",)
    inspect_view_enabled = True
    inspect_view_fields = (
        "kind",
        "status",
        "to",
        "language",
        "subject",
        "body_text",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )


class AtelierAdminGroup(ModelAdminGroup):
    menu_label = _("Practice workshops")
    menu_icon = "date"
    menu_order = 250
    items = (RegistrationAdmin, OutgoingMailAdmin)
