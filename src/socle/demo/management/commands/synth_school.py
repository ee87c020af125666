"""``socle synth_school``: one synthetic collège into the directory and/or files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.plain_errors import os_error
from socle.demo.csv_export import school_csv
from socle.demo.files import write_text_if_changed
from socle.demo.pronote_base import build_pronote_base, dumps
from socle.demo.synth import (
    DEFAULT_NAME,
    DEFAULT_SECOND_UAI,
    DEFAULT_SEED,
    DEFAULT_UAI,
    SynthError,
    generate_school,
)
from socle.demo.writer import write_school
from socle.directory.uai import InvalidUAI, normalize_uai


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Génère un collège synthétique (reproductible : même graine, même collège) et l'écrit "
            "dans l'annuaire ; --pronote-out écrit la base PRONOTE correspondante (pronotesim), "
            "--csv-out le fichier CSV de directory_import."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=_("Graine (défaut 2026).")
        )
        parser.add_argument("--pupils", type=int, default=600, help=_("Nombre d'élèves."))
        parser.add_argument("--teachers", type=int, default=40, help=_("Nombre d'enseignants."))
        parser.add_argument("--staff", type=int, default=15, help=_("Nombre de personnels."))
        parser.add_argument("--uai", default=DEFAULT_UAI, help=_("UAI de l'établissement."))
        parser.add_argument("--name", default=None, help=_("Nom de l'établissement."))
        parser.add_argument("--postal-code", default="31000", help=_("Code postal (défaut 31000)."))
        parser.add_argument("--city", default="Toulouse", help=_("Ville (défaut Toulouse)."))
        parser.add_argument(
            "--second-uai",
            default=DEFAULT_SECOND_UAI,
            help=_(
                "UAI du second établissement de l'enseignante de deux collèges "
                "(défaut %(uai)s ; « none » : aucun)."
            )
            % {"uai": DEFAULT_SECOND_UAI},
        )
        parser.add_argument(
            "--pronote-out", default=None, help=_("Base pronotesim à écrire (JSON).")
        )
        parser.add_argument(
            "--csv-out", default=None, help=_("Fichier CSV directory_import à écrire.")
        )
        parser.add_argument(
            "--no-db", action="store_true", help=_("N'écrit que les fichiers, pas l'annuaire.")
        )
        parser.add_argument(
            "--shared-password",
            default=None,
            help=_(
                "Donne ce mot de passe à tous les comptes synthétiques (tests de charge "
                "uniquement : un seul hachage partagé)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        uai = self._uai(options["uai"])
        second = options["second_uai"]
        second_uai = None if second.lower() in ("", "none", "aucun") else self._uai(second)
        for name in ("pupils", "teachers", "staff"):
            if options[name] > 2_000_000:
                raise CommandError(_("%(option)s : au plus 2 000 000.") % {"option": f"--{name}"})
        name = options["name"] or (DEFAULT_NAME if uai == DEFAULT_UAI else f"Collège {uai}")
        try:
            school = generate_school(
                seed=options["seed"],
                pupils=options["pupils"],
                teachers=options["teachers"],
                staff=options["staff"],
                uai=uai,
                name=name,
                postal_code=options["postal_code"],
                city=options["city"],
                second_uai=second_uai,
            )
        except SynthError as exc:
            raise CommandError(str(exc)) from None
        roles = Counter(str(p.role) for p in school.people)
        self.stdout.write(
            _("%(name)s (%(uai)s), graine %(seed)s : %(roles)s, %(links)s lien(s) parent-enfant.")
            % {
                "name": school.establishment.name,
                "uai": uai,
                "seed": school.seed,
                "roles": ", ".join(f"{count} {role}" for role, count in sorted(roles.items())),
                "links": len(school.links),
            }
        )
        if not options["no_db"]:
            report = write_school(school, shared_password=options["shared_password"])
            self.stdout.write(_("Annuaire : %(summary)s") % {"summary": report.line()})
        if options["pronote_out"]:
            base = build_pronote_base(school)
            self._write(options["pronote_out"], dumps(base.as_json()))
            kinds = Counter(d.kind for d in base.differences)
            self.stdout.write(
                _("Base PRONOTE : %(users)s utilisateur(s) ; écarts avec l'ENT : %(differences)s")
                % {
                    "users": len(base.users),
                    "differences": ", ".join(
                        f"{kind} {count}" for kind, count in sorted(kinds.items())
                    ),
                }
            )
        if options["csv_out"]:
            self._write(options["csv_out"], school_csv(school))

    def _uai(self, value: str) -> str:
        try:
            return normalize_uai(value)
        except InvalidUAI as exc:
            raise CommandError(str(exc)) from None

    def _write(self, path: str, text: str) -> None:
        try:
            written = write_text_if_changed(Path(path), text)
        except OSError as exc:
            raise CommandError(
                _("Écriture impossible de %(path)s : %(reason)s.")
                % {"path": path, "reason": os_error(exc)}
            ) from None
        message = _("Écrit : %(path)s") if written else _("Inchangé : %(path)s")
        self.stdout.write(message % {"path": path})
