"""The Rasa NLU component that runs the crisis detector on every message.

Placed after the classifiers and FallbackClassifier in config.yml:

    - name: bot.safety.component.CrisisDetectorComponent
      model_threshold: 0.5   # classifier confidence needed for a crisis intent on its own

Rules first, model second, and the rules have the last word on what they
positively recognise:
- a rule fires            -> intent `crisis_<category>` at confidence 1.0;
- no rule, the intent classifier says crisis_* >= threshold, the message has at least one word of
  crisis talk (lexicon.yml `crisis_words`) or a risk factor marked `ask:` for the
  same category (risk_factors.yml), and the rules saw no negation, idiom,
  topic talk, past event or someone else's story -> the model's crisis intent stands
  (source "model");
- no rule and no such intent, the SemanticCrisisClassifier (bot/safety/semantic.py,
  earlier in the pipeline) gives a crisis probability >= `semantic_threshold`, the
  rules saw no negation, idiom, topic talk or past event, and the
  message has a crisis word, a risk factor or a crisis intent at or above
  `ask_threshold` -> a crisis (source "semantic"): a crisis told in words that
  neither the rules nor the count vectors know (someone else's danger included:
  the meaning tells it from worry, which the third-party guard cannot);
- a crisis intent of the count vectors that the semantic classifier scores below
  `semantic_veto` is not taken: it was the words, not the meaning;
- otherwise a model crisis intent is demoted to the best non-crisis intent, so that
  intent and "crisis" always agree.
Every message gets `crisis` in its parse data (None when not a crisis; Rasa drops
None values from parse_data, so read it with `.get("crisis")`).

When neither confirms a crisis but there is a sign of one (a risk factor the
rules mark `ask:`, or a crisis intent from the classifier at or above
`ask_threshold` in a message with a crisis word or a risk factor that the
guards do not explain), the message gets
`risk_check: {"category": ...}` instead, and the CrisisPolicy asks the person
directly (SAFETY.md §1: when in doubt, ask, as counsellors are trained to).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from bot.dialogue.profile import stated_age_group
from bot.safety.categories import MODEL_SEVERITY, category_of_intent, intent_for
from bot.safety.detector import Analysis, CrisisDetector
from bot.safety.rules import PATTERNS_DIR
from bot.safety.semantic import crisis_probability

logger = logging.getLogger(__name__)

CRISIS_KEY = "crisis"
AGE_ENTITY = "age_group"
RISK_CHECK_KEY = "risk_check"
THRESHOLD_KEY = "model_threshold"
ASK_THRESHOLD_KEY = "ask_threshold"
SEMANTIC_THRESHOLD_KEY = "semantic_threshold"
SEMANTIC_VETO_KEY = "semantic_veto"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class CrisisDetectorComponent(GraphComponent, IntentClassifier):
    """Sets `crisis` on every message and makes crisis intents win (SAFETY.md §1)."""

    # One detector per spaCy pipeline and pattern folder: building it compiles the
    # YAML rules (about a second), which must not happen per message or per model.
    # Pipelines loaded from disk are keyed by their path, so the start-up check and
    # SpacyNLP's copy of the same pipeline share one detector.
    _detectors: dict[tuple[str, str], CrisisDetector] = {}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            THRESHOLD_KEY: 0.5,
            # A crisis intent at or above this (but not confirmed) asks directly.
            ASK_THRESHOLD_KEY: 0.3,
            # The semantic classifier's crisis probability that escalates a message
            # with a sign of crisis, and below which a count-vector crisis is not
            # taken (1.0 and 0.0: the semantic classifier is not used).
            SEMANTIC_THRESHOLD_KEY: 1.0,
            SEMANTIC_VETO_KEY: 0.0,
            # A model-only crisis needs at least one word of crisis talk in the
            # message (patterns/lexicon.yml, crisis_words).
            "require_crisis_word": True,
            # Used only when no SpacyNLP is in the pipeline (e.g. in tests).
            "spacy_model": None,
            "patterns_dir": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self._threshold = _share(self.component_config, THRESHOLD_KEY)
        self._ask_threshold = _share(self.component_config, ASK_THRESHOLD_KEY)
        self._semantic_threshold = _share(self.component_config, SEMANTIC_THRESHOLD_KEY)
        self._semantic_veto = _share(self.component_config, SEMANTIC_VETO_KEY)
        self._patterns_dir = Path(self.component_config["patterns_dir"] or PATTERNS_DIR)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetectorComponent:
        component = cls(config)
        # Compile the rules now, so that a broken pattern file stops start-up
        # instead of surfacing at the first crisis message.
        component._detector_for(None)
        return component

    # -- detector -------------------------------------------------------------------

    def _fallback_nlp(self) -> Language:
        from bot.nlp.spacy_pipeline import PIPELINE_DIR, load

        return load(Path(self.component_config["spacy_model"] or PIPELINE_DIR))

    @staticmethod
    def _key(nlp: Language) -> str:
        path = getattr(nlp, "path", None)
        return f"path:{Path(path).resolve()}" if path else f"id:{id(nlp)}"

    def _detector_for(self, model: SpacyModel | None) -> CrisisDetector:
        nlp = model.model if model is not None else None
        if nlp is None:
            fallback = Path(self.component_config["spacy_model"] or "").resolve()
            key = (f"path:{fallback}" if self.component_config["spacy_model"] else "default",
                   str(self._patterns_dir))  # fmt: skip
            if key not in self._detectors:
                detector = CrisisDetector(self._fallback_nlp(), self._patterns_dir)
                self._detectors[key] = detector
                self._detectors[(self._key(detector.nlp), str(self._patterns_dir))] = detector
            return self._detectors[key]
        key = (self._key(nlp), str(self._patterns_dir))
        if key not in self._detectors:
            self._detectors[key] = CrisisDetector(nlp, self._patterns_dir)
        return self._detectors[key]

    # -- processing -----------------------------------------------------------------

    def process(self, messages: list[Message], model: SpacyModel | None = None) -> list[Message]:
        detector = self._detector_for(model)
        for message in messages:
            self._process_one(detector, message)
            if message.get(CRISIS_KEY):
                _mark_stated_age(message)
        return messages

    def _process_one(self, detector: CrisisDetector, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            message.set(CRISIS_KEY, None, add_to_output=True)
            return
        doc = message.get(SPACY_DOCS[TEXT])
        analysis = detector.analyse(text, doc)
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        if analysis.detection is not None:
            self._set_rule_crisis(message, analysis, ranking)
            return
        model_intent = _model_top_intent(message.get(INTENT), ranking)
        category = category_of_intent(model_intent.get(INTENT_NAME_KEY) if model_intent else None)
        if category is None:
            if self._semantic_crisis(message, analysis, ranking):
                return
            message.set(CRISIS_KEY, None, add_to_output=True)
            self._set_risk_check(message, analysis, ranking)
            return
        confidence = float(model_intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        # A word of crisis talk, or a risk factor worth asking about that points to
        # the same kind of danger: the classifier alone never escalates a message
        # with neither ("I've sorted out my will" is not violence, whatever it says).
        has_signs = (
            bool(analysis.crisis_words)
            or analysis.ask == category
            or not self.component_config["require_crisis_word"]
        )
        meant = crisis_probability(message)[1] >= self._semantic_veto
        if (
            confidence >= self._threshold
            and has_signs
            and meant
            and not analysis.recognised_not_crisis
        ):
            _set_intent(message, model_intent, ranking)
            _set_whole_message_crisis(message, category, "model")
            return
        _demote_crisis(message, ranking)
        if self._semantic_crisis(message, analysis, ranking):
            return
        message.set(CRISIS_KEY, None, add_to_output=True)
        self._set_risk_check(message, analysis, ranking)
        logger.debug(
            "crisis intent from the classifier demoted (confidence %.2f, rules: %s)",
            confidence,
            [s.kind for s in analysis.suppressed],
        )

    def _semantic_crisis(self, message: Message, analysis: Analysis, ranking: list[dict]) -> bool:
        """A crisis by meaning: the semantic classifier is sure, and the words show a sign."""
        category, probability = crisis_probability(message)
        if category is None or probability < self._semantic_threshold:
            return False
        # A negation, an idiom, topic talk or a past event explains the words. Someone
        # else's story does not: the meaning tells worry ("my friend seems down") from
        # danger now ("my friend posted a photo of pills saying goodbye"), which the
        # third-party guard cannot.
        if any(s.kind != "third_party" for s in analysis.suppressed):
            return False
        hunch = any(
            category_of_intent(r.get(INTENT_NAME_KEY))
            and float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self._ask_threshold
            for r in ranking
        )
        if not (analysis.crisis_words or analysis.factors or hunch):
            return False
        crisis_intent = {
            INTENT_NAME_KEY: intent_for(category),
            PREDICTED_CONFIDENCE_KEY: probability,
        }
        _set_intent(message, crisis_intent, list(message.get(INTENT_RANKING_KEY) or ranking))
        _set_whole_message_crisis(message, category, "semantic")
        return True

    def _set_risk_check(self, message: Message, analysis: Analysis, ranking: list[dict]) -> None:
        """Marks a message worth asking about: a sign of crisis that nothing confirmed."""
        category = analysis.ask
        # The classifier's hunch needs something in the words too: a crisis word or
        # a risk factor, and nothing the guards recognise as ordinary.
        signs = analysis.crisis_words or analysis.factors
        if category is None and signs and not analysis.recognised_not_crisis:
            for candidate in ranking:
                crisis_category = category_of_intent(candidate.get(INTENT_NAME_KEY))
                confidence = float(candidate.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                if crisis_category and confidence >= self._ask_threshold:
                    category = crisis_category
                    break
        if category is not None:
            message.set(RISK_CHECK_KEY, {"category": category}, add_to_output=True)

    @staticmethod
    def _set_rule_crisis(message: Message, analysis: Analysis, ranking: list[dict]) -> None:
        detection = analysis.detection
        assert detection is not None
        crisis_intent = {
            INTENT_NAME_KEY: intent_for(detection.category),
            PREDICTED_CONFIDENCE_KEY: 1.0,
        }
        _set_intent(message, crisis_intent, ranking)
        message.set(
            CRISIS_KEY,
            {
                "category": detection.category,
                "severity": detection.severity,
                "evidence": detection.evidence,
                "start": detection.start,
                "end": detection.end,
                "source": "rules",
            },
            add_to_output=True,
        )


def _set_whole_message_crisis(message: Message, category: str, source: str) -> None:
    """A classifier's crisis: the whole message is the evidence, the severity its kind's."""
    text = message.get(TEXT)
    message.set(
        CRISIS_KEY,
        {
            "category": category,
            "severity": MODEL_SEVERITY[category],
            "evidence": text,
            "start": 0,
            "end": len(text),
            "source": source,
        },
        add_to_output=True,
    )


def _share(config: dict[str, Any], key: str) -> float:
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{key} must be a number from 0 to 1, got {value!r}")
    return float(value)


def _mark_stated_age(message: Message) -> None:
    """An age said in a crisis message ("im 11 and my dad hits me") becomes an entity.

    The age_group slot then fills before the crisis reply is worded, so the reply
    speaks in the person's register and lists the lines for their age, even before
    onboarding has asked (SAFETY.md §6: under-13s get the children's lines).
    """
    text = message.get(TEXT) or ""
    group = stated_age_group(text, asked=False)
    if group is None:
        return
    entities = list(message.get(ENTITIES) or [])
    if any(e.get(ENTITY_ATTRIBUTE_TYPE) == AGE_ENTITY for e in entities):
        return
    entities.append(
        {
            ENTITY_ATTRIBUTE_TYPE: AGE_ENTITY,
            ENTITY_ATTRIBUTE_VALUE: group,
            ENTITY_ATTRIBUTE_START: 0,
            ENTITY_ATTRIBUTE_END: len(text),
            EXTRACTOR: "CrisisDetectorComponent",
        }
    )
    message.set(ENTITIES, entities, add_to_output=True)


def _model_top_intent(intent: dict | None, ranking: list[dict]) -> dict | None:
    """The classifier's own best intent, looking past the FallbackClassifier's `nlu_fallback`."""
    for candidate in [intent or {}, *ranking]:
        name = candidate.get(INTENT_NAME_KEY)
        if name and name != DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return candidate
    return None


def _set_intent(message: Message, intent: dict, ranking: list[dict]) -> None:
    """Make `intent` the message's intent, first in the ranking above the others."""
    name = intent[INTENT_NAME_KEY]
    rest = [r for r in ranking if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, dict(intent), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(intent), *rest], add_to_output=True)


def _demote_crisis(message: Message, ranking: list[dict]) -> None:
    """Put the best non-crisis intent first; crisis intents move below the others."""
    calm = [r for r in ranking if category_of_intent(r.get(INTENT_NAME_KEY)) is None]
    crisis = [r for r in ranking if category_of_intent(r.get(INTENT_NAME_KEY)) is not None]
    choices = [r for r in calm if r.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME]
    best = choices[0] if choices else (calm[0] if calm else None)
    if best is None:
        best = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 0.0}
    rest = [r for r in calm if r is not best]
    message.set(INTENT, dict(best), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(best), *rest, *crisis], add_to_output=True)
