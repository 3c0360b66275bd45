"""The example site's home page: rich text, the package's "next workshop" teaser and
its testimonials block."""

from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_atelier.blocks import NextWorkshopBlock, TestimonialBlock


class HomeBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
        label="Text",
    )
    next_workshop = NextWorkshopBlock()
    # Published testimonials (snippets), in the visitor's language; a withdrawn
    # one disappears from the page by itself.
    testimonials = TestimonialBlock()


class HomePage(Page):
    """The root of the site in each language, translated with wagtail-localize.

    Page translations get their translatable fields from wagtail-localize's defaults:
    the title, slug, SEO fields and every text of the body.
    """

    body = StreamField(HomeBodyBlock(), blank=True, verbose_name="body")

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    # Each language has its own home page at the top of the tree. Any page type may
    # go below it: the workshop index and whatever pages the package adds.
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = "home page"
