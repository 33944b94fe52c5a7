"""An entity that labels the whole message, classified rather than tagged.

Every `helped` annotation in data/nlu spans its whole message ("[that did the
trick]{"entity": "helped", "value": "true"}"): it is the answer to "did that
help?", a yes or no about the message, and every `exercise_feedback` example
carries one. Tagging it token by token (as DIET did) learns a sentence label the
slow way; a logistic regression over the message features the intent
classifier already reads learns it in a second. The label is given only to
messages of the configured intents, as the annotations are, and it spans the
message as they do, so the actions read it exactly as before.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, vstack
from sklearn.linear_model import LogisticRegression

from bot.nlp.message_intents import intent_name

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class MessageLabelExtractor(GraphComponent, EntityExtractorMixin):
    """Labels messages of some intents with one entity spanning the whole text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "entity": None,  # required: the entity that labels a message
            "intents": [],  # required: the intents whose messages carry it
            "max_iter": 1000,
            "C": 1.0,
            "random_state": 1,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: LogisticRegression | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        if not self._config["entity"] or not self._config["intents"]:
            raise ValueError(f"{self.__class__.__name__} needs `entity` and `intents`")
        self._entity: str = self._config["entity"]
        self._intents = set(self._config["intents"])
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageLabelExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples, labels = [], []
        for message in training_data.intent_examples:
            if intent_name(message) not in self._intents or not message.get(TEXT):
                continue
            values = [
                str(e[ENTITY_ATTRIBUTE_VALUE])
                for e in message.get(ENTITIES) or []
                if e[ENTITY_ATTRIBUTE_TYPE] == self._entity
            ]
            if values:
                examples.append(message)
                labels.append(values[0])
        if len(set(labels)) < 2:
            logger.warning(
                "%s: fewer than two values of %r in the training data; it labels nothing.",
                self.__class__.__name__, self._entity,
            )  # fmt: skip
            return self._resource
        self.classifier = LogisticRegression(
            C=self._config["C"],
            max_iter=self._config["max_iter"],
            class_weight="balanced",
            random_state=self._config["random_state"],
        )
        self.classifier.fit(_features(examples), labels)
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.classifier is None:
            return messages
        chosen = [m for m in messages if m.get(TEXT) and intent_name(m) in self._intents]
        if not chosen:
            return messages
        probabilities = self.classifier.predict_proba(_features(chosen))
        for message, row in zip(chosen, probabilities, strict=True):
            best = int(np.argmax(row))
            entity = {
                ENTITY_ATTRIBUTE_TYPE: self._entity,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(message.get(TEXT)),
                ENTITY_ATTRIBUTE_VALUE: str(self.classifier.classes_[best]),
                ENTITY_ATTRIBUTE_CONFIDENCE: round(float(row[best]), 3),
            }
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name([entity]),
                add_to_output=True,
            )
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.classifier, directory / "classifier.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageLabelExtractor:
        import skops.io as sio

        classifier = None
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "classifier.skops"
                # as Rasa's own LogisticRegressionClassifier: a model file that holds
                # anything but scikit-learn's and numpy's own types is not loaded
                untrusted = sio.get_untrusted_types(file=path)
                if untrusted:
                    logger.warning("%s: untrusted types %s; not loaded", path, untrusted)
                else:
                    classifier = sio.load(path, trusted=[])
        except ValueError:
            logger.warning("%s has no trained classifier; it labels nothing.", cls.__name__)
        return cls(config, model_storage, resource, classifier)


def _features(messages: list[Message]) -> csr_matrix:
    """The whole-message sparse features (what the intent classifier reads)."""
    rows = []
    for message in messages:
        _, sentence = message.get_sparse_features(TEXT)
        if sentence is None:
            raise ValueError("MessageLabelExtractor needs a sparse featurizer before it")
        rows.append(csr_matrix(sentence.features))
    return vstack(rows).tocsr()
