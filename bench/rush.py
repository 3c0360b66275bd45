"""Rush a workshop's registration over real HTTP, against a rush of plain page GETs.

    .venv/bin/python bench/rush.py [--database postgresql|sqlite] [--registrants 200]
        [--rounds 1] [--worker-class sync|gthread] [--workers 2 x cores + 1]
        [--threads 4] [--control]

Serves the example site (``example_site/``, with the settings of
``bench/rush_settings.py``) with gunicorn on 127.0.0.1, on a database created here
and dropped at the end: PostgreSQL (``--database-url``, by default
``postgres://postgres@127.0.0.1:5432/atelier_rush``) or a temporary SQLite file set
up as the package's docs say (IMMEDIATE transactions, WAL, a busy timeout).
Throttles are off and the minimum fill time is 0 (every registrant comes from
127.0.0.1 and posts at once); mails go to the local-memory backend, sent after the
commit by django-tasks' default immediate backend, as on a site without a worker.

Before gunicorn starts, the script migrates the database and builds, through the
ORM, the site's home page (the plain page: rich text in the site's layout), a
workshop index, the workshop that is rushed (5 places for case presenters, 15 for
participants) and a warm-up workshop. Then, on the running server:

1. warm-up: GETs of both pages and registrations on the warm-up workshop, so that
   every worker has loaded its code and templates;
2. baseline: N threads released by a barrier each GET the plain page (each
   request on its own connection, as for the POSTs);
3. the rush: N threads each GET the workshop page (or its ``form-token/`` route
   when the package has one) for the CSRF cookie and token and the signed start
   time, untimed; then, released together by a barrier, each POSTs a registration
   with its own email (every fourth brings a case). Only the POST is timed; its
   redirect to the neutral ``registered/`` page is not followed;
4. baseline again (drift in the machine's load hits both sides alike; the ratio
   uses the baseline rushes together). ``--rounds R`` repeats 2-3 R times, each
   registration rush on its own workshop, and pools the timings;
5. checks, read from the database: exactly the places confirmed per role, the
   rest on the waiting list numbered 1..k in order of arrival, one registration per
   email, one mail per registrant (confirmation or waiting list, to that person;
   the contact's notifications are counted apart), no 5xx, every POST answered
   with the redirect, no traceback in gunicorn's log.

``--control`` serves the site with the registration service's seat lock switched
off (``bench/rush_wsgi.py``): on PostgreSQL the seat checks must then FAIL, which
shows that they can.

Prints p50/p95/max of each rush, the p95 ratio registration POST / plain GET and
PASS/FAIL against the target (at most 2 for 200 registrants on PostgreSQL), with
the load average of the machine, which is shared. Exits 1 if a check or the target
fails. Every request has a timeout and the whole run a deadline; gunicorn is
stopped (its process group) and the database dropped even on errors.
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import http.cookies
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = ROOT / "example_site"
BENCH = Path(__file__).resolve().parent
# The example site's modules (settings, home) and the bench settings.
sys.path[:0] = [str(EXAMPLE_SITE), str(BENCH)]

HOST = "127.0.0.1"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/atelier_rush"
SETTINGS_MODULE = "rush_settings"
TARGET_P95_RATIO = 2.0
TARGET_REGISTRANTS = 200
CASE_PRESENTER_SEATS = 5
PARTICIPANT_SEATS = 15
WORKSHOP_SOURCE = ROOT / "wagtail_atelier" / "models" / "workshop.py"


class BenchError(Exception):
    """The run cannot go on (server down, deadline passed, unexpected answer)."""


class Deadline:
    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise BenchError("the overall deadline passed")
        return left

    def timeout(self, request_timeout: float) -> float:
        return max(min(request_timeout, self.remaining()), 0.1)


# -- HTTP -----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    port: int,
    method: str,
    path: str,
    *,
    timeout: float,
    body: bytes | None = None,
    headers: dict | None = None,
) -> Answer:
    """One request on its own connection (as separate visitors make them)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def csrf_cookie(answer: Answer) -> str:
    jar = http.cookies.SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie") or ():
        jar.load(header)
    return jar["csrftoken"].value if "csrftoken" in jar else ""


