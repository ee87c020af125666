"""Imports a checked directory CSV (:mod:`socle.directory.csv_reader`) in one transaction.

Rows are grouped by person (``external_id``, else uai + profile + names + birth date), matched
against the directory, then every remaining problem (unknown establishment, unknown child,
ambiguous match, login already taken…) is collected *before* anything is written: the file is
imported whole or not at all. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socle.core.plain_errors import os_error
from socle.directory.csv_apply import ImportSummary, Progress, apply_groups, hash_passwords
from socle.directory.csv_checks import check_children, check_other_schools, match_people
from socle.directory.csv_full import LargeCsvAbsence, apply_absences
from socle.directory.csv_groups import group_rows
from socle.directory.csv_logins import (
    check_logins,
    check_renames,
    unused_confirmations,
    unused_renames,
)
from socle.directory.csv_reader import CsvRejected, decode, read_rows
from socle.directory.models import Establishment

Stage = Callable[[str], None]  # told a sentence as each long part of an import starts


def _silent(_sentence: str) -> None:
    pass


def import_csv_path(
    path: str | Path,
    *,
    default_uai: str | None = None,
    progress: Progress | None = None,
    stage: Stage | None = None,
    full: bool = False,
    force: bool = False,
    confirmed_logins: Collection[str] = (),
    renamed_logins: Collection[str] = (),
) -> ImportSummary:
    if stage is not None:
        stage(_("Lecture de %(path)s…") % {"path": path})
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CsvRejected(
            [
                _("lecture impossible de %(path)s : %(reason)s.")
                % {"path": path, "reason": os_error(exc)}
            ],
            0,
        ) from None
    return import_csv_text(
        decode(data),
        default_uai=default_uai,
        progress=progress,
        stage=stage,
        full=full,
        force=force,
        confirmed_logins=confirmed_logins,
        renamed_logins=renamed_logins,
    )


def import_csv_text(
    text: str,
    *,
    default_uai: str | None = None,
    progress: Progress | None = None,
    stage: Stage | None = None,
    full: bool = False,
    force: bool = False,
    confirmed_logins: Collection[str] = (),
    renamed_logins: Collection[str] = (),
) -> ImportSummary:
    """``progress`` (passwords hashed, passwords in all) is called as the initial passwords are
    hashed, the long part of a file that gives them (about 30 ms each). ``full``: the file lists
    the whole population of its establishments (:mod:`socle.directory.csv_full`); ``force``
    applies its absences even when they are more than half of a kind's accounts.
    ``confirmed_logins`` (``--rattacher``): accounts without a birth date that the rows whose
    ``login`` column names them may keep although they belong to another establishment
    (:mod:`socle.directory.csv_logins`). ``renamed_logins`` (``--renommer``): the new logins
    rows may give to accounts of another establishment too (``csv_logins.check_renames``).
    ``stage`` (a sentence) is told as each long part starts: reading, checking, writing."""
    say = stage or _silent
    say(_("Lecture des lignes…"))
    try:
        rows = read_rows(text, default_uai=default_uai)
        faulty: CsvRejected | None = None
    except CsvRejected as exc:
        if exc.rows is None:  # the header itself: nothing else can be checked
            raise
        rows, faulty = exc.rows, exc
    groups, errors = group_rows(rows)
    confirmed = frozenset(confirmed_logins)
    unused = unused_confirmations(groups, confirmed)
    if unused and faulty is None:
        raise CsvRejected(
            [
                _(
                    "--rattacher %(logins)s : aucune ligne du fichier ne donne cet identifiant "
                    "dans la colonne login."
                )
                % {"logins": ", ".join(unused)}
            ],
            0,
        )
    establishments = {
        e.uai: e for e in Establishment.objects.filter(uai__in={row.uai for row in rows})
    }
    for row in rows:
        if row.uai not in establishments:
            errors.append(
                (
                    row.line,
                    _(
                        "établissement %(uai)s inconnu : créez-le d'abord avec "
                        "« socle establishment_add »."
                    )
                    % {"uai": row.uai},
                )
            )
    if not errors and faulty is None:
        say(
            ngettext(
                "Vérification de %(count)s personne dans l'annuaire…",
                "Vérification de %(count)s personnes dans l'annuaire…",
                len(groups),
            )
            % {"count": len(groups)}
        )
        errors += match_people(groups, confirmed)
        errors += check_other_schools(groups)
        errors += check_logins(groups)
        errors += check_renames(groups, frozenset(renamed_logins))
        errors += check_children(groups)
        unused = unused_renames(groups, renamed_logins)
        if unused and not errors:
            raise CsvRejected(
                [
                    _(
                        "--renommer %(logins)s : aucune ligne du fichier ne donne cet identifiant "
                        "à un compte qui appartient aussi à un autre établissement."
                    )
                    % {"logins": ", ".join(unused)}
                ],
                0,
            )
    if errors or faulty is not None:
        lines = sorted({line for line, _msg in errors})
        messages = [
            _("ligne %(line)s : %(message)s") % {"line": line, "message": msg}
            for line, msg in sorted(errors)
        ]
        if faulty is not None:  # the rows' own faults first, then the file's (duplicates…)
            messages = faulty.errors + messages
        raise CsvRejected(messages, len(lines) + (faulty.rejected_rows if faulty else 0))
    hash_passwords(groups, progress)  # outside the transaction: see hash_passwords
    say(
        ngettext(
            "Écriture de %(count)s personne dans l'annuaire…",
            "Écriture de %(count)s personnes dans l'annuaire…",
            len(groups),
        )
        % {"count": len(groups)}
    )
    try:
        with transaction.atomic():
            summary = apply_groups(groups, establishments)
            summary.confirmed = sorted(g.login for g in groups.values() if g.confirmed)
            summary.renamed = sorted(g.login for g in groups.values() if g.renamed)
            if full:
                absences = apply_absences(groups, establishments, force=force)
                summary.full = True
                summary.deactivated = absences.deactivated
                summary.memberships_ended = absences.memberships_ended
            return summary
    except LargeCsvAbsence as exc:
        raise CsvRejected([exc.message()], 0) from None
    except OperationalError as exc:
        if "database is locked" not in str(exc):  # SQLite's busy timeout; anything else: raise
            raise
        raise CsvRejected(
            [
                _(
                    "la base de données est restée occupée par une autre écriture (un import "
                    "AAF ?) ; relancez la même commande plus tard."
                )
            ],
            0,
        ) from None
    except IntegrityError:
        # Another import of the same people committed first (PostgreSQL: this one waited for
        # it, then met its logins). The database's own words (« UNIQUE constraint failed »,
        # « duplicate key value… ») are English and name tables: not shown.
        raise CsvRejected(
            [
                _(
                    "l'annuaire a été modifié pendant l'import, sans doute par un autre import "
                    "en cours pour les mêmes personnes : attendez qu'il soit terminé, puis "
                    "relancez la même commande."
                )
            ],
            0,
        ) from None


__all__ = ["CsvRejected", "ImportSummary", "import_csv_path", "import_csv_text"]
