"""Which served region a typed place is in ("I live in County Mayo" -> IE).

The NLU extracts the listed places as the `region` entity (the phrase
extractor reads the lookup table) and the synonyms turn them into region
codes; this reads the same list (data/nlu/regions.yml) for the answers it
misses, so a person who names their county or city is not asked
the same question again. One list for both keeps them from drifting apart.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.config import REGIONS
from bot.nlp.training_examples import NLU_DIR, block_entries

PLACES_FILE = NLU_DIR / "regions.yml"


@lru_cache(maxsize=1)
def _places() -> tuple[re.Pattern[str], dict[str, str]]:
    blocks = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))["nlu"]
    region_of = {
        place.lower(): block["synonym"]
        for block in blocks
        if block.get("synonym") in REGIONS
        for place in block_entries(block)
    }
    (lookup,) = [block for block in blocks if block.get("lookup") == "region"]
    # longest first, so "New York City" wins over "New York"
    names = sorted(block_entries(lookup), key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)
    return pattern, region_of


def region_from_text(text: str) -> str | None:
    """The region of the first listed place in the text, or None."""
    pattern, region_of = _places()
    match = pattern.search(text)
    return region_of.get(match.group(1).lower()) if match else None
