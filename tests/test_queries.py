"""Query budgets: the index costs the same whatever the number of workshops, and no
page costs more than 12 queries.

Counts are taken on a warm request (the second of two identical ones): Wagtail caches
the site's root paths and image renditions after the first, as on a running site.
"""

from datetime import timedelta
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail_factories import ImageFactory

from tests.factories import WorkshopPageFactory, bulk_create_workshops, translate
from wagtail_atelier.blocks import default_programme

pytestmark = pytest.mark.django_db

SIZES = [10, 100, 500]
BUDGET = 12

# Counts per size, filled by the parametrised tests: every size must cost the same.
MEASURED: dict[str, dict[int, int]] = {}


@pytest.fixture
def images(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return [ImageFactory(), ImageFactory()]


def add_workshops(index, images, count: int, offset: int = 0) -> None:
    """Upcoming and past workshops, on site, online and hybrid, with listing images."""
    now = timezone.now()
    formats = cycle([{}, {"online": True}, {"hybrid": True}])
    specs = []
    for n in range(offset, offset + count):
        past = n % 3 == 2
        specs.append(
            {
                "start_at": now + timedelta(days=-(n + 1) if past else n + 1),
                "listing_image": images[n % len(images)],
                **next(formats),
            }
        )
    bulk_create_workshops(index, specs)


def queries(client, url, data=None) -> int:
    client.get(url, data)  # warm the caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(context.captured_queries)


def record(name: str, size: int, count: int) -> None:
    MEASURED.setdefault(name, {})[size] = count
    print(f"{name}: {count} queries with {size} workshops")
    assert len(set(MEASURED[name].values())) == 1, MEASURED[name]


@pytest.mark.parametrize("size", SIZES)
def test_index_costs_the_same_for_any_number_of_workshops(
    client, indexes, images, size, django_assert_max_num_queries
):
    index = indexes["de"]
    # One workshop first: whatever a card costs shows up as a difference below.
    add_workshops(index, images, 1)
    views = {
        "index": (index.url, None),
        "index filtered": (index.url, {"format": "on_site", "language": "de"}),
        "index feed": (index.url + "ical/", None),
    }
    baseline = {name: queries(client, *view) for name, view in views.items()}

    add_workshops(index, images, size - 1, offset=1)
    for name, view in views.items():
        count = queries(client, *view)
        assert count == baseline[name], (name, baseline[name], count)
        record(name, size, count)
    second_page = queries(client, index.url, {"page": "2"}) if size > 10 else None
    if second_page is not None:
        assert second_page == baseline["index"]

    client.get(index.url)
    with django_assert_max_num_queries(BUDGET):
        client.get(index.url)
    with django_assert_max_num_queries(BUDGET):
        client.get(index.url, {"format": "online", "canton": "AG"})


def test_workshop_page_budget(client, indexes, images, django_assert_max_num_queries):
    workshop = WorkshopPageFactory(
        parent=indexes["de"], listing_image=images[0], body=default_programme("de")
    )
    translate(workshop, "fr")
    translate(workshop, "it")
    count = queries(client, workshop.url)
    print(f"workshop page: {count} queries")
    with django_assert_max_num_queries(BUDGET):
        client.get(workshop.url)
    with django_assert_max_num_queries(BUDGET):
        client.get(workshop.url + "ical/")


def test_index_in_each_language_is_within_budget(
    client, indexes, images, django_assert_max_num_queries
):
    for language in ("de", "fr", "it"):
        add_workshops(indexes[language], images, 12)
    for index in indexes.values():
        client.get(index.url)
        with django_assert_max_num_queries(BUDGET):
            client.get(index.url)