class RegistrationFormParser(html.parser.HTMLParser):
    """The hidden fields of the form that posts to ``register/``."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urllib.parse.urlsplit(attrs.get("action") or "").path
            self.in_form = action.rstrip("/").endswith("/register")
        elif tag == "input" and self.in_form and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def _find_in_json(value, wanted) -> str:
    """The first string under a key that ``wanted(key)`` accepts, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if wanted(key) and isinstance(item, str):
                return item
        for item in value.values():
            found = _find_in_json(item, wanted)
            if found:
                return found
    return ""


@dataclass
class FormTokens:
    cookie: str
    csrf: str
    form_started: str


def form_tokens(answer: Answer) -> FormTokens:
    """CSRF cookie and token and the signed start time from a workshop page or a
    ``form-token/`` answer (JSON, or an HTML fragment with the hidden inputs)."""
    if answer.status != 200:
        raise BenchError(f"getting the form answered {answer.status}")
    text = answer.body.decode("utf-8", "replace")
    csrf = started = ""
    if "json" in (answer.headers.get("Content-Type") or ""):
        data = json.loads(text)
        csrf = _find_in_json(data, lambda key: "csrf" in key.lower())
        started = _find_in_json(data, lambda key: key == "form_started")
    else:
        parser = RegistrationFormParser()
        parser.feed(text)
        csrf = parser.fields.get("csrfmiddlewaretoken", "")
        started = parser.fields.get("form_started", "")
    cookie = csrf_cookie(answer)
    if not (cookie and csrf and started):
        missing = [
            name
            for name, value in (
                ("csrftoken cookie", cookie),
                ("CSRF token", csrf),
                ("form_started", started),
            )
            if not value
        ]
        raise BenchError(f"the form came without {', '.join(missing)}")
    return FormTokens(cookie, csrf, started)


def token_source(port: int, workshop_path: str, timeout: float) -> str:
    """``form-token`` if the workshop page has that route (the form's tokens
    fetched apart from a cacheable page) and it answers, else ``page``."""
    if "form-token" not in WORKSHOP_SOURCE.read_text():
        return "page"
    answer = request(port, "GET", workshop_path + "form-token/", timeout=timeout)
    return "form-token" if answer.status == 200 else "page"


def role_of(number: int) -> str:
    return "case_presenter" if number % 4 == 0 else "participant"


def email_of(prefix: str, number: int) -> str:
    return f"{prefix}{number}@example.org"


def registration_body(number: int, email: str, tokens: FormTokens) -> bytes:
    role = role_of(number)
    fields = {
        "csrfmiddlewaretoken": tokens.csrf,
        "form_started": tokens.form_started,
        "website": "",
        "role": role,
        "first_name": f"Person{number}",
        "last_name": "Ansturm",
        "email": email,
        "phone": "",
        "organisation": "Caring Community Suhr",
        "town": "Suhr",
        "canton": "AG",
        "languages": ["de"],
        "case_description": (
            "Wie gewinnen wir Freiwillige?" if role == "case_presenter" else ""
        ),
        "accessibility_needs": "",
        "dietary_note": "",
        "privacy_consent": "on",
    }
    return urllib.parse.urlencode(fields, doseq=True).encode()


class Registrant:
    """Gets the form's tokens (untimed), then POSTs one registration (timed)."""

    def __init__(self, port, workshop_path, source, email_prefix, timeouts):
        self.port, self.path = port, workshop_path
        self.form_path = workshop_path + (
            "form-token/" if source == "form-token" else ""
        )
        self.email_prefix, self.timeouts = email_prefix, timeouts

    def prepare(self, number: int) -> FormTokens:
        answer = request(self.port, "GET", self.form_path, timeout=self.timeouts())
        return form_tokens(answer)

    def fire(self, number: int, tokens: FormTokens) -> Answer:
        return request(
            self.port,
            "POST",
            self.path + "register/",
            timeout=self.timeouts(),
            body=registration_body(number, email_of(self.email_prefix, number), tokens),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={tokens.cookie}",
            },
        )


