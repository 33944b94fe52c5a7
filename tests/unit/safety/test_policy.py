"""CrisisPolicy with real DialogueStateTrackers, a Domain built from YAML, and
Rasa's own RulePolicy and policy ensemble: crisis support wins from every state."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.safety.policy import CRISIS_ACTION, CrisisActionMissing, CrisisPolicy
from bot.safety.risk_check import ASK_ACTION, DECLINED_ACTION

DOMAIN_YAML = """
version: "3.1"
intents: [greet, mood_bad, inform, affirm, deny, not_sure, crisis_suicide,
          crisis_self_harm, crisis_abuse, crisis_violence, crisis_medical]
slots:
  mood_score:
    type: float
    influence_conversation: false
    mappings:
      - type: from_text
        conditions:
          - active_loop: mood_form
forms:
  mood_form:
    required_slots: [mood_score]
actions: [action_crisis_response, action_ask_about_risk, action_risk_check_declined,
          utter_greet]
responses:
  utter_greet:
    - text: "Hello"
  utter_ask_mood_score:
    - text: "How are you feeling, from 0 to 10?"
"""


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.from_yaml(DOMAIN_YAML)


@pytest.fixture()
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def policy(storage: LocalModelStorage, context: ExecutionContext, domain: Domain) -> CrisisPolicy:
    policy = CrisisPolicy.create(
        CrisisPolicy.get_default_config(), storage, Resource("crisis"), context
    )
    policy.train([], domain)
    return policy


def start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def said(
    text: str, intent: str, crisis: dict | None = None, risk_check: str | None = None
) -> UserUttered:
    parse_data = {"intent": {"name": intent, "confidence": 0.9}, "entities": []}
    if crisis is not None:
        parse_data["crisis"] = crisis
    if risk_check is not None:
        parse_data["risk_check"] = {"category": risk_check}
    return UserUttered(text, {"name": intent, "confidence": 0.9}, [], parse_data)


CRISIS = said("i want to kms", "crisis_suicide", {"category": "suicide", "severity": "high",
                                                  "evidence": "kms", "start": 10, "end": 13,
                                                  "source": "rules"})  # fmt: skip


def tracker(domain: Domain, *events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("user-1", list(events), domain.slots)


def predicted(policy: CrisisPolicy, t: DialogueStateTracker, domain: Domain) -> str | None:
    prediction = policy.predict_action_probabilities(t, domain)
    if max(prediction.probabilities) == 0.0:
        return None
    assert max(prediction.probabilities) == 1.0
    return domain.action_names_or_texts[prediction.max_confidence_index]


def in_mood_form(*more: Event) -> list[Event]:
    return [
        *start(),
        said("check my mood", "mood_bad"),
        ActiveLoop("mood_form"),
        ActionExecuted("mood_form"),
        SlotSet("requested_slot", "mood_score"),
        BotUttered("How are you feeling, from 0 to 10?"),
        ActionExecuted("action_listen"),
        *more,
    ]


def test_priority_is_above_rule_policy(policy: CrisisPolicy) -> None:
    assert policy.priority == 7 > RulePolicy.get_default_config()["priority"]


def test_very_first_message_in_crisis(policy: CrisisPolicy, domain: Domain) -> None:
    # Before onboarding or consent: nothing but the session start has happened.
    assert predicted(policy, tracker(domain, *start(), CRISIS), domain) == CRISIS_ACTION


def test_every_crisis_category_intent_triggers_it(policy: CrisisPolicy, domain: Domain) -> None:
    for category in ("suicide", "self_harm", "abuse", "violence", "medical"):
        t = tracker(domain, *start(), said("...", f"crisis_{category}"))
        assert predicted(policy, t, domain) == CRISIS_ACTION, category


def test_crisis_in_parse_data_triggers_it_whatever_the_intent(
    policy: CrisisPolicy, domain: Domain
) -> None:
    message = said("...", "mood_bad", {"category": "abuse", "severity": "high", "evidence": "...",
                                       "start": 0, "end": 3, "source": "model"})  # fmt: skip
    assert predicted(policy, tracker(domain, *start(), message), domain) == CRISIS_ACTION


def test_slot_events_after_the_message_do_not_hide_it(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(domain, *start(), CRISIS, SlotSet("mood_score", None))
    assert predicted(policy, t, domain) == CRISIS_ACTION


def test_listens_right_after_the_crisis_response(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(domain, *start(), CRISIS, ActionExecuted(CRISIS_ACTION), BotUttered("I'm here."))
    assert predicted(policy, t, domain) == "action_listen"


def test_stays_silent_otherwise(policy: CrisisPolicy, domain: Domain) -> None:
    assert predicted(policy, tracker(domain, *start(), said("hi", "greet")), domain) is None
    after_greeting = tracker(domain, *start(), said("hi", "greet"), ActionExecuted("utter_greet"))
    assert predicted(policy, after_greeting, domain) is None
    # The turn after crisis support belongs to the other policies again.
    later = tracker(
        domain, *start(), CRISIS, ActionExecuted(CRISIS_ACTION), ActionExecuted("action_listen"),
        said("yes please", "affirm"),
    )  # fmt: skip
    assert predicted(policy, later, domain) is None


def test_crisis_in_the_middle_of_a_story(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(
        domain, *start(),
        said("hi", "greet"), ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
        said("feeling low", "mood_bad"), ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"), CRISIS,
    )  # fmt: skip
    assert predicted(policy, t, domain) == CRISIS_ACTION


def test_crisis_after_restart(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(
        domain, *start(), said("hi", "greet"), ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"), said("/restart", "restart"),
        ActionExecuted("action_restart"), Restarted(), *start(), CRISIS,
    )  # fmt: skip
    assert predicted(policy, t, domain) == CRISIS_ACTION


def test_crisis_during_an_active_form(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(domain, *in_mood_form(CRISIS))
    assert t.active_loop_name == "mood_form"
    assert predicted(policy, t, domain) == CRISIS_ACTION


def _ensemble_winner(
    domain: Domain, t: DialogueStateTracker, storage: LocalModelStorage,
    context: ExecutionContext, crisis: PolicyPrediction,
) -> str:  # fmt: skip
    rule_policy = RulePolicy.create(
        RulePolicy.get_default_config(), storage, Resource("rules"), context
    )
    rule_policy.train([], domain)
    rules = rule_policy.predict_action_probabilities(t, domain)
    ensemble = DefaultPolicyPredictionEnsemble.create({}, storage, Resource("ensemble"), context)
    best = ensemble.combine_predictions([rules, crisis], t, domain)
    return domain.action_names_or_texts[best.max_confidence_index]


def test_crisis_wins_over_the_forms_happy_path_in_rasas_ensemble(
    policy: CrisisPolicy, domain: Domain, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    t = tracker(domain, *in_mood_form(CRISIS))
    crisis = policy.predict_action_probabilities(t, domain)
    assert _ensemble_winner(domain, t, storage, context, crisis) == CRISIS_ACTION


def test_without_the_no_user_mark_the_form_would_win(
    policy: CrisisPolicy, domain: Domain, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    # Why the policy marks its predictions: RulePolicy's loop prediction is a
    # "no user" prediction, and Rasa lets those overrule all others.
    t = tracker(domain, *in_mood_form(CRISIS))
    unmarked = PolicyPrediction(
        policy.predict_action_probabilities(t, domain).probabilities, "X", 7
    )
    assert _ensemble_winner(domain, t, storage, context, unmarked) == "mood_form"


def test_listen_wins_over_resuming_the_form_after_crisis_support(
    policy: CrisisPolicy, domain: Domain, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    t = tracker(domain, *in_mood_form(CRISIS, ActionExecuted(CRISIS_ACTION)))
    crisis = policy.predict_action_probabilities(t, domain)
    assert _ensemble_winner(domain, t, storage, context, crisis) == "action_listen"


def test_training_refuses_a_domain_without_the_crisis_action(
    storage: LocalModelStorage, context: ExecutionContext
) -> None:
    bare = Domain.from_yaml('version: "3.1"\nintents: [greet]\n')
    policy = CrisisPolicy.create(
        CrisisPolicy.get_default_config(), storage, Resource("c2"), context
    )
    with pytest.raises(CrisisActionMissing, match="action_crisis_response"):
        policy.train([], bare)


def test_persist_and_load_round_trip(
    policy: CrisisPolicy, storage: LocalModelStorage, context: ExecutionContext, domain: Domain
) -> None:
    loaded = CrisisPolicy.load(
        CrisisPolicy.get_default_config(), storage, Resource("crisis"), context
    )
    assert loaded.priority == 7
    assert predicted(loaded, tracker(domain, *start(), CRISIS), domain) == CRISIS_ACTION


# --- asking directly ------------------------------------------------------------

UNSURE_SIGN = said("i gave my guitar to my cousin, wont need it", "inform", risk_check="suicide")


def asked(*answer: Event) -> list[Event]:
    return [
        *start(),
        UNSURE_SIGN,
        ActionExecuted(ASK_ACTION),
        BotUttered("Are you thinking about suicide or about hurting yourself?"),
        ActionExecuted("action_listen"),
        *answer,
    ]


def test_a_sign_nobody_confirmed_gets_the_direct_question(
    policy: CrisisPolicy, domain: Domain
) -> None:
    assert predicted(policy, tracker(domain, *start(), UNSURE_SIGN), domain) == ASK_ACTION


def test_listens_after_the_question(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(domain, *start(), UNSURE_SIGN, ActionExecuted(ASK_ACTION))
    assert predicted(policy, t, domain) == "action_listen"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("/affirm", "affirm"), ("yeah", "affirm"), ("/not_sure", "not_sure"),
     ("idk", "greet"), ("kinda", "inform")],
)  # fmt: skip
def test_yes_or_not_sure_gets_the_crisis_reply(
    policy: CrisisPolicy, domain: Domain, text: str, intent: str
) -> None:
    t = tracker(domain, *asked(said(text, intent)))
    assert predicted(policy, t, domain) == CRISIS_ACTION


def test_no_gets_support_then_listens(policy: CrisisPolicy, domain: Domain) -> None:
    t = tracker(domain, *asked(said("no", "deny")))
    assert predicted(policy, t, domain) == DECLINED_ACTION
    t = tracker(domain, *asked(said("nah im ok", "deny"), ActionExecuted(DECLINED_ACTION)))
    assert predicted(policy, t, domain) == "action_listen"


def test_something_else_after_the_question_is_an_ordinary_message(
    policy: CrisisPolicy, domain: Domain
) -> None:
    assert predicted(policy, tracker(domain, *asked(said("hello", "greet"))), domain) is None
    # ...and a crisis in it still wins
    assert predicted(policy, tracker(domain, *asked(CRISIS)), domain) == CRISIS_ACTION


def test_a_yes_long_after_the_question_is_not_an_answer_to_it(
    policy: CrisisPolicy, domain: Domain
) -> None:
    t = tracker(
        domain,
        *asked(said("hello", "greet"), ActionExecuted("utter_greet"),
               ActionExecuted("action_listen"), said("yes", "affirm")),
    )  # fmt: skip
    assert predicted(policy, t, domain) is None


def test_the_question_interrupts_a_form(
    policy: CrisisPolicy, domain: Domain, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    t = tracker(domain, *in_mood_form(UNSURE_SIGN))
    crisis = policy.predict_action_probabilities(t, domain)
    assert _ensemble_winner(domain, t, storage, context, crisis) == ASK_ACTION
