"""The Wagtail page tree and site for tests that commit (``transaction=True``, the live
server) and for the benchmark.

Such tests end by flushing every table, which also removes the root page, the default
site and the locales that Wagtail's migrations create, so the conftest fixtures (which
expect them) do not fit. This makes whatever is missing, and works before and after a
flush alike.
"""

from __future__ import annotations

from wagtail.models import Locale, Page, Site

LANGUAGE_CODES = ("de", "fr", "it")


def site_tree(hostname: str = "localhost", port: int = 80) -> tuple[dict, Page]:
    """``(locales, home)``: the three locales and the default site's root page, in
    German, served on ``hostname:port`` (mails build their links from it)."""
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in LANGUAGE_CODES
    }
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(title="Root", slug="root", locale=locales["de"])
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        home = root.add_child(
            instance=Page(title="Startseite", slug="home", locale=locales["de"])
        )
        site = Site(root_page=home, is_default_site=True)
    site.hostname, site.port = hostname, port
    site.save()
    home = site.root_page.specific
    if home.locale_id != locales["de"].pk:
        home.locale = locales["de"]
        home.save()
    return locales, home
