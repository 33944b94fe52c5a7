"""The Rasa NLU component end to end on Messages, with Rasa's own SpacyNLP and
SpacyTokenizer in front of it, and the intent classifier's output simulated on the message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.validation import validate
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.data import TrainingType
from rasa.shared.nlu.training_data.message import Message

from bot.config import PROJECT_ROOT
from bot.nlp.spacy_pipeline import PIPELINE_DIR
from bot.safety.component import CrisisDetectorComponent
from bot.safety.semantic import SEMANTIC_KEY

CRISIS_KEYS = {"category", "severity", "evidence", "start", "end", "source"}


class Pipeline:
    """SpacyNLP -> SpacyTokenizer -> (the classifier's intent, given) -> CrisisDetectorComponent."""

    def __init__(self, tmp: Path, **config: Any) -> None:
        storage = LocalModelStorage(tmp)
        context = ExecutionContext(GraphSchema({}), "test")
        self.spacy = SpacyNLP.create(
            {**SpacyNLP.get_default_config(), "model": str(PIPELINE_DIR)},
            storage, Resource("spacy"), context,
        )  # fmt: skip
        self.model: SpacyModel = self.spacy.provide()
        self.tokenizer = SpacyTokenizer.create(
            SpacyTokenizer.get_default_config(), storage, Resource("tokens"), context
        )
        self.crisis = CrisisDetectorComponent.create(
            {**CrisisDetectorComponent.get_default_config(), **config},
            storage, Resource("crisis"), context,
        )  # fmt: skip

    def parse(
        self, text: str, *ranking: tuple[str, float], semantic: tuple[str, float] | None = None
    ) -> tuple[Message, dict]:
        message = Message(data={"text": text})
        self.spacy.process([message], self.model)
        self.tokenizer.process([message])
        intents = [{"name": name, "confidence": c} for name, c in ranking]
        if intents:
            message.set("intent", dict(intents[0]), add_to_output=True)
            message.set("intent_ranking", intents, add_to_output=True)
        if semantic is not None:
            category, confidence = semantic
            message.set(SEMANTIC_KEY, {"category": category, "confidence": confidence})
        self.crisis.process([message], self.model)
        # What Rasa puts into parse_data (and into the UserUttered event).
        return message, message.as_dict(only_output_properties=True)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("crisis_nlu"))


def test_a_rule_match_sets_the_crisis_intent_above_dieT_s_guess(pipeline: Pipeline) -> None:
    text = "honestly i want to kms"
    _, parsed = pipeline.parse(text, ("greet", 0.8), ("mood_bad", 0.1))
    assert parsed["intent"] == {"name": "crisis_suicide", "confidence": 1.0}
    assert [i["name"] for i in parsed["intent_ranking"]] == ["crisis_suicide", "greet", "mood_bad"]
    crisis = parsed["crisis"]
    assert set(crisis) == CRISIS_KEYS
    assert crisis["category"] == "suicide" and crisis["severity"] == "high"
    assert crisis["source"] == "rules"
    assert text[crisis["start"] : crisis["end"]] == crisis["evidence"] == "kms"


def test_rules_read_the_doc_rasa_made_but_quote_the_original_text(pipeline: Pipeline) -> None:
    message, parsed = pipeline.parse("My Stepdad HITS me", ("greet", 0.9))
    assert message.get("text_spacy_doc").text == "my stepdad hits me"  # SpacyNLP lower-cases
    assert parsed["crisis"]["evidence"] == "Stepdad HITS me"
    assert parsed["intent"]["name"] == "crisis_abuse"


def test_diet_crisis_above_threshold_stands_when_rules_see_nothing(pipeline: Pipeline) -> None:
    text = "everything feels grey and heavy and life is too much"
    _, parsed = pipeline.parse(text, ("crisis_suicide", 0.72), ("mood_bad", 0.2))
    assert parsed["intent"] == {"name": "crisis_suicide", "confidence": 0.72}
    assert parsed["crisis"] == {
        "category": "suicide",
        "severity": "medium",  # the model cannot tell a plan from a passive wish
        "evidence": text,
        "start": 0,
        "end": len(text),
        "source": "model",
    }


