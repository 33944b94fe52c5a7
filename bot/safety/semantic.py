"""The crisis classifier that reads meaning, not words.

Placed before the CrisisDetectorComponent in config.yml:

    - name: bot.safety.semantic.SemanticCrisisClassifier

Why a second classifier: the count-vector intent classifier and the rules both
recognise the words they were given, and a crisis told in new words slips
past both ("left the engine running in the garage with the door down"). This
one classifies the sentence embedding of all-MiniLM-L6-v2
(bot/nlp/sentence_encoder.py), where paraphrases lie close together, with a
support-vector machine trained on the same data/nlu examples: the five crisis
intents against everything else. It decides nothing itself: it puts
`semantic_crisis: {"category", "confidence"}` on the message (confidence = the
probability of any crisis), and the CrisisDetectorComponent weighs it with the
rules' guards and risk factors.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.sentence_encoder import SentenceEncoder, shared, training_cache
from bot.safety.categories import category_of_intent

logger = logging.getLogger(__name__)

SEMANTIC_KEY = "semantic_crisis"
NOT_CRISIS = "none"
_FILE = "semantic_crisis.skops"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SemanticCrisisClassifier(GraphComponent):
    """Probability of a crisis from the message's sentence embedding."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # The SVM's regularisation: chosen on fresh rounds 5 to 10 (README).
            "C": 4.0,
            "random_seed": 1,
            # Examples kept of each intent far from crisis talk (greetings, menu
            # choices, numbers): a sample is enough to place them, and it halves the
            # training time. Every example of the crisis intents and of these is kept.
            "examples_per_other_intent": 40,
            "keep_all_of": ["share_feelings", "share_problem", "out_of_scope"],
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Any = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._encoder: SentenceEncoder = shared()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SemanticCrisisClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SemanticCrisisClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / _FILE
                classifier = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:
            logger.warning("no trained semantic crisis classifier in the model; it stays silent")
            classifier = None
        return cls(config, model_storage, resource, classifier)

    # -- training ------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.svm import SVC

        examples = self._sample(
            [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        )
        labels = [category_of_intent(m.get(INTENT)) or NOT_CRISIS for m in examples]
        if len(set(labels)) < 2:
            logger.warning("no crisis and non-crisis examples to train on; staying silent")
            return self._resource
        texts = [m.get(TEXT) for m in examples]
        cache = training_cache()
        if cache is None:
            vectors = self._encoder.encode(texts)
        else:
            try:
                vectors = cache.encode(self._encoder, texts)
            finally:
                cache.close()
        classifier = SVC(
            C=float(self.component_config["C"]),
            probability=True,
            random_state=int(self.component_config["random_seed"]),
        )
        classifier.fit(vectors, labels)
        self._classifier = classifier
        self._persist()
        return self._resource

    def _sample(self, examples: list[Message]) -> list[Message]:
        """All crisis examples and those of `keep_all_of`; a fixed sample of the others."""
        import random

        limit = int(self.component_config["examples_per_other_intent"])
        keep = set(self.component_config["keep_all_of"])
        by_intent: dict[str, list[Message]] = {}
        for message in examples:
            by_intent.setdefault(message.get(INTENT), []).append(message)
        chosen: list[Message] = []
        rng = random.Random(int(self.component_config["random_seed"]))
        for intent in sorted(by_intent):
            group = by_intent[intent]
            if category_of_intent(intent) or intent in keep or len(group) <= limit:
                chosen += group
            else:
                chosen += rng.sample(group, limit)
        return chosen

    def _persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self._classifier, directory / _FILE)

    # -- inference -----------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        texts = [m.get(TEXT) or "" for m in messages]
        scored = [i for i, text in enumerate(texts) if text.strip()]
        if self._classifier is None or not scored:
            return messages
        vectors = self._encoder.encode([texts[i] for i in scored])
        probabilities = self._classifier.predict_proba(vectors)
        classes = list(self._classifier.classes_)
        calm = classes.index(NOT_CRISIS)
        for row, index in zip(probabilities, scored, strict=True):
            crisis = [(p, c) for p, c in zip(row, classes, strict=True) if c != NOT_CRISIS]
            best = max(crisis)[1]
            messages[index].set(
                SEMANTIC_KEY,
                {"category": best, "confidence": round(float(1.0 - row[calm]), 4)},
                add_to_output=True,
            )
        return messages


def crisis_probability(message: Message) -> tuple[str | None, float]:
    """The classifier's reading of a processed message: (category, confidence)."""
    reading = message.get(SEMANTIC_KEY) or {}
    return reading.get("category"), float(reading.get("confidence") or 0.0)
