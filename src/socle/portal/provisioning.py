"""Access given from the command line (``socle service_add … --profiles …``).

Without ``--profiles`` a new service keeps the default « Ouvert à tous les profils » (every
profile of its establishment, of the whole ENT without ``--uai``); re-running the command on an
existing service leaves its access alone. With ``--profiles`` the service becomes « Uniquement
les accès définis » and gets one « Accès population » rule per profile, for its establishment or
the whole ENT; rules a previous ``--profiles`` created are replaced, rules made in the pages kept.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from socle.directory.profiles import Profile
from socle.portal.models import AccessMode, AccessRule, AccessTarget, Service


class ProfilesError(ValueError):
    """A ``--profiles`` value names no national profile (French message)."""


def parse_profiles(text: str) -> list[str]:
    """``"National_ELV, national_tut"`` → ``["National_ELV", "National_TUT"]``."""
    known = {p.value.casefold(): p.value for p in Profile}
    profiles: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        value = known.get(name.casefold())
        if value is None:
            expected = ", ".join(p.value for p in Profile)
            raise ProfilesError(
                _("Profil inconnu : « %(name)s » (attendus : %(expected)s).")
                % {"name": name[:40], "expected": expected}
            )
        if value not in profiles:
            profiles.append(value)
    if not profiles:
        raise ProfilesError(_("--profiles est vide : indiquez au moins un profil."))
    return profiles


def set_command_line_profiles(service: Service, profiles: list[str]) -> None:
    """Restricts ``service`` to ``profiles`` of its establishment (or of the whole ENT)."""
    with transaction.atomic():
        AccessRule.objects.filter(
            service=service,
            created_by__isnull=True,
            target__in=[AccessTarget.SITE, AccessTarget.ALL],
        ).delete()
        for profile in profiles:
            if service.establishment_id is None:
                AccessRule.objects.create(service=service, target=AccessTarget.ALL, profile=profile)
            else:
                rule = AccessRule.objects.create(
                    service=service, target=AccessTarget.SITE, profile=profile
                )
                rule.establishments.add(service.establishment_id)
        if service.access_mode != AccessMode.RULES:
            service.access_mode = AccessMode.RULES
            service.save(update_fields=["access_mode", "updated_at"])