def test_model_only_abuse_is_high_severity(pipeline: Pipeline) -> None:
    _, parsed = pipeline.parse("my mum's new boyfriend scares me", ("crisis_abuse", 0.8))
    assert parsed["crisis"]["severity"] == "high"
    assert parsed["crisis"]["source"] == "model"


@pytest.mark.parametrize(
    "text",
    ["this exam is killing me", "I'm not suicidal, I just hate mondays", "my friend self harms"],
)
def test_diet_crisis_is_demoted_when_rules_recognise_idiom_negation_or_someone_else(
    pipeline: Pipeline, text: str
) -> None:
    message, parsed = pipeline.parse(text, ("crisis_suicide", 0.93), ("mood_bad", 0.05))
    assert parsed["intent"]["name"] == "mood_bad"
    assert [i["name"] for i in parsed["intent_ranking"]] == ["mood_bad", "crisis_suicide"]
    assert message.get("crisis") is None
    assert "crisis" not in parsed  # Rasa drops None values: read it with .get("crisis")


def test_diet_crisis_below_threshold_is_demoted(pipeline: Pipeline) -> None:
    text = "i feel like giving up on life"
    message, parsed = pipeline.parse(text, ("crisis_self_harm", 0.4), ("chitchat", 0.35))
    assert parsed["intent"]["name"] == "chitchat"
    assert message.get("crisis") is None


def test_threshold_is_configurable(tmp_path: Path) -> None:
    lenient = Pipeline(tmp_path, model_threshold=0.3)
    text = "i feel like giving up on life"
    _, parsed = lenient.parse(text, ("crisis_self_harm", 0.4), ("chitchat", 0.35))
    assert parsed["crisis"]["category"] == "self_harm"


@pytest.mark.parametrize(
    "text",
    [
        "we had a picnic with my grandson today",  # no word of crisis talk at all
        "my nan broke her hip years ago",  # a past event
        "I never took the pills the doctor gave me",  # negated, ordinary medication
        "my best friend's uncle died last night",  # someone else
        "we read a poem about death in english",  # topic talk
    ],
)
def test_diet_alone_cannot_escalate_ordinary_messages(pipeline: Pipeline, text: str) -> None:
    message, parsed = pipeline.parse(text, ("crisis_medical", 0.97), ("share_problem", 0.02))
    assert message.get("crisis") is None
    assert parsed["intent"]["name"] == "share_problem"


def test_the_crisis_word_gate_can_be_switched_off(tmp_path: Path) -> None:
    trusting = Pipeline(tmp_path, require_crisis_word=False)
    _, parsed = trusting.parse("we had a picnic with my grandson today", ("crisis_abuse", 0.9))
    assert parsed["crisis"]["source"] == "model"


def test_a_crisis_hidden_behind_the_fallback_intent_is_restored(pipeline: Pipeline) -> None:
    # FallbackClassifier put nlu_fallback first; the classifier's own best guess was a crisis.
    _, parsed = pipeline.parse(
        "everything feels grey and heavy and life is too much",
        ("nlu_fallback", 0.6), ("crisis_suicide", 0.55), ("mood_bad", 0.3),
    )  # fmt: skip
    assert parsed["intent"]["name"] == "crisis_suicide"
    assert parsed["crisis"]["source"] == "model"


def test_ordinary_messages_carry_no_crisis(pipeline: Pipeline) -> None:
    message, parsed = pipeline.parse("can we do a breathing exercise", ("start_exercise", 0.97))
    assert parsed["intent"]["name"] == "start_exercise"
    assert message.get("crisis") is None and "crisis" in message.data


def test_works_without_spacy_nlp_in_the_pipeline(tmp_path: Path) -> None:
    component = CrisisDetectorComponent.create(
        CrisisDetectorComponent.get_default_config(),
        LocalModelStorage(tmp_path), Resource("c"), ExecutionContext(GraphSchema({}), "t"),
    )  # fmt: skip
    message = Message(data={"text": "i took a whole box of my nan's tablets"})
    component.process([message])
    assert message.get("crisis")["category"] == "medical"
    assert message.get("intent")["name"] == "crisis_medical"


