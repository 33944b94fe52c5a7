"""The reply after a check-in: reflect, compare in plain words, offer a fitting next step."""

from __future__ import annotations

import pytest

from bot.mood.checkin import (
    PAYLOAD_EXERCISE,
    PAYLOAD_MENU,
    PAYLOAD_PERSON,
    PAYLOAD_PHQ2,
    Button,
    build_checkin_reply,
)


def reply(**overrides: object):
    args = {
        "score": 6,
        "feelings": [],
        "note": None,
        "previous_scores": [],
        "storage": "saved",
        "age_group": "adult",
    }
    args.update(overrides)
    return build_checkin_reply(**args)


def payloads(outcome) -> list[str]:
    return [b.payload for r in outcome.replies for b in r.buttons]


def all_text(outcome) -> str:
    return " ".join(r.text for r in outcome.replies)


def test_reflects_score_feelings_and_note() -> None:
    outcome = reply(feelings=["sad", "tired"], note="work was a lot")
    first = outcome.replies[0].text
    assert "6 out of 10" in first
    assert "sad and tired" in first
    assert "telling me a bit more" in first
    assert "work was a lot" not in all_text(outcome)  # the note is kept, not echoed


def test_first_saved_check_in_says_so() -> None:
    text = all_text(reply())
    assert "first check-in" in text
    assert "saved this check-in" in text


@pytest.mark.parametrize(
    ("score", "previous", "phrase"),
    [
        (8, [5, 6, 7], "a bit higher than your last three check-ins"),
        (9, [5, 6, 4], "quite a bit higher than your last three check-ins"),
        (6, [6, 6], "about the same as your last two check-ins"),
        (5, [6], "a bit lower than your last check-in"),
        (3, [7, 6, 8], "quite a bit lower than your last three check-ins"),
    ],
)
def test_compares_in_plain_words(score: int, previous: list[int], phrase: str) -> None:
    assert phrase in all_text(reply(score=score, previous_scores=previous))


def test_older_adults_get_their_register() -> None:
    text = all_text(reply(score=5, previous_scores=[6], age_group="older"))
    assert "That is a little lower than your last check-in." in text
    assert "I have saved this check-in" in text


def test_not_saved_is_said_kindly_and_still_reflects() -> None:
    outcome = reply(storage="off")
    text = all_text(outcome)
    assert "haven't saved this check-in" in text and "switched off" in text
    assert "6 out of 10" in text
    assert "first check-in" not in text  # nothing saved: do not pretend to track


def test_failed_save_is_honest() -> None:
    assert "couldn't save this check-in" in all_text(reply(storage="failed"))


def test_an_ordinary_day_offers_an_exercise_and_the_menu() -> None:
    outcome = reply(score=6, previous_scores=[6, 5])
    assert outcome.signal is None
    assert payloads(outcome) == [PAYLOAD_EXERCISE, PAYLOAD_MENU]


def test_a_single_low_score_keeps_a_person_in_reach_without_alarm() -> None:
    outcome = reply(score=2, previous_scores=[5, 3])
    assert outcome.signal is None
    assert "really hard time" in all_text(outcome)
    assert PAYLOAD_PERSON in payloads(outcome)
    assert PAYLOAD_PHQ2 not in payloads(outcome)


def test_low_twice_offers_a_person_and_a_questionnaire() -> None:
    outcome = reply(score=1, previous_scores=[6, 2])
    assert outcome.signal == "low_twice"
    offer = outcome.replies[-1]
    assert "last two check-ins have both been very low" in offer.text
    assert [b.payload for b in offer.buttons][:2] == [PAYLOAD_PERSON, PAYLOAD_PHQ2]


def test_sharp_drop_offers_a_person_and_a_questionnaire() -> None:
    outcome = reply(score=3, previous_scores=[8, 7, 7], age_group="youth")
    assert outcome.signal == "sharp_drop"
    assert "real person" in outcome.replies[-1].text
    assert {PAYLOAD_PERSON, PAYLOAD_PHQ2} <= set(payloads(outcome))


def test_low_twice_is_noticed_from_this_conversation_when_saving_is_off() -> None:
    assert reply(score=0, previous_scores=[1], storage="off").signal == "low_twice"


def test_never_a_crisis_payload_or_diagnosis() -> None:
    for score in range(11):
        for previous in ([], [2], [9, 9, 9]):
            outcome = reply(score=score, previous_scores=previous)
            text = all_text(outcome).lower()
            assert "diagnos" not in text and "crisis" not in text
            assert all(not p.startswith("/crisis") for p in payloads(outcome))


def test_recommended_exercises_replace_the_general_button() -> None:
    suggestion = Button("Box breathing", '/choose_exercise{"exercise_id":"box_breathing"}')
    outcome = reply(exercise_buttons=[suggestion])
    assert payloads(outcome)[0] == suggestion.payload
    assert PAYLOAD_EXERCISE not in payloads(outcome)
