"""Spam protection without third-party services: a honeypot, a minimum fill time
carried in a signed timestamp that can be used once, and throttles per IP address
and per email address kept in a Django cache (the database cache works; Redis too).

The throttle per IP address counts every POST. The throttle per email address counts
only valid submissions: otherwise anyone could send five broken forms with somebody
else's address and lock that person out for an hour.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.core.cache import caches
from django.core.signing import BadSignature, Signer

from ..conf import get_setting

SALT = "wagtail_atelier.form-started"


def _signer() -> Signer:
    # Built per call, never at import: a site's settings may read SECRET_KEY from the
    # environment after the apps are loaded (``check --deploy``, management commands).
    return Signer(salt=SALT)


def form_started_token(now: float | None = None) -> str:
    """The signed start time of one rendering of a form. A random part makes each
    token unique, so that :func:`use_form_start` can tell a replay from two forms
    shown in the same millisecond."""
    started = now if now is not None else time.time()
    return _signer().sign(f"{started:.3f}/{secrets.token_urlsafe(9)}")


def fill_time_problem(token: str, now: float | None = None) -> str | None:
    """``None`` if the form was filled in a plausible time, else why not:
    ``"invalid"`` (missing or tampered), ``"too_fast"`` or ``"expired"``."""
    try:
        started = float(_signer().unsign(token or "").split("/", 1)[0])
    except (BadSignature, ValueError):
        return "invalid"
    elapsed = (now if now is not None else time.time()) - started
    if elapsed < get_setting("WAGTAIL_ATELIER_MIN_FILL_SECONDS"):
        return "too_fast"
    if elapsed > get_setting("WAGTAIL_ATELIER_FORM_MAX_AGE"):
        return "expired"
    return None


def use_form_start(token: str, scope: str) -> bool:
    """Mark the signed start ``token`` of a form as used; False if it already was.

    Call it once a submission is valid, right before it is processed: a start time
    can be sent once, so a captured form cannot be replayed for a day, and a double
    click is processed once. The mark is an atomic ``add()`` of the token's digest
    (never the token) in the throttle cache, kept as long as a start time is valid
    (``WAGTAIL_ATELIER_FORM_MAX_AGE``); after that the time trap refuses the token
    anyway. This check applies even when ``WAGTAIL_ATELIER_THROTTLE`` is ``None``:
    switching throttling off does not reopen replays. With a per-process cache
    (local memory) it holds per process only, like the throttle.
    """
    cache = caches[get_setting("WAGTAIL_ATELIER_THROTTLE_CACHE")]
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    return cache.add(
        f"wagtail_atelier:form_used:{scope}:{digest}",
        1,
        timeout=get_setting("WAGTAIL_ATELIER_FORM_MAX_AGE"),
    )


def _hit(key: str, limit: int, window: int, now: float | None = None) -> bool:
    """Count one request under ``key``; true while within ``limit`` per ``window``.

    Fixed windows: the count lives under a key naming the current window and expires
    when that window ends. The expiry is set again after each increment because not
    every backend keeps it: the database cache's ``incr()`` is a ``set()`` with the
    default timeout (5 minutes), which would shorten an hour's window to 5 minutes
    of quiet (and lengthen a minute's).
    """
    cache = caches[get_setting("WAGTAIL_ATELIER_THROTTLE_CACHE")]
    now = time.time() if now is None else now
    number = int(now // window)
    key = f"{key}:{number}"
    remaining = max(int((number + 1) * window - now), 1)
    if cache.add(key, 1, timeout=remaining):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=remaining)
        count = 1
    else:
        cache.touch(key, remaining)
    return count <= limit


def client_ip(request) -> str:
    # Behind a proxy, set REMOTE_ADDR from the trusted X-Forwarded-For in middleware.
    return request.META.get("REMOTE_ADDR", "")


def ip_throttled(request, scope: str = "register") -> bool:
    """Count this POST for the client's IP address; true if it sent too many.
    Counts every POST, valid or not."""
    return throttled(request, scope=scope)


def email_throttled(email: str, scope: str = "register") -> bool:
    """Count a submission for ``email``; true if it came too often. Call only for a
    valid submission (after ``form.is_valid()``), with the cleaned address: invalid
    forms must not use up somebody else's allowance."""
    return throttled(None, email, scope=scope)


def throttled(request, email: str = "", scope: str = "register") -> bool:
    """True if this IP address (with a ``request``) or this email address has
    submitted too often; counts one submission for each."""
    limits = get_setting("WAGTAIL_ATELIER_THROTTLE")
    if not limits:
        return False
    checks = []
    if request is not None and "ip" in limits:
        checks.append((f"ip:{client_ip(request)}", *limits["ip"]))
    if email and "email" in limits:
        # Hashed: no address in cache keys.
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        checks.append((f"email:{digest}", *limits["email"]))
    allowed = True
    for key, limit, window in checks:
        allowed = (
            _hit(f"wagtail_atelier:throttle:{scope}:{key}", limit, window) and allowed
        )
    return not allowed
