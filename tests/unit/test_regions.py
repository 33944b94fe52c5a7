"""The places in data/nlu/regions.yml can only ever fill the region slot with a served region.

The lookup table lets the NLU recognise a place it has never seen in an
example; the synonyms turn the place it extracts into a region code. A place in
the lookup without a synonym would be recognised and then dropped by the
onboarding (the slot accepts codes only), and a lookup entry that is an
everyday word would mark ordinary messages ("tell us more") as places.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from bot.config import PROJECT_ROOT, REGIONS
from bot.nlp.training_examples import NLU_DIR, block_entries, example_blocks

_ANNOTATED_REGION = re.compile(r'\]\{"entity": "region", "value": "([^"]+)"\}')


@pytest.fixture(scope="module")
def regions_file() -> list[dict]:
    return yaml.safe_load((NLU_DIR / "regions.yml").read_text(encoding="utf-8"))["nlu"]


@pytest.fixture(scope="module")
def lookup(regions_file: list[dict]) -> list[str]:
    (table,) = [block for block in regions_file if block.get("lookup") == "region"]
    return block_entries(table)


@pytest.fixture(scope="module")
def synonyms() -> dict[str, set[str]]:
    """Every synonym text under data/nlu (lower case, as Rasa compares them) -> its values."""
    found: dict[str, set[str]] = defaultdict(set)
    for block, _, text in example_blocks():
        if "synonym" in block:
            found[text.lower()].add(block["synonym"])
    return found


def test_every_listed_place_maps_to_exactly_one_served_region(
    lookup: list[str], synonyms: dict[str, set[str]]
) -> None:
    assert len(lookup) > 200
    unmapped = [place for place in lookup if place.lower() not in synonyms]
    ambiguous = {p: sorted(synonyms[p.lower()]) for p in lookup if len(synonyms[p.lower()]) > 1}
    assert unmapped == []
    assert ambiguous == {}
    assert {value for p in lookup for value in synonyms[p.lower()]} == set(REGIONS)


def test_region_synonyms_and_annotations_name_served_regions_only(
    regions_file: list[dict],
) -> None:
    values = {block["synonym"] for block in regions_file if "synonym" in block}
    annotated = set(_ANNOTATED_REGION.findall((NLU_DIR / "onboarding.yml").read_text()))
    assert values == set(REGIONS)
    assert annotated <= set(REGIONS)


def test_no_listed_place_is_an_everyday_word(lookup: list[str]) -> None:
    everyday = [place for place in lookup if place.lower() in STOP_WORDS]
    assert everyday == []
    assert len({p.lower() for p in lookup}) == len(lookup), "a place is listed twice"


def test_the_regex_featurizer_reads_the_lookup_table() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    featurizers = [c for c in config["pipeline"] if c["name"] == "RegexFeaturizer"]
    assert featurizers, "without a RegexFeaturizer the lookup table is ignored"
    assert featurizers[0].get("case_sensitive") is False
    assert featurizers[0].get("use_lookup_tables", True) is True
