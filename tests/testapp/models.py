"""Pages of the test project: a plain translatable page for tests of the teaser block
and template tag, and a form builder page for the benchmark."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.fields import StreamField
from wagtail.models import Page

from wagtail_atelier.blocks import NextWorkshopBlock


class TeaserPage(Page):
    body = StreamField([("next_workshop", NextWorkshopBlock())], blank=True)
    template = "testapp/teaser_page.html"


class ComparisonFormField(AbstractFormField):
    page = ParentalKey(
        "ComparisonFormPage", on_delete=models.CASCADE, related_name="form_fields"
    )


class ComparisonFormPage(AbstractEmailForm):
    """Wagtail's own form builder, given the registration form's fields by
    ``bench/registration_vs_formbuilder.py``: the yardstick for a registration POST."""

    template = "testapp/comparison_form_page.html"
    landing_page_template = "testapp/comparison_form_page_landing.html"

    content_panels = [
        *AbstractEmailForm.content_panels,
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("to_address"),
        FieldPanel("from_address"),
        FieldPanel("subject"),
    ]
