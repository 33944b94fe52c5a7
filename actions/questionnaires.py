"""Screening questionnaires (PHQ-2, GAD-2, WHO-5) as one Rasa form, `questionnaire_form`.

Flow: `start_questionnaire` (with or without the `questionnaire` entity) →
`action_questionnaire_reset` → `questionnaire_form`. The form first needs the
`questionnaire` slot (asked with three plain-named buttons when missing),
then asks `q_answer` once per item: every accepted answer is appended to
`questionnaire_answers` and `q_answer` is emptied again, until there is one
answer per item (a dynamic form: `required_slots` drops `q_answer` then).
`action_questionnaire_submit` scores, saves with consent and explains the
result in plain words for the age group; it never diagnoses.

The answers live in slots, so after an interruption (a crisis reply ends the
form) "resume" re-activates the form at the next unanswered item and "stop"
drops it. Nothing resumes by itself.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.mood import age_group_of, clear_mood_slots, may_store, who
from bot.content.questionnaire_library import (
    Questionnaire,
    ScreenResult,
    match_questionnaire,
    questionnaires,
    register_for,
)
from bot.mood.checkin import (
    PAYLOAD_EXERCISE,
    PAYLOAD_MENU,
    PAYLOAD_PERSON,
    PAYLOAD_PHQ2,
    PAYLOAD_SHOW_MOOD,
    Button,
    button,
)
from bot.mood.feelings import is_skip
from bot.mood.trend import score_change
from bot.mood.turn import (
    as_int,
    declines,
    entity_values,
    intent_of,
    is_payload,
    text_of,
    wants_something_else,
)
from bot.mood.wording import say
from bot.store import get_store

logger = logging.getLogger(__name__)

QUESTIONNAIRE_SLOTS = ("questionnaire", "questionnaire_answers", "q_answer")


def start_payload(questionnaire_id: str) -> str:
    return f'/start_questionnaire{{"questionnaire":"{questionnaire_id}"}}'


def answer_payload(value: int) -> str:
    return f'/answer{{"answer_value":{value}}}'


def current_questionnaire(tracker: Tracker) -> Questionnaire | None:
    return questionnaires().get(tracker.get_slot("questionnaire") or "")


def current_answers(tracker: Tracker) -> list[int]:
    return [int(a) for a in tracker.get_slot("questionnaire_answers") or []]


def in_progress(tracker: Tracker) -> bool:
    """A questionnaire was chosen and not every item has an answer yet."""
    questionnaire = current_questionnaire(tracker)
    return questionnaire is not None and len(current_answers(tracker)) < len(questionnaire.items)


def checkin_paused(tracker: Tracker) -> bool:
    return any(tracker.get_slot(s) is not None for s in ("mood_score", "mood_feelings"))


def clear_questionnaire_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in QUESTIONNAIRE_SLOTS]


def _events_since_user(tracker: Tracker, stop_at_action: str | None = None) -> list[dict[str, Any]]:
    since: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name") == stop_at_action:
            break
        since.append(event)
    return since


def answer_just_rejected(tracker: Tracker) -> bool:
    """This run of the form emptied `q_answer` without adding an answer: the reply was not one."""
    events = _events_since_user(tracker, stop_at_action="questionnaire_form")
    emptied = any(e.get("event") == "slot" and e.get("name") == "q_answer" for e in events)
    added = any(
        e.get("event") == "slot" and e.get("name") == "questionnaire_answers" for e in events
    )
    return emptied and not added


def loop_just_deactivated(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "action" and e.get("name") == "action_deactivate_loop"
        for e in _events_since_user(tracker)
    )


def chosen_questionnaire(message: dict[str, Any]) -> str | None:
    """The questionnaire a message names: the button's entity, or the words typed."""
    for value in entity_values(message, "questionnaire"):
        if value in questionnaires():
            return value
        named = match_questionnaire(str(value))
        if named:
            return named
    text = text_of(message)
    return None if is_payload(text) else match_questionnaire(text)


class ActionQuestionnaireReset(Action):
    """Starts a questionnaire afresh: the one named, or none yet (the form will ask)."""

    def name(self) -> str:
        return "action_questionnaire_reset"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [
            SlotSet("questionnaire", chosen_questionnaire(tracker.latest_message)),
            SlotSet("questionnaire_answers", []),
        ]


