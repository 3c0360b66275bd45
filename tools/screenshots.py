"""Take the screenshots of docs/images/ from a fresh demo: `make screenshots`.

Loads the demo into a temporary SQLite file (migrate, load_demo, ensure_demo_admin),
serves it on a free port of its own with `manage.py serve_demo`, and drives Debian's
Chromium with Playwright:

- public pages in French and Italian at 390 and 1280 px wide: the workshop index,
  a workshop page (the full one, with its waiting list), the registration form sent
  empty (its errors), and a registration's self-service page;
- admin screens at 1024 px, logged in as the demo admin (admin in English): the
  dashboard, the registrations listing, the table plan and the harvest of the demo
  workshop with registrations.

Rerunnable: the demo database and server are thrown away afterwards, the PNGs in
docs/images/ are overwritten. Nothing touches example_site/db.sqlite3.

    .venv/bin/python tools/screenshots.py [--only public|admin] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_site" / "manage.py"
IMAGES = ROOT / "docs" / "images"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]
PUBLIC_LANGUAGES = ("fr", "it")
PUBLIC_WIDTHS = {390: 844, 1280: 900}
ADMIN_SIZE = {"width": 1024, "height": 768}
TIMEOUT_MS = 30_000
FILL_SECONDS = 4
CONTENT_HEIGHT_JS = """() => Math.max(
  document.documentElement.scrollHeight,
  ...Array.from(document.querySelectorAll("main, #main, .content-wrapper, .content"))
    .map((element) => element.scrollHeight + element.getBoundingClientRect().top)
)"""

# Run inside the demo (manage.py shell): the URLs to photograph, as JSON.
URLS_SCRIPT = r"""
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile
from wagtail_atelier import links
from wagtail_atelier.models import Registration, WorkshopIndexPage, WorkshopPage
from home.demo_content import demo_key
from home.demo_people import WORKSHOP_KEY
from home.demo_waiting_list import FULL_WORKSHOP_KEY

def page_in(model, key, code):
    return model.objects.live().get(translation_key=key, locale__language_code=code)

index_key = demo_key("workshop-index")
full_key = demo_key(f"workshop/{FULL_WORKSHOP_KEY}")
open_key = demo_key(f"workshop/{WORKSHOP_KEY}")
someone = (
    Registration.objects.filter(workshop_key=full_key, status="confirmed")
    .order_by("created_at").first()
)
public = {}
for code in ("fr", "it"):
    full = page_in(WorkshopPage, full_key, code)
    public[code] = {
        "index": page_in(WorkshopIndexPage, index_key, code).full_url,
        "workshop": full.full_url,
        "form": page_in(WorkshopPage, open_key, code).full_url,
        "self-service": links.registration_url(someone, full),
    }
