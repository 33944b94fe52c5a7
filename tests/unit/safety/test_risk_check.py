"""Reading the answer to the direct question, typed or tapped."""

from __future__ import annotations

import pytest

from bot.safety.risk_check import answer_of


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("affirm", "/affirm", "yes"),
        ("deny", "/deny", "no"),
        ("not_sure", "/not_sure", "unsure"),
        ("affirm", "yeah", "yes"),
        ("greet", "yes i am", "yes"),  # the classifier read it otherwise
        ("help", "idk", "unsure"),
        ("deny", "not sure", "unsure"),  # "not sure" is never a "no"
        ("share_feelings", "kinda", "unsure"),
        ("out_of_scope", "I don't know", "unsure"),
        ("share_problem", "nah", "no"),
        ("share_problem", "No, not at all", "no"),
    ],
)  # fmt: skip
def test_answers(intent: str, text: str, expected: str) -> None:
    assert answer_of(intent, text) == expected


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("share_feelings", "I'm not okay"),
        ("share_problem", "I don't want to talk about it"),
        ("greet", "hello?"),
        ("request_exercise", "can we do breathing"),
        (None, None),
    ],
)
def test_other_messages_are_not_answers(intent: str | None, text: str | None) -> None:
    assert answer_of(intent, text) is None