class PageGet:
    def __init__(self, port, path, timeouts):
        self.port, self.path, self.timeouts = port, path, timeouts

    def prepare(self, number: int) -> None:
        return None

    def fire(self, number: int, _prepared) -> Answer:
        return request(self.port, "GET", self.path, timeout=self.timeouts())


# -- rushes ---------------------------------------------------------------------------


@dataclass
class Outcome:
    number: int
    status: int = 0
    location: str = ""
    started: float = 0.0
    elapsed: float = 0.0
    error: str = ""


@dataclass
class Rush:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [o.elapsed for o in self.outcomes if not o.error]

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error]

    def wall(self) -> float:
        """The longest time from a barrier's release to the last answer."""
        return max(self.walls, default=0.0)


def rush(name: str, client, size: int, deadline: Deadline) -> Rush:
    """``size`` threads: each prepares (untimed), waits at the barrier, then fires
    one timed request."""
    result = Rush(name)
    lock = threading.Lock()
    barrier = threading.Barrier(size)

    def run(number: int) -> None:
        outcome = Outcome(number)
        prepared = None
        try:
            prepared = client.prepare(number)
        except Exception as error:  # the harness counts every failure
            outcome.error = f"preparing: {error!r}"
        try:
            barrier.wait(timeout=deadline.remaining())
        except (threading.BrokenBarrierError, BenchError) as error:
            outcome.error = outcome.error or f"barrier: {error!r}"
        if not outcome.error:
            outcome.started = time.perf_counter()
            try:
                answer = client.fire(number, prepared)
            except Exception as error:
                outcome.error = repr(error)
            else:
                outcome.status = answer.status
                outcome.location = answer.headers.get("Location") or ""
            outcome.elapsed = time.perf_counter() - outcome.started
        with lock:
            result.outcomes.append(outcome)

    threads = [
        threading.Thread(target=run, args=(n,), daemon=True) for n in range(size)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(deadline.ends - time.monotonic(), 0.1))
    if any(thread.is_alive() for thread in threads):
        barrier.abort()
        raise BenchError(f"{name}: threads still running at the deadline")
    timed = [o for o in result.outcomes if o.started]
    if timed:
        result.walls.append(
            max(o.started + o.elapsed for o in timed) - min(o.started for o in timed)
        )
    return result


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(round(fraction * len(ordered)) - 1, 0)]


# -- database and server ---------------------------------------------------------------


def database_url(args, workdir: Path) -> str:
    if args.database == "sqlite":
        return f"sqlite:///{workdir / 'rush.sqlite3'}"
    url = urllib.parse.urlsplit(args.database_url)
    if url.hostname not in LOOPBACK_NAMES:
        raise BenchError(f"only a database on the loopback address, not {url.hostname}")
    name = url.path.lstrip("/")
    if not name.startswith("atelier_rush"):
        # It is dropped at the end: never take somebody else's database.
        raise BenchError(f"the database name must start with atelier_rush, not {name}")
    return args.database_url


