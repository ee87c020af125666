"""``manage.py configure_ent``: « Intégration dans un ENT » from the command line.

Options left out keep their current value. The same validation as the web page applies (the
publication does not need to be stopped: this is the scripted path for demos and tests).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pronotesim.console import ent_list
from pronotesim.console.forms import EntSettingsForm
from pronotesim.console.models import ServerSettings
from pronotesim.files.crypto import CryptoError, load_public_key, public_pem_of

RECOGNITIONS = {"pronote": "pronote", "identity": "identity", "double": "double"}
ON_OFF = {"on": True, "off": False}


class Command(BaseCommand):
    help = "Configure l'intégration dans un ENT (délégation CAS, reconnaissance, export)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ent", help="nom d'un ENT de la liste de PRONOTE")
        parser.add_argument("--cas-url", help="URL du serveur CAS (ENT « Autre »)")
        parser.add_argument("--cas", choices=ON_OFF, help="activer l'authentification avec CAS")
        parser.add_argument("--public-url", help="URL publique de PRONOTE.net (…/pronote/)")
        parser.add_argument("--recognition", choices=RECOGNITIONS)
        parser.add_argument("--id-attribute", help="attribut CAS contenant l'identifiant PRONOTE")
        parser.add_argument("--direct-login", choices=ON_OFF)
        parser.add_argument("--common-id", help="« subject » ou le nom d'un attribut CAS")
        parser.add_argument("--partner", help="socle ENT pouvant déchiffrer l'export")
        parser.add_argument(
            "--partner-public-key",
            help="clé publique PEM de ce socle ENT (une clé privée PEM est acceptée : seule sa "
            "moitié publique est gardée)",
        )
        parser.add_argument("--publish", choices=ON_OFF, help="mettre en publication ou non")
        parser.add_argument("--list-ents", action="store_true", help="afficher la liste des ENT")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_ents"]:
            for name, url in ent_list.ENT_PROJECTS:
                self.stdout.write(f"{name}\t{url}")
            return
        server = ServerSettings.load()
        data = EntSettingsForm.initial_from(server)
        if options["ent"]:
            if options["ent"] not in ent_list.ENT_URLS:
                raise CommandError(f"ENT « {options['ent']} » absent de la liste (--list-ents).")
            data["ent_project"] = options["ent"]
        if options["cas_url"]:
            data["ent_project"] = ent_list.project_for(options["cas_url"])
            if data["ent_project"] == ent_list.OTHER:
                data["other_cas_url"] = options["cas_url"]
        if options["cas_url"] or options["ent"]:
            data["cas_enabled"] = True
        if options["cas"]:
            data["cas_enabled"] = ON_OFF[options["cas"]]
        for option, key in (
            ("public_url", "public_url"),
            ("recognition", "recognition"),
            ("id_attribute", "id_attribute"),
        ):
            if options[option]:
                data[key] = options[option]
        if options["direct_login"]:
            data["direct_login_allowed"] = ON_OFF[options["direct_login"]]
        if options["common_id"]:
            subject = options["common_id"].lower() == "subject"
            data["common_id_source"] = "subject" if subject else "attribute"
            data["common_id_attribute"] = "" if subject else options["common_id"]
        form = EntSettingsForm({key: value for key, value in data.items() if value is not False})
        if not form.is_valid():
            errors = "; ".join(
                f"{name} : {' '.join(str(m) for m in msgs)}" for name, msgs in form.errors.items()
            )
            raise CommandError(f"Paramètres refusés — {errors}")
        form.save(server)
        self._partner(server, options)
        if options["publish"]:
            server.published = ON_OFF[options["publish"]]
            server.save(update_fields=["published"])
        state = f"CAS {server.cas_url}" if server.cas_enabled else "sans délégation CAS"
        public = server.public_url or "(URL publique non définie)"
        self.stdout.write(
            f"Intégration dans un ENT : {state} ; reconnaissance « {server.recognition_label} » ; "
            f"URL à communiquer au socle ENT : {public}**"
        )

    def _partner(self, server: ServerSettings, options: dict[str, Any]) -> None:
        if options["partner"]:
            server.partner_name = options["partner"]
        if options["partner_public_key"]:
            path = Path(options["partner_public_key"])
            try:
                pem = path.read_text(encoding="utf-8")
                if "PRIVATE KEY" in pem:  # demo convenience: keep only the public half
                    pem = public_pem_of(pem)
                load_public_key(pem)
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Lecture impossible de {path} : {exc}") from None
            except CryptoError as exc:
                raise CommandError(f"{path} : {exc}") from None
            server.partner_public_key = pem
        server.save()
