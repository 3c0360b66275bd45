"""StreamField blocks: the workshop body, the programme, the "next workshop" teaser and
testimonials."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock


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


class NetworkWorkshopsBlock(blocks.StructBlock):
    """The next workshops of other sites of the network, from their JSON feeds
    (docs/network-feed.md). Not in any of the package's StreamFields: add it to a
    page of your own (``("network_workshops", NetworkWorkshopsBlock())``)."""

    heading = blocks.CharBlock(
        required=False,
        max_length=120,
        label=_("Heading"),
        help_text=_('Leave blank for "Workshops in the network".'),
    )
    feed_url = blocks.URLBlock(
        required=False,
        label=_("Feed"),
        help_text=_(
            "The address of one site's workshop feed, as listed in the settings; "
            "leave blank for every feed of the network."
        ),
    )
    limit = blocks.IntegerBlock(
        default=5, min_value=1, max_value=20, label=_("Number of workshops")
    )

    class Meta:
        icon = "date"
        label = _("Workshops in the network")
        template = "wagtail_atelier/includes/network_workshops.html"

    def get_context(self, value, parent_context=None):
        from .templatetags.wagtail_atelier_tags import atelier_network_workshops

        context = super().get_context(value, parent_context=parent_context)
        context.update(
            atelier_network_workshops(
                parent_context or {},
                url=value.get("feed_url") or None,
                limit=value.get("limit") or 5,
                heading=value.get("heading"),
            )
        )
        return context


class TestimonialBlock(blocks.StructBlock):
    """Quotes of people who took part, for workshop pages and any page of a site:
    the testimonials chosen here, or else some published ones at random."""

    heading = blocks.CharBlock(required=False, max_length=120, label=_("Heading"))
    testimonials = blocks.ListBlock(
        SnippetChooserBlock("wagtail_atelier.Testimonial"),
        required=False,
        label=_("Testimonials"),
        help_text=_(
            "Shown in the visitor's language when translated. Unpublished ones are "
            "left out."
        ),
    )
    random_count = blocks.IntegerBlock(
        required=False,
        min_value=0,
        max_value=6,
        label=_("Or this many at random"),
        help_text=_("Used when no testimonial is chosen above."),
    )
    random_role = blocks.ChoiceBlock(
        required=False,
        choices=[
            ("participant", _("Participant")),
            ("case_presenter", _("Case presenter")),
            ("host_organisation", _("Host organisation")),
        ],
        label=_("Of this role"),
        help_text=_("Leave blank for any role."),
    )

    class Meta:
        icon = "openquote"
        label = _("Testimonials")
        template = "wagtail_atelier/blocks/testimonials.html"

    def clean(self, value):
        # The admin form always offers one chooser; left empty, it must not make the
        # block invalid when the editor asked for testimonials at random. Empty
        # choosers are dropped here instead of making the chooser optional, which
        # would change the block definition (and every migration that freezes it).
        chosen = value.get("testimonials")
        if chosen is not None and any(item is None for item in chosen):
            list_block = self.child_blocks["testimonials"]
            value["testimonials"] = blocks.list_block.ListValue(
                list_block,
                values=[item for item in chosen if item is not None],
            )
        value = super().clean(value)
        if not value.get("testimonials") and not value.get("random_count"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "random_count": ValidationError(
                        _("Choose testimonials, or how many to show at random.")
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        from .services.testimonial import (
            chosen_testimonials,
            context_language,
            random_testimonials,
        )

        context = super().get_context(value, parent_context=parent_context)
        language_code = context_language(parent_context or {})
        chosen = [t for t in value.get("testimonials") or [] if t is not None]
        if chosen:
            testimonials = chosen_testimonials(chosen, language_code)
        else:
            testimonials = random_testimonials(
                count=value.get("random_count") or 0,
                role=value.get("random_role") or None,
                language_code=language_code,
            )
        context.update(
            testimonials=testimonials,
            testimonials_heading=testimonials_heading(
                value.get("heading"), language_code
            ),
            testimonials_id=f"testimonials-{id(value)}",
            language_code=language_code,
        )
        return context


class WorkshopBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        label=_("Text"),
    )
    image = ImageBlock(label=_("Image"))
    programme = ProgrammeBlock()
    testimonials = TestimonialBlock()

    class Meta:
        block_counts = {"programme": {"max_num": 1}}


#: The texts of the network's standard programme and the blocks' default headings,
#: as catalogue message ids: ``default_programme`` writes them in a page's language,
#: and ``localize.pre_translate`` gives their catalogue translations to
#: wagtail-localize, so a translation starts with them already translated.
PROGRAMME_HEADING = gettext_noop("Programme")
STANDARD_PROGRAMME_STEPS = [
    (
        gettext_noop("Cases in plenary"),
        gettext_noop(
            "The people who bring a case present their question briefly in plenary."
        ),
    ),
    (
        gettext_noop("Three rounds of table conversation"),
        gettext_noop(
            "Small groups of 3 to 5 people discuss each question in three "
            "rounds and give collegial advice to the person who brought it."
        ),
    ),
    (
        gettext_noop("Harvest in plenary"),
        gettext_noop("The results are gathered in plenary."),
    ),
    (
        gettext_noop("Apéritif"),
        gettext_noop(
            "The apéritif that follows is a chance to network, make new "
            "contacts and form learning communities for the future."
        ),
    ),
]
TESTIMONIALS_HEADING = gettext_noop("Testimonials")


def package_default_texts() -> list[str]:
    """Every text the package writes into page content, as message ids."""
    texts = [PROGRAMME_HEADING, TESTIMONIALS_HEADING]
    for title, text in STANDARD_PROGRAMME_STEPS:
        texts += [title, text]
    return texts


def testimonials_heading(heading: str | None, language_code: str) -> str:
    """The heading of a testimonials block: the editor's, else the default in the
    page's language."""
    if heading:
        return heading
    with translation.override(language_code):
        return gettext(TESTIMONIALS_HEADING)


def default_programme(language_code: str) -> list[tuple[str, dict]]:
    """The network's standard programme, as a body value, in ``language_code``.

    Times are left blank: the editor knows when the workshop starts, we do not.
    """
    with translation.override(language_code):
        steps = [
            (gettext(title), gettext(text)) for title, text in STANDARD_PROGRAMME_STEPS
        ]
        heading = gettext(PROGRAMME_HEADING)
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