def postgres_admin(url: str, statement: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def build_site(port: int, rounds: int) -> dict:
    """The pages, through the ORM; returns their paths."""
    from django.utils import timezone
    from home.models import HomePage
    from wagtail.models import Locale, Page, Site
    from wagtail.rich_text import RichText

    from wagtail_atelier.models import WorkshopIndexPage, WorkshopPage

    german = Locale.objects.get_or_create(language_code="de")[0]
    home = HomePage(
        title="Netzwerk Caring Communities",
        slug="start",
        locale=german,
        body=[
            (
                "paragraph",
                RichText(
                    "<h2>Sorgende Gemeinschaften in der ganzen Schweiz</h2>"
                    "<p>Das Netzwerk verbindet Menschen und Organisationen, die sich "
                    "für ein gutes Zusammenleben engagieren.</p>"
                ),
            )
        ],
    )
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    welcome = site.root_page
    site.root_page, site.hostname, site.port = home, HOST, port
    site.save()
    welcome.delete()

    index = WorkshopIndexPage(title="Praxiswerkstatt", slug="praxiswerkstatt")
    index.locale = german
    home.add_child(instance=index)
    index.save_revision().publish()

    start_at = timezone.now() + timedelta(days=30)

    def workshop(slug: str, case_presenters: int, participants: int):
        page = WorkshopPage(
            title=f"Praxiswerkstatt {slug}",
            slug=slug,
            locale=german,
            start_at=start_at,
            end_at=start_at + timedelta(hours=3),
            format="on_site",
            venue_name="Gemeindesaal",
            street="Tramstrasse 10",
            postcode="5034",
            town="Suhr",
            canton="AG",
            workshop_language="de",
            contact_name="Anna Muster",
            contact_email="anna@example.org",
            intro="Menschen aus Caring Communities beraten sich kollegial.",
            case_presenter_capacity=case_presenters,
            participant_capacity=participants,
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        return page

    rushed = [
        workshop(f"ansturm-{number}", CASE_PRESENTER_SEATS, PARTICIPANT_SEATS)
        for number in range(1, rounds + 1)
    ]
    warmup = workshop("aufwaermen", 100_000, 100_000)
    return {
        "plain": home.get_url(),
        "warmup": warmup.get_url(),
        "workshops": [(page.get_url(), str(page.translation_key)) for page in rushed],
    }


class Server:
    """gunicorn in its own process group, logging to a file."""

    def __init__(self, args, port: int, env: dict, log_path: Path):
        self.port, self.log_path = port, log_path
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--worker-class",
            args.worker_class,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--chdir",
            str(EXAMPLE_SITE),
            "--pythonpath",
            f"{EXAMPLE_SITE},{BENCH}",
            "rush_wsgi:application",
        ]
        self.log = open(log_path, "wb")  # closed in stop()
        # The command is built here from this interpreter and integer options.
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, deadline: Deadline, seconds: float = 90) -> None:
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            deadline.remaining()
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited: see {self.log_path}")
            try:
                if request(self.port, "GET", path, timeout=10).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"gunicorn did not answer within {seconds:g} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
            except ProcessLookupError:
                pass
        self.log.close()

    def errors_logged(self) -> int:
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return text.count("Traceback")


# -- checks ---------------------------------------------------------------------------


