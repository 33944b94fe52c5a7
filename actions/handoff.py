"""Handing the conversation to a person, the honest time-out, and resuming."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.config import load_settings
from bot.dialogue.crisis import emergency_number
from bot.dialogue.profile import profile_from_slots
from bot.handoff.alerts import StaffAlert, alert_staff
from bot.safety.resources import contacts_for, format_contacts
from bot.store import get_store


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = load_settings()
        profile = profile_from_slots(tracker.current_slot_values())
        channel = tracker.get_latest_input_channel() or "rest"
        reason = "after crisis reply" if tracker.get_slot("in_crisis") else "user asked"
        handoff = await asyncio.to_thread(
            get_store().request_handoff, channel, tracker.sender_id, reason=reason
        )
        await alert_staff(
            StaffAlert(channel, tracker.sender_id, "handoff", f"request {handoff.id}: {reason}")
        )
        dispatcher.utter_message(
            response="utter_handoff_requested",
            wait=_minutes(settings.handoff_timeout_seconds),
            emergency=emergency_number(profile.region),
        )
        return [SlotSet("handoff_active", True), ConversationPaused()]


class ActionHandoffTimeout(Action):
    """Nobody took the hand-off in time: say so, and give the contacts again."""

    def name(self) -> str:
        return "action_handoff_timeout"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = profile_from_slots(tracker.current_slot_values())
        age = None if profile.age_group == "adult" else profile.age_group
        resources = contacts_for(profile.region, age, tracker.get_slot("crisis_category"))
        dispatcher.utter_message(
            response="utter_handoff_timeout", contacts=format_contacts(resources, age)
        )
        return [SlotSet("handoff_active", False)]


class ActionHandoffResumed(Action):
    def name(self) -> str:
        return "action_handoff_resumed"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_resumed")
        return [SlotSet("handoff_active", False)]
