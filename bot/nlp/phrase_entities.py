"""Entities recognised by their phrases, learnt from data/nlu and the content files.

The entities this bot extracts are closed vocabularies: exercise and category
names, problem words, questionnaire names, age words and places. The content
files (bot/content) already list most of them, and the annotated examples,
lookup tables and synonyms of data/nlu list the rest with their values. A
phrase table built from those trains in seconds, where DIET spent most of a
training run (about 20 minutes on two cores) learning the same lists from
token context, and on a fixed held-out split it scores at least as well (see
README, measurements).

Entities are annotated in some intents only: "school" is a `problem` in "exams
at school are getting to me" (share_problem) and an ordinary word in "does my
school know I'm on here" (ask_privacy). So the extractor learns which intents
annotate each entity and extracts it only in messages the intent classifier
(before it in the pipeline) files under one of them. A phrase is kept only
when the training texts of those intents that contain it mostly annotate it
(`min_precision`): "mood" names the questionnaire in a few examples but is an
ordinary word in more, so it is left to the actions' own reading of the text.

Phrases match on lower-case tokens and on lemmas ("slow belly breaths"),
longest first, without overlaps; a content keyword ending in `*` matches the
start of its last word ("panic*" finds "panicking").
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel
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
from spacy.language import Language
from spacy.tokens import Doc

from bot.nlp.message_intents import best_intents, intent_name

logger = logging.getLogger(__name__)

PHRASES_FILE = "phrases.json"
MAX_PHRASE_TOKENS = 8

Key = tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """One phrase as tokens, what it means, and how often the training texts agree."""

    tokens: Key  # lower-case words
    lemmas: Key
    prefix: bool  # the last word matches the start of a word
    entity: str
    value: str
    precision: float

    def to_json(self) -> dict[str, Any]:
        return {
            "tokens": list(self.tokens),
            "lemmas": list(self.lemmas),
            "prefix": self.prefix,
            "entity": self.entity,
            "value": self.value,
            "precision": self.precision,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Phrase:
        return cls(
            tuple(raw["tokens"]), tuple(raw["lemmas"]), bool(raw["prefix"]), raw["entity"],
            raw["value"], float(raw["precision"]),
        )  # fmt: skip


@dataclass(frozen=True)
class Match:
    start: int  # token index
    end: int
    phrase: Phrase


class PhraseTable:
    """Phrases by their words and by their lemmas, matched against a message's of each."""

    def __init__(
        self, phrases: Iterable[Phrase], intents: dict[str, list[str]] | None = None
    ) -> None:
        self.phrases = list(phrases)
        # entity -> the intents whose examples annotate it (empty: any intent)
        self.intents = {entity: set(names) for entity, names in (intents or {}).items()}
        # (words or lemmas) -> phrase; a prefix phrase by all its words but the last
        self._exact: tuple[dict[Key, Phrase], dict[Key, Phrase]] = ({}, {})
        self._prefix: dict[Key, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            if phrase.prefix:
                self._prefix[phrase.tokens[:-1]].append(phrase)
            else:
                self._exact[0].setdefault(phrase.tokens, phrase)
                self._exact[1].setdefault(phrase.lemmas, phrase)

    def allows(self, entity: str, intents: Iterable[str] | None) -> bool:
        """Whether a message read as one of these intents may carry the entity.

        No intents (a message nobody classified) allow every entity.
        """
        names = set(intents or ())
        return not names or not self.intents.get(entity) or bool(names & self.intents[entity])

    def matches(
        self, words: list[str], lemmas: list[str], intents: Iterable[str] | None = None
    ) -> list[Match]:
        """Non-overlapping matches allowed in the intents, longest first, then leftmost."""
        intents = list(intents or ())
        found = [
            m for m in self._all_matches(words, lemmas) if self.allows(m.phrase.entity, intents)
        ]
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken: set[int] = set()
        chosen = []
        for match in found:
            span = set(range(match.start, match.end))
            if not span & taken:
                taken |= span
                chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def _all_matches(self, words: list[str], lemmas: list[str]) -> Iterator[Match]:
        n = len(words)
        for start in range(n):
            for end in range(start + 1, min(n, start + MAX_PHRASE_TOKENS) + 1):
                phrase = self._exact[0].get(tuple(words[start:end])) or self._exact[1].get(
                    tuple(lemmas[start:end])
                )
                if phrase is not None:
                    yield Match(start, end, phrase)
                for phrase in self._prefix.get(tuple(words[start : end - 1]), ()):
                    if words[end - 1].startswith(phrase.tokens[-1]):
                        yield Match(start, end, phrase)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True, model_from="SpacyNLP"
)
class PhraseEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts entities by phrase, with values from the annotations, synonyms and content."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # entities to extract; empty: every annotated entity except `exclude`
            "entities": [],
            # entities another component extracts (a message label, for example)
            "exclude": [],
            # add the names and keywords of bot/content (exercises, categories,
            # problems, questionnaires) to what the training data annotates
            "content": True,
            # share of the training texts containing a phrase that annotate it
            "min_precision": 0.5,
            # how many of the classifier's best intents may allow an entity: a
            # name said in a message the classifier was unsure of still counts
            "intent_ranking_depth": 2,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        table: PhraseTable | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.table = table or PhraseTable(())

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PhraseEntityExtractor:
        return cls(config, model_storage, resource)

    # -- training -----------------------------------------------------------------------

    def train(self, training_data: TrainingData, model: SpacyModel | None = None) -> Resource:
        nlp = _nlp(model)
        wanted = self._wanted(training_data)
        candidates: dict[tuple[Key, Key, bool], Counter[tuple[str, str]]] = defaultdict(Counter)
        for text, entity, value in self._sources(training_data, wanted):
            words, lemmas, prefix = _phrase_tokens(nlp, text)
            if words:
                candidates[(words, lemmas, prefix)][(entity, value)] += 1
        intents: dict[str, set[str]] = defaultdict(set)
        for message in training_data.entity_examples:
            for entity in message.get(ENTITIES) or []:
                intent = intent_name(message)
                if entity[ENTITY_ATTRIBUTE_TYPE] in wanted and intent:
                    intents[entity[ENTITY_ATTRIBUTE_TYPE]].add(intent)
        by_intent = {e: sorted(names) for e, names in intents.items()}
        table = PhraseTable(
            (
                Phrase(words, lemmas, prefix, *meanings.most_common(1)[0][0], precision=1.0)
                for (words, lemmas, prefix), meanings in candidates.items()
            ),
            by_intent,
        )
        kept = self._with_precision(nlp, table, training_data, wanted)
        self.table = PhraseTable(kept, by_intent)
        if not self.table.phrases:
            rasa.shared.utils.io.raise_warning(
                f"{self.__class__.__name__} found no phrases for the entities {sorted(wanted)}."
            )
        self.persist()
        return self._resource

    def _wanted(self, training_data: TrainingData) -> set[str]:
        entities = set(self._config["entities"] or training_data.entities)
        return entities - set(self._config["exclude"])

    def _sources(
        self, training_data: TrainingData, wanted: set[str]
    ) -> Iterator[tuple[str, str, str]]:
        """(phrase, entity, value) from every place that says what a phrase means."""
        synonyms = training_data.entity_synonyms  # lower-case text -> value
        entity_of_value: dict[str, str] = {}
        for message in training_data.entity_examples:
            text = message.get(TEXT)
            for entity in message.get(ENTITIES) or []:
                name = entity[ENTITY_ATTRIBUTE_TYPE]
                if name not in wanted:
                    continue
                said = text[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]
                value = str(entity.get(ENTITY_ATTRIBUTE_VALUE) or said)
                value = synonyms.get(value.lower(), value)
                entity_of_value.setdefault(value, name)
                yield said, name, value
        for table in training_data.lookup_tables:
            if table["name"] in wanted:
                for element in table["elements"]:
                    yield element, table["name"], synonyms.get(element.lower(), element)
        for said, value in synonyms.items():
            if value in entity_of_value:
                yield said, entity_of_value[value], value
        if self._config["content"]:
            yield from (source for source in _content_phrases() if source[1] in wanted)

    def _with_precision(
        self, nlp: Language, table: PhraseTable, training_data: TrainingData, wanted: set[str]
    ) -> list[Phrase]:
        """Each phrase with the share of its occurrences that annotate it, in its intents."""
        seen: Counter[Phrase] = Counter()
        annotated: Counter[Phrase] = Counter()
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            doc = message.get(SPACY_DOCS[TEXT]) or nlp(text)
            spans = {
                (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END])
                for e in message.get(ENTITIES) or []
                if e[ENTITY_ATTRIBUTE_TYPE] in wanted
            }
            intent = intent_name(message)
            for match in table.matches(*_words_and_lemmas(doc), [intent] if intent else []):
                seen[match.phrase] += 1
                last = doc[match.end - 1]
                start, end = doc[match.start].idx, last.idx + len(last)
                if any(s <= start and end <= e for s, e in spans):
                    annotated[match.phrase] += 1
        kept = []
        for phrase in table.phrases:
            precision = annotated[phrase] / seen[phrase] if seen[phrase] else 1.0
            if precision >= self._config["min_precision"]:
                kept.append(dataclasses.replace(phrase, precision=precision))
        logger.debug("%d of %d phrases kept", len(kept), len(table.phrases))
        return kept

    # -- inference ----------------------------------------------------------------------

    def process(self, messages: list[Message], model: SpacyModel | None = None) -> list[Message]:
        nlp = None
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                nlp = nlp or _nlp(model)
                doc = nlp(text)
            intents = best_intents(message, self._config["intent_ranking_depth"])
            matches = self.table.matches(*_words_and_lemmas(doc), intents)
            found = [_entity(doc, match) for match in matches]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages

    # -- persistence --------------------------------------------------------------------

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / PHRASES_FILE,
                {
                    "intents": {e: sorted(n) for e, n in self.table.intents.items()},
                    "phrases": [p.to_json() for p in self.table.phrases],
                },
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PhraseEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                raw = rasa.shared.utils.io.read_json_file(directory / PHRASES_FILE)
        except ValueError:
            logger.warning("%s has no trained phrases; it extracts nothing.", cls.__name__)
            raw = {}
        table = PhraseTable(map(Phrase.from_json, raw.get("phrases", [])), raw.get("intents"))
        return cls(config, model_storage, resource, table)


