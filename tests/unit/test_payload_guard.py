"""Payload-shaped texts are marked not understood; other text is left to the classifiers."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlp.payload_guard import UnknownPayloadClassifier


def message(text: str) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": "give_mood_score", "confidence": 0.49})
    msg.set("intent_ranking", [{"name": "give_mood_score", "confidence": 0.49}])
    return msg


def test_unknown_payload_becomes_fallback() -> None:
    [out] = UnknownPayloadClassifier().process([message('/nonexistent{"x":1}')])
    assert out.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert out.get("intent_ranking")[1]["name"] == "give_mood_score"
    assert "intent" in out.output_properties


def test_ordinary_text_is_untouched() -> None:
    [out] = UnknownPayloadClassifier().process([message("7 out of 10 / not bad")])
    assert out.get("intent")["name"] == "give_mood_score"
