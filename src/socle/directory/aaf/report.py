"""What an AAF import did: counts per file type and per establishment, errors, deactivations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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
        return (
            f"{self.created} créé(s), {self.updated} modifié(s), {self.unchanged} inchangé(s), "
            f"{self.deactivated} désactivé(s), {self.errors} en erreur"
        )


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

    def merge(self, other: Tally) -> None:
        for kind, counts in other.by_type.items():
            self.by_type[kind].add(counts)
        for uai, counts in other.by_establishment.items():
            self.by_establishment[uai].add(counts)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
        self.staff_without_inputs += other.staff_without_inputs


@dataclass
class Report(Tally):
    files_read: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    files_failed: list[str] = field(default_factory=list)
    memberships_ended: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_removed: int = 0
    links_unresolved: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.files_failed or self.errors)

    def lines(self, names: dict[str, str] | None = None) -> list[str]:
        names = names or {}
        lines = [
            f"Fichiers : {len(self.files_read)} lu(s), {len(self.files_skipped)} ignoré(s), "
            f"{len(self.files_failed)} en erreur."
        ]
        for kind in sorted(self.by_type, key=lambda k: TYPE_ORDER.get(k, 99)):
            lines.append(f"{kind} : {self.by_type[kind].line()}.")
        total_deactivated = sum(c.deactivated for c in self.by_type.values())
        lines.append(
            f"Comptes désactivés (absents d'un fichier complet ou supprimés par un delta) : "
            f"{total_deactivated} ; rattachements retirés : {self.memberships_ended}."
        )
        lines.append(
            f"Liens responsable-élève : {self.links_created} créé(s), {self.links_updated} "
            f"modifié(s), {self.links_removed} retiré(s), {self.links_unresolved} vers un "
            "responsable introuvable."
        )
        if self.staff_without_inputs:
            lines.append(
                f"PersEducNat : {self.staff_without_inputs} modification(s) partielle(s) de "
                "personnels importés avant que leurs fonctions, rattachements, profils et présence "
                "devant élèves ne soient conservés : profils déduits des seuls attributs reçus "
                "(inchangés sans ENTPersonFonctions ni ENTPersonStructRattach) ; le prochain "
                "fichier complet les corrigera."
            )
        if self.by_establishment:
            lines.append("Par établissement :")
            for uai in sorted(self.by_establishment):
                label = f"{uai} {names[uai]}" if uai in names else uai
                lines.append(f"  {label} : {self.by_establishment[uai].line()}.")
        lines.extend(self.notes)
        return lines
