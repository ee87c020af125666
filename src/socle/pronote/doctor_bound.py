"""For one account, what PRONOTE's stored « Identifiant CAS » changes: PRONOTE recognises a
bound user by the CAS user name alone, whatever attributes come (docs/pronote.md, "PRONOTE's
stored « Identifiant CAS »"). An imported file shows it only for users bound when PRONOTE
exported, in a complete export — which reset them all: what the file shows is what PRONOTE
*had*, told as a note (a record bound to another name, or a duplicate bound first, will store
the name Socle sends at the next connection); and a user the file shows bound is no longer
recognised by that name alone where no attribute comes (a plain-http address)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from socle.directory.dates import local_day
from socle.directory.models import Establishment
from socle.portal.saml_http import pronote_http_problem
from socle.pronote.cas_names import (
    StoredCasId,
    differs,
    duplicate_refused,
    latest_stored,
    stored_elsewhere,
    stored_name,
)
from socle.pronote.pronote_says import IDENTIFICATION_IMPOSSIBLE, missing_attribute_message, quoting


def explain_http_target(
    report: Any, establishment: Establishment, recognition: str, attribute: str, cas: str
) -> None:
    """PRONOTE.net at a plain-http address: the CAS sends it no attribute at all, whatever the
    account (``socle.portal.saml_http``); importing identifiers would change nothing. PRONOTE
    still recognises, by the CAS user name alone, a person it has already bound to the ENT
    (:func:`_bound_over_http`); the others get what it shows in the service's recognition mode."""
    explanation, fix = pronote_http_problem(
        [report.http_target],
        superuser=report.superuser,
        id_attribute=attribute,
        recognition=recognition,
    )
    report.verdict.append(explanation)
    report.fixes.append(fix)
    _reset_over_http(report, establishment)
    if recognition == "identity":
        report.verdict.append(
            quoting(
                _("Sans attribut d'identité, PRONOTE affichera %(message)s"),
                IDENTIFICATION_IMPOSSIBLE,
            )
        )
    elif recognition == "both":
        report.verdict.append(
            quoting(
                _(
                    "Sans attribut, PRONOTE affichera, selon la reconnaissance choisie dans sa "
                    "console (identifiant PRONOTE ou identité) : %(message)s ou %(other)s"
                ),
                missing_attribute_message(cas, attribute),
                other=IDENTIFICATION_IMPOSSIBLE,
            )
        )
    else:
        report.verdict.append(
            quoting(_("PRONOTE affichera : %(message)s"), missing_attribute_message(cas, attribute))
        )


def _reset_over_http(report: Any, establishment: Establishment) -> None:
    """Where no attribute comes, PRONOTE recognises only a person it has bound, by the CAS user
    name alone. When the newest imported file that lists this account's record shows it bound
    to the name Socle sends — or another record of the same category, a duplicate bound first
    (:func:`~socle.pronote.cas_names.stored_elsewhere`) — says that the complete export that
    made the file reset it, so that this binding no longer opens the espace."""
    stored = latest_stored(establishment, report.pronote_id)
    if stored is None:
        return
    if stored_name(stored.stored) == report.username:
        report.verdict.append(
            _(
                "Dans le fichier importé le %(date)s, la fiche PRONOTE %(identifier)s avait "
                "l'identifiant CAS %(sent)s, celui que l'ENT enverra, mais l'export de tous les "
                "utilisateurs dont vient ce fichier l'a réinitialisé : sans attribut, PRONOTE ne "
                "reconnaîtra pas ce compte par son identifiant CAS."
            )
            % {
                "date": local_day(stored.imported_at),
                "identifier": report.pronote_id,
                "sent": report.username,
            }
        )
        return
    duplicate = stored_elsewhere(establishment, report.pronote_id, report.username)
    if duplicate is None:
        return
    report.verdict.append(
        _(
            "Dans le fichier importé le %(date)s, l'identifiant CAS %(sent)s, que l'ENT enverra, "
            "était celui d'une autre fiche que %(identifier)s : %(holder_name)s (%(holder)s), un "
            "doublon ; l'export de tous les utilisateurs dont vient ce fichier les a "
            "réinitialisées toutes deux : sans attribut, PRONOTE ne reconnaîtra la personne sur "
            "aucune des deux."
        )
        % _duplicate_params(report, duplicate)
    )


def _duplicate_params(report: Any, duplicate: StoredCasId) -> dict[str, str]:
    """The parameters of the sentences about a duplicate the file showed bound first."""
    return {
        "date": local_day(duplicate.imported_at),
        "identifier": report.pronote_id,
        "sent": report.username,
        "holder": duplicate.holder_id,
        "holder_name": duplicate.holder_name,
    }


def explain_stored_cas_id(report: Any, establishment: Establishment) -> None:
    """A note after the verdict when the newest imported file shows the record of this
    account's identifier bound to another name than the one Socle sends, or shows that name on
    another record (a duplicate bound first, :func:`socle.pronote.cas_names.held_elsewhere`,
    where the ENT designates this record by its identifier —
    :func:`socle.pronote.cas_names.duplicate_refused`, the import's rule too): the complete
    export that made the file reset them, and PRONOTE will store Socle's name at the next
    connection from the ENT. No refusal is predicted from the file (module docstring)."""
    stored = latest_stored(establishment, report.pronote_id)
    if stored is not None and differs(stored.stored, report.username):
        report.verdict.append(
            _(
                "Dans le fichier importé le %(date)s, la fiche PRONOTE %(identifier)s avait "
                "l'identifiant CAS %(stored)s (un autre ENT, ou un autre réglage du service), "
                "mais l'ENT enverra %(sent)s : l'export de tous les utilisateurs dont vient ce "
                "fichier l'a réinitialisé, PRONOTE enregistrera %(sent)s à la prochaine "
                "connexion depuis l'ENT."
            )
            % {
                "date": local_day(stored.imported_at),
                "identifier": report.pronote_id,
                "stored": stored.stored,
                "sent": report.username,
            }
        )
        return
    if not duplicate_refused(report.service):
        return
    duplicate = stored_elsewhere(establishment, report.pronote_id, report.username)
    if duplicate is None:
        return
    report.verdict.append(
        _(
            "Dans le fichier importé le %(date)s, l'identifiant CAS %(sent)s, que l'ENT enverra, "
            "était celui d'une autre fiche que %(identifier)s : %(holder_name)s (%(holder)s), un "
            "doublon ; l'export de tous les utilisateurs dont vient ce fichier les a "
            "réinitialisées toutes deux : PRONOTE enregistrera %(sent)s sur la fiche "
            "%(identifier)s à la prochaine connexion depuis l'ENT."
        )
        % _duplicate_params(report, duplicate)
    )
