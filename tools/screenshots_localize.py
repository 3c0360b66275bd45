"""Take the screenshots of the translation workflow (docs/multilingual.md) from a
fresh demo: `.venv/bin/python tools/screenshots_localize.py`.

Loads the demo into a temporary SQLite file, adds a German workshop with the standard
programme and no translation, serves the demo (``manage.py serve_demo``) and drives
Debian's Chromium with Playwright, logged in as the demo admin (admin in English):

1. ``localize-1-translate.png``: "Translate this page" with French ticked;
2. ``localize-2-editor.png``: the translation editor right after: the standard
   programme already in French, the title, address and introduction still German,
   the page a draft;
3. ``localize-3-explorer-draft.png``: the French workshop index in the page
   explorer, the new translation marked "Draft";
4. ``localize-4-editor-translated.png``: the editor once the remaining segments are
   translated (typed here by the script, as a translator would);
5. ``localize-5-published.png``: the French page after "Publish in French".

Rerunnable: the demo database and server are thrown away afterwards, the PNGs in
docs/images/ are overwritten. Helpers come from tools/screenshots.py.

    .venv/bin/python tools/screenshots_localize.py [--keep]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import (
    ADMIN_SIZE,
    CONTENT_HEIGHT_JS,
    IMAGES,
    ROOT,
    TIMEOUT_MS,
    goto,
    manage,
    served_demo,
    shoot,
)

# Run inside the demo: a German workshop with the standard programme, live, not
# translated; prints the URLs and ids the browser needs, as JSON.
SETUP_SCRIPT = r"""
import json
from datetime import timedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail_atelier.blocks import default_programme
from wagtail_atelier.models import WorkshopIndexPage, WorkshopPage
from home.demo_content import demo_key

german = Locale.objects.get(language_code="de")
index = WorkshopIndexPage.objects.get(
    translation_key=demo_key("workshop-index"), locale=german
)
french_index = index.get_translation(Locale.objects.get(language_code="fr"))
WorkshopPage.objects.filter(slug="olten-screenshots").delete()
start = (timezone.now() + timedelta(days=60)).replace(
    hour=13, minute=0, second=0, microsecond=0
)
workshop = WorkshopPage(
    title="Praxiswerkstatt Olten",
    slug="olten-screenshots",
    start_at=start,
    end_at=start + timedelta(hours=3),
    format="on_site",
    venue_name="Stadthaus",
    town="Olten",
    canton="SO",
    workshop_language="de",
    intro="Menschen aus Caring Communities beraten sich kollegial zu ihren Anliegen.",
    body=default_programme("de"),
)
index.add_child(instance=workshop)
workshop.save_revision().publish()
# The documentation is in English: so is the admin in the screenshots.
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile
profile = UserProfile.get_for_user(get_user_model().objects.get(username="admin"))
profile.preferred_language = "en"
profile.save()
base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
print(json.dumps({
    "workshop_id": workshop.pk,
    "translate": base + reverse(
        "wagtail_localize:submit_page_translation", args=[workshop.pk]
    ),
    "french_index": french_index.full_url,
    "french_index_explorer": base + reverse(
        "wagtailadmin_explore", args=[french_index.pk]
    ),
}))
"""

# Run inside the demo with WORKSHOP_ID set: the translator's texts for the segments
# the catalogues cannot know, as typed in the translation editor.
TRANSLATE_SCRIPT = r"""
import json, os
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource
from wagtail_atelier.models import WorkshopPage

workshop = WorkshopPage.objects.get(pk=int(os.environ["WORKSHOP_ID"]))
french = Locale.objects.get(language_code="fr")
source = TranslationSource.objects.get_for_instance(workshop)
texts = {
    "title": "Atelier pratique Olten",
    "slug": "olten-atelier",
    "intro": (
        "Des personnes actives dans les communautés de soutien se conseillent "
        "entre pairs sur leurs situations."
    ),
}
for segment in StringSegment.objects.filter(source=source).select_related(
    "string", "context"
):
    if segment.context.path in texts:
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=french,
            context=segment.context,
            defaults={
                "data": texts[segment.context.path],
                "translation_type": "manual",
            },
        )
print(json.dumps({"ok": True}))
"""


def tall_screenshot(page, name: str) -> None:
    # Wagtail's admin scrolls inside its layout: make the window as tall as the
    # content, as tools/screenshots.py does.
    height = page.evaluate(CONTENT_HEIGHT_JS)
    page.set_viewport_size(
        {"width": ADMIN_SIZE["width"], "height": max(768, min(height, 2400))}
    )
    page.wait_for_timeout(300)
    shoot(page, name, full_page=False)
    page.set_viewport_size(ADMIN_SIZE)


def take(browser, urls: dict, base_url: str, env: dict) -> None:
    context = browser.new_context(viewport=ADMIN_SIZE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    goto(page, f"{base_url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "atelier-demo")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{base_url}/admin/")

    # 1. "Translate this page", French ticked.
    goto(page, urls["translate"])
    page.get_by_label(re.compile("French|Français")).check()
    tall_screenshot(page, "localize-1-translate")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")

    # 2. The translation editor: the programme already French, the rest German.
    page.wait_for_timeout(1000)
    editor_url = page.url
    tall_screenshot(page, "localize-2-editor")

    # 3. The French index in the explorer: the translation is a draft.
    goto(page, urls["french_index_explorer"])
    tall_screenshot(page, "localize-3-explorer-draft")

    # 4. The remaining segments translated.
    manage("shell", "-c", TRANSLATE_SCRIPT, env=env)
    goto(page, editor_url)
    page.wait_for_timeout(1000)
    tall_screenshot(page, "localize-4-editor-translated")

    # 5. "Publish in French", then the public page.
    page.get_by_role("button", name=re.compile(r"^\s*Publish in")).first.click()
    page.wait_for_load_state("networkidle")
    public = context.new_page()
    public.set_viewport_size({"width": 1280, "height": 900})
    # The French index lists it now; its card links to the page.
    goto(public, urls["french_index"])
    public.locator("a", has_text="Atelier pratique Olten").first.click()
    public.wait_for_load_state("networkidle")
    shoot(public, "localize-5-published")
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary demo database"
    )
    options = parser.parse_args()
    demo = served_demo(
        SETUP_SCRIPT,
        prefix="atelier-screenshots-localize-",
        keep=options.keep,
        extra_env=lambda urls: {"WORKSHOP_ID": str(urls["workshop_id"])},
    )
    with demo as (browser, urls, base_url, env):
        take(browser, urls, base_url, env)
    print(f"==> done: {IMAGES.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
