"""Person keys that hold: HMAC-SHA256 with a random key generated once per ``data_dir``.

A plain hash of a name or e-mail address with a public salt is re-identified by hashing a staff list;
a keyed hash is not, as long as the key stays on the machine. The key lives in
``<data_dir>/pseudonym.key`` (32 random bytes, hex, file mode 0600), is created on first use and
never has a default. Every person key in aigrip (survey respondents, the training register,
tenants) is made with :func:`person_key`, so one person gets one key within a ``data_dir``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from transforms.errors import ConfigError

__all__ = ["KEY_FILE", "load_or_create_key", "person_key", "normalise_identity"]

KEY_FILE = "pseudonym.key"
_KEY_BYTES = 32


def load_or_create_key(data_dir: str | os.PathLike) -> bytes:
    """The pseudonym key of ``data_dir``; created (mode 0600) when it does not exist yet."""
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(_KEY_BYTES) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: the pseudonym key cannot be read ({exc}); restore it from the backup") from None
    if len(key) < 16:
        raise ConfigError(f"{path}: the pseudonym key is too short; restore it from the backup")
    return key


def normalise_identity(value: object) -> str | None:
    """The form of a name or e-mail address that is keyed: trimmed, lower case, inner spaces folded."""
    if value is None:
        return None
    text = " ".join(str(value).split()).lower()
    return text or None


def person_key(value: object, key: bytes) -> str | None:
    """16 hex characters of HMAC-SHA256(key, normalised identity); None for an empty identity."""
    ident = normalise_identity(value)
    if ident is None:
        return None
    return hmac.new(key, ident.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
