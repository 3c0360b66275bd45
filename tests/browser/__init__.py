"""What the browser tests share: Debian's Chromium driven by Playwright.

``.ci/run`` installs Chromium; elsewhere the browser tests are skipped when Chromium
or the playwright package is missing. Browser downloads do not work here, so never
``playwright install``.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
TIMEOUT_MS = 30_000

playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright package is not installed (pip install -e .[test])",
)

#: ``pytestmark`` of a browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


@contextmanager
def chromium():
    """Debian's Chromium. Playwright runs an event loop in this thread while it is
    open, so the ORM (which refuses to run in one) is used before, after, or in
    another thread."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
