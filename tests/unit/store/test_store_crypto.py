"""Encryption and pseudonyms: the two promises the store makes about what it keeps."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet

from bot.store.crypto import DecryptionError, TextCipher, pseudonymize


def test_round_trip_keeps_unicode_text() -> None:
    cipher = TextCipher(Fernet.generate_key())
    text = "I feel so alone 😔 — can't sleep"
    token = cipher.encrypt(text)
    assert token != text
    assert text not in token
    assert cipher.decrypt(token) == text


def test_equal_texts_encrypt_differently() -> None:
    cipher = TextCipher(Fernet.generate_key())
    assert cipher.encrypt("same words") != cipher.encrypt("same words")


def test_wrong_key_is_a_clear_error_not_garbage() -> None:
    token = TextCipher(Fernet.generate_key()).encrypt("secret")
    with pytest.raises(DecryptionError, match="COPING_ENCRYPTION_KEY"):
        TextCipher(Fernet.generate_key()).decrypt(token)


def test_optional_helpers_pass_none_through() -> None:
    cipher = TextCipher(Fernet.generate_key())
    assert cipher.encrypt_optional(None) is None
    assert cipher.decrypt_optional(None) is None
    assert cipher.decrypt_optional(cipher.encrypt_optional("note")) == "note"


def test_pseudonym_is_hmac_sha256_of_channel_and_sender() -> None:
    expected = hmac.new(b"key", b"telegram:12345", hashlib.sha256).hexdigest()
    assert pseudonymize(b"key", "telegram", "12345") == expected
    assert len(expected) == 64


def test_pseudonym_depends_on_key_channel_and_sender() -> None:
    base = pseudonymize(b"key", "telegram", "12345")
    assert pseudonymize(b"key", "telegram", "12345") == base
    assert pseudonymize(b"other", "telegram", "12345") != base
    assert pseudonymize(b"key", "webchat", "12345") != base
    assert pseudonymize(b"key", "telegram", "12346") != base
    assert "12345" not in base
