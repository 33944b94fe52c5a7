"""Encryption of stored text and pseudonyms for user ids.

What people write to the bot is the most sensitive thing the service holds, so
every free-text column is encrypted before it reaches the database: a copied
database file or a leaked backup shows ciphertext only. The key is handed in by
whoever builds the `Store` (from `load_settings()`), never read at import time,
so tests and tools can use their own keys.

User ids are pseudonyms: a keyed hash of channel and sender id. The same person
on the same channel always maps to the same id (so their mood history joins up),
but the id cannot be reversed or recomputed without the pseudonym key.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class DecryptionError(RuntimeError):
    """Stored ciphertext could not be decrypted: wrong key or damaged data."""


class TextCipher:
    """Symmetric, authenticated encryption of short texts (Fernet: AES-128-CBC + HMAC).

    Fernet tokens are randomised, so equal texts give different ciphertexts and
    an attacker with the database cannot tell which messages repeat.
    """

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise DecryptionError(
                "stored text could not be decrypted; is COPING_ENCRYPTION_KEY the key "
                "this database was written with?"
            ) from exc

    def encrypt_optional(self, text: str | None) -> str | None:
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: str | None) -> str | None:
        return None if token is None else self.decrypt(token)


def pseudonymize(key: bytes, channel: str, sender_id: str) -> str:
    """HMAC-SHA256(key, "channel:sender_id") as hex: stable, not reversible without the key."""
    message = f"{channel}:{sender_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
