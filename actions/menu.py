"""Greeting a returning user, the main menu and the fallback."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher


class ActionGreetBack(Action):
    def name(self) -> str:
        return "action_greet_back"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("in_crisis"):
            dispatcher.utter_message(response="utter_welcome_back_after_crisis")
        else:
            dispatcher.utter_message(response="utter_welcome_back")
        if tracker.get_slot("onboarding") == "skipped":
            dispatcher.utter_message(response="utter_finish_setup_hint")
        if tracker.get_slot("in_crisis"):
            # After a crisis the menu leads with grounding, the contacts and a
            # person, instead of carrying on as if nothing had happened.
            dispatcher.utter_message(response="utter_menu_after_crisis")
        dispatcher.utter_message(response="utter_menu")
        return []


class ActionShowMenu(Action):
    def name(self) -> str:
        return "action_show_menu"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("in_crisis"):
            dispatcher.utter_message(response="utter_menu_after_crisis")
        dispatcher.utter_message(response="utter_menu")
        return []


class ActionFallback(Action):
    """Answers what the bot did not understand kindly, and keeps a person in reach.

    The user turn is reverted so that a misunderstood message does not steer the
    dialogue policies; the message itself stays in the transcript.
    """

    def name(self) -> str:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
