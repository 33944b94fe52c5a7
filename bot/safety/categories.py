"""The shared crisis vocabulary (docs/DEVELOPMENT.md): categories, severities, intents.

Kept in a module of its own, free of Rasa and spaCy imports, so that contacts,
the detector, the NLU component, the policy and the actions all agree on the
same names without importing each other.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("suicide", "self_harm", "abuse", "violence", "medical")
SEVERITIES: tuple[str, ...] = ("high", "medium")
CRISIS_INTENT_PREFIX = "crisis_"

# When the intent classifier alone recognises a crisis (no rule fired) we cannot tell intent or plan
# from passive ideation, so severity is `medium` unless the category itself means
# danger to life now or to another person.
MODEL_SEVERITY: dict[str, str] = {
    "suicide": "medium",
    "self_harm": "medium",
    "abuse": "high",
    "violence": "high",
    "medical": "high",
}


def intent_for(category: str) -> str:
    """The NLU intent name for a category, e.g. `crisis_self_harm`."""
    return f"{CRISIS_INTENT_PREFIX}{category}"


def category_of_intent(intent: str | None) -> str | None:
    """The category named by a `crisis_<category>` intent, or None for any other intent."""
    if not intent or not intent.startswith(CRISIS_INTENT_PREFIX):
        return None
    category = intent[len(CRISIS_INTENT_PREFIX) :]
    return category if category in CATEGORIES else None
