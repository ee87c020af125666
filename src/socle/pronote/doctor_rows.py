"""What the school's imported files say of one account, for « Diagnostic PRONOTE »
(:func:`socle.pronote.doctor_account.examine`): where an account without identifier was in them
and why it was left (:func:`fix_missing_identifier`), and another PRONOTE record of the person —
a duplicate — when PRONOTE may still answer « Identification impossible » (:func:`other_record`).
In the active language."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socle.directory.dates import local_day
from socle.directory.models import Establishment, Person
from socle.directory.names import normalize_name
from socle.pronote.categories import STEP_BY_CATEGORY, STEP_COUNT
from socle.pronote.matching_index import name_key
from socle.pronote.models import ImportRow, ImportSession, PronoteIdentity
from socle.pronote.predicted_for import is_stale, stale_mark, stale_steps


def other_record(establishment: Establishment, person: Person, pronote_id: str) -> Any:
    """The newest imported row, among the school's last imports, of another PRONOTE record of
    this person — a duplicate in PRONOTE, the one case where PRONOTE may answer « Identification
    impossible » to an account whose identifier is right (its first record bound to the
    person's CAS user name, and not in the file — a partial export leaves bound users out — or
    bound to another name): a row of the same category, another identifier, matched to this
    account, proposing it, bearing its name (and not another birth date), or its first name and
    birth date (another name: a birth name, as PRONOTE often holds a first record); ``None``
    when there is none, and then nothing suggests the message."""
    identity = PronoteIdentity.objects.filter(person=person, establishment=establishment).first()
    sessions = list(
        ImportSession.objects.filter(establishment=establishment).values_list("pk", flat=True)[:5]
    )
    if identity is None or not sessions:
        return None
    rows = (
        ImportRow.objects.filter(session__in=sessions, category=identity.category)
        .exclude(pronote_id=pronote_id)
        .filter(Q(person=person) | Q(person__isnull=True) | Q(first_name__iexact=person.first_name))
        .select_related("session")
        .order_by("-session_id", "position")
    )
    for row in rows.iterator():
        if row.person_id == person.pk or _proposes(row, person.pk):
            return row
        same_name = (row.last_name.casefold(), row.first_name.casefold()) == (
            person.last_name.casefold(),
            person.first_name.casefold(),
        )
        if same_name and not _born_another_day(row, person):
            return row
        if row.birth_date and row.birth_date == person.birth_date and not same_name:
            return row  # the same first name and birth date under another (birth) name
    return None


def _proposes(row: ImportRow, person_id: int) -> bool:
    candidates = row.candidates if isinstance(row.candidates, list) else []
    return any(isinstance(c, dict) and c.get("id") == person_id for c in candidates)


_ROWS_READ = 200  # the import rows bearing a person's names looked at (the newest first)


def _born_another_day(row: ImportRow, person: Person) -> bool:
    """A homonym born another day is someone else (a twin shares the day, not a cousin)."""
    return bool(row.birth_date and person.birth_date and row.birth_date != person.birth_date)


def _rank(row: ImportRow, person: Person) -> int:
    """Among the rows of one import bearing the person's names (homonyms: twins, cousins), the
    most likely theirs first: given to this account by the matching, born the same day, given
    to no other account (no birth date to tell), then given to another account."""
    if row.person_id == person.pk:
        return 0
    if row.birth_date and row.birth_date == person.birth_date:
        return 1
    return 2 if row.person_id is None else 3


def fix_missing_identifier(establishment: Establishment, person: Person) -> list[str]:
    fixes = [
        _(
            "Ce compte n'a pas d'identifiant PRONOTE pour %(uai)s : importez le "
            "fichier des identifiants (« Importer les identifiants PRONOTE », mode Partiel "
            "suffit) et rapprochez ce compte, au besoin à la main avec « Parcourir »."
        )
        % {"uai": establishment.uai},
    ]
    rows = list(
        ImportRow.objects.filter(
            session__establishment=establishment,
            last_name__iexact=person.last_name,
            first_name__iexact=person.first_name,
        )
        .select_related("session")
        .order_by("-session_id", "position")[:_ROWS_READ]
    )
    own = [row for row in rows if not _born_another_day(row, person)]
    if own:
        row = min(own, key=lambda row: (-row.session_id, _rank(row, person), row.position))
        spec = STEP_BY_CATEGORY[row.category]
        fixes.append(
            (
                _(
                    "Il figure dans l'import du %(date)s (étape %(number)s/%(count)s, "
                    "%(category)s, identifiant %(identifier)s) : %(reason)s"
                )
                % {
                    "date": local_day(row.session.created_at),
                    "number": spec.number,
                    "count": STEP_COUNT,
                    "category": spec.label,
                    "identifier": row.pronote_id,
                    "reason": (
                        f"{row.localized_reason or row.get_outcome_display()} "
                        f"{row.localized_outcome_detail}"
                        + (
                            f" {stale_mark()}"
                            if is_stale(row, stale_steps(establishment, [row.session_id]))
                            else ""
                        )
                    ),
                }
            ).strip()
        )
    elif rows:  # only homonyms born another day: someone else, or a birth date to correct
        homonyms = [row for row in rows if row.session_id == rows[0].session_id]
        fixes.append(
            ngettext(
                "L'import du %(date)s n'a, à ses nom et prénom, qu'une fiche d'une autre date "
                "de naissance : %(rows)s. Un homonyme, ou une date de naissance à corriger dans "
                "PRONOTE ou dans l'annuaire (puis refaites l'export des identifiants).",
                "L'import du %(date)s n'a, à ses nom et prénom, que des fiches d'une autre date "
                "de naissance : %(rows)s. Des homonymes, ou une date de naissance à corriger "
                "dans PRONOTE ou dans l'annuaire (puis refaites l'export des identifiants).",
                len(homonyms),
            )
            % {
                "date": local_day(rows[0].session.created_at),
                "rows": ", ".join(
                    f"{row.pronote_id} ({row.birth_date:%d/%m/%Y})" for row in homonyms
                ),
            }
        )
    else:
        fixes.append(
            _(
                "Il n'apparaît dans aucun fichier importé : dans PRONOTE, vérifiez sa "
                "fiche puis refaites l'export des identifiants."
            )
        )
    return fixes


def namesake_record(
    establishment: Establishment, person: Person, pronote_id: str
) -> tuple[ImportRow, Person] | None:
    """The newest imported row of the identifier this account holds, when it bears exactly
    another account's name of the establishment and not this one's (birth name included):
    twins or homonyms swapped by a match — PRONOTE opens the other person's espace. ``None``
    otherwise (a near name, a typo in PRONOTE, nobody else of that name)."""
    sessions = ImportSession.objects.filter(establishment=establishment).values("pk")
    row = (
        ImportRow.objects.filter(session__in=sessions, pronote_id=pronote_id)
        .select_related("session")
        .order_by("-session_id")
        .first()
    )
    if row is None:
        return None
    key = name_key(row.last_name, row.first_name)
    own = {name_key(person.last_name, person.first_name)}
    if person.birth_last_name:
        own.add(name_key(person.birth_last_name, person.first_name))
    if key in own:
        return None
    namesakes = (
        Person.objects.filter(memberships__establishment=establishment, is_active=True)
        .exclude(pk=person.pk)
        .filter(search_key__contains=normalize_name(row.first_name))  # then exactly, below
        .distinct()
    )
    for other in namesakes:
        if key in {
            name_key(other.last_name, other.first_name),
            name_key(other.birth_last_name or other.last_name, other.first_name),
        }:
            return row, other
    return None


def explain_swapped(report: Any, row: ImportRow, namesake: Person) -> None:
    """The verdict and the way out for an account holding its namesake's record
    (:func:`namesake_record`): the identifier is sent, and PRONOTE opens the other espace."""
    report.verdict.append(
        _(
            "PRONOTE recevra l'identifiant %(identifier)s, qui est dans l'import du %(date)s la "
            "fiche de %(name)s, nom et prénom exacts du compte %(login)s : PRONOTE ouvrira "
            "l'espace de cette personne, pas celui de ce compte (jumeaux ou homonymes "
            "échangés ?)."
        )
        % {
            "identifier": row.pronote_id,
            "date": local_day(row.session.created_at),
            "name": f"{row.last_name} {row.first_name}".strip(),
            "login": namesake.login,
        }
    )
    report.fixes.append(
        _(
            "Dans PRONOTE, exportez les identifiants de tous les utilisateurs (case « Uniquement "
            "les utilisateurs sans identifiants CAS » décochée : l'export efface les « Identifiant "
            "CAS » liés par erreur, chacun sera lié de nouveau à sa prochaine connexion), puis "
            "importez ce fichier en mode Complet : ces fiches y sont à rapprocher à la main "
            "(« l'identifiant est déjà celui de … ») ; choisissez pour chacune le compte à son "
            "nom, la validation échange les identifiants sans en perdre aucun."
        )
    )
