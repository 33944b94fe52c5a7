"""Asking directly when a crisis is possible but not confirmed.

Counsellors are trained to ask plainly ("Are you thinking about suicide?")
when they are unsure; asking does not put the idea in anyone's head, and it
turns a guess into an answer. The NLU component marks such a message with
`risk_check`; the CrisisPolicy then runs `action_ask_about_risk` (a question
with Yes / No / Not sure buttons, no crisis payload), and reads the answer:
"yes" and "not sure" get the crisis reply, "no" gets support for what the
person said. Anything else is an ordinary message again, judged on its own
(a crisis in it still wins).
"""

from __future__ import annotations

import re
from typing import Literal

ASK_ACTION = "action_ask_about_risk"
DECLINED_ACTION = "action_risk_check_declined"
CATEGORY_SLOT = "risk_check_category"
NOT_SURE_INTENT = "not_sure"

Answer = Literal["yes", "no", "unsure"]

_INTENT_ANSWERS: dict[str, Answer] = {
    "affirm": "yes",
    "deny": "no",
    NOT_SURE_INTENT: "unsure",
}
# Typed answers the classifier may file elsewhere ("idk" reads as a request for
# help). Unsure is tried first: "not sure" must not read as "no".
_UNSURE = re.compile(
    r"^\W*(not sure|unsure|idk|i dunno|dunno|maybe|perhaps|possibly|kind of|kinda|sort of|"
    r"sorta|a (little|bit)|sometimes|i (do not|don't|dont) know|i'm not sure|im not sure|"
    r"i am not sure|not really sure|i think so|i guess|probably)\b",
    re.IGNORECASE,
)
_YES = re.compile(r"^\W*(yes|yeah|yea|yep|yup|ya|yh|ye|i am|i do|i have|i was)\b", re.IGNORECASE)
# Only plain refusals: "I'm not okay" or "I don't want to talk about it" are
# not a "no" to the question.
_NO = re.compile(r"^\W*(no|nope|nah|not really|never)\b", re.IGNORECASE)


def answer_of(intent: str | None, text: str | None) -> Answer | None:
    """The answer to the direct question, or None when the message is something else."""
    words = (text or "").strip()
    if _UNSURE.match(words):
        return "unsure"
    if intent in _INTENT_ANSWERS:
        return _INTENT_ANSWERS[intent]
    if _YES.match(words):
        return "yes"
    if _NO.match(words):
        return "no"
    return None
