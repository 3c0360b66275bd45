"""Other sites' JSON feeds: fetched in the background from a local fake server (no
internet), checked against the schema, kept as the last good copy, shown by the
template tag without any fetch during the page request."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import WorkshopPageFactory, translate
from wagtail_atelier.models import NetworkFeed
from wagtail_atelier.services import network
from wagtail_atelier.services.network import (
    fetch_feed,
    network_workshops,
    refresh_network_feeds,
)

pytestmark = pytest.mark.django_db


class FakeFeedServer:
    """A local HTTP server whose next answers a test sets: ``(status, body,
    headers)``; it answers 304 when the client sends the ETag it has."""

    def __init__(self):
        self.status, self.body, self.etag = 200, b"", '"v1"'
        self.block = threading.Event()
        self.hang = False
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(dict(self.headers))
                if server.hang:
                    server.block.wait(5)
                    return
                if self.headers.get("If-None-Match") == server.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", server.etag)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/werk/json/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.block.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    server = FakeFeedServer()
    yield server
    server.close()


@pytest.fixture
def real_feed(client, indexes):
    """The JSON feed of an index of this installation, as another site would serve
    it: a German workshop with a French version, and an Italian one."""
    german = WorkshopPageFactory(
        parent=indexes["de"],
        title="Praxiswerkstatt Olten",
        start_at=timezone.now() + timedelta(days=12),
    )
    translate(german, "fr", title="Atelier pratique Olten")
    WorkshopPageFactory(
        parent=indexes["de"],
        title="Laboratorio Lugano",
        workshop_language="it",
        start_at=timezone.now() + timedelta(days=30),
    )
    response = client.get(indexes["de"].url + "json/")
    assert response.status_code == 200
    return response.content


def configured(fake):
    return override_settings(
        WAGTAIL_ATELIER_NETWORK_FEEDS=[fake.url],
        WAGTAIL_ATELIER_NETWORK_FEED_TIMEOUT=0.5,
    )


def render_tag(language="fr", source="{% atelier_network_workshops %}") -> str:
    from django.utils import translation

    with translation.override(language):
        return Template("{% load wagtail_atelier_tags %}" + source).render(Context({}))


def test_a_fetched_feed_is_shown_in_the_readers_language(fake, real_feed):
    fake.body = real_feed
    with configured(fake):
        (feed,) = refresh_network_feeds()
        assert feed.last_error == ""
        assert feed.etag == '"v1"'
        html = render_tag("fr")
    assert "Atelier pratique Olten" in html
    # Not translated into French: shown in the workshop's language, marked as such.
    assert 'lang="de"' in html and "Laboratorio Lugano" in html
    assert html.index("Olten") < html.index("Lugano")
    assert "#registration" in html


def test_the_tag_never_fetches(fake, real_feed, monkeypatch):
    fake.body = real_feed
    with configured(fake):
        refresh_network_feeds()

        def no_fetch(*args, **kwargs):
            raise AssertionError("fetched during a page request")

        monkeypatch.setattr(network.urllib.request, "urlopen", no_fetch)
        requests_before = len(fake.requests)
        html = render_tag("de", f'{{% atelier_network_workshops url="{fake.url}" %}}')
    assert "Praxiswerkstatt Olten" in html
    assert len(fake.requests) == requests_before


def test_a_304_keeps_the_copy(fake, real_feed):
    fake.body = real_feed
    with configured(fake):
        refresh_network_feeds()
        fake.body = b"must not be read"
        (feed,) = refresh_network_feeds()
    assert fake.requests[-1].get("If-None-Match") == '"v1"'
    assert feed.last_error == ""
    assert feed.data["workshops"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, b"{}", "HTTP 500"),
        (200, b"<html>not json</html>", "not JSON"),
        (200, b'{"format_version": 1}', "not a workshops feed"),
        (200, b" " * 100_000 + b"{}", "larger than"),
    ],
)
def test_a_failure_keeps_the_last_good_copy(fake, real_feed, status, body, error):
    fake.body = real_feed
    # Room for the good feed, not for 100 kB.
    limit = len(real_feed) + 100
    with (
        configured(fake),
        override_settings(WAGTAIL_ATELIER_NETWORK_FEED_MAX_BYTES=limit),
    ):
        refresh_network_feeds()
        fake.status, fake.body, fake.etag = status, body, '"v2"'
        (feed,) = refresh_network_feeds()
        html = render_tag("fr")
    assert error in feed.last_error
    assert feed.data == json.loads(real_feed)
    assert "Atelier pratique Olten" in html


def test_a_server_that_does_not_answer_times_out(fake, real_feed):
    fake.hang = True
    with configured(fake):
        (feed,) = refresh_network_feeds()
    assert "not reached" in feed.last_error
    assert feed.data is None
    with translation.override("de"):
        nothing = gettext("No workshop is announced in the network at the moment.")
    assert nothing in render_tag("de")


def test_only_http_feeds_are_fetched():
    with pytest.raises(network.FetchError):
        fetch_feed("file:///etc/passwd")


def test_workshops_that_ended_since_the_fetch_are_left_out(real_feed):
    NetworkFeed.objects.create(
        url="http://b.example.org/json/", data=json.loads(real_feed)
    )
    later = timezone.now() + timedelta(days=20)
    shown = network_workshops(
        ["http://b.example.org/json/"], language_code="de", now=later
    )
    assert [w.title for w in shown] == ["Laboratorio Lugano"]


def test_the_command_reports_each_feed(fake, real_feed):
    fake.body = real_feed
    out, err = StringIO(), StringIO()
    with configured(fake):
        call_command("atelier_fetch_network_feeds", stdout=out, stderr=err)
    assert f"{fake.url}: 2 workshop(s)" in out.getvalue()
    assert err.getvalue() == ""
