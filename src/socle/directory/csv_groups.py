"""Groups the rows of a directory CSV by person, for :mod:`socle.directory.csv_import`.

A person is keyed by ``external_id``, else by uai + profile + names + birth date; several rows
of one ``external_id`` are that person's establishments or profiles. ``CHUNK`` bounds the
``__in`` lists of the import's queries (``socle.core.batches.batched``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from socle.directory.csv_reader import CsvRow
from socle.directory.models import Person

CHUNK = 500
GroupKey = tuple[str, Any]


@dataclass
class PersonGroup:
    """All rows describing one person (several rows: several establishments or profiles)."""

    rows: list[CsvRow]
    person: Person | None = None
    status: str = "unchanged"
    children: list[tuple[CsvRow, str]] = field(default_factory=list)
    # of ``password`` (or ``imported_hash``), when it is to be set (``hash_passwords``)
    password_hash: str = ""
    # The account the ``login`` column names when the names agree but the row does not prove
    # it is this person (another birth date, or none; an undated account of another school),
    # and why: said by ``csv_logins.check_logins``.
    refused_login: Person | None = None
    refusal: str = ""
    confirmed: bool = False  # the login column keeps the account on the operator's --rattacher
    renamed: bool = False  # the login column renames an account of two schools on --renommer

    @property
    def first(self) -> CsvRow:
        return self.rows[0]

    @property
    def login(self) -> str:
        return next((row.login for row in self.rows if row.login), "")

    @property
    def password(self) -> str:
        return next((row.password for row in self.rows if row.password), "")

    @property
    def imported_hash(self) -> str:
        """A hash from another system (``password_hash``), when no row gives a password (a file
        giving both for one person is refused: ``_password_conflict``)."""
        if self.password:
            return ""
        return next((row.imported_hash for row in self.rows if row.imported_hash), "")


def _person_key(row: CsvRow) -> GroupKey:
    return ("ext", row.external_id) if row.external_id else ("id", row.identity_key)


def group_rows(rows: list[CsvRow]) -> tuple[dict[GroupKey, PersonGroup], list[tuple[int, str]]]:
    groups: dict[GroupKey, PersonGroup] = {}
    errors: list[tuple[int, str]] = []
    for row in rows:
        key = _person_key(row)
        group = groups.get(key)
        if group is None:
            groups[key] = PersonGroup([row])
            continue
        if key[0] == "id":
            errors.append(
                (
                    row.line,
                    _(
                        "doublon de la ligne %(line)s (mêmes établissement, profil, nom, prénom "
                        "et date de naissance). Si ce sont deux personnes (deux parents "
                        "homonymes), ajoutez une colonne external_id pour les distinguer."
                    )
                    % {"line": group.first.line},
                )
            )
            continue
        same_membership = next(
            (o for o in group.rows if (o.uai, o.profile) == (row.uai, row.profile)), None
        )
        if same_membership is not None:
            errors.append(
                (
                    row.line,
                    _(
                        "doublon de la ligne %(line)s (même external_id « %(external_id)s », "
                        "même profil dans le même établissement)."
                    )
                    % {"line": same_membership.line, "external_id": row.external_id},
                )
            )
        elif row.identity_key[2:] != group.first.identity_key[2:]:
            errors.append(
                (
                    row.line,
                    _(
                        "external_id « %(external_id)s » déjà utilisé ligne %(line)s pour une "
                        "autre personne."
                    )
                    % {"external_id": row.external_id, "line": group.first.line},
                )
            )
        else:
            conflict = _password_conflict(group, row)
            if conflict:
                errors.append((row.line, conflict))
            group.rows.append(row)
    return groups, errors


def _password_conflict(group: PersonGroup, row: CsvRow) -> str:
    """A person's ``password`` on one row and ``password_hash`` on another, or two different
    ``password`` (or ``password_hash``) values on two rows (``""`` if not): which one to set
    cannot be guessed, as on one row (``csv_reader``); the first row won silently before."""
    for earlier in group.rows:
        if (row.password and earlier.imported_hash) or (row.imported_hash and earlier.password):
            message = _(
                "password et password_hash (empreinte_mot_de_passe) donnés pour la même personne "
                "(external_id « %(external_id)s ») aux lignes %(first)s et %(line)s : un seul "
                "des deux par personne."
            )
        elif row.password and earlier.password and row.password != earlier.password:
            message = _(
                "deux password (mot_de_passe) différents donnés pour la même personne "
                "(external_id « %(external_id)s ») aux lignes %(first)s et %(line)s : un seul "
                "par personne."
            )
        elif (
            row.imported_hash
            and earlier.imported_hash
            and row.imported_hash != earlier.imported_hash
        ):
            message = _(
                "deux password_hash (empreinte_mot_de_passe) différents donnés pour la même "
                "personne (external_id « %(external_id)s ») aux lignes %(first)s et %(line)s : "
                "un seul par personne."
            )
        else:
            continue
        return message % {"external_id": row.external_id, "first": earlier.line, "line": row.line}
    return ""
