"""Builders of the PRONOTE tests (on top of the shared ``tests.factories``)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path

from django.core.management import call_command
from lxml import html

from socle.directory.models import Person
from socle.directory.profiles import Profile
from socle.pronote.files import ParsedFile, PronoteRecord
from socle.pronote.importer import start_import
from socle.pronote.models import ImportSession, PronoteIdentity
from tests.factories import make_establishment, make_parent_link, make_person, make_pronote_identity

_ids = itertools.count(1)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def run(*args: str) -> str:
    """What a management command prints on stdout."""
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def import_automatically(path: Path, school: School, *extra: str, mode: str = "complet") -> str:
    """``socle pronote_import PATH --uai UAI --mode MODE --auto-only EXTRA…`` for ``school``'s
    establishment: what it printed."""
    return run(
        "pronote_import", str(path), "--uai", school.est.uai, "--mode", mode, "--auto-only", *extra
    )


def pronote_id() -> str:
    n = next(_ids)
    text = ""
    for _ in range(16):
        n, r = divmod(n, len(ALPHABET))
        text = ALPHABET[r] + text
    return text


def record(
    category: str,
    last: str,
    first: str,
    *,
    pid: str | None = None,
    birth: dt.date | None = None,
    responsables: list[str] | None = None,
    **fields,
) -> PronoteRecord:
    return PronoteRecord(
        category=category,
        pronote_id=pid or pronote_id(),
        last_name=last,
        first_name=first,
        birth_date=birth,
        responsables=responsables or [],
        location="test",
        **fields,
    )


def parsed(*records: PronoteRecord) -> ParsedFile:
    return ParsedFile("xml", list(records))


def start(establishment, mode: str, *records: PronoteRecord) -> ImportSession:
    return start_import(parsed(*records), establishment, mode, source_name="test.xml")


def ids_of(establishment) -> dict[str, int]:
    """pronote id → person id, for one establishment."""
    return dict(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "pronote_id", "person_id"
        )
    )


class School:
    """A small collège: a teacher, two pupils (siblings), their mother, a CPE."""

    def __init__(self, uai: str | None = None) -> None:
        self.est = make_establishment(uai)
        e = self.est
        self.teacher = make_person("Christian", "Berrone", establishment=e, profile=Profile.TEACHER)
        self.emma = make_person(
            "Emma", "Roux", establishment=e, class_name="4A", birth_date=dt.date(2012, 3, 4)
        )
        self.tom = make_person(
            "Tom", "Roux", establishment=e, class_name="6B", birth_date=dt.date(2014, 9, 1)
        )
        self.mother = make_person(
            "Claire", "Roux", establishment=e, profile=Profile.PARENT, birth_last_name="Faure"
        )
        make_parent_link(self.mother, self.emma)
        make_parent_link(self.mother, self.tom)
        self.cpe = make_person("Sophie", "Durand", establishment=e, profile=Profile.VIE_SCOLAIRE)

    def make_admin(self) -> Person:
        """The school's administrator (« Anne Admin », direction), who runs its imports."""
        return make_person(
            "Anne", "Admin", establishment=self.est, profile=Profile.DIRECTION, is_admin=True
        )

    def records(self) -> list[PronoteRecord]:
        mother = record("responsable", "FAURE", "Claire", pid="RESPCLAIRE000001")
        return [
            record("enseignant", "BERRONE", "CHRISTIAN", pid="PROFBERRONE00001"),
            record(
                "eleve",
                "ROUX",
                "Emma",
                pid="ELEVEEMMA0000001",
                birth=dt.date(2012, 3, 4),
                responsables=[mother.pronote_id],
            ),
            record(
                "eleve",
                "ROUX",
                "Tom",
                pid="ELEVETOM00000001",
                birth=dt.date(2014, 9, 1),
                responsables=[mother.pronote_id],
            ),
            mother,
            record("personnel", "DURAND", "Sophie", pid="PERSDURAND000001"),
        ]


def page_text(response) -> str:  # noqa: ANN001
    """A page's text as a visitor reads it, white space collapsed: what page assertions read."""
    return " ".join(html.fromstring(response.content.decode()).text_content().split())


def make_pupils_with_identifiers(school: School, count: int) -> list[str]:
    """``count`` more pupils of the school, each with a PRONOTE identifier already."""
    ids = []
    for n in range(count):
        pupil = make_person(
            f"Élève{n}", "Ancien", establishment=school.est, birth_date=dt.date(2012, 1, 1)
        )
        pid = f"ANCIEN{n:010d}"
        make_pronote_identity(pupil, school.est, pid)
        ids.append(pid)
    return ids


def newcomer() -> list:
    """The file of a newcomers-only export: one pupil, no « Identifiant CAS »."""
    return [record("eleve", "HADDAD", "Yanis", pid="NOUVEAU000000001", birth=dt.date(2013, 2, 3))]


def proposed_candidate(school: School) -> tuple[Person, ImportSession]:
    """Jules Dupont, a pupil of ``school``, proposed (not matched) for PRONOTE's record
    « DUPONT-MOREAU Jules », born the same day, in a Partiel import prepared up to its pupils'
    step: Jules and that import."""
    from socle.pronote.importer import prepare_step, validate_step

    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    session = start(
        school.est,
        "partiel",
        *school.records(),
        record(
            "eleve", "DUPONT-MOREAU", "Jules", pid="JULES00000000001", birth=dt.date(2012, 1, 1)
        ),
    )
    validate_step(session, 1)
    prepare_step(session, 2)
    return jules, session


def removed_by_complet_import(school: School) -> tuple[Person, ImportSession]:
    """Léa Martin, a pupil of ``school`` with a PRONOTE identifier, left out of the file of a
    Complet import run automatically (Emma and Tom keep theirs): her identifier removed. Léa
    and that import."""
    from socle.pronote.importer.steps import run_automatic

    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    make_pronote_identity(school.tom, school.est, "ELEVETOM00000001")
    lea = make_person("Léa", "Martin", establishment=school.est, class_name="5C")
    make_pronote_identity(lea, school.est, "ELEVELEA00000001")
    return lea, run_automatic(start(school.est, "complet", *school.records()))
