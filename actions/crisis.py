"""The crisis reply (SAFETY.md section 2) and the contacts on request."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.crisis import CrisisSignal, build_reply, signal_from_parse
from bot.dialogue.profile import profile_from_slots
from bot.handoff.alerts import StaffAlert, alert_staff
from bot.safety.resources import contacts_for, format_contacts
from bot.store import get_store

logger = logging.getLogger(__name__)


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = profile_from_slots(tracker.current_slot_values())
        signal = signal_from_parse(tracker.latest_message) or CrisisSignal(
            # Reached only if a policy predicted this action without a detected
            # crisis; the safer reading is still a crisis reply.
            "suicide",
            "high",
            "",
            tracker.latest_message.get("text") or "",
        )
        reply = build_reply(signal, profile)
        dispatcher.utter_message(response=reply.response, contacts=reply.contacts_text)
        dispatcher.utter_message(json_message=reply.payload)
        dispatcher.utter_message(response="utter_crisis_not_a_person", emergency=reply.emergency)
        dispatcher.utter_message(response="utter_crisis_offer_person")

        channel = channel_of(tracker)
        try:
            flag = await asyncio.to_thread(
                get_store().raise_flag,
                channel,
                tracker.sender_id,
                category=signal.category,
                severity=signal.severity,
                evidence=signal.evidence,
                message_text=signal.message_text,
            )
            if flag.occurrences == 1:
                await alert_staff(
                    StaffAlert(
                        channel,
                        tracker.sender_id,
                        "crisis",
                        f"{signal.category}, {signal.severity}",
                    )
                )
        except Exception:
            # The user's reply must never wait on, or fail with, the store.
            logger.exception("CRISIS FLAG NOT STORED for a %s message", signal.category)

        events: list[EventType] = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("in_crisis", True),
            SlotSet("crisis_category", signal.category),
        ]
        if tracker.get_slot("handoff_active"):
            # The channel resumed a paused conversation only to answer this
            # message; the person is still waiting for staff.
            events.append(ConversationPaused())
        return events


class ActionShowCrisisContacts(Action):
    def name(self) -> str:
        return "action_show_crisis_contacts"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = profile_from_slots(tracker.current_slot_values())
        age = None if profile.age_group == "adult" else profile.age_group
        resources = contacts_for(profile.region, age, tracker.get_slot("crisis_category"))
        dispatcher.utter_message(
            response="utter_crisis_contacts_again", contacts=format_contacts(resources, age)
        )
        return []
