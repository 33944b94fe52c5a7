"""The exercise rules, checked by Rasa's own RulePolicy without training a model.

`rasa data validate` does not run RulePolicy's training checks (incomplete or
contradicting rules), which only fail at `rasa train`. Fitting RulePolicy alone,
in memory, on the project's domain and data takes seconds and catches them; the
predictions below then prove that each exercise turn goes where the dialogue
design says, including a plain "ok", "continue", "stop", "yes" and "no".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parents[3]
LISTEN = ActionExecuted("action_listen")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[RulePolicy, Domain]:
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain"), training_data_paths=[str(ROOT / "data")]
    )
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=True
    ).generate()
    config = {
        **RulePolicy.get_default_config(),
        "core_fallback_threshold": 0.3,
        "core_fallback_action_name": "action_fallback",
        "enable_fallback_prediction": True,
    }
    policy = RulePolicy.create(
        config,
        LocalModelStorage(tmp_path_factory.mktemp("rules")),
        Resource("rule_policy"),
        ExecutionContext(GraphSchema({}), "exercise-rules"),
    )
    policy.train(trackers, domain)  # raises InvalidRule on incomplete or contradicting rules
    return policy, domain


def user(intent: str, **entities: str) -> UserUttered:
    found = [{"entity": k, "value": v} for k, v in entities.items()]
    return UserUttered(intent, {"name": intent}, found)


def did(action: str, **slots: object) -> list[Event]:
    return [ActionExecuted(action), *(SlotSet(k, v) for k, v in slots.items())]


RUNNING = [
    LISTEN,
    user("choose_exercise", exercise_id="box_breathing"),
    *did("action_start_exercise", exercise_id="box_breathing", exercise_step=1),
    SlotSet("exercise_state", "running"),
    LISTEN,
]
FINISHED = [
    *RUNNING,
    user("next_step"),
    *did("action_exercise_next", exercise_step=None, exercise_state="awaiting_feedback"),
    LISTEN,
]


def predict(trained: tuple[RulePolicy, Domain], events: list[Event]) -> str:
    policy, domain = trained
    tracker = DialogueStateTracker.from_events("rules-test", events, domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    assert prediction.probabilities[best] == 1.0, "no rule applies"
    return domain.action_names_or_texts[best]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([LISTEN, user("request_exercise")], "action_recommend_exercises"),
        ([LISTEN, user("share_problem", problem="sleep")], "action_recommend_exercises"),
        (RUNNING[:-1], "action_listen"),
        ([*RUNNING, user("next_step")], "action_exercise_next"),
        ([*RUNNING, user("affirm")], "action_exercise_next"),
        ([*RUNNING, user("resume_questionnaire")], "action_exercise_next"),
        ([*RUNNING, user("repeat_step")], "action_exercise_repeat"),
        ([*RUNNING, user("stop_exercise")], "action_stop_exercise"),
        ([*RUNNING, user("stop_questionnaire")], "action_stop_exercise"),
        (
            [
                *RUNNING,
                user("stop_questionnaire"),
                *did("action_stop_exercise", exercise_state=None),
            ],
            "action_show_menu",
        ),
        (
            [*RUNNING, user("affirm"), *did("action_exercise_next", exercise_state="running")],
            "action_listen",
        ),
        (FINISHED[:-1], "action_listen"),
        ([*FINISHED, user("affirm")], "action_exercise_feedback"),
        ([*FINISHED, user("deny")], "action_exercise_feedback"),
        ([*FINISHED, user("exercise_feedback", helped="true")], "action_exercise_feedback"),
        ([*FINISHED, user("next_step")], "action_exercise_next"),
        (
            [*FINISHED, user("deny"), *did("action_exercise_feedback", exercise_state=None)],
            "action_show_menu",
        ),
        ([LISTEN, user("next_step")], "action_exercise_next"),
        (
            [LISTEN, user("next_step"), *did("action_exercise_next", exercise_state=None)],
            "action_listen",
        ),
        # an unrelated question in the middle, then "next" goes on
        ([*RUNNING, user("ask_privacy")], "action_explain_privacy"),
        (
            [
                *RUNNING,
                user("ask_privacy"),
                *did("action_explain_privacy"),
                LISTEN,
                user("next_step"),
            ],
            "action_exercise_next",
        ),
        # after a crisis reply the exercise waits; "next" goes on only when asked
        (
            [
                *RUNNING,
                user("crisis_suicide"),
                *did("action_crisis_response", in_crisis=True),
                LISTEN,
                user("next_step"),
            ],
            "action_exercise_next",
        ),
    ],
)
def test_each_exercise_turn_follows_the_rules(
    trained: tuple[RulePolicy, Domain], events: list[Event], expected: str
) -> None:
    assert predict(trained, events) == expected


def test_plain_words_mean_something_else_when_no_exercise_is_open(
    trained: tuple[RulePolicy, Domain],
) -> None:
    assert predict(trained, [LISTEN, user("stop_questionnaire")]) != "action_stop_exercise"
    assert predict(trained, [LISTEN, user("resume_questionnaire")]) != "action_exercise_next"
