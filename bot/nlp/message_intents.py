"""What the intent classifier said about a Rasa NLU message, for the components after it.

A message carries its intent as a name while training (the annotated intent)
and as a {"name", "confidence"} dict once classified; the components that read
it (the phrase extractor, the feedback label) take both through here.
"""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def intent_name(message: Message) -> str | None:
    """The message's intent: the annotated one in training, the classified one after."""
    intent = message.get(INTENT)
    return intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else intent


def best_intents(message: Message, depth: int) -> list[str]:
    """The classifier's `depth` best intents, most likely first (the intent alone if unranked)."""
    ranking = message.get(INTENT_RANKING_KEY) or []
    names = [r[INTENT_NAME_KEY] for r in ranking[:depth] if r.get(INTENT_NAME_KEY)]
    top = intent_name(message)
    return names or ([top] if top else [])
