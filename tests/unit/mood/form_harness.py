"""Runs our forms through Rasa's own FormAction in-process: no model, no servers.

The unit tests of the validation actions see only the SDK side. This harness
puts Rasa core's `FormAction` (activation, rejection, asking, deactivation)
and its conditional-response NLG in front of the real action code, by giving
them an action "endpoint" that calls the rasa_sdk executor directly. The test
chooses which action runs next (as the rules would), so what is checked is the
form machinery and our actions together, not the trained policies.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, action_for_name_or_text
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import ActionExecutor

from tests.unit.mood.rasa_trackers import CHANNEL, ROOT

# What other files of the real domain declare and our flows rely on.
SHARED_DOMAIN = """
version: "3.1"
intents: [skip, deny, affirm, menu, request_human, nlu_fallback, out_of_scope, crisis_suicide]
slots:
  age_group:
    type: categorical
    values: [youth, adult, older, under13]
    influence_conversation: true
    mappings: [{type: custom}]
  in_crisis:
    type: bool
    initial_value: false
    influence_conversation: true
    mappings: [{type: custom}]
"""


class InProcessEndpoint:
    """Stands in for the action server: runs the requested action with the SDK executor."""

    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}  # EndpointConfig's extra settings: none
        self.executor = ActionExecutor()
        self.executor.register_package("actions.mood")
        self.executor.register_package("actions.questionnaires")

    async def request(self, json: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        return await self.executor.run(json)


def load_domain() -> Domain:
    ours = Domain.load(
        [str(ROOT / "domain" / "mood.yml"), str(ROOT / "domain" / "questionnaires.yml")]
    )
    return ours.merge(Domain.from_yaml(SHARED_DOMAIN))


class Conversation:
    """One user's conversation; `say` adds a user turn, `run` runs one action like the processor."""

    def __init__(self, domain: Domain, sender_id: str = "sender-1", **slots: Any) -> None:
        self.domain = domain
        self.endpoint = InProcessEndpoint()
        self.nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        self.output = CollectingOutputChannel()
        self.messages: list[dict[str, Any]] = []  # what the bot said since the last user turn
        self.tracker = DialogueStateTracker.from_events(sender_id, [], slots=domain.slots)
        for name, value in slots.items():
            self.tracker.update(SlotSet(name, value))

    def say(
        self,
        text: str | None,
        intent: str,
        entities: dict[str, Any] | None = None,
    ) -> None:
        """A user turn after the bot listened. (action_extract_slots has nothing to do for
        our custom-mapped slots, so it is not run.)"""
        self.messages.clear()
        self.tracker.update(ActionExecuted("action_listen"))
        self.tracker.update(
            UserUttered(
                text,
                intent={"name": intent, "confidence": 1.0},
                entities=[{"entity": k, "value": v} for k, v in (entities or {}).items()],
                input_channel=CHANNEL,
            )
        )

    def trigger(self, intent: str) -> None:
        """Like the trigger_intent endpoint (reminders): an external user turn."""
        self.messages.clear()
        self.tracker.update(ActionExecuted("action_listen"))
        self.tracker.update(UserUttered.create_external(intent, [], CHANNEL))

    async def run(self, name: str) -> list[Any]:
        """Runs an action; a form that rejects raises ActionExecutionRejection, as in Rasa."""
        action = action_for_name_or_text(name, self.domain, self.endpoint)
        try:
            events = await action.run(self.output, self.nlg, self.tracker, self.domain)
        except ActionExecutionRejection:
            self.tracker.update(ActionExecutionRejected(name))
            raise
        self.tracker.update(ActionExecuted(name))
        self.tracker.update_with_events(events, self.domain)
        # Rasa sends the bot's messages from these events (processor side effects).
        self.messages += [
            {"text": e.text, "buttons": e.data.get("buttons"), "custom": e.data.get("custom")}
            for e in events
            if isinstance(e, BotUttered)
        ]
        return events

    def crisis_reply(self) -> None:
        """The events action_crisis_response returns (its documented contract)."""
        self.tracker.update(ActionExecuted("action_crisis_response"))
        self.tracker.update_with_events(
            [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("in_crisis", True)],
            self.domain,
        )

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or "" for m in self.messages]

    @property
    def buttons(self) -> list[str]:
        return [b["payload"] for m in self.messages for b in m.get("buttons") or []]

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    @property
    def active_loop(self) -> str | None:
        return self.tracker.active_loop_name
