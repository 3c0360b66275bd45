"""StreamField blocks of the workshop body."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import (
    StreamBlockValidationError,
    StreamValue,
    StructBlockValidationError,
)

from tests.factories import WorkshopPageFactory
from wagtail_atelier.blocks import (
    ProgrammeBlock,
    WorkshopBodyBlock,
    default_programme,
)

pytestmark = pytest.mark.django_db


def body_value(items) -> StreamValue:
    return StreamValue(WorkshopBodyBlock(), items)


def programme(*steps, heading="Ablauf"):
    return {
        "heading": heading,
        "steps": [
            {"time": t, "title": title, "text": text} for t, title, text in steps
        ],
    }


def test_default_programme_is_a_valid_body():
    block = WorkshopBodyBlock()
    value = body_value(default_programme("de"))
    block.clean(value)
    # It survives a save and a load (what the admin form does with it).
    assert block.to_python(block.get_prep_value(value))[0].block_type == "programme"


def test_default_programme_leaves_the_times_blank():
    steps = default_programme("fr")[0][1]["steps"]
    assert [step["time"] for step in steps] == [None] * 4


def test_programme_renders_the_steps_in_order():
    block = ProgrammeBlock()
    value = block.to_python(
        programme(
            ("14:00", "Anliegen im Plenum", "Kurz vorstellen.\nFragen klären."),
            (None, "Drei Runden", ""),
            ("17:00", "Apéro", ""),
        )
    )
    html = block.render(value)
    assert "<h2>Ablauf</h2>" in html
    assert (
        html.index("Anliegen im Plenum")
        < html.index("Drei Runden")
        < html.index("Apéro")
    )
    assert '<time class="atelier-programme__time">14:00</time>' in html
    assert html.count("<time") == 2
    assert "Kurz vorstellen.<br>Fragen klären." in html
    assert html.count("<li>") == 3


def test_programme_text_is_escaped():
    block = ProgrammeBlock()
    html = block.render(block.to_python(programme((None, "<script>x</script>", "<b>"))))
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;" in html


def test_programme_step_needs_a_title():
    block = ProgrammeBlock()
    with pytest.raises((ValidationError, StructBlockValidationError)):
        block.clean(block.to_python(programme((None, "", "Text"))))


def test_body_allows_only_one_programme():
    block = WorkshopBodyBlock()
    value = body_value(
        [
            ("programme", programme((None, "Eins", ""))),
            ("programme", programme((None, "Zwei", ""))),
        ]
    )
    with pytest.raises(StreamBlockValidationError):
        block.clean(value)


def test_body_renders_text_and_programme_on_the_page(client, index):
    workshop = WorkshopPageFactory(
        parent=index,
        body=[
            ("paragraph", "<p>Bringen Sie Ihr <b>Anliegen</b> mit.</p>"),
            ("programme", programme((time(14), "Anliegen im Plenum", ""))),
        ],
    )
    content = client.get(workshop.url).content.decode()
    assert "<p>Bringen Sie Ihr <b>Anliegen</b> mit.</p>" in content
    assert '<section class="atelier-programme">' in content
    assert content.index("Bringen Sie") < content.index("Anliegen im Plenum")
