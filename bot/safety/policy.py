"""The dialogue policy that makes crisis support win from any state (SAFETY.md §1).

Used in config.yml as `- name: bot.safety.policy.CrisisPolicy` (priority 7, above
RulePolicy's 6). It learns nothing; its behaviour holds by construction:

- the latest event is a crisis user message (intent `crisis_*`, or parse data with
  a `crisis`) and no action has run since -> `action_crisis_response`, confidence 1.0;
- `action_crisis_response` has just run -> `action_listen`, confidence 1.0;
- a message marked `risk_check` (a sign of crisis nothing confirmed) ->
  `action_ask_about_risk`, the direct question; the answer right after it:
  yes or not sure -> `action_crisis_response`, no -> `action_risk_check_declined`
  (bot/safety/risk_check.py); after either question or support -> `action_listen`;
- otherwise all zeros, so the other policies decide.

Its predictions are marked `is_no_user_prediction`. Rasa's ensemble lets such
predictions (a form's "happy path" from RulePolicy) overrule every other kind, so
without the mark an active form would win over a crisis. Among no-user
predictions the higher confidence wins, then the higher priority: 1.0 at
priority 7 beats any other policy. (While a conversation is paused for a human,
Rasa runs no policy at all; the channel layer handles that case.)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.safety.categories import category_of_intent
from bot.safety.risk_check import ASK_ACTION, DECLINED_ACTION, answer_of

logger = logging.getLogger(__name__)

CRISIS_ACTION = "action_crisis_response"
CRISIS_POLICY_PRIORITY = 7
_CONFIG_FILE = "crisis_policy.json"


class CrisisActionMissing(RasaException):
    """The domain lacks the crisis action, so crisis support could never run."""


def is_crisis_message(event: UserUttered) -> bool:
    """A user message the NLU pipeline marked as a crisis (intent or parse data)."""
    if category_of_intent(event.intent_name) is not None:
        return True
    return (event.parse_data or {}).get("crisis") is not None


def _last_turn_event(tracker: DialogueStateTracker) -> Event | None:
    """The latest user message or action, ignoring slots, loops and other bookkeeping."""
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered | ActionExecuted):
            return event
    return None


def _action_before_message(tracker: DialogueStateTracker) -> str | None:
    """The bot's last action before the latest user message (not counting listening)."""
    seen_message = False
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            if seen_message:
                return None
            seen_message = True
        elif (
            seen_message
            and isinstance(event, ActionExecuted)
            and event.action_name != ACTION_LISTEN_NAME
        ):
            return event.action_name
    return None


def _reply_to_message(
    event: UserUttered, tracker: DialogueStateTracker, crisis_action: str
) -> str | None:
    """What the crisis policy answers a user message with, if anything."""
    if is_crisis_message(event):
        return crisis_action
    if _action_before_message(tracker) == ASK_ACTION:
        answer = answer_of(event.intent_name, event.text)
        if answer in ("yes", "unsure"):
            return crisis_action
        if answer == "no":
            return DECLINED_ACTION
    if (event.parse_data or {}).get("risk_check"):
        return ASK_ACTION
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class CrisisPolicy(Policy):
    """Predicts the crisis response right after a crisis message, from any state."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {POLICY_PRIORITY: CRISIS_POLICY_PRIORITY, "crisis_action": CRISIS_ACTION}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.crisis_action: str = config["crisis_action"]

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn; checks the domain so a missing crisis action fails training."""
        for action in (self.crisis_action, ASK_ACTION, DECLINED_ACTION):
            if action not in domain.action_names_or_texts:
                raise CrisisActionMissing(
                    f"CrisisPolicy needs the action '{action}' in the domain "
                    "(domain/*.yml, actions:); without it crisis support could never run."
                )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as path:
            (Path(path) / _CONFIG_FILE).write_text(
                json.dumps({"crisis_action": self.crisis_action, "priority": self.priority})
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisPolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        event = _last_turn_event(tracker)
        action = None
        if isinstance(event, UserUttered):
            action = _reply_to_message(event, tracker, self.crisis_action)
        elif isinstance(event, ActionExecuted) and event.action_name in (
            self.crisis_action,
            ASK_ACTION,
            DECLINED_ACTION,
        ):
            action = ACTION_LISTEN_NAME
        if action is None:
            return self._prediction(result)
        if action not in domain.action_names_or_texts:
            logger.error("CrisisPolicy: action '%s' is not in the domain", action)
            return self._prediction(result)
        result[domain.index_for_action(action)] = 1.0
        return self._prediction(result, is_no_user_prediction=True)
