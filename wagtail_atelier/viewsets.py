"""Wagtail admin viewsets; registered in ``wagtail_hooks.py``."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin.exports import export_cell
from .models import Testimonial, TestimonialRole, workshop_pages


def workshops_with_testimonials(request):
    return workshop_pages(
        lambda pages: pages.filter(testimonials__isnull=False)
    ).order_by("-workshop_start_at", "pk")


class TestimonialFilterSet(WagtailFilterSet):
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=TestimonialRole.choices,
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )
    workshop = django_filters.ModelChoiceFilter(
        label=_("Workshop"), queryset=workshops_with_testimonials
    )
    live = django_filters.BooleanFilter(label=_("Published"), widget=BooleanRadioSelect)
    withdrawn = django_filters.BooleanFilter(
        label=_("Consent withdrawn"),
        field_name="consent_withdrawn_at",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = Testimonial
        fields = ["role", "workshop", "live", "withdrawn"]


class TestimonialIndexView(SnippetIndexView):
    """The listing, whose exports hold what people typed into the public feedback
    form: no cell may run as a formula in a spreadsheet program."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return export_cell(value, xlsx=export_format == self.FORMAT_XLSX)


class TestimonialViewSet(SnippetViewSet):
    model = Testimonial
    icon = "openquote"
    index_view_class = TestimonialIndexView
    menu_label = _("Testimonials")
    filterset_class = TestimonialFilterSet
    # Searched with the ORM: testimonials hold names that must never go into a
    # search index.
    search_fields = [
        "quote",
        "role_description",
        "first_name",
        "last_name",
        "organisation",
    ]
    list_display = [
        "__str__",
        Column("attribution", label=_("Shown as")),
        Column("role", label=_("Role"), accessor="get_role_display"),
        Column("workshop", label=_("Workshop")),
        LiveStatusTagColumn(),
        UpdatedAtColumn(),
    ]
    list_export = [
        "quote",
        "attribution",
        "role",
        "workshop",
        "live",
        "consent_given_at",
        "consent_method",
        "consent_text_version",
        "consent_withdrawn_at",
    ]
    export_filename = "testimonials"
    inspect_view_enabled = True
    inspect_view_fields = [
        "quote",
        "attribution",
        "role",
        "workshop",
        "consent_given_at",
        "consent_method",
        "consent_text_version",
        "consent_note",
        "consent_withdrawn_at",
    ]
    # A copy would carry the quote without the withdrawal: never offer one.
    copy_view_enabled = False

    def get_queryset(self, request):
        return Testimonial.objects.select_related("workshop", "locale")
