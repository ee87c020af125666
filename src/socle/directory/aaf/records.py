"""Turns one raw AAF record into checked data, through the table of :mod:`.mapping`.

A record that cannot be used raises :class:`RecordError` with the reason (French); the importer
reports it with its file and id, and goes on with the next record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from socle.directory.aaf.groups import EVERY_MEMBERSHIP, function_groups, parse_groups
from socle.directory.aaf.mapping import (
    ETAB,
    FUNCTION_PROFILES,
    GROUP_NAME_MAX,
    LEVEL_FIELDS,
    LEVEL_KIND,
    PUPIL,
    RULES_BY_TYPE,
    STAFF,
    STAFF_DEFAULT_PROFILE,
    STAFF_INPUTS,
    TYPE_PROFILES,
)
from socle.directory.aaf.reader import RawRecord
from socle.directory.dates import InvalidDate, parse_birth_date
from socle.directory.profiles import Profile, parse_profile
from socle.directory.uai import InvalidUAI, normalize_uai

MAX_LENGTHS = {
    "external_id": 64,
    "last_name": 100,
    "birth_last_name": 100,
    "first_name": 100,
    "postal_code": 10,
    "email": 254,
    "name": 200,
    "city": 100,
}


class RecordError(Exception):
    """This record cannot be used; the message says why."""


@dataclass
class StructureData:
    operation: str
    external_id: str
    fields: dict[str, str]  # uai, name, postal_code, city


@dataclass
class RelationData:
    parent_id: str
    code: str
    financial: bool
    legal: bool
    contact: bool


@dataclass
class PersonData:
    operation: str
    external_id: str
    fields: dict[str, Any] = field(default_factory=dict)  # Person fields the record sets
    # (establishment pk, profile) → class name; None when the record does not say (modify).
    memberships: dict[tuple[int, str], str] | None = None
    relations: list[RelationData] | None = None
    # Staff: the attributes of the profile deduction the record carries, by attribute name (all
    # of them for an add); None when it carries none, or when they are not to be kept.
    staff_inputs: dict[str, list[str]] | None = None
    # Classes and groups (``MembershipGroup``): kind → establishment pk → names, for the kinds
    # the record carries (every kind of its file type for an add); None when it carries none.
    groups: dict[str, dict[int, set[str]]] | None = None
    # Values of those attributes that were set aside (French reasons); the record goes on.
    value_errors: list[str] = field(default_factory=list)


class StructureIndex:
    """Resolves ``ENTStructureJointure`` values (or plain UAIs) to establishment pks."""

    def __init__(self, by_jointure: dict[str, int], by_uai: dict[str, int]) -> None:
        self.by_jointure = by_jointure
        self.by_uai = by_uai

    def resolve(self, value: str) -> int | None:
        found = self.by_jointure.get(value)
        if found is None and len(value) == 8:
            found = self.by_uai.get(value.upper())
        return found


def _collect(record: RawRecord, kind: str) -> dict[str, list[str]]:
    """Field → values, for the fields the record carries (every field for an add)."""
    rules = RULES_BY_TYPE[kind]
    values: dict[str, list[str]] = {}
    if record.operation == "add":
        for rule in rules.values():
            values.setdefault(rule.field, [])
    attributes = record.attributes
    for name, rule in rules.items():  # in the order of RULES, whatever the file's order
        items = attributes.get(name)
        if items is not None and not values.get(rule.field):  # the first one with a value wins
            values[rule.field] = items
    return values


def _text(values: dict[str, list[str]], name: str) -> str:
    items = values.get(name) or []
    text = items[0].strip() if items else ""
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise RecordError(
            _("%(field)s trop long (%(length)s caractères, %(limit)s au plus).")
            % {"field": name, "length": len(text), "limit": limit}
        )
    return text


def build_structure(record: RawRecord) -> StructureData:
    values = _collect(record, ETAB)
    external_id = _text(values, "external_id") or record.id
    if not external_id:
        raise RecordError(_("ni ENTStructureJointure ni identifiant."))
    if record.operation == "delete":
        return StructureData("delete", external_id, {})
    fields: dict[str, str] = {}
    for name in ("uai", "name", "postal_code", "city"):
        if name in values:
            fields[name] = _text(values, name)
    if "uai" in fields:
        try:
            fields["uai"] = normalize_uai(fields["uai"])
        except InvalidUAI as exc:
            raise RecordError(str(exc)) from None
    elif record.operation == "add":
        raise RecordError(_("ENTStructureUAI absent."))
    return StructureData(record.operation, external_id, fields)


def build_person(record: RawRecord, kind: str, structures: StructureIndex) -> PersonData:
    values = _collect(record, kind)
    external_id = _text(values, "external_id") or record.id
    if not external_id:
        raise RecordError(_("ni ENTPersonJointure ni identifiant."))
    data = PersonData(record.operation, external_id)
    if record.operation == "delete":
        return data
    for name in ("last_name", "birth_last_name", "first_name", "postal_code"):
        if name in values:
            data.fields[name] = _text(values, name)
    if "personal_title" in values:
        data.fields["personal_title"] = _text(values, "personal_title")[:16]
    if "birth_date" in values:
        data.fields["birth_date"] = _birth_date(_text(values, "birth_date"))
    if "email" in values:
        data.fields["email"] = _first_email(values["email"])
    if record.operation == "add":
        missing = [
            n
            for n, label in (("last_name", "sn"), ("first_name", "givenName"))
            if not data.fields.get(n)
        ]
        if len(missing) > 1:
            first, second = _labels(missing)
            raise RecordError(
                _("%(first)s et %(second)s absent(s).") % {"first": first, "second": second}
            )
        if missing:
            raise RecordError(_("%(attribute)s absent(s).") % {"attribute": _labels(missing)[0]})
    for name in ("last_name", "first_name"):
        if name in data.fields and not data.fields[name]:
            raise RecordError(_("%(attribute)s vide.") % {"attribute": _labels([name])[0]})
    if kind in (PUPIL, STAFF):
        data.groups = parse_groups(values, kind, structures, data.value_errors)
    if kind == PUPIL:
        data.memberships = _pupil_memberships(values, structures, record.operation)
        if any(name in values for name in LEVEL_FIELDS):
            data.groups = {**(data.groups or {}), LEVEL_KIND: _level(values)}
        if "relations" in values:
            data.relations = _relations(values["relations"])
    elif kind == STAFF:
        carried = {
            attr: list(values[name]) for name, attr in STAFF_INPUTS.items() if name in values
        }
        data.staff_inputs = carried or None
        if record.operation == "add":
            data.memberships = _staff_memberships(values, structures)
        # A modify's memberships need the inputs it does not carry: complete_staff_modify.
    return data


def _level(values: dict[str, list[str]]) -> dict[int, set[str]]:
    """The pupil's level (the first of :data:`LEVEL_FIELDS` filled, cut to the length of a
    ``MembershipGroup`` name), for every pupil membership (:data:`EVERY_MEMBERSHIP`)."""
    for name in LEVEL_FIELDS:
        items = [item.strip() for item in values.get(name) or () if item.strip()]
        if items:
            return {EVERY_MEMBERSHIP: {items[0][:GROUP_NAME_MAX].rstrip()}}
    return {}


def _labels(names: list[str]) -> list[str]:
    return [{"last_name": "sn", "first_name": "givenName"}.get(n, n) for n in names]


def _birth_date(text: str) -> dt.date | None:
    try:
        return parse_birth_date(text)
    except InvalidDate as exc:
        raise RecordError(str(exc)) from None


def _first_email(items: list[str]) -> str:
    for item in items:
        try:
            validate_email(item)
        except ValidationError:
            continue
        if len(item) <= MAX_LENGTHS["email"]:
            return item
    return ""


def _resolve_all(items: list[str], structures: StructureIndex) -> tuple[list[int], list[str]]:
    found, unknown = [], []
    for item in items:
        pk = structures.resolve(item.strip())
        if pk is None:
            unknown.append(item.strip())
        elif pk not in found:
            found.append(pk)
    return found, unknown


def _pupil_memberships(
    values: dict[str, list[str]], structures: StructureIndex, operation: str
) -> dict[tuple[int, str], str] | None:
    if "structures" not in values and "classes" not in values:
        return None
    attached, unknown = _resolve_all(values.get("structures", []), structures)
    memberships: dict[tuple[int, str], str] = {(pk, Profile.PUPIL): "" for pk in attached}
    for item in values.get("classes", []):
        jointure, sep, class_name = item.partition("$")
        if not sep:  # a bare class name belongs to the attachment establishment
            jointure, class_name = "", item
        pk = structures.resolve(jointure) if jointure else (attached[0] if attached else None)
        if pk is None:
            unknown.append(jointure or item)
            continue
        key = (pk, Profile.PUPIL)
        if not memberships.get(key):
            memberships[key] = class_name.strip()[:50]
    if not memberships:
        raise RecordError(_no_establishment(unknown))
    return memberships


def complete_staff_modify(data: PersonData, kept: object, structures: StructureIndex) -> bool:
    """Deduces the memberships of a staff modify carrying some of the :data:`STAFF_INPUTS`,
    with the values ``kept`` (``Person.aaf_staff_inputs``) for the attributes it does not carry,
    as the full file would; ``data.staff_inputs`` becomes the whole set, to be kept in turn.

    Returns False when the person has no kept values (imported before they were kept, or
    unknown) and the modify does not carry them all: the memberships are then deduced from the
    attributes given alone, as before (unchanged without ENTPersonStructRattach nor
    ENTPersonFonctions), and nothing is kept. Raises :class:`RecordError` as for an add."""
    carried = data.staff_inputs or {}
    inputs = {**_kept_inputs(kept), **carried}
    complete = all(attr in inputs for attr in STAFF_INPUTS.values())
    values = {name: inputs[attr] for name, attr in STAFF_INPUTS.items() if attr in inputs}
    data.memberships = _staff_memberships(values, structures)
    if "functions" in values:  # the functions' rows follow the memberships, as in a full file
        data.groups = {**(data.groups or {}), **function_groups(values["functions"], structures)}
    data.staff_inputs = inputs if complete else None
    return complete


def _kept_inputs(kept: object) -> dict[str, list[str]]:
    """The values of ``Person.aaf_staff_inputs`` (empty unless all of them are there)."""
    if not isinstance(kept, dict):
        return {}
    found = {
        attr: kept[attr]
        for attr in STAFF_INPUTS.values()
        if isinstance(kept.get(attr), list) and all(isinstance(v, str) for v in kept[attr])
    }
    return found if len(found) == len(STAFF_INPUTS) else {}


def _staff_memberships(
    values: dict[str, list[str]], structures: StructureIndex
) -> dict[tuple[int, str], str] | None:
    if "structures" not in values and "functions" not in values:
        return None
    teaches = (values.get("teaches") or [""])[0].strip().upper() in {"O", "OUI", "1", "Y"}
    given = [parse_profile(item) for item in values.get("profiles", [])]
    national = [p for p in given if p and p in TYPE_PROFILES[STAFF]]
    attached, unknown = _resolve_all(values.get("structures", []), structures)
    codes: dict[int, set[str]] = {pk: set() for pk in attached}
    for item in values.get("functions", []):
        parts = item.split("$")
        pk = structures.resolve(parts[0].strip())
        if pk is None:
            unknown.append(parts[0].strip())
            continue
        codes.setdefault(pk, set())
        if len(parts) > 1 and parts[1].strip():
            codes[pk].add(parts[1].strip().upper())
    memberships: dict[tuple[int, str], str] = {}
    for pk, function_codes in codes.items():
        for profile in national or _profiles_from_functions(function_codes, teaches):
            memberships[(pk, profile)] = ""
    if not memberships:
        raise RecordError(_no_establishment(unknown))
    return memberships


def _profiles_from_functions(codes: set[str], teaches: bool) -> set[str]:
    profiles = set()
    for code in codes:
        profile = FUNCTION_PROFILES.get(code, STAFF_DEFAULT_PROFILE)
        if profile == Profile.TEACHER and not teaches:
            profile = STAFF_DEFAULT_PROFILE
        profiles.add(str(profile))
    if not profiles:
        profiles.add(str(Profile.TEACHER if teaches else STAFF_DEFAULT_PROFILE))
    if len(profiles) > 1:
        profiles.discard(str(STAFF_DEFAULT_PROFILE))
    return profiles


def _no_establishment(unknown: list[str]) -> str:
    if unknown:
        shown = ", ".join(sorted(set(unknown))[:3])
        return _(
            "établissement inconnu (%(unknown)s) : il doit figurer dans un fichier EtabEducNat."
        ) % {"unknown": shown}
    return _("aucun établissement (ENTPersonStructRattach, ENTEleveClasses ou ENTPersonFonctions).")


def _relations(items: list[str]) -> list[RelationData]:
    relations: dict[str, RelationData] = {}
    for item in items:
        parts = [part.strip() for part in item.split("$")]
        parent_id = parts[0]
        if not parent_id:
            continue
        parts += [""] * (6 - len(parts))
        relation = RelationData(
            parent_id=parent_id,
            code=parts[1],
            financial=parts[2] == "1",
            legal=parts[3] in {"1", "2"},
            contact=parts[4] == "1",
        )
        previous = relations.get(parent_id)
        if previous is not None:
            relation.financial |= previous.financial
            relation.legal |= previous.legal
            relation.contact |= previous.contact
            relation.code = previous.code or relation.code
        relations[parent_id] = relation
    return list(relations.values())
