"""Button payloads the bot does not know are answered as not understood.

Rasa turns a text like `/choose_region{"region":"UK"}` into that intent, but a
payload naming no known intent ("an old button", a hand-made request) falls
through to the language model, which guesses some intent and may leave the
person without any reply. This component marks every payload-shaped text as
`nlu_fallback`; Rasa's RegexMessageHandler, which runs after the NLU pipeline,
then replaces that with the real intent for every known payload, so only
unknown ones stay as fallback. The crisis detector runs after this component,
so a crisis is still recognised whatever the text looks like.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME, INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UnknownPayloadClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownPayloadClassifier:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = (message.get(TEXT) or "").lstrip()
            if not text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: 1.0,
            }
            message.set(INTENT, fallback, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r != fallback]
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages
