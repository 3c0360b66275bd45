"""Secret links stored as digests.

A self-service or feedback link carries a token that is the only key to a person's
data. The database never holds it: each row keeps a random ``link_nonce`` and the
SHA-256 ``link_digest`` of its token. The token itself is derived when a mail needs
it, as an HMAC of the nonce under the site's ``SECRET_KEY`` (Django's
``salted_hmac``), so every mail to the same person carries the same working link
while a copy of the database alone opens nothing.

A request is matched by the digest of the token it presents. Clearing the nonce and
the digest (retention, erasure) ends the link for good. Rotating ``SECRET_KEY`` ends
the links mailed before it; people get a fresh one through the lost-link form.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.db import models
from django.utils.crypto import salted_hmac

_SALT = "wagtail_atelier.secret_link"


def new_nonce() -> str:
    # 192 bits from the OS's CSPRNG; useless without the site's SECRET_KEY.
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """What the database stores of a token: its SHA-256, in hex."""
    return hashlib.sha256((token or "").encode("utf-8", "surrogatepass")).hexdigest()


def derive_token(kind: str, nonce: str) -> str:
    """The URL-safe token (43 characters) of ``nonce`` for links of ``kind``."""
    mac = salted_hmac(_SALT, f"{kind}:{nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class SecretLinkQuerySet(models.QuerySet):
    def with_token(self, token: str):
        """The rows whose link is ``token`` (at most one): matched by digest."""
        if not token or len(token) > 200:
            return self.none()
        return self.filter(link_digest=token_digest(token))


class SecretLinkMixin(models.Model):
    """A secret link whose token the database never stores (see the module)."""

    link_nonce = models.CharField(
        max_length=40, default=new_nonce, blank=True, editable=False
    )
    link_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    #: Separates the tokens of different kinds of link made from equal nonces.
    link_kind = "link"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding and self.link_nonce and not self.link_digest:
            self.set_link_digest()
        super().save(*args, **kwargs)

    @property
    def token(self) -> str:
        """The secret token of this row's link, "" once the link has been ended."""
        if not self.link_nonce or not self.link_digest:
            return ""
        return derive_token(self.link_kind, self.link_nonce)

    def set_link_digest(self) -> None:
        self.link_digest = (
            token_digest(derive_token(self.link_kind, self.link_nonce))
            if self.link_nonce
            else None
        )
