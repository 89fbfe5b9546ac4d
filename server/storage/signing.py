"""Signed file URLs: a path on the tenant's host that serves one object until it expires.

The signature is HMAC-SHA256 under the deployment's secret key over the organization's id,
the object's name, the expiry and the download name. The organization is not in the URL: the
serving route takes it from the Host, so a URL signed for tenant A and replayed on tenant B's
host fails its signature, exactly like a forged or altered one (404, as a missing object).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
import uuid
from urllib.parse import quote, urlencode

FILES_PATH = "/api/v1/files/"


def signature(secret_key: str, organization_id: uuid.UUID, name: str, expires: int, download_name: str | None) -> str:
    message = "\n".join(("orbit-file-v1", str(organization_id), name, str(expires), download_name or ""))
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def expiry(expires_in: int, round_to: int = 0, now: float | None = None) -> int:
    """Unix time `expires_in` seconds from now, rounded up to a multiple of `round_to`."""
    if expires_in <= 0:
        raise ValueError("expires_in must be positive")
    moment = math.ceil((time.time() if now is None else now) + expires_in)
    return -(-moment // round_to) * round_to if round_to > 0 else moment


def sign_url(
    secret_key: str,
    organization_id: uuid.UUID,
    name: str,
    *,
    expires_in: int,
    download_name: str | None = None,
    round_to: int = 0,
    now: float | None = None,
) -> str:
    expires = expiry(expires_in, round_to, now)
    query: dict[str, str | int] = {"expires": expires}
    if download_name:
        query["download"] = download_name
    query["signature"] = signature(secret_key, organization_id, name, expires, download_name)
    return FILES_PATH + quote(name, safe="/") + "?" + urlencode(query)


def verify(
    secret_key: str,
    organization_id: uuid.UUID,
    name: str,
    expires: int,
    download_name: str | None,
    given: str,
    *,
    now: float | None = None,
) -> bool:
    """Whether `given` is this tenant's signature of the name, expiry and download name, and the
    expiry has not passed. Constant-time in the signature."""
    expected = signature(secret_key, organization_id, name, expires, download_name)
    fresh = expires > (time.time() if now is None else now)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")) and fresh