def _nlp(model: SpacyModel | None) -> Language:
    if model is not None:
        return model.model
    from bot.nlp.spacy_pipeline import load

    return load()


def _words_and_lemmas(doc: Doc) -> tuple[list[str], list[str]]:
    return [t.lower_ for t in doc], [(t.lemma_ or t.lower_).lower() for t in doc]


def _phrase_tokens(nlp: Language, text: str) -> tuple[Key, Key, bool]:
    """The phrase's words and lemmas, and whether it ends in the `*` of a word start."""
    text = text.strip()
    prefix = text.endswith("*")
    doc = nlp(text.rstrip("*").strip())
    words, lemmas = _words_and_lemmas(doc)
    if not words or len(words) > MAX_PHRASE_TOKENS:
        return (), (), False
    return tuple(words), tuple(lemmas), prefix


def _entity(doc: Doc, match: Match) -> dict[str, Any]:
    first, last = doc[match.start], doc[match.end - 1]
    return {
        ENTITY_ATTRIBUTE_TYPE: match.phrase.entity,
        ENTITY_ATTRIBUTE_START: first.idx,
        ENTITY_ATTRIBUTE_END: last.idx + len(last),
        ENTITY_ATTRIBUTE_VALUE: match.phrase.value,
        ENTITY_ATTRIBUTE_CONFIDENCE: round(match.phrase.precision, 3),
    }


def _content_phrases() -> Iterator[tuple[str, str, str]]:
    """(phrase, entity, value) from the exercise library and the questionnaires."""
    from bot.content.exercise_library import get_library
    from bot.content.questionnaire_library import questionnaires

    library = get_library()
    for exercise in library.exercises.values():
        for name in (exercise.title, *exercise.names):
            yield name, "exercise_name", exercise.id
        yield exercise.id, "exercise_id", exercise.id
    for category, names in library.vocabulary.categories.items():
        for name in names:
            yield name, "exercise_name", category
    for tag in library.vocabulary.problems.values():
        for keyword in tag.keywords:
            yield keyword, "problem", tag.name
    for qid, questionnaire in questionnaires().items():
        yield qid, "questionnaire", qid
        yield questionnaire.name, "questionnaire", qid
