"""``socle service_add``: registers (or updates) a CAS service from the command line."""

from __future__ import annotations

import re
from typing import Any, cast

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.cas.attributes import unknown_attributes_message, unknown_names
from socle.cas.services import compile_pattern, normalise_url, pattern_error
from socle.core.commands import SocleCommand
from socle.directory.command_options import establishment_of
from socle.directory.models import Establishment
from socle.portal.foreign_patterns import pronote_espaces_refused, service_addresses
from socle.portal.hosted_pronote import service_uai_warning
from socle.portal.models import (
    PatternKind,
    PronoteRecognition,
    Service,
    ServicePattern,
    SSOType,
    UsernameMode,
)
from socle.portal.patterns import (
    default_pronote_pattern,
    foreign_address,
    foreign_address_message,
    pattern_problem,
    pronote_root_message,
    pronote_root_missing,
    ticket_parameter_problem,
    wildcard_url_problem,
)
from socle.portal.provisioning import ProfilesError, parse_profiles, set_command_line_profiles
from socle.portal.regex_safety import slow_pattern, slow_pattern_message
from socle.portal.release import release_detail, release_state
from socle.portal.traces import record
from socle.portal.username_lock import (
    chooses_login_for_pronote,
    exported_names_refusal,
    login_mode_warning,
    login_refused_for_pronote,
)

_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def pattern_kind(value: str) -> tuple[str, str]:
    """``regex:…`` or ``^…`` → regex; a ``*`` → Ant; otherwise an exact URL."""
    if value.startswith("regex:"):
        return PatternKind.REGEX, value[len("regex:") :]
    if value.startswith("^"):
        return PatternKind.REGEX, value
    if "*" in value:
        return PatternKind.ANT, value
    return PatternKind.EXACT, value


