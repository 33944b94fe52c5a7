"""Checks every channel applies before a message reaches the model.

A message that cannot be processed gets a clear explanation instead of a crash
or silence; text that can be processed is cleaned (control characters that
databases reject) but never shortened, so nothing the person wrote is lost.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128
_SENDER_RE = re.compile(r"^[A-Za-z0-9_.:@+\-]{1,128}$")
# C0 controls except tab, newline, carriage return; DEL; lone surrogates
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Rejection:
    status: int
    code: str
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"error": self.code, "detail": self.detail}


def clean_text(text: str) -> str:
    return _CONTROL_RE.sub("", text)


def check_sender(sender: object) -> Rejection | None:
    if not isinstance(sender, str) or not sender.strip():
        return Rejection(400, "missing_sender", 'Include a "sender" id (a non-empty string).')
    if not _SENDER_RE.match(sender):
        return Rejection(
            400,
            "invalid_sender",
            "The sender id may use letters, digits and _.:@+- "
            f"and at most {MAX_SENDER_CHARS} characters.",
        )
    return None


def check_text(text: object) -> Rejection | None:
    if not isinstance(text, str):
        return Rejection(400, "missing_message", 'Include a "message" (a string).')
    if not clean_text(text).strip():
        return Rejection(400, "empty_message", "The message is empty. Please type something.")
    return None


def too_long(text: str) -> Rejection | None:
    if len(text) <= MAX_MESSAGE_CHARS:
        return None
    return Rejection(
        413,
        "message_too_long",
        f"Messages can be up to {MAX_MESSAGE_CHARS} characters; this one has {len(text)}. "
        "Please send it in shorter parts.",
    )


class RateLimiter:
    """A sliding window per sender, so one client cannot flood a conversation."""

    def __init__(self, max_messages: int = 20, window_seconds: float = 10.0) -> None:
        self.max_messages = max_messages
        self.window_seconds = window_seconds
        self._seen: dict[str, deque[float]] = {}

    def allow(self, sender: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        window = self._seen.setdefault(sender, deque())
        while window and now - window[0] > self.window_seconds:
            window.popleft()
        if len(window) >= self.max_messages:
            return False
        window.append(now)
        if len(self._seen) > 10_000:  # forget idle senders
            for key in [k for k, v in self._seen.items() if not v]:
                del self._seen[key]
        return True


RATE_LIMITED = Rejection(
    429,
    "rate_limited",
    "You're sending messages very fast. Please wait a few seconds and try again.",
)
