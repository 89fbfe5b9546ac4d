"""Password policy, after NIST SP 800-63B: length and a deny-list rather than composition rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from server.core.errors import FieldError, ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_DISTINCT_CHARACTERS = 5

COMMON_PASSWORDS = frozenset(
    """
    password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
    1234567890 0123456789 12345678910 1234567890a qwertyuiop qwertyuiop1 asdfghjkl1 1q2w3e4r5t
    1qaz2wsx3edc zaq12wsxcde iloveyou12 iloveyou123 letmein123 welcome123 welcome1234 admin12345
    administrator changeme123 trustno1234 football123 baseball123 superman123 sunshine123 princess123
    abcdefghij abc1234567 qwerty12345 qwerty123456 contraseña contrasena contrasena1 contrasena123
    orbitengine orbitengine1 orbitengine123
    """.split()
)


def _fold(value: str) -> str:
    """Case- and accent-insensitive form, without spaces."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char) and not char.isspace())


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(loc=["body", "password"], msg=message)], code="weak_password")


def check_password_strength(password: str, *, email: str = "", names: Iterable[str] = ()) -> None:
    """Raise 422 `weak_password` unless the password is long, varied, not common and not
    built from the account's own email or names."""
    if len(password) < MIN_LENGTH:
        raise _refuse(f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise _refuse(f"use at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        raise _refuse("use a less repetitive password")
    if folded in COMMON_PASSWORDS:
        raise _refuse("this password is too common")
    candidate = _fold(password)
    for word in (email.split("@")[0], *names):
        personal = _fold(word)
        if len(personal) >= 4 and personal in candidate and len(candidate) - len(personal) < 6:
            raise _refuse("do not build the password from your email or name")
