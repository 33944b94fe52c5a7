"""Onboarding: introduction, consent, age group and region, skippable at any point."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.config import load_settings
from bot.dialogue.onboarding import next_onboarding_turn
from bot.dialogue.profile import profile_from_slots
from bot.safety.resources import contacts_for, format_contacts


class ActionOnboardingIntro(Action):
    def name(self) -> str:
        return "action_onboarding_intro"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        profile = profile_from_slots(tracker.current_slot_values())
        contacts = format_contacts(contacts_for(profile.region, None, None), None)
        dispatcher.utter_message(response="utter_intro", contacts=contacts)
        return []


class ActionOnboardingNext(Action):
    """Records the answer to the open question, then asks the next one or finishes."""

    def name(self) -> str:
        return "action_onboarding_next"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = load_settings()
        turn = next_onboarding_turn(
            slots=tracker.current_slot_values(),
            intent=(tracker.latest_message.get("intent") or {}).get("name"),
            text=tracker.latest_message.get("text") or "",
        )
        for response in turn.responses:
            kwargs: dict[str, Any] = {}
            if response == "utter_ask_consent":
                kwargs["retention_days"] = settings.retention_days
            elif response == "utter_ask_region":
                kwargs["default_region"] = settings.region
            elif response == "utter_under13":
                region = turn.slots.get("region") or settings.region
                kwargs["contacts"] = format_contacts(contacts_for(region, "youth", None), "youth")
            dispatcher.utter_message(response=response, **kwargs)
        return [SlotSet(name, value) for name, value in turn.slots.items()]


class ActionOnboardingSkip(Action):
    def name(self) -> str:
        return "action_onboarding_skip"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet("onboarding_step", None)]
        if tracker.get_slot("onboarding") != "done":
            events.append(SlotSet("onboarding", "skipped"))
        dispatcher.utter_message(response="utter_onboarding_skipped")
        dispatcher.utter_message(response="utter_menu")
        return events
