"""``socle activation_letters --uai UAI [--class 5E1] [--profile National_TUT] [--only-new]
--out FILE``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.files import (
    create_private,
    folder_path,
    is_special,
    keep_beside,
    private_folder_beside,
    put_in_place,
)
from socle.core.plain_errors import os_error
from socle.directory.command_options import establishment_of
from socle.directory.letters import Letter, issue_letters, select_people, write_csv, write_pdf
from socle.directory.models import Establishment
from socle.directory.profiles import Profile, parse_profile


@dataclass
class _Letters:
    """Where a run stands: codes committed, letters put at ``--out``, or kept in their folder."""

    committed: bool = False
    placed: bool = False
    keep_folder: bool = False

    def kept_inside(self) -> bool:
        return self.keep_folder


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Produit les fiches de connexion (identifiant + code d'activation) des personnes d'un "
            "établissement qui n'ont pas encore de mot de passe : PDF à imprimer (une page par "
            "personne) ou CSV pour un publipostage. Crée ou renouvelle leurs codes d'activation."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uai", required=True, help=_("UAI de l'établissement."))
        parser.add_argument("--class", dest="class_name", default=None, help=_("Classe (ex. 5E1)."))
        parser.add_argument(
            "--profile", default=None, help=_("Profil (National_ELV, National_TUT, enseignant…).")
        )
        parser.add_argument("--out", required=True, help=_("Fichier de sortie .pdf ou .csv."))
        parser.add_argument(
            "--only-new",
            action="store_true",
            help=_(
                "seulement les personnes qui n'ont pas encore de code valable : les fiches déjà "
                "distribuées et pas encore utilisées restent valables (rentrée, par vagues)"
            ),
        )

    renewed_in: Path | None = None  # the letters of codes already renewed, if interrupted then
    renewed_in_folder = False  # ... left in their private folder, read-only

    def interruption_hint(self, options: dict[str, Any]) -> str:
        if self.renewed_in is not None and self.renewed_in_folder:
            return _(
                "Les codes sont renouvelés : les fiches sont dans %(partial)s (dossier en "
                "lecture seule : copiez ce fichier, puis supprimez le dossier)."
            ) % {"partial": self.renewed_in}
        if self.renewed_in is not None:
            return _(
                "Les codes sont renouvelés : les fiches sont dans %(partial)s (renommez ce "
                "fichier)."
            ) % {"partial": self.renewed_in}
        return _("Aucun code n'a été renouvelé : relancez la même commande.")

    def handle(self, *args: Any, **options: Any) -> None:
        establishment = establishment_of(options["uai"])
        profile = None
        if options["profile"]:
            profile = parse_profile(options["profile"])
            if profile is None:
                raise CommandError(
                    _("Profil « %(profile)s » inconnu ; attendus : %(expected)s.")
                    % {"profile": options["profile"][:30], "expected": ", ".join(Profile.values)}
                )
        out = Path(options["out"])
        if out.suffix.lower() not in {".pdf", ".csv"}:
            raise CommandError(_("--out doit se terminer par .pdf ou .csv."))
        if not out.parent.is_dir():
            raise CommandError(_("Dossier %(folder)s introuvable.") % {"folder": out.parent})
        if out.is_dir():
            raise CommandError(
                _("Écriture impossible dans %(path)s : %(reason)s.")
                % {"path": out, "reason": _("c'est un dossier, pas un fichier")}
            )
        count = self._write(
            out, establishment, options["class_name"], profile, only_new=options["only_new"]
        )
        if not count:  # --only-new, and nobody new: nothing to do, not an error
            self.stdout.write(
                _(
                    "Aucune nouvelle fiche : dans cette sélection, toute personne sans mot de "
                    "passe a déjà un code valable. Aucun fichier écrit, aucun code renouvelé."
                )
            )
            return
        if options["only_new"]:
            done = _(
                "%(count)s fiche(s) de connexion écrite(s) dans %(path)s, pour les personnes "
                "sans code valable ; les fiches déjà distribuées restent valables."
            )
        else:
            done = _(
                "%(count)s fiche(s) de connexion écrite(s) dans %(path)s ; les codes précédents "
                "de ces personnes ne sont plus valables."
            )
        # Into a pipe or a device: the summary goes to stderr, not after the letters' bytes.
        summary = self.stderr if is_special(out) else self.stdout
        summary.write(done % {"count": count, "path": out}, style_func=_plain)

    def _write(
        self,
        out: Path,
        establishment: Establishment,
        class_name: str | None,
        profile: str | None,
        *,
        only_new: bool,
    ) -> int:
        """Renews the codes and writes the letters in one go: the new codes are committed only
        once the whole file is written (beside ``out``, then renamed onto it), so that a full
        disk, a permission error or a Ctrl-C leaves the previous codes and file as they were.

        The letters are written in a folder of their own, mode 700, reached through its
        descriptor (``core.files.private_folder_beside``): the PDF and CSV writers open the file
        by its name, which in a shared folder without the sticky bit another user could
        otherwise swap for one of theirs between its creation and the writes (and read the
        codes), or before the rename. The file is readable by its owner only (mode 600),
        whatever the umask. Once the codes are committed the letters are never removed: if the
        rename onto ``out`` fails, or Ctrl-C comes just before it, they are kept beside
        ``out`` under a name of their own (:meth:`_keep`), which the command names."""
        pdf = out.suffix.lower() == ".pdf"
        on_terminal = self.on_terminal()
        state = _Letters()
        try:
            with private_folder_beside(out, keep=state.kept_inside) as folder:
                written = folder / out.name
                try:
                    with transaction.atomic():
                        if on_terminal:
                            self.show_progress(_("Création des codes d'activation…"))
                        letters = issue_letters(
                            establishment, class_name=class_name, profile=profile, only_new=only_new
                        )
                        self._refuse_empty(letters, establishment, class_name, profile, only_new)
                        if not letters:
                            return 0  # nobody new: said, not an error
                        create_private(written)  # mode 600, kept by the writers and the rename
                        if pdf:
                            progress = self._pages if on_terminal else None
                            write_pdf(letters, written, progress=progress)
                        else:
                            write_csv(letters, written)
                    state.committed = True
                    put_in_place(written, out)  # renamed; copied into a pipe or device
                    state.placed = True
                except BaseException:
                    if state.committed and not state.placed:
                        self._keep(state, written, folder, out)
                    raise
        except OSError as exc:
            if state.committed:  # the new codes hold: the letters that carry them are kept
                raise CommandError(
                    _(
                        "Écriture impossible dans %(path)s : %(reason)s. Les fiches (codes "
                        "renouvelés) sont dans %(partial)s."
                    )
                    % {"path": out, "reason": os_error(exc), "partial": self.renewed_in}
                ) from None
            raise CommandError(
                _("Écriture impossible dans %(path)s : %(reason)s. Aucun code n'a été renouvelé.")
                % {"path": out, "reason": os_error(exc)}
            ) from None
        finally:
            self.end_progress()
        return len(letters)

    def _keep(self, state: _Letters, written: Path, folder: Path, out: Path) -> None:
        """The codes are renewed and the letters that carry them could not be put at ``out``:
        moved beside it under a name of their own, or, when that fails too, left in their
        private folder (made read-only, so that no later run removes them)."""
        try:
            self.renewed_in = keep_beside(written, out)
        except OSError:
            state.keep_folder = self.renewed_in_folder = True
            self.renewed_in = folder_path(folder) / out.name

    def _refuse_empty(
        self,
        letters: list[Letter],
        establishment: Establishment,
        class_name: str | None,
        profile: str | None,
        only_new: bool,
    ) -> None:
        """No letter is an error, except with ``--only-new`` when the selection has people
        without a password who all hold a valid code (nobody new)."""
        if letters or (only_new and not _selects_nobody(establishment, class_name, profile)):
            return
        if class_name or profile:
            raise CommandError(
                _(
                    "Aucune fiche : personne sans mot de passe dans cette sélection "
                    "(vérifiez --class et --profile). Aucun fichier écrit."
                )
            )
        raise CommandError(
            _(
                "Aucune fiche : tout le monde a déjà un mot de passe dans cet "
                "établissement. Aucun fichier écrit."
            )
        )

    def _pages(self, done: int, total: int) -> None:
        self.show_progress(
            _("Fiches de connexion : %(done)s/%(total)s") % {"done": done, "total": total}
        )


def _plain(text: str) -> str:
    return text


def _selects_nobody(
    establishment: Establishment, class_name: str | None, profile: str | None
) -> bool:
    """Whether ``--class``/``--profile`` select nobody without a password, codes or not (a
    mistyped class): with ``--only-new`` too an error, not « Aucune nouvelle fiche »."""
    if not (class_name or profile):
        return False
    return not select_people(establishment, class_name=class_name, profile=profile).exists()
