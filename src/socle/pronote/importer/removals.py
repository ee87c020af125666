"""When a Complet step would remove many identifiers: the rule, and what to say about it (on
the step page and in ``pronote_import``).

A Complet import removes, in each category of the file, the identifiers of the establishment the
file no longer lists (former pupils…). Fed a file that holds only some users — PRONOTE's export
with « Uniquement les utilisateurs sans identifiants CAS » ticked, the newcomers — it would remove
everyone else's. A step is a *large removal* when it would remove more than half of the
identifiers the establishment holds in its category and either

- more than :data:`LARGE_MIN` of them, or
- every row of the file has an empty « Identifiant CAS » (the newcomers export's signature:
  PRONOTE left out everyone already bound to an ENT).

Half, not less: a September Complet import rightly removes the pupils who left (a quarter of a
collège's pupils, a third of a lycée's) and their parents. Then ``pronote_import`` refuses to
write without ``--force`` and the wizard asks for an explicit confirmation on the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from socle.pronote.categories import STEP_BY_CATEGORY
from socle.pronote.importer.report import step_heading

LARGE_MIN = 10  # more removals than this is "many", whatever the file
LARGE_SHARE = 50  # percent of the category's identifiers in the establishment


@dataclass(frozen=True)
class RemovalCheck:
    category: str
    removals: int  # identifiers the step would remove
    held: int  # identifiers the establishment holds in the category, before the step
    no_cas_id: bool  # no row of the file carries an « Identifiant CAS »

    @property
    def large(self) -> bool:
        if not self.removals or self.removals * 100 <= LARGE_SHARE * self.held:
            return False
        return self.removals > LARGE_MIN or self.no_cas_id


def counted(check: RemovalCheck) -> str:
    """« Étape 2/6 : rapprochement des élèves : 57 identifiants sur 58 »."""
    return gettext("%(step)s : %(count)s") % {
        "step": step_heading(STEP_BY_CATEGORY[check.category]),
        "count": ngettext(
            "%(removals)s identifiant sur %(held)s",
            "%(removals)s identifiants sur %(held)s",
            check.removals,
        )
        % {"removals": check.removals, "held": check.held},
    }


def newcomers_hint(*, command: bool = False) -> str:
    """What to do with a newcomers-only file: in the wizard, start again in mode Partiel; from
    ``pronote_import`` (``command``), run it again with ``--mode partiel``."""
    if command:
        return gettext(
            "Si ce fichier ne contient que des nouveaux arrivants (export « Uniquement les "
            "utilisateurs sans identifiants CAS »), relancez la commande avec --mode partiel."
        )
    return gettext(
        "Si ce fichier ne contient que des nouveaux arrivants (export « Uniquement les "
        "utilisateurs sans identifiants CAS »), interrompez l'import et recommencez-le en mode "
        "Partiel."
    )


def warning(check: RemovalCheck, *, command: bool = False) -> str:
    """The step page's warning, above its confirmation box (``command``: the preview of
    ``pronote_import``, whose hint is the command's)."""
    return (
        ngettext(
            "Mode Complet : la validation supprimera %(removals)s identifiant PRONOTE sur "
            "%(held)s de cette catégorie, car le fichier ne le contient pas.",
            "Mode Complet : la validation supprimera %(removals)s identifiants PRONOTE sur les "
            "%(held)s de cette catégorie, car le fichier ne les contient pas.",
            check.removals,
        )
        % {"removals": check.removals, "held": check.held}
        + " "
        + newcomers_hint(command=command)
    )


def csv_hint(removals: int) -> str:
    """Said beside a Complet step's removals when the import's file is a CSV extraction: an
    encrypted export is checked whole (SHA-256) and a cut XML does not parse, but a CSV cut at a
    line end reads as a shorter whole file (``files/csv_extraction.py`` refuses only a cut inside
    a line), and its missing people are the ones the step removes."""
    return ngettext(
        "Fichier CSV : rien n'y marque la fin de l'export, un fichier coupé (export ou copie "
        "interrompus) ne peut pas être repéré. Avant de valider, vérifiez dans la liste que "
        "la personne dont l'identifiant sera supprimé a bien quitté l'établissement ; sinon, "
        "interrompez l'import et refaites l'export depuis PRONOTE.",
        "Fichier CSV : rien n'y marque la fin de l'export, un fichier coupé (export ou copie "
        "interrompus) ne peut pas être repéré. Avant de valider, vérifiez dans la liste que "
        "les %(removals)s personnes dont l'identifiant sera supprimé ont bien quitté "
        "l'établissement ; sinon, interrompez l'import et refaites l'export depuis PRONOTE.",
        removals,
    ) % {"removals": removals}


def refusal(check: RemovalCheck) -> str:
    """Why the wizard refuses the step without the confirmation box ticked (the warning above
    the box, still shown, says what to do with a file of newcomers)."""
    return ngettext(
        "Mode Complet : cochez « Je confirme la suppression » pour supprimer %(removals)s "
        "identifiant PRONOTE absent du fichier, ou interrompez l'import.",
        "Mode Complet : cochez « Je confirme la suppression » pour supprimer %(removals)s "
        "identifiants PRONOTE absents du fichier, ou interrompez l'import.",
        check.removals,
    ) % {"removals": check.removals}


def _removed(large: list[RemovalCheck], *, done: bool) -> str:
    """« Mode Complet : cet import supprimerait 57 identifiants PRONOTE absents du fichier
    (Étape 2/6 : rapprochement des élèves : 57 identifiants sur 58). »"""
    count = sum(check.removals for check in large)
    steps = " ; ".join(counted(check) for check in large)
    if done:
        return ngettext(
            "Mode Complet : %(count)s identifiant PRONOTE absent du fichier supprimé (%(steps)s).",
            "Mode Complet : %(count)s identifiants PRONOTE absents du fichier supprimés "
            "(%(steps)s).",
            count,
        ) % {"count": count, "steps": steps}
    return ngettext(
        "Mode Complet : cet import supprimerait %(count)s identifiant PRONOTE absent du "
        "fichier (%(steps)s).",
        "Mode Complet : cet import supprimerait %(count)s identifiants PRONOTE absents du "
        "fichier (%(steps)s).",
        count,
    ) % {"count": count, "steps": steps}


def command_refusal(large: list[RemovalCheck]) -> str:
    """Why ``pronote_import --auto-only`` refuses, without ``--force``, the large removals of
    ``large`` (every step that has one); nothing is written."""
    return " ".join(
        [
            _removed(large, done=False),
            newcomers_hint(command=True),
            gettext(
                "Pour les supprimer malgré tout, relancez avec --force (--dry-run montre le "
                "détail sans rien enregistrer). Rien n'a été enregistré."
            ),
        ]
    )


def command_notice(large: list[RemovalCheck], *, forced: bool) -> str:
    """What ``pronote_import --auto-only`` prints of the large removals it made (``forced``:
    ``--force``) or would have refused (``--dry-run`` without ``--force``)."""
    if forced:
        return _removed(large, done=True) + " " + gettext("Suppression confirmée par --force.")
    return " ".join(
        [
            _removed(large, done=False),
            newcomers_hint(command=True),
            gettext("Sans --force, cet import serait refusé."),
        ]
    )