def test_empty_text_is_not_a_crisis(pipeline: Pipeline) -> None:
    message, _ = pipeline.parse("", ("greet", 0.5))
    assert message.get("crisis") is None


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "high"])
def test_invalid_threshold_is_refused(threshold: Any) -> None:
    with pytest.raises(ValueError, match="model_threshold"):
        CrisisDetectorComponent({"model_threshold": threshold})


def test_rasa_builds_a_valid_graph_with_the_component_and_the_policy() -> None:
    """The project's own config.yml, with every custom component in it."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"][0]["model"] = str(PIPELINE_DIR)  # SpacyNLP, by absolute path
    recipe = Recipe.recipe_for_name(DefaultV1Recipe.name)
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    validate(graph)  # raises when a component's needs cannot be met
    crisis_nodes = {n: node for n, node in graph.predict_schema.nodes.items() if "Crisis" in n}
    component = next(node for n, node in crisis_nodes.items() if "Component" in n)
    # the last NLU component: after the classifiers, the fallback, the payload guard
    # and the semantic classifier, whose reading it weighs
    semantic = graph.predict_schema.nodes[component.needs["messages"]]
    assert semantic.uses.__name__ == "SemanticCrisisClassifier"
    assert semantic.needs["messages"].startswith("run_bot.nlp.payload_guard")
    assert component.needs["model"].startswith("provide_SpacyNLP")
    assert any("CrisisPolicy" in n for n in crisis_nodes)


# --- asking directly ----------------------------------------------------------


def test_a_lone_risk_factor_asks_instead_of_escalating(pipeline: Pipeline) -> None:
    # putting affairs in order, with nothing else: not a crisis, worth asking
    message, parsed = pipeline.parse(
        "I've sorted out my will and who gets the cat", ("share_problem", 0.8)
    )
    assert message.get("crisis") is None
    assert parsed["risk_check"] == {"category": "suicide"}


@pytest.mark.parametrize(
    ("confidence", "asked"),
    [(0.35, {"category": "suicide"}), (0.2, None)],  # above and below ask_threshold (0.3)
)
def test_a_crisis_intent_below_the_threshold_asks_from_the_ask_threshold_up(
    pipeline: Pipeline, confidence: float, asked: dict | None
) -> None:
    _, parsed = pipeline.parse(
        "everything hurts and i want it all to stop",
        ("share_feelings", 1 - confidence),
        ("crisis_suicide", confidence),
    )
    assert "crisis" not in parsed
    assert parsed.get("risk_check") == asked


@pytest.mark.parametrize(
    "text",
    [
        "I'm not thinking of ending my life, just had a rough week",  # negated
        "my friend keeps saying she wants to die, how do i help her",  # someone else
        "can we do a grounding exercise",  # no word of crisis talk, no risk factor
    ],
)
def test_nothing_to_ask_when_the_guards_explain_it(pipeline: Pipeline, text: str) -> None:
    _, parsed = pipeline.parse(text, ("share_problem", 0.6), ("crisis_suicide", 0.35))
    assert "crisis" not in parsed
    assert "risk_check" not in parsed


def test_a_detected_crisis_is_never_asked_about(pipeline: Pipeline) -> None:
    _, parsed = pipeline.parse("i want to kill myself", ("crisis_suicide", 0.9))
    assert parsed["crisis"]["category"] == "suicide"
    assert "risk_check" not in parsed


@pytest.mark.parametrize("threshold", [-0.1, 1.5, "low"])
def test_invalid_ask_threshold_is_refused(threshold: Any) -> None:
    with pytest.raises(ValueError, match="ask_threshold"):
        CrisisDetectorComponent({"ask_threshold": threshold})


def test_a_risk_factor_lets_the_classifier_escalate_only_its_own_kind(pipeline: Pipeline) -> None:
    text = "I've sorted out my will and who gets the cat"  # a factor asked about as suicide
    _, parsed = pipeline.parse(text, ("crisis_violence", 0.95), ("share_problem", 0.03))
    assert "crisis" not in parsed
    assert parsed["risk_check"] == {"category": "suicide"}
    _, parsed = pipeline.parse(text, ("crisis_suicide", 0.95), ("share_problem", 0.03))
    assert parsed["crisis"]["category"] == "suicide"


def test_an_age_in_a_crisis_message_becomes_the_age_group_entity(pipeline: Pipeline) -> None:
    _, parsed = pipeline.parse("im 11 and my dad hits me", ("crisis_abuse", 0.9))
    assert parsed["crisis"]["category"] == "abuse"
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [("age_group", "under13")]


def test_no_age_entity_without_a_crisis_or_a_stated_age(pipeline: Pipeline) -> None:
    _, parsed = pipeline.parse("im 11 and i love football", ("share_feelings", 0.9))
    assert not parsed.get("entities")
    _, parsed = pipeline.parse("my dad hit me 30 times", ("crisis_abuse", 0.9))
    assert not parsed.get("entities")


@pytest.fixture(scope="module")
def semantic_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(
        tmp_path_factory.mktemp("semantic_nlu"), semantic_threshold=0.9, semantic_veto=0.3
    )


def test_a_crisis_by_meaning_escalates_when_the_words_show_a_sign(
    semantic_pipeline: Pipeline,
) -> None:
    # no rule, and the count vectors see an ordinary message; the meaning is a crisis
    text = "the rope is in the shed and the dog is sorted"
    _, parsed = semantic_pipeline.parse(text, ("share_problem", 0.6), semantic=("suicide", 0.92))
    assert parsed["crisis"]["source"] == "semantic"
    assert parsed["crisis"]["category"] == "suicide"
    assert parsed["intent"] == {"name": "crisis_suicide", "confidence": 0.92}


@pytest.mark.parametrize(
    ("text", "semantic", "why"),
    [
        ("my cat is asleep on the windowsill", ("suicide", 0.95), "no sign in the words"),
        ("the rope is in the shed", ("suicide", 0.85), "below the semantic threshold"),
        ("this homework is killing me", ("suicide", 0.95), "an idiom the guards know"),
    ],
)
def test_meaning_alone_is_not_enough(
    semantic_pipeline: Pipeline, text: str, semantic: tuple[str, float], why: str
) -> None:
    _, parsed = semantic_pipeline.parse(text, ("share_problem", 0.6), semantic=semantic)
    assert parsed.get("crisis") is None, why


def test_a_count_vector_crisis_the_meaning_does_not_bear_out_is_not_taken(
    semantic_pipeline: Pipeline,
) -> None:
    text = "everything feels grey and heavy and life is too much"
    ranking = (("crisis_suicide", 0.9), ("share_feelings", 0.1))
    _, vetoed = semantic_pipeline.parse(text, *ranking, semantic=("suicide", 0.1))
    _, taken = semantic_pipeline.parse(text, *ranking, semantic=("suicide", 0.6))
    assert vetoed.get("crisis") is None
    assert vetoed["intent"]["name"] == "share_feelings"
    assert taken["crisis"]["source"] == "model"


def test_rules_stand_whatever_the_meaning_says(semantic_pipeline: Pipeline) -> None:
    _, parsed = semantic_pipeline.parse("i want to kms", ("greet", 0.9), semantic=("suicide", 0.0))
    assert parsed["crisis"]["source"] == "rules"


@pytest.mark.parametrize("key", ["semantic_threshold", "semantic_veto"])
def test_invalid_semantic_settings_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match=key):
        CrisisDetectorComponent({key: 1.5})


def test_someone_elses_danger_escalates_when_the_meaning_is_sure(
    semantic_pipeline: Pipeline,
) -> None:
    # the third-party guard cancels the rule; the meaning tells danger from worry
    text = "my brother keeps saying he wants to die and he won't come out of his room"
    _, danger = semantic_pipeline.parse(text, ("share_problem", 0.6), semantic=("suicide", 0.95))
    _, worry = semantic_pipeline.parse(text, ("share_problem", 0.6), semantic=("suicide", 0.4))
    assert danger["crisis"]["source"] == "semantic"
    assert worry.get("crisis") is None
