"""Plain ``make_*`` factories shared by every test module. Each returns a saved object."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

from django.core.management import call_command

from socle.directory.models import Establishment, Membership, ParentLink, Person
from socle.directory.profiles import Profile
from socle.directory.uai import uai_check_letter
from socle.portal.models import PatternKind, Service, ServicePattern, SSOType
from socle.pronote.models import PronoteIdentity

_counter = itertools.count(1)

DEFAULT_PASSWORD = "correct horse battery staple"


def make_uai(number: int | None = None) -> str:
    digits = f"{(number if number is not None else 312600 + next(_counter)):07d}"
    return digits + uai_check_letter(digits)


def make_establishment(
    uai: str | None = None, name: str = "Collège Jean Jaurès", **fields: Any
) -> Establishment:
    if uai is None:  # a generated UAI may be one a test spelt out (« 0312609T »): skip those
        uai = make_uai()
        while Establishment.objects.filter(uai=uai).exists():
            uai = make_uai()
    return Establishment.objects.create(uai=uai, name=name, **fields)


def make_person(
    first_name: str = "Camille",
    last_name: str = "Martin",
    *,
    password: str | None = DEFAULT_PASSWORD,
    establishment: Establishment | None = None,
    profile: str | None = None,
    class_name: str = "",
    is_admin: bool = False,
    birth_date: dt.date | None = None,
    **fields: Any,
) -> Person:
    person = Person.objects.create_person(
        first_name=first_name,
        last_name=last_name,
        password=password,
        birth_date=birth_date,
        **fields,
    )
    if establishment is not None:
        make_membership(
            person,
            establishment,
            profile=profile or Profile.PUPIL,
            class_name=class_name,
            is_admin=is_admin,
        )
    return person


def make_membership(
    person: Person,
    establishment: Establishment,
    profile: str = Profile.PUPIL,
    **fields: Any,
) -> Membership:
    """``person``'s membership of ``establishment`` with ``profile`` (a national profile code;
    ``fields``: ``class_name``, ``is_admin``, ``functions``…)."""
    return Membership.objects.create(
        person=person, establishment=establishment, profile=profile, **fields
    )


def make_parent_link(parent: Person, child: Person, relation: str = "mere") -> ParentLink:
    return ParentLink.objects.create(parent=parent, child=child, relation=relation)


def make_pronote_identity(
    person: Person, establishment: Establishment, pronote_id: str, category: str = "eleve"
) -> PronoteIdentity:
    """``person``'s PRONOTE identifier in ``establishment`` (``category``: PRONOTE's)."""
    return PronoteIdentity.objects.create(
        person=person, establishment=establishment, pronote_id=pronote_id, category=category
    )


PRONOTE_URL = "https://0312609t.index-education.net/pronote/"  # 0312609T's hosted PRONOTE.net


def make_pronote_service(
    establishment: Establishment, code: str = "PRONOTECAS", *, url: str = PRONOTE_URL, **fields: Any
) -> Service:
    """The PRONOTE service of ``establishment`` (« Pronote.net »), at ``url`` with the pattern
    derived from it; ``fields`` as :func:`make_service` (``sso_type`` too)."""
    fields.setdefault("label", "Pronote.net")
    fields.setdefault("sso_type", SSOType.PRONOTE)
    return make_service_at(code, url, establishment=establishment, **fields)


def make_service_at(code: str, url: str, **fields: Any) -> Service:
    """The service ``code`` at ``url``, whose one pattern takes every address below it
    (``url**``); ``fields`` as :func:`make_service`."""
    return make_service(code, url=url, patterns=(url + "**",), **fields)


def make_service(
    code: str = "appli",
    *,
    patterns: tuple[str, ...] = ("https://appli.example.org/**",),
    kind: str = PatternKind.ANT,
    sso_type: str = SSOType.CAS,
    **fields: Any,
) -> Service:
    service = Service.objects.create(
        code=code, label=fields.pop("label", code.title()), sso_type=sso_type, **fields
    )
    for position, value in enumerate(patterns):
        ServicePattern.objects.create(service=service, position=position, kind=kind, value=value)
    return service


def make_service_by_command(
    *extra: str,
    code: str = "appli",
    label: str = "Appli",
    url: str = "https://appli.example.org/",
    stdout: io.StringIO | None = None,
) -> tuple[Service, str]:
    """The service ``code`` at ``url`` (pattern ``url**``) as ``socle service_add`` records it,
    given ``extra`` options (``--attributes nom,prenom``, ``--sso pronote --uai …``): the
    service, and what the command wrote to stderr (its warnings; ``stdout``: where its report
    goes, dropped by default). Run again, it updates the service; a refusal raises the
    command's ``CommandError``."""
    err = io.StringIO()
    call_command(
        "service_add",
        code,
        label,
        "--url",
        url,
        "--pattern",
        url + "**",
        *extra,
        stdout=stdout if stdout is not None else io.StringIO(),
        stderr=err,
    )
    return Service.objects.get(code=code), err.getvalue()
