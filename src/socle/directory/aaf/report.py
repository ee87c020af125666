"""What an AAF import did: counts per file type and per establishment, errors, deactivations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from socle.directory.aaf.mapping import TYPE_ORDER

STATUSES = ("created", "updated", "unchanged", "deactivated", "errors")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: int = 0

    def add(self, other: Counts) -> None:
        for name in STATUSES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def bump(self, status: str, count: int = 1) -> None:
        setattr(self, status, getattr(self, status) + count)

    def line(self) -> str:
        return _(
            "%(created)s créé(s), %(updated)s modifié(s), %(unchanged)s inchangé(s), "
            "%(deactivated)s désactivé(s), %(errors)s en erreur"
        ) % {name: getattr(self, name) for name in STATUSES}


@dataclass
class Tally:
    """Counts of one file (merged into the report only if the file is imported whole)."""

    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_establishment: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Staff modifies carrying only some of the profile inputs, for people imported before these
    # inputs were kept: their profiles could not be recomputed as the full file would.
    staff_without_inputs: int = 0
    # Accounts blocked by hand the files listed, left blocked: people (a teacher who is also a
    # parent is in two files), not records.
    left_blocked_ids: set[int] = field(default_factory=set)

    def merge(self, other: Tally) -> None:
        for kind, counts in other.by_type.items():
            self.by_type[kind].add(counts)
        for uai, counts in other.by_establishment.items():
            self.by_establishment[uai].add(counts)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
        self.staff_without_inputs += other.staff_without_inputs
        self.left_blocked_ids |= other.left_blocked_ids


@dataclass
class Report(Tally):
    files_read: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    files_failed: list[str] = field(default_factory=list)
    files_passed_over: list[str] = field(default_factory=list)  # .dtd, READMEs…
    files_pronote: list[str] = field(default_factory=list)  # PRONOTE identifier files, skipped
    memberships_ended: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_removed: int = 0
    links_unresolved: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.files_failed or self.errors)

    @property
    def nothing_read(self) -> bool:
        """No AAF file was even tried: wrong folder, empty export, a CSV given by mistake."""
        return not self.files_read and not self.files_failed

    def lines(self, names: dict[str, str] | None = None) -> list[str]:
        names = names or {}
        lines = [
            _("Fichiers : %(read)s lu(s), %(skipped)s ignoré(s), %(failed)s en erreur.")
            % {
                "read": len(self.files_read),
                "skipped": len(self.files_skipped),
                "failed": len(self.files_failed),
            }
        ]
        lines.extend(
            "  " + _("ignoré : %(reason)s") % {"reason": why} for why in self.files_skipped
        )
        for kind in sorted(self.by_type, key=lambda k: TYPE_ORDER.get(k, 99)):
            lines.append(
                _("%(name)s : %(counts)s.") % {"name": kind, "counts": self.by_type[kind].line()}
            )
        total_deactivated = sum(c.deactivated for c in self.by_type.values())
        lines.append(
            _(
                "Comptes désactivés (absents d'un fichier complet ou supprimés par un delta) : "
                "%(deactivated)s ; rattachements retirés (personnes restées actives dans un autre "
                "établissement) : %(memberships)s."
            )
            % {"deactivated": total_deactivated, "memberships": self.memberships_ended}
        )
        lines.append(
            _(
                "Liens responsable-élève : %(created)s créé(s), %(updated)s modifié(s), "
                "%(removed)s retiré(s), %(unresolved)s vers un responsable introuvable."
            )
            % {
                "created": self.links_created,
                "updated": self.links_updated,
                "removed": self.links_removed,
                "unresolved": self.links_unresolved,
            }
        )
        if self.left_blocked_ids:
            lines.append(
                _("Comptes bloqués à la main, laissés bloqués : %(count)s.")
                % {"count": len(self.left_blocked_ids)}
            )
        if self.staff_without_inputs:
            lines.append(
                _(
                    "PersEducNat : %(count)s modification(s) partielle(s) de personnels importés "
                    "avant que leurs fonctions, rattachements, profils et présence devant élèves "
                    "ne soient conservés : profils déduits des seuls attributs reçus (inchangés "
                    "sans ENTPersonFonctions ni ENTPersonStructRattach) ; le prochain fichier "
                    "complet les corrigera."
                )
                % {"count": self.staff_without_inputs}
            )
        if self.by_establishment:
            lines.append(_("Par établissement :"))
            for uai in sorted(self.by_establishment):
                label = f"{uai} {names[uai]}" if uai in names else uai
                lines.append(
                    "  "
                    + _("%(name)s : %(counts)s.")
                    % {"name": label, "counts": self.by_establishment[uai].line()}
                )
        lines.extend(self.notes)
        return lines
