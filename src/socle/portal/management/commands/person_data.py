"""``socle person_data LOGIN_OR_UID``: what Socle holds about one person, as JSON on standard
output (the right of access, article 15 of the GDPR; docs/privacy.md): the directory's record
(no password hash, no activation code), memberships, relatives, the activation code's dates,
the Django admin's journal of the record, traces, portal choices, what each CAS service
receives, PRONOTE identifiers and import rows. Every app adds its section
(``socle.core.personal_data``). The export itself is traced (``person_data_exported``).

``--format texte`` gives the same as plain text in the reader's language
(``socle.portal.person_text``), for the person or their parents.

``--out FILE`` writes it whole or not at all, mode 600 (``core.files.write_file``): on standard
output redirected to a file, a full disk left half a JSON document looking like an export.
Either way a failed write is one French sentence, and is not traced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.files import write_file
from socle.core.personal_data import export_person
from socle.core.plain_errors import os_error
from socle.directory.models import Person
from socle.portal.detail_forms import PERSON_DATA_EXPORTED
from socle.portal.person_text import export_text
from socle.portal.traces import record


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Affiche en JSON (ou en texte : --format texte) tout ce que Socle conserve sur une "
            "personne (droit d'accès) ; écrivez-le dans un fichier protégé (--out)."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help=_("identifiant de connexion ou uid de la personne"))
        parser.add_argument(
            "--format",
            choices=("json", "texte"),
            default="json",
            help=_(
                "json (par défaut, toutes les données, pour un traitement) ou texte (les mêmes, "
                "en clair : à remettre à la personne ou à ses responsables)"
            ),
        )
        parser.add_argument(
            "--out",
            metavar=_("FICHIER"),
            help=_(
                "écrire le JSON dans ce fichier, en entier ou pas du tout, lisible par son "
                "propriétaire seul (sinon : sur la sortie standard)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["person"].strip()
        # Two people when one's login is another's uid (a login given by a file or by hand):
        # the export of the wrong one would hand a person's data to someone else.
        found = list(Person.objects.filter(Q(login=key) | Q(uid=key))[:2])
        if not found:
            raise CommandError(
                _("Aucune personne d'identifiant ou d'uid « %(key)s ».") % {"key": key[:64]}
            )
        if len(found) > 1:
            raise CommandError(
                _(
                    "« %(key)s » est l'identifiant d'une personne et l'uid d'une autre : "
                    "donnez l'uid de la personne (celle d'identifiant %(key)s a l'uid %(uid)s)."
                )
                % {"key": key[:64], "uid": next(p.uid for p in found if p.login == key)}
            )
        person = found[0]
        data = export_person(person)
        if options.get("format") == "texte":
            text = export_text(person, data).rstrip("\n")
        else:
            text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        out = options.get("out")
        try:
            if out:
                content = (text + "\n").encode()
                # a file that can only be written in place is said first (notify)
                write_file(Path(out).expanduser(), content, private=True, notify=self.stderr.write)
            else:
                self.stdout.write(text)
                self.stdout.flush()
        except OSError as exc:
            if out:
                raise CommandError(
                    _("Écriture de %(path)s impossible : %(reason)s. Aucun fichier n'a été écrit.")
                    % {"path": out, "reason": os_error(exc)}
                ) from None
            raise CommandError(
                _(
                    "Écriture de la sortie impossible : %(reason)s. Ce qui a pu en être écrit est "
                    "incomplet : supprimez-le, puis relancez la commande avec --out FICHIER."
                )
                % {"reason": os_error(exc)}
            ) from None
        record(
            "person_data_exported",
            person=person,
            actor_login="person_data",
            detail=PERSON_DATA_EXPORTED,
        )
