"""Pages of the test project: a plain translatable page for tests of the teaser block
and template tag, a form builder page for the benchmark, and a site's own workshop
page classes built on the package's mixins (as an integrator would), against which
the registration, waiting list, table plan, feedback, teaser and dashboard tests
run too."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.fields import StreamField
from wagtail.models import Page

from wagtail_atelier.blocks import NextWorkshopBlock
from wagtail_atelier.models import WorkshopIndexPageMixin, WorkshopPageMixin


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


class ClubWorkshopIndexPage(WorkshopIndexPageMixin, Page):
    """An integrator's own index of workshops."""

    template = "wagtail_atelier/pages/workshop_index_page.html"
    subpage_types = ["testapp.ClubWorkshopPage"]

    @property
    def workshop_model(self):
        return ClubWorkshopPage


class ClubWorkshopPage(WorkshopPageMixin, Page):
    """An integrator's own workshop page, with a field of its own."""

    club = models.CharField(max_length=100, blank=True)

    template = "wagtail_atelier/pages/workshop_page.html"
    parent_page_types = ["testapp.ClubWorkshopIndexPage"]
    subpage_types: list[str] = []
