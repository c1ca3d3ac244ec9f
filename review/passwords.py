"""Reviewer password hashes: salted scrypt from the standard library, constant-time checks.

A hash looks like ``scrypt$16384$8$1$<salt b64>$<key b64>``; it is what goes into the reviewers'
``password_hash`` in the configuration. Make one with ``python -m review.passwords`` (asks twice,
prints the hash; the password is never echoed or stored).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import sys

__all__ = ["hash_password", "verify_password", "DUMMY_HASH", "main"]

_N, _R, _P = 2**14, 8, 1
_KEY_LEN = 32
_MAX_MEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=length)


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password``."""
    if not isinstance(password, str) or not password:
        raise ValueError("a password must be a non-empty text")
    salt = os.urandom(16)
    key = _derive(password, salt, _N, _R, _P, _KEY_LEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored_hash: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a wrong password or a malformed hash."""
    if not isinstance(password, str) or not isinstance(stored_hash, str):
        return False
    parts = stored_hash.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
        if n < 2 or n & (n - 1) or n > 2**20 or not (1 <= r <= 32) or not (1 <= p <= 16) or not expected:
            return False
        key = _derive(password, salt, n, r, p, len(expected))
    except (ValueError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(key, expected)


# Checked against when a username is unknown, so a login takes as long whether or not the user exists.
DUMMY_HASH = hash_password(_b64(os.urandom(12)))


def main(argv: list[str] | None = None) -> int:
    """Ask for a password twice and print its hash for the configuration file."""
    first = getpass.getpass("Wachtwoord: ")
    second = getpass.getpass("Nogmaals: ")
    if not first or first != second:
        print("De wachtwoorden zijn leeg of verschillen; probeer het opnieuw.", file=sys.stderr)
        return 1
    print(hash_password(first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
