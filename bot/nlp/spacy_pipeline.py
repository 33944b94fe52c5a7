"""Builds the spaCy pipeline that Rasa's SpacyNLP loads by path.

No pretrained English model for spaCy 3.4 can be installed here, and nothing may
be downloaded at run time, so the pipeline is a blank English tokenizer plus the
lookup lemmatizer whose tables ship in `spacy-lookups-data`. It is rebuilt only
when missing, at set-up.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy

from bot.config import PROJECT_ROOT

PIPELINE_DIR = PROJECT_ROOT / "var" / "spacy" / "en_coping"


def build(target: Path = PIPELINE_DIR) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


def load(path: Path = PIPELINE_DIR) -> spacy.language.Language:
    if not (path / "meta.json").exists():
        build(path)
    return spacy.load(path)


def build_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot build-spacy")
    parser.add_argument("--target", type=Path, default=PIPELINE_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args(argv)
    if (args.target / "meta.json").exists() and not args.force:
        print(f"spaCy pipeline present at {args.target}")
        return 0
    print(f"spaCy pipeline built at {build(args.target)}")
    return 0
