"""PhraseEntityExtractor trained on a small data set, with Rasa's SpacyNLP and tokenizer in front.

The intent is given on each message, as the intent classifier before the
extractor would set it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.phrase_entities import PhraseEntityExtractor
from bot.nlp.spacy_pipeline import PIPELINE_DIR

DATA = """
version: "3.1"
nlu:
- intent: request_exercise
  examples: |
    - something for [exams]{"entity": "problem", "value": "exams"}
    - help with my [exam stress]{"entity": "problem", "value": "exams"}
    - anything for when I feel [lonely]{"entity": "problem", "value": "lonely"}
    - an exercise for [school]{"entity": "problem", "value": "school"} please
    - a [breathing]{"entity": "exercise_name", "value": "breathing"} one
- intent: share_problem
  examples: |
    - [school]{"entity": "problem", "value": "school"} is awful
    - my [mood]{"entity": "problem", "value": "low_mood"} is rubbish
    - my mood is fine but work is not
    - my mood changes a lot
    - is mood a thing you track
- intent: ask_privacy
  examples: |
    - can my school see this
    - does my school know I am here
- intent: choose_region
  examples: |
    - I live in [Dublin]{"entity": "region", "value": "IE"}
    - [Leeds]{"entity": "region", "value": "UK"}
- intent: choose_exercise
  examples: |
    - the [worry tree]{"entity": "exercise_name", "value": "worry_tree"} please
    - let's do [square breathing]{"entity": "exercise_name", "value": "box_breathing"}
- synonym: IE
  examples: |
    - cork
- lookup: region
  examples: |
    - cork
    - galway
"""


class Pipeline:
    """SpacyNLP -> SpacyTokenizer -> (intent, given) -> PhraseEntityExtractor."""

    def __init__(self, tmp: Path, training: TrainingData, **config: object) -> None:
        self.storage = LocalModelStorage(tmp)
        self.context = ExecutionContext(GraphSchema({}), "test")
        self.spacy = SpacyNLP.create(
            {**SpacyNLP.get_default_config(), "model": str(PIPELINE_DIR)},
            self.storage, Resource("spacy"), self.context,
        )  # fmt: skip
        self.model: SpacyModel = self.spacy.provide()
        self.tokenizer = SpacyTokenizer.create(
            SpacyTokenizer.get_default_config(), self.storage, Resource("tokens"), self.context
        )
        self.spacy.process_training_data(training, self.model)
        self.tokenizer.process_training_data(training)
        self.config = {**PhraseEntityExtractor.get_default_config(), **config}
        self.resource = Resource("phrases")
        self.extractor = PhraseEntityExtractor.create(
            self.config, self.storage, self.resource, self.context
        )
        self.extractor.train(training, self.model)

    def reload(self) -> None:
        self.extractor = PhraseEntityExtractor.load(
            self.config, self.storage, self.resource, self.context
        )

    def entities(self, text: str, *intents: str) -> list[tuple[str, str, str]]:
        message = Message(data={"text": text})
        self.spacy.process([message], self.model)
        self.tokenizer.process([message])
        if intents:
            ranking = [
                {"name": name, "confidence": 0.9 - 0.1 * i} for i, name in enumerate(intents)
            ]
            message.set("intent", dict(ranking[0]), add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        self.extractor.process([message], self.model)
        return [
            (text[e["start"] : e["end"]], e["entity"], e["value"])
            for e in message.get("entities", [])
        ]


def training_data() -> TrainingData:
    return RasaYAMLReader().reads(DATA)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("phrases"), training_data(), content=False)


def test_an_annotated_phrase_is_extracted_with_its_value(pipeline: Pipeline) -> None:
    assert pipeline.entities("I need something for exams", "request_exercise") == [
        ("exams", "problem", "exams")
    ]


def test_the_longest_phrase_wins(pipeline: Pipeline) -> None:
    assert pipeline.entities("any help with exam stress", "request_exercise") == [
        ("exam stress", "problem", "exams")
    ]


def test_lemmas_match_other_forms_of_a_word(pipeline: Pipeline) -> None:
    # "exams" is annotated; "exam" is its lemma form in the message
    assert pipeline.entities("my exam is tomorrow, something for that", "request_exercise") == [
        ("exam", "problem", "exams")
    ]


def test_an_entity_is_not_extracted_in_an_intent_that_never_annotates_it(
    pipeline: Pipeline,
) -> None:
    assert pipeline.entities("can the school read this", "ask_privacy") == []
    assert pipeline.entities("school is awful today", "share_problem") == [
        ("school", "problem", "school")
    ]


def test_the_second_best_intent_also_allows_an_entity(pipeline: Pipeline) -> None:
    assert pipeline.entities("the worry tree", "share_problem", "choose_exercise") == [
        ("worry tree", "exercise_name", "worry_tree")
    ]
    assert pipeline.entities("the worry tree", "share_problem", "ask_privacy") == []


def test_a_message_nobody_classified_gets_every_entity(pipeline: Pipeline) -> None:
    assert pipeline.entities("I live in Dublin") == [("Dublin", "region", "IE")]


def test_a_phrase_mostly_left_unannotated_is_dropped(pipeline: Pipeline) -> None:
    # "mood" is annotated once in share_problem and said plainly three times there
    assert pipeline.entities("my mood is low", "share_problem") == []


def test_lookup_tables_and_synonyms_give_phrases_and_values(pipeline: Pipeline) -> None:
    assert pipeline.entities("we are near cork", "choose_region") == [("cork", "region", "IE")]
    assert pipeline.entities("galway", "choose_region") == [("galway", "region", "galway")]


def test_the_trained_table_survives_persisting_and_loading(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, training_data(), content=False)
    before = pipeline.entities("the worry tree please and exam stress", "choose_exercise")
    pipeline.reload()
    after = pipeline.entities("the worry tree please and exam stress", "choose_exercise")
    assert before == after == [("worry tree", "exercise_name", "worry_tree")]


def test_content_names_and_keywords_add_phrases(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, training_data(), content=True)
    # exercise names from bot/content/exercises, not in the training data above
    assert ("box breathing", "exercise_name", "box_breathing") in pipeline.entities(
        "let's do box breathing", "choose_exercise"
    )
    # a keyword ending in * matches the start of a word ("panic*")
    assert pipeline.entities("I keep panicking", "share_problem") == [
        ("panicking", "problem", "panic")
    ]


def test_excluded_entities_are_left_to_other_components(tmp_path: Path) -> None:
    pipeline = Pipeline(tmp_path, training_data(), content=False, exclude=["region"])
    assert pipeline.entities("I live in Dublin", "choose_region") == []
