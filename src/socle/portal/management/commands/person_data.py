"""``socle person_data LOGIN_OR_UID``: what Socle holds about one person, as JSON on standard
output (the right of access, article 15 of the GDPR; docs/privacy.md): the directory's record
(no password hash, no activation code), memberships, relatives, the activation code's dates,
the Django admin's journal of the record, traces, portal choices, what each CAS service
receives, PRONOTE identifiers and import rows. Every app adds its section
(``socle.core.personal_data``). The export itself is traced (``person_data_exported``)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.core.personal_data import export_person
from socle.directory.models import Person
from socle.portal.traces import record


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy(
            "Affiche en JSON tout ce que Socle conserve sur une personne (droit d'accès) ; "
            "redirigez la sortie vers un fichier protégé."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help=_("identifiant de connexion ou uid de la personne"))

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
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        record(
            "person_data_exported",
            person=person,
            actor_login="person_data",
            detail="export des données de la personne (droit d'accès)",
        )
