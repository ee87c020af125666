"""The populations an establishment ticks in « Accès aux services tiers », and their national
profiles (``socle.directory.profiles.Profile``).

"Administrateur" is not a national profile: it is anyone who administers the establishment
(``Membership.is_admin``), whatever their profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socle.directory.profiles import Profile


@dataclass(frozen=True)
class Population:
    key: str
    label: str | Promise
    profiles: frozenset[str]


ADMINISTRATOR = "administrateur"

POPULATIONS: dict[str, Population] = {
    p.key: p
    for p in (
        Population("eleve", _("Élève"), frozenset({Profile.PUPIL})),
        Population(
            "enseignant", _("Enseignant"), frozenset({Profile.TEACHER, Profile.DOCUMENTALIST})
        ),
        Population("parent", _("Parent"), frozenset({Profile.PARENT})),
        Population(
            "personnel",
            _("Personnel"),
            frozenset({Profile.DIRECTION, Profile.VIE_SCOLAIRE, Profile.ADMIN_STAFF}),
        ),
        Population("agent", _("Agent"), frozenset({Profile.COLLECTIVITY})),
        Population(ADMINISTRATOR, _("Administrateur"), frozenset()),
    )
}

POPULATION_CHOICES = [(p.key, p.label) for p in POPULATIONS.values()]


def population_matches(
    keys: list[str] | tuple[str, ...] | set[str], profile: str, is_admin: bool
) -> bool:
    """True when a membership (``profile``, ``is_admin``) belongs to one of the populations."""
    for key in keys:
        population = POPULATIONS.get(key)
        if population is None:
            continue
        if key == ADMINISTRATOR:
            if is_admin:
                return True
        elif profile in population.profiles:
            return True
    return False


def populations_for_profiles(profiles: set[str]) -> list[str]:
    """The population keys that contain any of these national profiles (in display order)."""
    return [p.key for p in POPULATIONS.values() if p.profiles & profiles]


def profile_label(code: str) -> str:
    """The French label of a national profile code ("" → « Tous les profils »)."""
    if not code:
        return str(_("Tous les profils"))
    try:
        return str(Profile(code).label)
    except ValueError:
        return code
