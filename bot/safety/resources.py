"""Crisis contacts per region and age group, read from `resources.yml`.

The numbers live in a data file, never in code (SAFETY.md §2), so that a person
can confirm them before each deployment without reading Python. The file is
loaded and checked when this module is imported: a wrong or missing number must
stop the bot at start-up, with an error that names the file and the field, rather
than surface in the middle of a crisis reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.safety.categories import CATEGORIES, SEVERITIES

RESOURCES_FILE = Path(__file__).with_name("resources.yml")

REGIONS = ("US", "UK", "CA", "AU", "IE")
# Age groups that have their own abuse hotline list; `under13` reads as `youth`,
# an unknown age as `adult` (docs/DEVELOPMENT.md, shared vocabulary).
ABUSE_AGE_GROUPS = ("youth", "adult", "older")
YOUTH_AGE_GROUPS = ("youth", "under13")
_RESOURCE_FIELDS = ("name", "phone", "sms", "url", "note")


class ResourceFileError(ValueError):
    """The contacts file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Resource:
    """One service a person can reach: at least one of phone, sms or url is set."""

    name: str
    phone: str | None
    sms: str | None
    url: str | None
    note: str | None  # how to use it in plain words, e.g. "text HOME to 741741"


@dataclass(frozen=True)
class RegionContacts:
    crisis: Resource
    text: Resource | None
    emergency: Resource
    abuse: Mapping[str, tuple[Resource, ...]]
    youth: Resource | None


@dataclass(frozen=True)
class ResourceBook:
    default_region: str
    regions: Mapping[str, RegionContacts]


def _fail(path: Path, field: str, problem: str) -> ResourceFileError:
    return ResourceFileError(f"{path}: {field}: {problem}")


def _resource(path: Path, field: str, raw: Any) -> Resource:
    if not isinstance(raw, dict):
        raise _fail(path, field, "must be a contact with at least `name` and `phone`/`sms`/`url`")
    unknown = sorted(set(raw) - set(_RESOURCE_FIELDS))
    if unknown:
        raise _fail(path, f"{field}.{unknown[0]}", f"unknown field (allowed: {_RESOURCE_FIELDS})")
    values: dict[str, str | None] = {}
    for key in _RESOURCE_FIELDS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise _fail(
                path, f"{field}.{key}", f'must be text in quotes, e.g. "988"; got {value!r}'
            )
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise _fail(path, f"{field}.{key}", "is empty; write ~ to leave it out")
        values[key] = value
    if not values["name"]:
        raise _fail(path, f"{field}.name", "is missing")
    if not (values["phone"] or values["sms"] or values["url"]):
        raise _fail(path, field, "needs at least one of phone, sms or url")
    for key in ("phone", "sms"):
        number = values[key]
        if number and not any(ch.isdigit() for ch in number):
            raise _fail(path, f"{field}.{key}", f"has no digits: {number!r}")
    if values["url"] and not values["url"].startswith("https://"):
        raise _fail(path, f"{field}.url", f"must start with https://, got {values['url']!r}")
    return Resource(**values)  # type: ignore[arg-type]


def _optional_resource(path: Path, field: str, raw: Any) -> Resource | None:
    return None if raw is None else _resource(path, field, raw)


def _region(path: Path, code: str, raw: Any) -> RegionContacts:
    field = f"regions.{code}"
    if not isinstance(raw, dict):
        raise _fail(path, field, "must hold crisis, text, emergency, abuse and youth")
    for key in ("crisis", "text", "emergency", "abuse", "youth"):
        if key not in raw:
            raise _fail(path, f"{field}.{key}", "is missing (write ~ if the region has none)")
    unknown = sorted(set(raw) - {"crisis", "text", "emergency", "abuse", "youth"})
    if unknown:
        raise _fail(path, f"{field}.{unknown[0]}", "unknown field")
    abuse_raw = raw["abuse"]
    if not isinstance(abuse_raw, dict):
        raise _fail(path, f"{field}.abuse", f"must list hotlines for {ABUSE_AGE_GROUPS}")
    abuse: dict[str, tuple[Resource, ...]] = {}
    for group in ABUSE_AGE_GROUPS:
        entries = abuse_raw.get(group)
        if not isinstance(entries, list):
            raise _fail(path, f"{field}.abuse.{group}", "must be a list ([] when none)")
        abuse[group] = tuple(
            _resource(path, f"{field}.abuse.{group}[{i}]", entry) for i, entry in enumerate(entries)
        )
    extra_groups = sorted(set(abuse_raw) - set(ABUSE_AGE_GROUPS))
    if extra_groups:
        raise _fail(
            path, f"{field}.abuse.{extra_groups[0]}", f"unknown age group {ABUSE_AGE_GROUPS}"
        )
    return RegionContacts(
        crisis=_resource(path, f"{field}.crisis", raw["crisis"]),
        text=_optional_resource(path, f"{field}.text", raw["text"]),
        emergency=_resource(path, f"{field}.emergency", raw["emergency"]),
        abuse=abuse,
        youth=_optional_resource(path, f"{field}.youth", raw["youth"]),
    )


