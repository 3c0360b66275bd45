"""Package settings, each read from Django settings with a default.

Read them through :func:`get_setting` at call time so that ``override_settings`` in
tests and per-site settings keep working.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Time zone in which workshop dates are shown and entered.
    "WAGTAIL_ATELIER_TIME_ZONE": "Europe/Zurich",
    # Length a new workshop gets when an editor leaves the end blank.
    "WAGTAIL_ATELIER_DEFAULT_DURATION": timedelta(hours=3),
    # Workshops per page on the index.
    "WAGTAIL_ATELIER_INDEX_PAGE_SIZE": 10,
    # Seconds an anonymous visitor's GET of a workshop page or index may be cached
    # (Cache-Control: public, max-age); 0 sends no caching header. Bounds how long a
    # cache shows old places left when no frontend cache is purged.
    "WAGTAIL_ATELIER_PAGE_MAX_AGE": 60,
    # The organiser named in schema.org data: a string, or a dict by language code
    # ({"de": "Netzwerk Caring Communities", "fr": "Réseau Caring Communities"});
    # empty means the Wagtail site's name (structured_data.organizer_name).
    "WAGTAIL_ATELIER_ORGANIZER_NAME": "",
    "WAGTAIL_ATELIER_ORGANIZER_URL": "",
    # The "next workshop" teaser prefers a workshop held in the visitor's language
    # when one starts at most this long after the earliest upcoming one (else it
    # shows the earliest); None or timedelta(0) shows the earliest, whatever its
    # language.
    "WAGTAIL_ATELIER_TEASER_LANGUAGE_WINDOW": timedelta(weeks=8),
    # On an installation with several Wagtail sites, the teaser shows the next
    # workshop of the visitor's site only; True shows the next of every site (the
    # template tag's ``all_sites`` argument decides for one teaser).
    "WAGTAIL_ATELIER_TEASER_ALL_SITES": False,
    # The index's JSON feed (``feed.json``, docs/network-feed.md): seconds a client
    # or proxy may keep it (Cache-Control: public, max-age); the ETag answers
    # repeated requests with a 304 whatever this is.
    "WAGTAIL_ATELIER_JSON_FEED_MAX_AGE": 300,
    # Other sites' JSON feeds shown by ``{% atelier_network_workshops %}``: a list
    # of feed URLs, fetched by ``manage.py atelier_fetch_network_feeds`` (never
    # during a page request); the timeout of one fetch (seconds) and the largest
    # feed accepted (bytes).
    "WAGTAIL_ATELIER_NETWORK_FEEDS": (),
    "WAGTAIL_ATELIER_NETWORK_FEED_TIMEOUT": 10,
    "WAGTAIL_ATELIER_NETWORK_FEED_MAX_BYTES": 2_000_000,
    # Domain used in calendar UIDs; defaults to the hostname of the workshop's site.
    "WAGTAIL_ATELIER_ICAL_UID_DOMAIN": "",
    # The index's iCal feed: the upcoming workshops and those that ended in the last
    # FEED_PAST_DAYS days (so subscribed calendars keep what just happened), at most
    # FEED_MAX_EVENTS events (upcoming first), whatever the size of the archive.
    "WAGTAIL_ATELIER_FEED_PAST_DAYS": 90,
    "WAGTAIL_ATELIER_FEED_MAX_EVENTS": 100,
    # Registration: the version of the privacy notice a person accepts (stored with
    # the consent) and the page that shows it.
    "WAGTAIL_ATELIER_PRIVACY_NOTICE_VERSION": "1",
    "WAGTAIL_ATELIER_PRIVACY_NOTICE_URL": "",
    # Mail: sender, timeout for one attempt (seconds), attempts before giving up.
    "WAGTAIL_ATELIER_FROM_EMAIL": "",
    "WAGTAIL_ATELIER_MAIL_TIMEOUT": 10,
    "WAGTAIL_ATELIER_MAIL_MAX_ATTEMPTS": 12,
    # Reminder mail this many days before the workshop.
    "WAGTAIL_ATELIER_REMINDER_DAYS": 3,
    # Addresses told of every new registration, besides the workshop's contact.
    "WAGTAIL_ATELIER_NOTIFY_EMAILS": (),
    # Sites that chose the digest of registrations (the default, a site setting) get
    # at most one digest per workshop in this many hours (atelier_send_digests).
    "WAGTAIL_ATELIER_DIGEST_HOURS": 24,
    # Spam protection: minimum seconds between showing the form and submitting it,
    # maximum age of a form, and throttles as (requests, seconds) per IP and per
    # email address; set WAGTAIL_ATELIER_THROTTLE to None to switch throttling off.
    "WAGTAIL_ATELIER_MIN_FILL_SECONDS": 3,
    "WAGTAIL_ATELIER_FORM_MAX_AGE": 60 * 60 * 24,
    "WAGTAIL_ATELIER_THROTTLE": {"ip": (20, 3600), "email": (5, 3600)},
    "WAGTAIL_ATELIER_THROTTLE_CACHE": "default",
    # Feedback: mailed this many days after a workshop ends to the people marked as
    # attended, and not at all once the workshop ended more than the second number of
    # days ago (so that turning the feature on does not mail every past workshop).
    "WAGTAIL_ATELIER_FEEDBACK_DAYS": 2,
    "WAGTAIL_ATELIER_FEEDBACK_WINDOW_DAYS": 30,
    # The version of the consent text a person accepts when they may be quoted
    # (stored with each testimonial's consent record).
    "WAGTAIL_ATELIER_TESTIMONIAL_CONSENT_VERSION": "1",
    # Addresses told of every new host request when the site's settings name none.
    "WAGTAIL_ATELIER_HOST_REQUEST_NOTIFY_EMAILS": (),
    # The version of the "share my contact" text a person agrees to (stored with the
    # opt-in, which they can withdraw on their self-service page).
    "WAGTAIL_ATELIER_SHARE_CONTACT_VERSION": "2",
    # The networking list (docs/networking-list.md): this long after a workshop
    # ended, each attendee who agreed to share their contact is mailed the others
    # who agreed (atelier_send_networking_lists); None switches it off. A workshop
    # that ended more than NETWORKING_LIST_WINDOW_DAYS days before it would be due
    # is never sent, so that turning the feature on does not mail past workshops.
    "WAGTAIL_ATELIER_NETWORKING_LIST_DELAY": timedelta(days=3),
    "WAGTAIL_ATELIER_NETWORKING_LIST_WINDOW_DAYS": 30,
    # -- Personal data (docs/data-protection.md explains each default) -------------
    # Months after a workshop ended before the personal data of its registrations,
    # their mails, feedback answers, table plan and harvests are removed (only
    # counts stay). None switches the automatic retention off.
    "WAGTAIL_ATELIER_RETENTION_MONTHS": 6,
    # Months a host request stays once closed (scheduled, declined or withdrawn)
    # before its contact data are removed.
    "WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS": 24,
    # Days after a workshop ended during which the self-service link still opens.
    "WAGTAIL_ATELIER_LINK_GRACE_DAYS": 30,
    # Days after the feedback mail during which its form can be answered.
    "WAGTAIL_ATELIER_FEEDBACK_ANSWER_DAYS": 60,
    # Days after the feedback mail during which its link lets the person withdraw
    # consent to be quoted (afterwards they write to the network).
    "WAGTAIL_ATELIER_WITHDRAWAL_LINK_DAYS": 3 * 365,
}


def get_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
