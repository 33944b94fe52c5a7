"""Explaining what is stored, and deleting it on request.

The deletion itself is done in the Rasa server, where the whole history lives:
when `action_delete_my_data` has run, the tracker store drops the stored events
and the event broker erases the transcript store's rows for this user
(bot/store/tracker_store.py, bot/store/broker.py). Doing it there keeps the
order right: nothing written before the deletion can be written back after it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.config import load_settings


class ActionExplainPrivacy(Action):
    def name(self) -> str:
        return "action_explain_privacy"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_privacy", retention_days=load_settings().retention_days
        )
        return []


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_data_deleted")
        return [AllSlotsReset()]
