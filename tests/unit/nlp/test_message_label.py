"""MessageLabelExtractor trained on a small data set, with Rasa's tokenizer and count vectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.message_label import MessageLabelExtractor

DATA = """
version: "3.1"
nlu:
- intent: exercise_feedback
  examples: |
    - [that helped]{"entity": "helped", "value": "true"}
    - [it helped a lot]{"entity": "helped", "value": "true"}
    - [yes that really helped me]{"entity": "helped", "value": "true"}
    - [I feel calmer now]{"entity": "helped", "value": "true"}
    - [much better thanks]{"entity": "helped", "value": "true"}
    - [it did not help]{"entity": "helped", "value": "false"}
    - [no it did not help at all]{"entity": "helped", "value": "false"}
    - [not really, still tense]{"entity": "helped", "value": "false"}
    - [that was useless]{"entity": "helped", "value": "false"}
    - [no change, still worried]{"entity": "helped", "value": "false"}
- intent: greet
  examples: |
    - hello
    - hi there
"""
CONFIG = {"entity": "helped", "intents": ["exercise_feedback"]}


class Pipeline:
    def __init__(self, tmp: Path) -> None:
        self.storage = LocalModelStorage(tmp)
        self.context = ExecutionContext(GraphSchema({}), "test")
        self.tokenizer = WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(), self.storage, Resource("t"), self.context
        )
        self.featurizer = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), self.storage, Resource("cv"), self.context
        )
        training = RasaYAMLReader().reads(DATA)
        self.tokenizer.process_training_data(training)
        self.featurizer.train(training)
        self.featurizer.process_training_data(training)
        self.config = {**MessageLabelExtractor.get_default_config(), **CONFIG}
        self.resource = Resource("label")
        self.label = MessageLabelExtractor.create(
            self.config, self.storage, self.resource, self.context
        )
        self.label.train(training)

    def reload(self) -> None:
        self.label = MessageLabelExtractor.load(
            self.config, self.storage, self.resource, self.context
        )

    def entities(self, text: str, intent: str) -> list[dict]:
        message = Message(data={"text": text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        message.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
        self.label.process([message])
        return [
            {k: e[k] for k in ("entity", "start", "end", "value")}
            for e in message.get("entities", [])
        ]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("label"))


@pytest.mark.parametrize(
    ("text", "value"),
    [("that really helped", "true"), ("it did not help, still tense", "false")],
)
def test_a_feedback_message_is_labelled_across_its_whole_text(
    pipeline: Pipeline, text: str, value: str
) -> None:
    assert pipeline.entities(text, "exercise_feedback") == [
        {"entity": "helped", "start": 0, "end": len(text), "value": value}
    ]


def test_messages_of_other_intents_get_no_label(pipeline: Pipeline) -> None:
    assert pipeline.entities("that really helped", "greet") == []


def test_the_classifier_survives_persisting_and_loading(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path)
    pipeline.reload()
    assert pipeline.entities("no it did not help", "exercise_feedback")[0]["value"] == "false"


def test_the_entity_and_intents_are_required(tmp_path: Path) -> None:
    context = ExecutionContext(GraphSchema({}), "test")
    with pytest.raises(ValueError, match="needs `entity` and `intents`"):
        MessageLabelExtractor.create(
            MessageLabelExtractor.get_default_config(),
            LocalModelStorage(tmp_path), Resource("label"), context,
        )  # fmt: skip