class ValidateQuestionnaireForm(FormValidationAction):
    """Which questionnaire, then one answer per item; anything else is re-asked kindly."""

    def name(self) -> str:
        return "validate_questionnaire_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        questionnaire = current_questionnaire(tracker)
        if questionnaire is not None and not in_progress(tracker):
            return ["questionnaire"]  # every item answered: the form is done
        return ["questionnaire", "q_answer"]

    async def extract_questionnaire(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "questionnaire":
            return {}
        message = tracker.latest_message
        chosen = chosen_questionnaire(message)
        if chosen is not None:
            return {"questionnaire": chosen}
        if wants_something_else(message):
            return {}
        dispatcher.utter_message(
            text=say("questionnaire.not_understood_choice", age_group_of(tracker))
        )
        return {"questionnaire": None}

    def validate_questionnaire(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A fresh choice starts with no answers; re-validating on resume keeps them.

        (The reset must happen here: the SDK drops extracted slots that are not
        required, such as `questionnaire_answers`.)
        """
        if value not in questionnaires():
            return {"questionnaire": None}
        if tracker.get_slot("requested_slot") == "questionnaire":
            return {"questionnaire": value, "questionnaire_answers": []}
        return {"questionnaire": value}

    async def extract_q_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        questionnaire = current_questionnaire(tracker)
        if tracker.get_slot("requested_slot") != "q_answer" or questionnaire is None:
            return {}
        message = tracker.latest_message
        for value in entity_values(message, "answer_value"):
            number = as_int(value)
            if number in questionnaire.values:
                return {"q_answer": number}
            matched = questionnaire.match_answer(str(value))
            if matched is not None:
                return {"q_answer": matched}
        if wants_something_else(message):
            return {}
        text = text_of(message)
        answer = None if is_payload(text) else questionnaire.match_answer(text)
        if answer is not None:
            return {"q_answer": answer}
        age = age_group_of(tracker)
        if declines(message) or is_skip(text):
            dispatcher.utter_message(text=say("questionnaire.answer_needed", age))
        else:
            dispatcher.utter_message(text=say("questionnaire.answer_not_understood", age))
        return {"q_answer": None}

    def validate_q_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Moves an accepted answer into the list and empties `q_answer` for the next item."""
        questionnaire = current_questionnaire(tracker)
        number = as_int(value)
        if questionnaire is None or number not in questionnaire.values:
            return {"q_answer": None}
        answers = current_answers(tracker)
        if len(answers) >= len(questionnaire.items):
            return {"q_answer": None}
        return {"q_answer": None, "questionnaire_answers": [*answers, number]}


class ActionAskQuestionnaire(Action):
    """Offers the three questionnaires with plain names."""

    def name(self) -> str:
        return "action_ask_questionnaire"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        age = age_group_of(tracker)
        texts = []
        resuming = intent_of(tracker.latest_message) == "resume_questionnaire"
        if resuming:
            texts.append(say("questionnaire.nothing_to_resume", age))
        texts.append(say("questionnaire.choose", age))
        buttons = [{"title": q.title, "payload": start_payload(q.id)} for q in _in_menu_order()]
        if resuming and checkin_paused(tracker):
            buttons.append(button("resume_checkin", age, "/resume_checkin").as_dict())
        dispatcher.utter_message(text=" ".join(texts), buttons=buttons)
        return []


def _in_menu_order() -> list[Questionnaire]:
    order = ("phq2", "gad2", "who5")
    library = questionnaires()
    return [library[q] for q in order if q in library] + [
        q for qid, q in library.items() if qid not in order
    ]


class ActionAskQAnswer(Action):
    """Asks the next unanswered item, with the answer scale as buttons."""

    def name(self) -> str:
        return "action_ask_q_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        questionnaire = current_questionnaire(tracker)
        if questionnaire is None:
            return []
        age = age_group_of(tracker)
        index = len(current_answers(tracker))
        if index >= len(questionnaire.items):
            return []
        parts = []
        resuming = intent_of(tracker.latest_message) == "resume_questionnaire"
        first_time = index == 0 and not answer_just_rejected(tracker)
        if resuming and index > 0:
            parts.append(say("questionnaire.resumed", age))
        elif first_time or resuming:
            parts.append(questionnaire.text("intro", age))
        parts.append(
            say(
                "questionnaire.progress",
                age,
                number=index + 1,
                count=len(questionnaire.items),
            )
            + f'\n{questionnaire.time_frame}, {questionnaire.question}\n"'
            + questionnaire.items[index]
            + '"'
        )
        if first_time or resuming or register_for(age) == "older":
            example = questionnaire.scale[1].label.lower()
            parts.append(say("questionnaire.answer_hint", age, example=example))
        dispatcher.utter_message(
            text="\n\n".join(parts),
            buttons=[
                {"title": option.label, "payload": answer_payload(option.value)}
                for option in questionnaire.scale
            ],
        )
        return []


class ActionQuestionnaireSubmit(Action):
    """Scores, saves with consent, explains in plain words, and offers fitting next steps."""

    def name(self) -> str:
        return "action_questionnaire_submit"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        questionnaire = current_questionnaire(tracker)
        answers = current_answers(tracker)
        if questionnaire is None or len(answers) != len(questionnaire.items):
            logger.warning("action_questionnaire_submit ran without a complete questionnaire")
            return clear_questionnaire_slots()
        age = age_group_of(tracker)
        result = questionnaire.score(answers)
        previous, storage_key = self._save(tracker, result)

        texts = [
            questionnaire.text(
                "flagged" if result.positive else "not_flagged", age, score=result.score
            )
        ]
        if previous is not None:
            texts.append(self._change_sentence(questionnaire, result.score, previous, age))
        texts.append(say(storage_key, age))
        dispatcher.utter_message(
            text="\n\n".join(texts),
            buttons=[
                b.as_dict() for b in self._next_steps(questionnaire, result, storage_key, age)
            ],
        )
        return clear_questionnaire_slots()

    @staticmethod
    def _save(tracker: Tracker, result: ScreenResult) -> tuple[int | None, str]:
        """Returns the previous score of this questionnaire (if any) and the storage message."""
        channel, sender = who(tracker)
        try:
            if not may_store(tracker):
                return None, "questionnaire.not_saved"
            store = get_store()
            earlier = store.questionnaire_results(
                channel, sender, questionnaire=result.questionnaire
            )
            store.add_questionnaire_result(
                channel,
                sender,
                questionnaire=result.questionnaire,
                answers=list(result.answers),
                total=result.total,
                score=result.score,
                positive=result.positive,
            )
            return (earlier[-1].score if earlier else None), "questionnaire.saved"
        except Exception:  # the result is still explained when the database is down
            logger.exception("could not save a questionnaire result")
            return None, "questionnaire.save_failed"

    @staticmethod
    def _change_sentence(questionnaire: Questionnaire, score: int, previous: int, age: str) -> str:
        change = score_change(score, previous, questionnaire.meaningful_change)
        if change.meaningful is None or change.difference == 0:
            return say("questionnaire.change_plain", age, previous=previous)
        key = "change_meaningful" if change.meaningful else "change_small"
        return say(
            f"questionnaire.{key}",
            age,
            points=abs(change.difference),
            direction="higher" if change.difference > 0 else "lower",
            threshold=questionnaire.meaningful_change,
        )

    @staticmethod
    def _next_steps(
        questionnaire: Questionnaire, result: ScreenResult, storage_key: str, age: str
    ) -> list[Button]:
        person = button("person", age, PAYLOAD_PERSON)
        exercise = button("exercise", age, PAYLOAD_EXERCISE)
        if result.positive and questionnaire.id == "who5":
            return [button("mood_questionnaire", age, PAYLOAD_PHQ2), person, exercise]
        if result.positive:
            return [person, exercise]
        steps = [exercise]
        if storage_key == "questionnaire.saved":
            steps.append(button("show_mood", age, PAYLOAD_SHOW_MOOD))
        return [*steps, button("menu", age, PAYLOAD_MENU)]


class ActionQuestionnaireStop(Action):
    """Drops a running or paused questionnaire (or, if none, a paused check-in)."""

    def name(self) -> str:
        return "action_questionnaire_stop"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        age = age_group_of(tracker)
        if in_progress(tracker) or loop_just_deactivated(tracker):
            dispatcher.utter_message(text=say("questionnaire.stopped", age))
            return clear_questionnaire_slots()
        if checkin_paused(tracker):
            dispatcher.utter_message(text=say("checkin.stopped", age))
            return clear_mood_slots()
        dispatcher.utter_message(text=say("questionnaire.nothing_to_stop", age))
        return clear_questionnaire_slots()
