"""Shared fixtures: the project spaCy pipeline and one compiled crisis detector.

Compiling the rules takes about a second, so the detector is built once per test
session and shared (it holds no per-message state).
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.nlp.spacy_pipeline import load
from bot.safety.detector import CrisisDetector


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load()


@pytest.fixture(scope="session")
def detector(nlp: Language) -> CrisisDetector:
    return CrisisDetector(nlp)
