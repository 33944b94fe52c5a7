"""The semantic crisis classifier: trained on a small set, persisted, loaded, run."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety.semantic import SEMANTIC_KEY, SemanticCrisisClassifier, crisis_probability

CRISIS = [
    "i want to end my life",
    "i am going to kill myself tonight",
    "nobody would miss me if i was gone for good",
    "i have saved up enough pills to not wake up",
    "i wrote goodbye letters to my family",
    "i am standing on the bridge and going to jump",
    "i dont want to be alive anymore",
    "i have a rope and i know where i will do it",
    "everyone would be better off if i were dead",
    "this is my last night, i am done with living",
]
CALM = [
    "can you suggest a breathing exercise",
    "i had a nice walk in the park today",
    "what time is it",
    "hello there",
    "my exams are stressing me out a bit",
    "show me my mood chart",
    "i would like to do a check in",
    "thanks, that helped",
    "i feel a little lonely on sundays",
    "tell me about privacy",
]


def _examples() -> TrainingData:
    messages = [Message(data={"text": t, "intent": "crisis_suicide"}) for t in CRISIS]
    messages += [Message(data={"text": t, "intent": "chitchat"}) for t in CALM]
    return TrainingData(training_examples=messages)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("semantic"))
    resource = Resource("semantic")
    context = ExecutionContext(GraphSchema({}), "test")
    component = SemanticCrisisClassifier.create(
        SemanticCrisisClassifier.get_default_config(), storage, resource, context
    )
    component.train(_examples())
    return storage, resource


def _loaded(trained: tuple[LocalModelStorage, Resource]) -> SemanticCrisisClassifier:
    storage, resource = trained
    return SemanticCrisisClassifier.load(
        SemanticCrisisClassifier.get_default_config(),
        storage,
        resource,
        ExecutionContext(GraphSchema({}), "test"),
    )


def test_a_paraphrase_it_never_saw_scores_as_crisis(trained) -> None:
    component = _loaded(trained)
    risky = Message(data={"text": "the tablets are counted out for friday, then it stops"})
    calm = Message(data={"text": "could you show me a relaxing exercise please"})
    component.process([risky, calm])
    category, risky_p = crisis_probability(risky)
    assert category == "suicide"
    assert risky_p > crisis_probability(calm)[1]
    assert risky.as_dict(only_output_properties=True)[SEMANTIC_KEY]["category"] == "suicide"


def test_empty_text_gets_no_reading(trained) -> None:
    component = _loaded(trained)
    empty = Message(data={"text": "   "})
    component.process([empty])
    assert empty.get(SEMANTIC_KEY) is None
    assert crisis_probability(empty) == (None, 0.0)


def test_an_untrained_model_stays_silent(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    component = SemanticCrisisClassifier.load(
        SemanticCrisisClassifier.get_default_config(),
        storage,
        Resource("never_trained"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    message = Message(data={"text": "i want to end my life"})
    component.process([message])
    assert message.get(SEMANTIC_KEY) is None


def test_training_keeps_every_crisis_example_and_a_fixed_sample_of_the_others(
    tmp_path: Path,
) -> None:
    config = {
        **SemanticCrisisClassifier.get_default_config(),
        "examples_per_other_intent": 3,
        "keep_all_of": ["share_feelings"],
    }
    component = SemanticCrisisClassifier(config, LocalModelStorage(tmp_path), Resource("s"))
    messages = (
        [Message(data={"text": f"crisis {i}", "intent": "crisis_suicide"}) for i in range(6)]
        + [Message(data={"text": f"feel {i}", "intent": "share_feelings"}) for i in range(6)]
        + [Message(data={"text": f"hi {i}", "intent": "greet"}) for i in range(6)]
    )
    chosen = component._sample(messages)
    by_intent = {
        i: sum(m.get("intent") == i for m in chosen)
        for i in ("crisis_suicide", "share_feelings", "greet")
    }
    assert by_intent == {"crisis_suicide": 6, "share_feelings": 6, "greet": 3}
    assert [m.get("text") for m in component._sample(messages)] == [m.get("text") for m in chosen]
