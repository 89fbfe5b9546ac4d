"""Passwords, access tokens and opaque secrets.

- Passwords: argon2id (argon2-cffi defaults, RFC 9106 low-memory profile).
- Access tokens: JWT signed with HS256 only (the algorithm is pinned on decode, so `alg=none`
  or an RS/HS confusion can't be smuggled in); `iss`, `aud`, `exp`, `iat`, `sub`, `org`, `role`
  and `typ="access"` are required.
- Refresh tokens and device credentials: 256 random bits, handed out once, stored as SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.core.config import Settings
from server.core.errors import Unauthorized

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "sub", "org", "role", "typ")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("an unguessable placeholder password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check: an unknown account costs as much as a wrong password."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    organization_id: uuid.UUID
    role: str
    expires_at: int


def issue_access_token(
    settings: Settings, *, user_id: uuid.UUID, organization_id: uuid.UUID, role: str, now: float | None = None
) -> tuple[str, int]:
    """Return the token and its lifetime in seconds."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "exp": issued + settings.access_token_seconds,
        "sub": str(user_id),
        "org": str(organization_id),
        "role": role,
        "typ": ACCESS_TOKEN_TYPE,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM), settings.access_token_seconds


_VERIFIED: dict[tuple[str, str, str, str], AccessClaims] = {}
_VERIFIED_MAX = 4096


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify signature, algorithm, issuer, audience, expiry and type; raise Unauthorized otherwise.

    A till sends the same token with every request until it expires, so a token that verified
    is remembered (the last `_VERIFIED_MAX`, per signing key, issuer and audience) and only its
    expiry is checked again: what verification proved about the token's bytes cannot change."""
    remembered = (token, settings.secret_key, settings.jwt_issuer, settings.jwt_audience)
    claims = _VERIFIED.get(remembered)
    if claims is not None:
        if claims.expires_at > time.time():
            return claims
        del _VERIFIED[remembered]
        raise Unauthorized("the access token has expired", code="token_expired")
    claims = _verify_access_token(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        del _VERIFIED[next(iter(_VERIFIED))]
    _VERIFIED[remembered] = claims
    return claims


def _verify_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the access token has expired", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("the access token is not valid", code="token_invalid") from exc
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise Unauthorized("the access token is not valid", code="token_invalid")
    try:
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            organization_id=uuid.UUID(claims["org"]),
            role=str(claims["role"]),
            expires_at=int(claims["exp"]),
        )
    except (TypeError, ValueError) as exc:
        raise Unauthorized("the access token is not valid", code="token_invalid") from exc