def verify(key: str, registrants: int, email_prefix: str, post: Rush) -> list:
    """``[(passed, check, detail)]`` of the rush, read from the database."""
    from django.db.models import Count
    from django.db.models.functions import Lower

    from wagtail_atelier.models import OutgoingMail, Registration

    checks = []

    def check(passed: bool | None, name: str, detail: str = "") -> None:
        """``passed`` None: information only."""
        checks.append((passed if passed is None else bool(passed), name, detail))

    statuses = post.statuses()
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    check(server_errors == 0, "no 5xx", f"answers {dict(sorted(statuses.items()))}")
    redirected = sum(
        1
        for o in post.outcomes
        if o.status == 302 and o.location.rstrip("/").endswith("/registered")
    )
    check(
        redirected == registrants and not post.errors,
        "every POST redirected to registered/",
        f"{redirected} of {registrants}, {len(post.errors)} client errors"
        + (f" (first: {post.errors[0]})" if post.errors else ""),
    )

    registrations = Registration.objects.filter(workshop_key=key)
    expected = {email_of(email_prefix, n) for n in range(registrants)}
    emails = [e.lower() for e in registrations.values_list("email", flat=True)]
    check(
        len(emails) == registrants
        and len(set(emails)) == len(emails)
        and set(emails) == expected,
        "one registration per email",
        f"{len(emails)} registrations, {len(set(emails))} distinct emails, "
        f"{len(expected - set(emails))} registrants missing",
    )
    duplicates = (
        registrations.values(lowered=Lower("email"))
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    check(duplicates == 0, "no duplicate email in the database", f"{duplicates}")

    for role, capacity in (
        ("case_presenter", CASE_PRESENTER_SEATS),
        ("participant", PARTICIPANT_SEATS),
    ):
        applied = sum(1 for n in range(registrants) if role_of(n) == role)
        seats = min(applied, capacity)
        of_role = registrations.filter(role=role)
        confirmed = of_role.confirmed().count()
        check(
            confirmed == seats,
            f"{role}: exactly the places confirmed",
            f"{confirmed} confirmed for {capacity} places, {applied} applied",
        )
        waiting = list(of_role.waiting_order())
        positions = [registration.waiting_position() for registration in waiting]
        check(
            len(waiting) == applied - seats
            and positions == list(range(1, len(waiting) + 1)),
            f"{role}: the rest waiting, positions 1..k in order of arrival",
            f"{len(waiting)} waiting, positions "
            + (f"{positions[0]}..{positions[-1]}" if positions else "none"),
        )
        # Information, not a check: the service stamps a registration when the
        # request reaches it, before it waits for the lock, so among requests in
        # flight together the seat goes by lock order, not by a few milliseconds.
        last_confirmed = max(
            of_role.confirmed().values_list("created_at", flat=True), default=None
        )
        overtaken = [
            registration
            for registration in waiting
            if last_confirmed and registration.created_at < last_confirmed
        ]
        detail = (
            f"{len(overtaken)} waiting registrations stamped before the last "
            "confirmed one"
        )
        if overtaken:
            lead = max(last_confirmed - r.created_at for r in overtaken)
            detail += f" (by at most {lead.total_seconds() * 1000:.0f} ms)"
        check(None, f"{role}: order of arrival", detail)

    expected_kind = {"confirmed": "confirmation", "waiting": "waiting_list"}
    mails: dict[int, list] = {}
    for registration_id, kind, to, status in OutgoingMail.objects.filter(
        registration__workshop_key=key
    ).values_list("registration_id", "kind", "to", "status"):
        mails.setdefault(registration_id, []).append((kind, to, status))
    wrong = 0
    notifications = 0
    mail_statuses: dict[str, int] = {}
    for registration in registrations:
        own = [
            (kind, to, status)
            for kind, to, status in mails.get(registration.pk, [])
            if kind != "contact_notification"
        ]
        notifications += sum(
            1
            for kind, _to, _status in mails.get(registration.pk, [])
            if kind == "contact_notification"
        )
        if (
            len(own) != 1
            or own[0][0] != expected_kind.get(registration.status)
            or [address.lower() for address in own[0][1]]
            != [registration.email.lower()]
        ):
            wrong += 1
        for _kind, _to, status in own:
            mail_statuses[status] = mail_statuses.get(status, 0) + 1
    check(
        wrong == 0,
        "one mail per registrant (confirmation or waiting list, to them)",
        f"{wrong} registrations without exactly one; mail status "
        f"{dict(sorted(mail_statuses.items()))}",
    )
    failed = sum(n for s, n in mail_statuses.items() if s in ("failed", "gave_up"))
    check(failed == 0, "no registrant mail failed", f"{failed}")
    check(
        notifications <= registrants,
        "at most one contact notification per registration",
        f"{notifications} notifications to the contact",
    )
    return checks


# -- the run --------------------------------------------------------------------------


def print_rush(rush_: Rush) -> None:
    values = rush_.latencies
    if not values:
        print(f"{rush_.name:26} no answers")
        return
    answers = ", ".join(
        f"{n} x {status}" for status, n in sorted(rush_.statuses().items())
    )
    print(
        f"{rush_.name:26} {len(values):5d} {1000 * percentile(values, 0.5):8.0f} "
        f"{1000 * percentile(values, 0.95):8.0f} {1000 * max(values):8.0f} "
        f"{rush_.wall():7.1f}  {answers}"
    )


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def warm_up(port, paths, source, args, deadline, timeouts) -> None:
    """Every worker thread loads its code and templates before anything is timed:
    GETs of both pages, then registrations on the warm-up workshop."""
    size = args.workers * args.threads * 2
    for path in (paths["plain"], paths["workshops"][0][0]):
        answers = rush("warm-up GET", PageGet(port, path, timeouts), size, deadline)
        bad = [o for o in answers.outcomes if o.error or o.status != 200]
        if bad:
            raise BenchError(
                f"warm-up GET {path}: {bad[0].status} {bad[0].error}".strip()
            )
    registrant = Registrant(port, paths["warmup"], source, "warmup", timeouts)
    answers = rush("warm-up POST", registrant, size, deadline)
    bad = [o for o in answers.outcomes if o.error or o.status != 302]
    if bad:
        raise BenchError(
            f"warm-up registration: {bad[0].status} {bad[0].error}".strip()
        )


def pooled(name: str, rushes: list[Rush]) -> Rush:
    return Rush(
        name,
        [o for each in rushes for o in each.outcomes],
        [wall for each in rushes for wall in each.walls],
    )


def run(args, port: int, paths: dict, server: Server, deadline: Deadline) -> int:
    def timeouts() -> float:
        return deadline.timeout(args.request_timeout)

    n, rounds = args.registrants, args.rounds
    source = args.token_source
    if source == "auto":
        source = token_source(port, paths["workshops"][0][0], timeouts())
    warm_up(port, paths, source, args, deadline, timeouts)

    # Baseline and registration rushes alternate, the baseline first and last, so
    # that a change in the machine's load during the run hits both sides.
    plain = PageGet(port, paths["plain"], timeouts)
    gets, posts = [], []
    for number, (workshop_path, _key) in enumerate(paths["workshops"], start=1):
        gets.append(rush(f"plain page GET {number}", plain, n, deadline))
        registrant = Registrant(port, workshop_path, source, f"rush{number}-", timeouts)
        posts.append(rush(f"registration POST {number}", registrant, n, deadline))
    gets.append(rush(f"plain page GET {rounds + 1}", plain, n, deadline))
    baseline = pooled("plain page GET, all", gets)
    registrations = pooled("registration POST, all", posts)

    print(
        f"\n{n} simultaneous requests per rush, {rounds} registration rush(es); "
        f"the form's tokens from the "
        f"{'form-token/ route' if source == 'form-token' else 'workshop page'} "
        f"(untimed); load average after the rushes {load()}\n"
    )
    print(
        f"{'':26} {'count':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'wall s':>7}  answers"
    )
    for each in [*gets, baseline, *posts, *([registrations] if rounds > 1 else [])]:
        print_rush(each)

    print("\nchecks")
    bad_gets = [o for o in baseline.outcomes if o.error or o.status != 200]
    checks = [
        (not bad_gets, "every plain page GET answered 200", f"{len(bad_gets)} others")
    ]
    for number, ((_path, key), post) in enumerate(
        zip(paths["workshops"], posts, strict=True), start=1
    ):
        prefix = f"rush {number}: " if rounds > 1 else ""
        checks += [
            (passed, prefix + name, detail)
            for passed, name, detail in verify(key, n, f"rush{number}-", post)
        ]
    tracebacks = server.errors_logged()
    checks.append((tracebacks == 0, "no traceback in gunicorn's log", f"{tracebacks}"))
    failures = 0
    for passed, name, detail in checks:
        failures += passed is False
        verdict = "info" if passed is None else ("PASS" if passed else "FAIL")
        print(f"  {verdict:4}  {name}: {detail}")

    if not registrations.latencies or not baseline.latencies:
        print("\nno timings: FAIL")
        return 1
    ratio = percentile(registrations.latencies, 0.95) / percentile(
        baseline.latencies, 0.95
    )
    ratio_p50 = percentile(registrations.latencies, 0.5) / percentile(
        baseline.latencies, 0.5
    )
    print(
        f"\nratio registration POST / plain page GET: {ratio:.2f}x p95, "
        f"{ratio_p50:.2f}x p50"
    )
    within = ratio <= TARGET_P95_RATIO
    if args.database == "postgresql" and n == TARGET_REGISTRANTS:
        print(
            f"target p95 ratio <= {TARGET_P95_RATIO:g} for {TARGET_REGISTRANTS} "
            f"registrants on PostgreSQL: {'PASS' if within else 'FAIL'}"
        )
        failures += not within
    else:
        print(
            f"target p95 ratio <= {TARGET_P95_RATIO:g} (set for {TARGET_REGISTRANTS} "
            f"registrants on PostgreSQL): {'within' if within else 'ABOVE'} here"
        )
    print(f"\n{'PASS' if not failures else 'FAIL'}: {failures} failed")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--database", choices=("postgresql", "sqlite"), default="postgresql"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL database to create and drop (name starting atelier_rush)",
    )
    parser.add_argument("--registrants", type=int, default=TARGET_REGISTRANTS)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="registration rushes, each on its own workshop, each after a baseline "
        "rush (their timings pooled)",
    )
    # Gunicorn's own default worker class and its suggested number of workers
    # (2 x cores + 1): with threads, the thread that holds a workshop's seat lock
    # waits for its process's GIL between its statements while the other threads
    # render, and the whole rush queues behind it (docs/performance.md).
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="sync")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--threads", type=int, default=4, help="per worker (gthread only)"
    )
    parser.add_argument(
        "--token-source",
        choices=("auto", "page", "form-token"),
        default="auto",
        help="where registrants get the CSRF token and the signed start time "
        "(auto: the form-token/ route if the workshop page has one)",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="switch the seat lock off in the server (bench/rush_wsgi.py): the "
        "checks must then FAIL with overbooking on PostgreSQL",
    )
    parser.add_argument(
        "--request-timeout", type=float, default=180, help="seconds per request"
    )
    parser.add_argument(
        "--deadline", type=float, default=1500, help="seconds for the whole run"
    )
    args = parser.parse_args()
    if not 1 <= args.registrants <= 1000:
        parser.error("--registrants: 1 to 1000")
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds: 1 to 10")
    if args.worker_class == "sync":
        args.threads = 1

    # A terminated run still stops gunicorn and drops its database (the finally
    # below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    deadline = Deadline(args.deadline)
    print(
        f"rush over HTTP, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
        f"{os.cpu_count()} CPUs, load average {load()} (1/5/15 min)"
    )
    print(
        f"database: {args.database}; gunicorn {args.worker_class}, "
        f"{args.workers} workers x {args.threads} threads; "
        f"{args.registrants} registrants for {CASE_PRESENTER_SEATS} + "
        f"{PARTICIPANT_SEATS} places (every fourth brings a case)"
    )

    if args.control:
        print("CONTROL: the seat lock is switched off; the seat checks must FAIL")
    workdir = Path(tempfile.mkdtemp(prefix="atelier_rush_"))
    url = database_url(args, workdir)
    created = server = None
    keep_log = False
    try:
        if args.database == "postgresql":
            postgres_admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            postgres_admin(url, "CREATE DATABASE {}")
            created = url
        os.environ["ATELIER_RUSH_DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        if args.control:
            os.environ["ATELIER_RUSH_CONTROL"] = "no-lock"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        port = free_port()
        paths = build_site(port, args.rounds)
        connections.close_all()
        elapsed = time.perf_counter() - started
        print(f"database migrated and pages built in {elapsed:.0f} s")

        server = Server(args, port, dict(os.environ), workdir / "gunicorn.log")
        server.wait_ready(paths["plain"], deadline)
        return run(args, port, paths, server, deadline)
    except BenchError as error:
        print(f"\nFAIL: {error}")
        if server is not None:
            keep_log = True
            print(f"gunicorn log kept: {server.log_path}")
        return 1
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not be set up yet)
            pass
        if created:
            postgres_admin(created, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        for path in sorted(workdir.iterdir()):
            if not (keep_log and path.name == "gunicorn.log"):
                path.unlink()
        if not keep_log:
            workdir.rmdir()


if __name__ == "__main__":
    sys.exit(main())
