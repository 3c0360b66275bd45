"""StreamField blocks: the workshop body, the programme and the "next workshop" teaser."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class ProgrammeStepBlock(blocks.StructBlock):
    time = blocks.TimeBlock(
        required=False,
        label=_("Time"),
        help_text=_("Optional; shown in the workshop's time zone."),
    )
    title = blocks.CharBlock(max_length=120, label=_("Title"))
    text = blocks.TextBlock(required=False, label=_("Text"))

    class Meta:
        icon = "time"
        label = _("Step")


class ProgrammeBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=120, label=_("Heading"))
    steps = blocks.ListBlock(ProgrammeStepBlock(), label=_("Steps"))

    class Meta:
        icon = "list-ol"
        label = _("Programme")
        template = "wagtail_atelier/blocks/programme.html"


class NextWorkshopBlock(blocks.StructBlock):
    """The next upcoming workshop, for any page of a site (home page, sidebar...)."""

    heading = blocks.CharBlock(
        required=False,
        max_length=120,
        label=_("Heading"),
        help_text=_('Leave blank for "Next practice workshop".'),
    )
    propose_page = blocks.PageChooserBlock(
        required=False,
        label=_("Page for host requests"),
        help_text=_(
            "Linked when no workshop is scheduled, inviting organisations to host one."
        ),
    )

    class Meta:
        icon = "date"
        label = _("Next workshop")
        template = "wagtail_atelier/blocks/next_workshop.html"

    def get_context(self, value, parent_context=None):
        from .teaser import next_workshop_context

        context = super().get_context(value, parent_context=parent_context)
        propose_page = value.get("propose_page")
        context.update(
            next_workshop_context(
                parent_context or {},
                heading=value.get("heading"),
                propose_url=propose_page.localized.url if propose_page else None,
            )
        )
        return context


class WorkshopBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        label=_("Text"),
    )
    image = ImageBlock(label=_("Image"))
    programme = ProgrammeBlock()

    class Meta:
        block_counts = {"programme": {"max_num": 1}}


def default_programme(language_code: str) -> list[tuple[str, dict]]:
    """The network's standard programme, as a body value, in ``language_code``.

    Times are left blank: the editor knows when the workshop starts, we do not.
    """
    with translation.override(language_code):
        steps = [
            (
                gettext("Cases in plenary"),
                gettext(
                    "The people who bring a case present their question briefly "
                    "in plenary."
                ),
            ),
            (
                gettext("Three rounds of table conversation"),
                gettext(
                    "Small groups of 3 to 5 people discuss each question in three "
                    "rounds and give collegial advice to the person who brought it."
                ),
            ),
            (
                gettext("Harvest in plenary"),
                gettext("The results are gathered in plenary."),
            ),
            (
                gettext("Apéritif"),
                gettext(
                    "The apéritif that follows is a chance to network, make new "
                    "contacts and form learning communities for the future."
                ),
            ),
        ]
        heading = gettext("Programme")
    return [
        (
            "programme",
            {
                "heading": heading,
                "steps": [
                    {"time": None, "title": title, "text": text}
                    for title, text in steps
                ],
            },
        )
    ]