def load_resources(path: Path = RESOURCES_FILE) -> ResourceBook:
    """Read and check the contacts file; raises `ResourceFileError` naming the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ResourceFileError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "(top level)", "must hold default_region and regions")
    regions_raw = raw.get("regions")
    if not isinstance(regions_raw, dict):
        raise _fail(path, "regions", "is missing or not a mapping of region codes")
    missing = [code for code in REGIONS if code not in regions_raw]
    if missing:
        raise _fail(path, f"regions.{missing[0]}", "is missing; every region needs contacts")
    unknown = sorted(set(regions_raw) - set(REGIONS))
    if unknown:
        raise _fail(path, f"regions.{unknown[0]}", f"unknown region (expected {REGIONS})")
    default_region = raw.get("default_region")
    if default_region not in REGIONS:
        raise _fail(path, "default_region", f"must be one of {REGIONS}, got {default_region!r}")
    regions = {code: _region(path, code, regions_raw[code]) for code in REGIONS}
    return ResourceBook(default_region=default_region, regions=regions)


_BOOK = load_resources()
_EMERGENCY = frozenset(contacts.emergency for contacts in _BOOK.regions.values())


def _region_contacts(region: str | None) -> tuple[str, RegionContacts]:
    code = (region or "").strip().upper()
    if code not in _BOOK.regions:
        code = _BOOK.default_region
    return code, _BOOK.regions[code]


def resolve_region(region: str | None) -> str:
    """The region whose contacts are used: the given one if known, else the default (US)."""
    return _region_contacts(region)[0]


def emergency_for(region: str | None) -> Resource:
    """The region's emergency services, for "if you are in danger right now, call ..."."""
    return _region_contacts(region)[1].emergency


def contacts_for(region: str, age_group: str | None, category: str | None) -> list[Resource]:
    """The contacts for one crisis reply, in the order the person should see them.

    Medical emergencies put emergency services first; otherwise the crisis line
    and text line lead, then the abuse hotline for abuse, the youth line for
    young people, and emergency services last ("if you are in danger now").
    """
    _, contacts = _region_contacts(region)
    ordered: list[Resource] = []
    if category == "medical":
        ordered.append(contacts.emergency)
    ordered.append(contacts.crisis)
    if contacts.text is not None:
        ordered.append(contacts.text)
    if category == "abuse":
        group = age_group if age_group in ABUSE_AGE_GROUPS else "adult"
        if age_group == "under13":
            group = "youth"
        ordered.extend(contacts.abuse[group])
    if age_group in YOUTH_AGE_GROUPS and contacts.youth is not None:
        ordered.append(contacts.youth)
    if category != "medical":
        ordered.append(contacts.emergency)
    # The same service can appear twice (e.g. one line for two roles); show it once.
    unique: list[Resource] = []
    for resource in ordered:
        if resource not in unique:
            unique.append(resource)
    return unique


def crisis_payload(category: str, severity: str, region: str, age_group: str | None) -> dict:
    """The channel contract of SAFETY.md §2: the value of the `custom` key.

    Exactly `type`, `category`, `severity`, `region` and `resources`, each resource
    exactly `name`, `phone`, `sms`, `url`, so that channels and tests can rely on it.
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown crisis category {category!r}; expected one of {CATEGORIES}")
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; expected one of {SEVERITIES}")
    code = resolve_region(region)
    return {
        "type": "crisis",
        "category": category,
        "severity": severity,
        "region": code,
        "resources": [
            {"name": r.name, "phone": r.phone, "sms": r.sms, "url": r.url}
            for r in contacts_for(code, age_group, category)
        ],
    }


def _how_to_reach(resource: Resource) -> str:
    if resource.note:
        return resource.note
    ways = []
    if resource.phone and resource.phone == resource.sms:
        ways.append(f"call or text {resource.phone}")
    else:
        if resource.phone:
            ways.append(f"call {resource.phone}")
        if resource.sms:
            ways.append(f"text {resource.sms}")
    if resource.url and not ways:
        ways.append(resource.url)
    return ", or ".join(ways)


def format_contacts(resources: list[Resource], age_group: str | None) -> str:
    """Plain-text lines for the reply, one contact per line.

    Older adults get each contact as a full, unhurried sentence; everyone else a
    short "name: how to reach" line. Emergency services always say when to use them.
    """
    lines = []
    for resource in resources:
        how = _how_to_reach(resource)
        is_emergency = resource in _EMERGENCY
        if age_group == "older":
            if is_emergency:
                lines.append(f"If you are in danger now, or someone is hurt: {how}.")
            else:
                lines.append(f"{resource.name}: {how}.")
        elif is_emergency:
            lines.append(f"- {resource.name}: {how} if you're in danger right now")
        else:
            lines.append(f"- {resource.name}: {how}")
    return "\n".join(lines)