class Command(SocleCommand):
    help = cast(
        str, gettext_lazy("Enregistre un service CAS (ou le met à jour si le code existe déjà).")
    )
    # The command that repairs the registry must run whatever the registry holds: the checks of
    # its content (socle.E006, socle.E064…) would otherwise stop the very fix they suggest.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "code",
            help=_("code unique du service (lettres, chiffres, - et _), ex. PRONOTE-0312609T"),
        )
        parser.add_argument("label", help=_("intitulé affiché dans Mon espace"))
        parser.add_argument("--url", required=True, help=_("URL publique du service"))
        parser.add_argument(
            "--pattern",
            action="append",
            default=[],
            help=_("motif d'URL accepté (exact, Ant avec ** et *, ou regex:…)"),
        )
        parser.add_argument("--uai", help=_("établissement du service"))
        parser.add_argument("--attributes", default="", help=_("attributs transmis, séparés par ,"))
        parser.add_argument(
            "--sso",
            choices=[c.value for c in SSOType],
            default=SSOType.CAS,
            help=_(
                "type de SSO : cas (par défaut), pronote (SSO PRONOTE avec CAS : --uai "
                "obligatoire) ou none (simple lien)"
            ),
        )
        parser.add_argument(
            "--recognition",
            choices=["pronote", "identity", "both"],
            default=PronoteRecognition.PRONOTE_ID,
            help=_(
                "PRONOTE : reconnaissance par identité PRONOTE (pronote, par défaut), par "
                "identité de l'utilisateur (identity) ou les deux (both)"
            ),
        )
        parser.add_argument(
            "--id-attribute",
            default="idPronote",
            help=_("PRONOTE : nom de l'attribut CAS portant l'identifiant PRONOTE (idPronote)"),
        )
        parser.add_argument(
            "--username-mode",
            choices=[c.value for c in UsernameMode],
            help=_(
                "ce que le CAS envoie comme nom d'utilisateur (cas:user) à ce service : uid (par "
                "défaut pour un nouveau service), pairwise ou login (refusé pour PRONOTE) ; sans "
                "cette option, un service existant garde le sien"
            ),
        )
        parser.add_argument(
            "--change-username-mode",
            action="store_true",
            help=_(
                "change --username-mode d'un service qui a déjà transmis des identifiants CAS : "
                "chaque utilisateur lui devient inconnu (PRONOTE : l'établissement doit effacer "
                "tous les « Identifiant CAS »)"
            ),
        )
        parser.add_argument(
            "--profiles",
            help=_(
                "profils autorisés, séparés par des virgules (National_ELV,National_TUT…) ; "
                "sans cette option, tous les profils"
            ),
        )
        parser.add_argument(
            "--allow-proxy",
            action="store_true",
            help=_("autorise ce service à obtenir des proxy tickets"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code, label, url = options["code"], options["label"].strip(), options["url"].strip()
        if not _CODE.match(code):
            raise CommandError(
                _("Code « %(code)s » invalide : lettres, chiffres, - et _.") % {"code": code[:60]}
            )
        if not label:
            raise CommandError(_("L'intitulé est obligatoire."))
        try:
            normalise_url(url)
        except ValueError as exc:
            raise CommandError(
                _("URL « %(url)s » invalide : %(error)s.") % {"url": url[:200], "error": exc}
            ) from None
        ticket_problem = wildcard_url_problem(url) or ticket_parameter_problem(url)
        if ticket_problem is not None:
            raise CommandError(ticket_problem)
        establishment = None
        if options["uai"]:
            establishment = establishment_of(options["uai"])
        if options["sso"] == SSOType.PRONOTE and establishment is None:
            raise CommandError(
                _(
                    "Un service PRONOTE est lié à un établissement : ajoutez --uai UAI (celui "
                    "de l'établissement dont PRONOTE publie les espaces)."
                )
            )
        if options["sso"] == SSOType.PRONOTE and pronote_root_missing(url):
            raise CommandError(pronote_root_message())
        patterns = list(options["pattern"])
        if not patterns and options["sso"] == SSOType.PRONOTE:
            patterns = [default_pronote_pattern(url)]
        if not patterns and options["sso"] != SSOType.NONE:
            raise CommandError(_("Au moins un --pattern est nécessaire pour un service CAS."))
        compiled = []
        own = service_addresses(url, options["sso"])  # as the portal's form judges its patterns
        for value in patterns:
            kind, text = pattern_kind(value.strip())
            try:
                compile_pattern(kind, text)
            except (re.error, ValueError) as exc:
                raise CommandError(
                    _("Motif « %(pattern)s » invalide : %(error)s.")
                    % {"pattern": value[:200], "error": pattern_error(exc)}
                ) from None
            if slow_pattern(kind, text):
                raise CommandError(
                    _("Motif « %(pattern)s » refusé : %(problem)s")
                    % {"pattern": value[:200], "problem": slow_pattern_message(kind, text)}
                )
            elsewhere = foreign_address(kind, text, url)
            if elsewhere:
                raise CommandError(
                    _("Motif « %(pattern)s » refusé : %(problem)s")
                    % {"pattern": value[:200], "problem": foreign_address_message(elsewhere)}
                )
            # The portal form's judgement (the admin's too): not the URL's address in the other
            # scheme only, nor one that accepts the URL in neither scheme (socle.W042 said it
            # once saved). Wide patterns are left to the foreign-address refusal above.
            problem = pattern_problem(kind, text, own)
            if problem is not None and not problem.wide:
                raise CommandError(
                    _("Motif « %(pattern)s » refusé : %(problem)s")
                    % {"pattern": value[:200], "problem": problem.message}
                )
            compiled.append((kind, text))
        if options["sso"] == SSOType.PRONOTE:  # « ** » left out: no espace accepted
            refused = pronote_espaces_refused(url, compiled)
            if refused is not None:
                raise CommandError(refused)
        id_attribute = options["id_attribute"].strip()
        if not re.match(r"^[A-Za-z_][-A-Za-z0-9_.]{0,63}$", id_attribute):
            raise CommandError(
                _("Nom d'attribut « %(name)s » invalide.") % {"name": id_attribute[:64]}
            )
        attributes = [a.strip() for a in options["attributes"].split(",") if a.strip()]
        profiles = None
        if options["profiles"] is not None:
            try:
                profiles = parse_profiles(options["profiles"])
            except ProfilesError as exc:
                raise CommandError(str(exc)) from None
        existing = Service.objects.filter(code=code).first()
        before = release_state(existing) if existing else None
        with transaction.atomic():
            username_mode, names_reset = self._username_mode(code, options, establishment)
            service, created = Service.objects.update_or_create(
                code=code,
                defaults={
                    "label": label,
                    "url": url,
                    "sso_type": options["sso"],
                    "establishment": establishment,
                    "released_attributes": attributes,
                    "pronote_recognition": options["recognition"],
                    "pronote_id_attribute": id_attribute,
                    "username_mode": username_mode,
                    "proxy_callback_allowed": options["allow_proxy"],
                    **({"usernames_sent": False} if names_reset else {}),
                },
            )
            service.patterns.all().delete()
            ServicePattern.objects.bulk_create(
                ServicePattern(service=service, position=i, kind=kind, value=text)
                for i, (kind, text) in enumerate(compiled)
            )
            if profiles is not None:
                set_command_line_profiles(service, profiles)
        shared = (
            ServicePattern.objects.filter(value__in=[text for _kind, text in compiled])
            .exclude(service=service)
            .select_related("service")
            .order_by("service__code", "value")
        )
        for other in shared:
            self.stderr.write(
                _(
                    "Attention : le motif « %(pattern)s » est aussi celui du service %(other)s ; "
                    "une adresse qu'il accepte va au premier des deux dans l'ordre du catalogue "
                    "(vérifiez avec socle cas_check_service)."
                )
                % {"pattern": other.value[:200], "other": other.service.code}
            )
        other_uai = service_uai_warning(
            code, establishment.uai if establishment else "", url, compiled
        )
        if other_uai:
            self.stderr.write(_("Attention : %(message)s") % {"message": other_uai})
        unknown = unknown_names(service)
        if unknown:
            self.stderr.write(
                _("Attention : %(message)s")
                % {"message": unknown_attributes_message(code, unknown)}
            )
        if service.sso_type == SSOType.PRONOTE and service.username_mode == UsernameMode.LOGIN:
            message, hint = login_mode_warning(service)
            self.stderr.write(_("Attention : %(message)s") % {"message": message})
            self.stderr.write(hint)
        if names_reset:
            self.stderr.write(
                _(
                    "Identifiant CAS transmis changé : chaque utilisateur reçoit désormais un "
                    "autre identifiant CAS, que le service ne connaît pas encore (PRONOTE : "
                    "effacez tous les « Identifiant CAS » pour que chacun soit reconnu à sa "
                    "prochaine connexion)."
                )
            )
        if created or before != release_state(service):
            record(
                "service_created" if created else "service_updated",
                service_code=service.code,
                uai=establishment.uai if establishment is not None else "",
                actor_login="service_add",
                detail=f"{release_detail(service)} — service_add"[:500],
            )
        if created:
            message = _("Service %(code)s enregistré (%(count)s motif(s)).")
        else:
            message = _("Service %(code)s mis à jour (%(count)s motif(s)).")
        self.stdout.write(message % {"code": code, "count": len(compiled)})

    def _username_mode(
        self, code: str, options: dict[str, Any], establishment: Establishment | None
    ) -> tuple[str, bool]:
        """The mode to store, and whether it replaces one that already sent names (the
        service then waits for its first validation again). Read under the transaction."""
        existing = Service.objects.select_for_update().filter(code=code).first()
        given = options["username_mode"]
        mode = given or (existing.username_mode if existing else UsernameMode.UID)
        if chooses_login_for_pronote(options["sso"], mode, existing):
            raise CommandError(login_refused_for_pronote())
        refusal = exported_names_refusal(options["sso"], mode, establishment, existing)
        if refusal is not None:
            if not options["change_username_mode"]:
                raise CommandError(
                    _(
                        "%(refusal)s Pour le faire quand même (l'établissement devra effacer "
                        "tous les « Identifiant CAS » dans PRONOTE), ajoutez "
                        "--change-username-mode."
                    )
                    % {"refusal": refusal}
                )
            return mode, True
        changed = existing is not None and mode != existing.username_mode
        if not (changed and existing is not None and existing.usernames_sent):
            return mode, False
        if not options["change_username_mode"]:
            raise CommandError(
                _(
                    "Le service %(code)s a déjà transmis des identifiants CAS (%(current)s) : "
                    "passer à %(mode)s rendrait chaque utilisateur inconnu du service (PRONOTE : "
                    "« Identification impossible » tant que l'établissement n'a pas effacé "
                    "tous les « Identifiant CAS »). Pour le faire quand même, ajoutez "
                    "--change-username-mode ; sinon, retirez --username-mode."
                )
                % {"code": code, "current": existing.username_mode, "mode": mode}
            )
        return mode, True
