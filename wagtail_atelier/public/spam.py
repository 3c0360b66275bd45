"""Spam protection without third-party services: a honeypot, a minimum fill time
carried in a signed timestamp, and throttles per IP address and per email address
kept in a Django cache (the database cache works; Redis too)."""

from __future__ import annotations

import hashlib
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
    return _signer().sign(f"{now if now is not None else time.time():.3f}")


def fill_time_problem(token: str, now: float | None = None) -> str | None:
    """``None`` if the form was filled in a plausible time, else why not:
    ``"invalid"`` (missing or tampered), ``"too_fast"`` or ``"expired"``."""
    try:
        started = float(_signer().unsign(token or ""))
    except (BadSignature, ValueError):
        return "invalid"
    elapsed = (now if now is not None else time.time()) - started
    if elapsed < get_setting("WAGTAIL_ATELIER_MIN_FILL_SECONDS"):
        return "too_fast"
    if elapsed > get_setting("WAGTAIL_ATELIER_FORM_MAX_AGE"):
        return "expired"
    return None


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


def throttled(request, email: str = "", scope: str = "register") -> bool:
    """True if this IP address or email address has submitted too often."""
    limits = get_setting("WAGTAIL_ATELIER_THROTTLE")
    if not limits:
        return False
    checks = []
    if "ip" in limits:
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
