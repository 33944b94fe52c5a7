"""The crisis reply (SAFETY.md section 2) and the contacts on request."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.exercises import offer_exercises
from bot.content.exercise_library import get_library
from bot.dialogue.crisis import (
    ASK_RESPONSES,
    CrisisSignal,
    asked_message,
    build_reply,
    signal_from_answer,
    signal_from_parse,
)
from bot.dialogue.profile import profile_from_slots, stated_age_group
from bot.handoff.alerts import StaffAlert, alert_staff
from bot.safety.resources import contacts_for, format_contacts
from bot.safety.risk_check import ASK_ACTION, CATEGORY_SLOT, DECLINED_ACTION
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
        slots = tracker.current_slot_values()
        events: list[EventType] = []
        if slots.get("age_group") is None:
            # "im 11 and my dad hits me" as the first message or the answer to
            # "how old are you?": the contacts must be the ones for that age.
            stated = stated_age_group(
                tracker.latest_message.get("text") or "",
                asked=slots.get("onboarding_step") == "age_group",
            )
            if stated is not None:
                slots = {**slots, "age_group": stated}
                events.append(SlotSet("age_group", stated))
        profile = profile_from_slots(slots)
        signal = (
            signal_from_parse(tracker.latest_message)
            or signal_from_answer(
                tracker.get_slot(CATEGORY_SLOT),
                tracker.latest_message.get("text") or "",
                asked_message(tracker.events, ASK_ACTION),
            )
            or CrisisSignal(
                # Reached only if a policy predicted this action without a detected
                # crisis; the safer reading is still a crisis reply.
                "suicide",
                "high",
                "",
                tracker.latest_message.get("text") or "",
            )
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

        events += [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("in_crisis", True),
            SlotSet("crisis_category", signal.category),
            SlotSet(CATEGORY_SLOT, None),
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


class ActionAskAboutRisk(Action):
    """The direct question when a crisis is possible but not confirmed (SAFETY.md §1)."""

    def name(self) -> str:
        return ASK_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = (tracker.latest_message.get("risk_check") or {}).get("category")
        category = asked if asked in ASK_RESPONSES else "suicide"
        dispatcher.utter_message(response=ASK_RESPONSES[category])
        return [SlotSet(CATEGORY_SLOT, category)]


class ActionRiskCheckDeclined(Action):
    """A "no" to the direct question: thanks, then support for what they first said."""

    def name(self) -> str:
        return DECLINED_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_risk_check_declined")
        library = get_library()
        first_said = asked_message(tracker.events, ASK_ACTION) or ""
        offer_exercises(
            dispatcher,
            tracker,
            library,
            lead="recommend_after_problem",
            problems=library.problems_in(first_said),
        )
        return [SlotSet(CATEGORY_SLOT, None)]
