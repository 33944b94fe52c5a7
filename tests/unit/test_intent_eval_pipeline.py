"""`make nlu-eval` cross-validates config.yml minus what cannot change an intent.

The figure it prints stands for the product's intents only if every component
that sets or changes an intent is still in the pipeline it trains.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parents[2]


def intent_f1() -> ModuleType:
    spec = importlib.util.spec_from_file_location("intent_f1", ROOT / "scripts" / "intent_f1.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def names(config: dict) -> list[str]:
    return [component["name"] for component in config["pipeline"]]


def test_the_project_config_loses_only_its_entity_components() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    kept = intent_f1().intent_pipeline(config)
    dropped = [name for name in names(config) if name not in names(kept)]
    assert dropped == ["DIETClassifier", "EntitySynonymMapper"]
    assert names(kept)[-3:] == [
        "FallbackClassifier",
        "bot.nlp.payload_guard.UnknownPayloadClassifier",
        "bot.safety.component.CrisisDetectorComponent",
    ]
    assert kept["policies"] == config["policies"]


def test_a_diet_that_classifies_intents_is_kept() -> None:
    config = {
        "pipeline": [
            {"name": "CountVectorsFeaturizer"},
            {"name": "DIETClassifier", "epochs": 5},
            {"name": "EntitySynonymMapper"},
            {"name": "FallbackClassifier"},
        ]
    }
    assert names(intent_f1().intent_pipeline(config)) == [
        "CountVectorsFeaturizer",
        "DIETClassifier",
        "FallbackClassifier",
    ]
