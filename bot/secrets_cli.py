"""Secret helpers for operators setting up a deployment outside the embedded default."""

from __future__ import annotations

from cryptography.fernet import Fernet


def gen_key(argv: list[str]) -> int:
    print(Fernet.generate_key().decode())
    return 0
