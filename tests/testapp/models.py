"""A plain translatable page for tests of the teaser block and template tag."""

from wagtail.fields import StreamField
from wagtail.models import Page

from wagtail_atelier.blocks import NextWorkshopBlock


class TeaserPage(Page):
    body = StreamField([("next_workshop", NextWorkshopBlock())], blank=True)
    template = "testapp/teaser_page.html"
