"""Contacts per region, category and age group (SAFETY.md §2 and §4).

Expected numbers are typed here from the SAFETY.md §4 table, not read back from
resources.yml, so a wrong number in the data file fails these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.safety.resources import (
    RESOURCES_FILE,
    Resource,
    ResourceFileError,
    contacts_for,
    crisis_payload,
    format_contacts,
    load_resources,
)

# region: (crisis phone, text sms or None, emergency phone, youth line phone or None)
SAFETY_TABLE = {
    "US": ("988", "741741", "911", None),
    "UK": ("116 123", "85258", "999", "0800 1111"),
    "CA": ("988", "686868", "911", "1-800-668-6868"),
    "AU": ("13 11 14", None, "000", "1800 55 1800"),
    "IE": ("116 123", "50808", "112", "1800 66 66 66"),
}
# (region, age group): abuse hotline phones, in order
ABUSE_LINES = {
    ("US", "youth"): ["1-800-422-4453"],
    ("US", "adult"): ["1-800-799-7233"],
    ("US", "older"): ["1-800-677-1116", "1-800-799-7233"],
    ("UK", "youth"): [],
    ("UK", "adult"): ["0808 2000 247"],
    ("UK", "older"): ["0808 808 8141", "0808 2000 247"],
    ("CA", "adult"): [],
    ("AU", "youth"): ["1800 737 732"],
    ("AU", "adult"): ["1800 737 732"],
    ("AU", "older"): ["1800 737 732"],
    ("IE", "adult"): [],
}


def phones(resources: list[Resource]) -> list[str | None]:
    return [r.phone for r in resources]


@pytest.mark.parametrize("region", sorted(SAFETY_TABLE))
def test_every_region_gives_crisis_text_and_emergency_in_order(region: str) -> None:
    crisis, text, emergency, _ = SAFETY_TABLE[region]
    got = contacts_for(region, "adult", "suicide")
    assert got[0].phone == crisis
    assert got[-1].phone == emergency, "emergency services come last outside medical"
    if text is None:
        assert len(got) == 2
    else:
        assert got[1].sms == text


@pytest.mark.parametrize("region", sorted(SAFETY_TABLE))
def test_medical_puts_emergency_services_first(region: str) -> None:
    got = contacts_for(region, "older", "medical")
    assert got[0].phone == SAFETY_TABLE[region][2]
    assert got.count(got[0]) == 1, "emergency services listed once"


@pytest.mark.parametrize(("region", "age_group"), sorted(ABUSE_LINES))
def test_abuse_adds_the_matching_hotline(region: str, age_group: str) -> None:
    without = contacts_for(region, age_group, "suicide")
    with_abuse = contacts_for(region, age_group, "abuse")
    added = [r for r in with_abuse if r not in without]
    assert phones(added) == ABUSE_LINES[(region, age_group)]
    assert with_abuse[-1].phone == SAFETY_TABLE[region][2]


def test_domestic_violence_line_has_its_text_keyword() -> None:
    hotline = contacts_for("US", "adult", "abuse")[2]
    assert hotline.sms == "88788"
    assert "START" in (hotline.note or "")


@pytest.mark.parametrize("region", sorted(SAFETY_TABLE))
@pytest.mark.parametrize("age_group", ["youth", "under13"])
def test_youth_gets_the_youth_line_where_one_exists(region: str, age_group: str) -> None:
    youth_phone = SAFETY_TABLE[region][3]
    adult = contacts_for(region, "adult", "suicide")
    youth = contacts_for(region, age_group, "suicide")
    if youth_phone is None:
        assert youth == adult, "988 serves all ages in the US"
    else:
        assert phones(youth) == [*phones(adult)[:-1], youth_phone, phones(adult)[-1]]


def test_us_crisis_line_and_text_line_match_safety_md() -> None:
    lifeline, text_line, emergency = contacts_for("US", None, None)
    assert (lifeline.name, lifeline.phone, lifeline.sms) == (
        "988 Suicide & Crisis Lifeline",
        "988",
        "988",
    )
    assert lifeline.url == "https://988lifeline.org"
    assert text_line.name == "Crisis Text Line" and text_line.note == "text HOME to 741741"
    assert emergency.phone == "911"


@pytest.mark.parametrize("region", ["XX", "", "gb", None])
def test_unknown_region_falls_back_to_us(region: str | None) -> None:
    assert contacts_for(region, "adult", "suicide") == contacts_for("US", "adult", "suicide")  # type: ignore[arg-type]


def test_region_is_case_insensitive() -> None:
    assert contacts_for("uk", None, None) == contacts_for("UK", None, None)


def test_payload_has_exactly_the_channel_contract_shape() -> None:
    payload = crisis_payload("suicide", "high", "US", None)
    assert set(payload) == {"type", "category", "severity", "region", "resources"}
    assert payload["type"] == "crisis"
    assert (payload["category"], payload["severity"], payload["region"]) == (
        "suicide",
        "high",
        "US",
    )
    assert payload["resources"][0] == {
        "name": "988 Suicide & Crisis Lifeline",
        "phone": "988",
        "sms": "988",
        "url": "https://988lifeline.org",
    }
    for resource in payload["resources"]:
        assert set(resource) == {"name", "phone", "sms", "url"}


def test_payload_reports_the_region_actually_used() -> None:
    assert crisis_payload("abuse", "medium", "narnia", "youth")["region"] == "US"
    uk = crisis_payload("medical", "high", "uk", "older")
    assert uk["region"] == "UK"
    assert uk["resources"][0]["phone"] == "999"


@pytest.mark.parametrize(("category", "severity"), [("sadness", "high"), ("suicide", "low")])
def test_payload_rejects_unknown_vocabulary(category: str, severity: str) -> None:
    with pytest.raises(ValueError):
        crisis_payload(category, severity, "US", None)


def test_format_contacts_lists_every_number_and_says_when_to_call_emergency() -> None:
    resources = contacts_for("UK", "youth", "abuse")
    text = format_contacts(resources, "youth")
    lines = text.splitlines()
    assert len(lines) == len(resources)
    for needle in ("116 123", "SHOUT to 85258", "0800 1111", "999"):
        assert needle in text
    assert "danger" in lines[-1]


def test_format_contacts_for_older_adults_uses_full_sentences() -> None:
    text = format_contacts(contacts_for("IE", "older", "medical"), "older")
    first, *rest = text.splitlines()
    assert first.startswith("If you are in danger now") and "112 or 999" in first
    assert all(line.endswith(".") for line in [first, *rest])


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "contacts.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _valid() -> dict:
    return yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))


def test_loader_accepts_the_shipped_file() -> None:
    book = load_resources()
    assert book.default_region == "US"
    assert set(book.regions) == set(SAFETY_TABLE)


def test_loader_names_file_and_field_for_an_unquoted_number(tmp_path: Path) -> None:
    data = _valid()
    data["regions"]["UK"]["emergency"]["phone"] = 999
    with pytest.raises(ResourceFileError, match=r"contacts\.yml: regions\.UK\.emergency\.phone"):
        load_resources(_write(tmp_path, data))


def test_loader_names_a_missing_region(tmp_path: Path) -> None:
    data = _valid()
    del data["regions"]["AU"]
    with pytest.raises(ResourceFileError, match=r"contacts\.yml: regions\.AU: is missing"):
        load_resources(_write(tmp_path, data))


def test_loader_rejects_a_contact_without_a_way_to_reach_it(tmp_path: Path) -> None:
    data = _valid()
    data["regions"]["US"]["abuse"]["older"][0] = {"name": "Eldercare Locator"}
    with pytest.raises(
        ResourceFileError, match=r"regions\.US\.abuse\.older\[0\]: needs at least one"
    ):
        load_resources(_write(tmp_path, data))


def test_loader_rejects_plain_http_links(tmp_path: Path) -> None:
    data = _valid()
    data["regions"]["CA"]["crisis"]["url"] = "http://988.ca"
    with pytest.raises(ResourceFileError, match=r"regions\.CA\.crisis\.url: must start with https"):
        load_resources(_write(tmp_path, data))


def test_shipped_file_states_that_a_person_must_confirm_it() -> None:
    header = RESOURCES_FILE.read_text(encoding="utf-8")[:600]
    assert "Checked 2026" in header
    assert "a person must confirm" in header