planned = page_in(WorkshopPage, open_key, "de")
admin_user = get_user_model().objects.get(username="admin")
# The documentation is in English: so are the admin screenshots.
profile = UserProfile.get_for_user(admin_user)
profile.preferred_language = "en"
profile.save()
print(json.dumps({
    "public": public,
    "admin": {
        "dashboard": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/",
        "registrations": links.admin_registrations_url(planned, absolute=True),
        "table-plan": links.workshop_admin_url("table_plan", planned, absolute=True),
        "harvest": links.workshop_admin_url("harvest", planned, absolute=True),
    },
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict, quiet: bool = True) -> str:
    print(f"==> manage.py {' '.join(args[:1])}", flush=True)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=ROOT,
        capture_output=quiet,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.stderr.write((result.stdout or "") + (result.stderr or ""))
        raise SystemExit(f"manage.py {args[0]} failed ({result.returncode})")
    return result.stdout or ""


def wait_for(url: str, process: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the demo server stopped before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (local server)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer at {url}")


def shoot(page, name: str, *, full_page: bool = True) -> None:
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"    {path.relative_to(ROOT)}", flush=True)


def goto(page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status >= 400:
        status = response.status if response is not None else "no answer"
        raise SystemExit(f"{url}: {status}")


def public_screenshots(browser, urls: dict) -> None:
    for code in PUBLIC_LANGUAGES:
        for width, height in PUBLIC_WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale=code
            )
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            suffix = f"{code}-{width}"
            for name in ("index", "workshop", "self-service"):
                goto(page, urls[code][name])
                shoot(page, f"public-{name}-{suffix}")
            # The form sent empty: the error summary, focused, with the first errors.
            goto(page, urls[code]["form"])
            # The form's script fetches its start time when the form is first
            # focused; a person then takes longer than the spam check's minimum
            # (3 s by default): sent sooner, it would add its "too fast" message.
            form = page.locator("form.atelier-form")
            form.locator("input[type=text], input[type=email]").first.focus()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(FILL_SECONDS * 1000)
            form.locator("[type=submit]").last.click()
            page.wait_for_load_state("networkidle")
            summary = page.locator(".atelier-error-summary").first
            summary.wait_for()
            summary.scroll_into_view_if_needed()
            shoot(page, f"public-form-errors-{suffix}", full_page=False)
            context.close()


def admin_screenshots(browser, urls: dict, base_url: str) -> None:
    context = browser.new_context(viewport=ADMIN_SIZE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    goto(page, f"{base_url}/admin/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "atelier-demo")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{base_url}/admin/")
    for name, url in urls.items():
        if not url:
            print(f"    skipped admin-{name} (screen not installed)", flush=True)
            continue
        goto(page, url)
        # Wagtail's admin scrolls inside its layout, so a full-page screenshot
        # stops at the window: make the window as tall as the content instead.
        height = page.evaluate(CONTENT_HEIGHT_JS)
        page.set_viewport_size(
            {"width": ADMIN_SIZE["width"], "height": max(768, min(height, 2400))}
        )
        page.wait_for_timeout(300)
        shoot(page, f"admin-{name}", full_page=False)
        page.set_viewport_size(ADMIN_SIZE)
    context.close()


@contextmanager
def served_demo(setup_script: str, *, prefix: str, keep: bool, extra_env=None):
    """The demo in a temporary database, served on a free port, with Chromium open.

    Runs ``setup_script`` in the demo's shell (its last printed line is JSON) before
    serving; ``extra_env(data)`` may add environment variables from that JSON. Yields
    ``(browser, data, base_url, env)``; stops the server and removes the database
    (unless ``keep``) afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("playwright is missing: pip install -e '.[dev]'") from None
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is missing at {CHROMIUM}: apt-get install chromium")

    IMAGES.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "DEMO_PORT": str(port),
        "MEDIA_ROOT": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_DEBUG", None)  # screenshots show what visitors see
    server = None
    try:
        manage("migrate", "--no-input", env=env)
        manage("load_demo", env=env)
        manage("ensure_demo_admin", env=env)
        out = manage("shell", "-c", setup_script, env=env)
        data = json.loads(out.strip().splitlines()[-1])
        if extra_env is not None:
            env.update(extra_env(data))
        print(f"==> serving the demo on {base_url}", flush=True)
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, str(MANAGE), "serve_demo"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base_url}/admin/login/", server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            try:
                yield browser, data, base_url, env
            finally:
                browser.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if keep:
            print(f"==> demo database kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["public", "admin"])
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary demo database"
    )
    options = parser.parse_args()
    demo = served_demo(URLS_SCRIPT, prefix="atelier-screenshots-", keep=options.keep)
    with demo as (browser, urls, base_url, _env):
        if options.only in (None, "public"):
            print("==> public pages", flush=True)
            public_screenshots(browser, urls["public"])
        if options.only in (None, "admin"):
            print("==> admin screens", flush=True)
            admin_screenshots(browser, urls["admin"], base_url)
    print(f"==> done: {IMAGES.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
