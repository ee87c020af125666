"""The access decision as plain data: no database, no request (``socle.portal.access`` loads the
facts and calls :func:`decide`).

For each membership of the person (establishment × national profile), in order:

1. a service of one establishment only counts memberships of that establishment;
2. an establishment that switched the service off (« Activer : Non ») refuses, whatever else says;
3. an establishment that switched it on grants the populations it ticked;
4. with no switch, a service whose default is « Ouvert à tous les profils » grants everyone;
5. any « Accès population » rule matching the establishment, the groups and the profile grants.
   A class group covers the class's pupils (``class_name``), the members who teach it
   (``taught_classes``: the AAF's ``ENTAuxEnsClasses``) and the parents of its pupils
   (``children_classes``); a rule's profile narrows it to one of them. A rule naming subjects
   taught, functions or « disciplines de poste » covers only the staff memberships holding one
   of each list it names there. A rule naming levels (« niveaux ») covers only the pupils of one
   of those levels in the establishment and the parents of such a pupil there: it admits no
   other profile (a staff member, a pupil of another level or without one).

Access is granted as soon as one membership is granted. A global administrator (superuser)
may open every enabled service; an inactive account none. An anonymous service is open to all.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.utils.translation import gettext_noop

from socle.directory.profiles import Profile
from socle.portal.populations import ADMINISTRATOR, POPULATIONS, population_matches

# Profiles that teach no class and hold no subject, function nor discipline (only staff do):
# the one definition, which socle.portal.membership_facts and the rule form read too.
HOLD_NOTHING = frozenset({Profile.PUPIL.value, Profile.PARENT.value})

# Reasons: French msgids, kept as data here and translated where the « Accès utilisateur » tab
# shows them (socle.portal.views.access).
R_INACTIVE = gettext_noop("compte désactivé")
R_DISABLED = gettext_noop("service désactivé")
R_ANONYMOUS = gettext_noop("service anonyme, ouvert à tous")
R_SUPERUSER = gettext_noop("administrateur général")
R_NO_MEMBERSHIP = gettext_noop("aucun rattachement dans un établissement concerné")
R_SWITCHED_OFF = gettext_noop(
    "service désactivé pour l'établissement dans « Accès aux services tiers »"
)
R_ACTIVATION = gettext_noop("profil autorisé par l'établissement dans « Accès aux services tiers »")
R_OPEN = gettext_noop("accès par défaut : ouvert à tous les profils")
R_RULE = gettext_noop("droit d'accès de l'onglet « Accès population »")
R_NONE = gettext_noop("aucun droit ne couvre ce profil")
R_NARROWED = gettext_noop(
    "un droit de l'onglet « Accès population » couvre ce profil, mais pour d'autres matières, "
    "fonctions ou disciplines de poste"
)
R_OTHER_LEVELS = gettext_noop(
    "un droit de l'onglet « Accès population » couvre ce profil, mais pour d'autres niveaux"
)
# a pupil without a level here, a parent none of whose active children here has one
R_NO_LEVEL = gettext_noop(
    "un droit de l'onglet « Accès population » couvre ce profil, mais pour certains niveaux, et "
    "aucun niveau n'est connu ici pour ce profil (import de l'annuaire)"
)


@dataclass(frozen=True)
class MembershipFact:
    establishment_id: int
    profile: str
    is_admin: bool = False
    class_name: str = ""
    taught_classes: frozenset[str] = frozenset()  # casefolded names of the classes taught here
    children_classes: frozenset[str] = frozenset()  # a parent's: their children's classes here
    functions: frozenset[str] = frozenset()  # folded (level_key) functions held here (staff)
    disciplines: frozenset[str] = frozenset()  # folded « disciplines de poste » here
    subjects: frozenset[str] = frozenset()  # folded subjects taught here
    # folded (level_key) levels: a pupil's own here, a parent's children's here; only filled in
    # when a rule names levels (socle.portal.access), else empty
    levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GroupFact:
    id: int
    establishment_id: int
    class_name: str = ""


@dataclass(frozen=True)
class RuleFact:
    id: int
    target: str  # socle.portal.models.AccessTarget values
    profile: str = ""  # "" = every profile
    establishment_ids: frozenset[int] = frozenset()
    groups: tuple[GroupFact, ...] = ()
    functions: frozenset[str] = frozenset()  # folded by level_key; empty = any
    disciplines: frozenset[str] = frozenset()  # folded by level_key; empty = any
    subjects: frozenset[str] = frozenset()  # folded by level_key; empty = any
    levels: frozenset[str] = frozenset()  # folded by level_key; empty = any

    @property
    def narrowed(self) -> bool:
        """Whether the rule names subjects, functions or disciplines."""
        return bool(self.subjects or self.functions or self.disciplines)


@dataclass(frozen=True)
class ActivationFact:
    enabled: bool
    populations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServicePolicy:
    service_id: int
    enabled: bool = True
    anonymous: bool = False
    open_by_default: bool = True
    owner_establishment_id: int | None = None
    activations: dict[int, ActivationFact] = field(default_factory=dict)
    rules: tuple[RuleFact, ...] = ()

    @property
    def has_member_groups(self) -> bool:
        """Whether deciding needs the person's hand-made group memberships."""
        return any(not g.class_name for r in self.rules for g in r.groups)

    @cached_property
    def has_levels(self) -> bool:
        """Whether deciding needs the levels of the person's (or their children's) memberships:
        computed once per policy (kept per process), not on each hop."""
        return any(r.levels for r in self.rules)


@dataclass(frozen=True)
class Verdict:
    establishment_id: int | None
    profile: str
    allowed: bool
    reason: str


@dataclass
class Decision:
    allowed: bool
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def establishment_ids(self) -> set[int]:
        """Establishments where at least one membership is granted."""
        return {
            v.establishment_id
            for v in self.verdicts
            if v.allowed and v.establishment_id is not None
        }


def _rule_matches(rule: RuleFact, m: MembershipFact, person_group_ids: frozenset[int]) -> bool:
    if rule.profile and rule.profile != m.profile:
        return False
    if rule.functions and rule.functions.isdisjoint(m.functions):
        return False
    if rule.disciplines and rule.disciplines.isdisjoint(m.disciplines):
        return False
    if rule.subjects and rule.subjects.isdisjoint(m.subjects):
        return False
    if rule.levels and (m.profile not in HOLD_NOTHING or rule.levels.isdisjoint(m.levels)):
        return False
    if rule.target == "all":
        return True
    if rule.target in ("site", "establishments"):
        return m.establishment_id in rule.establishment_ids
    if rule.target == "groups":
        for group in rule.groups:
            if group.establishment_id != m.establishment_id:
                continue
            if group.class_name:
                wanted = group.class_name.casefold()
                if (
                    (m.class_name and m.class_name.casefold() == wanted)
                    or wanted in m.taught_classes
                    or wanted in m.children_classes
                ):
                    return True
            elif group.id in person_group_ids:
                return True
    return False


def _membership_verdict(
    policy: ServicePolicy, m: MembershipFact, person_group_ids: frozenset[int]
) -> Verdict:
    activation = policy.activations.get(m.establishment_id)

    def verdict(allowed: bool, reason: str) -> Verdict:
        return Verdict(m.establishment_id, m.profile, allowed, reason)

    if activation is not None and not activation.enabled:
        return verdict(False, R_SWITCHED_OFF)
    if activation is not None:
        if population_matches(activation.populations, m.profile, m.is_admin):
            return verdict(True, R_ACTIVATION)
    elif policy.open_by_default:
        return verdict(True, R_OPEN)
    if any(_rule_matches(rule, m, person_group_ids) for rule in policy.rules):
        return verdict(True, R_RULE)
    # « Accès utilisateur » says why, not just « aucun droit »
    if m.profile not in HOLD_NOTHING:
        narrowed = [r for r in policy.rules if r.narrowed and not r.levels]
        if any(_rule_matches(_widened(r), m, person_group_ids) for r in narrowed):
            return verdict(False, R_NARROWED)
    elif any(_rule_matches(_widened(r), m, person_group_ids) for r in policy.rules if r.levels):
        return verdict(False, R_OTHER_LEVELS if m.levels else R_NO_LEVEL)
    return verdict(False, R_NONE)


def _widened(rule: RuleFact) -> RuleFact:
    """The rule without its subjects, functions, disciplines and levels."""
    empty: frozenset[str] = frozenset()
    return replace(rule, subjects=empty, functions=empty, disciplines=empty, levels=empty)


def level_key(name: str) -> str:
    """How levels, subjects, functions and disciplines compare: without case, accents nor
    repeated spaces (« 3ème » is « 3EME », « Mathématiques » is « MATHEMATIQUES »)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def decide(
    policy: ServicePolicy,
    memberships: list[MembershipFact],
    *,
    is_active: bool = True,
    is_superuser: bool = False,
    person_group_ids: frozenset[int] = frozenset(),
    establishment_id: int | None = None,
) -> Decision:
    """May this person open this service (in ``establishment_id`` when given)?"""
    if not is_active:
        return Decision(False, [Verdict(None, "", False, R_INACTIVE)])
    if not policy.enabled:
        return Decision(False, [Verdict(None, "", False, R_DISABLED)])
    if policy.anonymous:
        return Decision(True, [Verdict(None, "", True, R_ANONYMOUS)])
    relevant = [
        m
        for m in memberships
        if (
            policy.owner_establishment_id is None
            or m.establishment_id == policy.owner_establishment_id
        )
        and (establishment_id is None or m.establishment_id == establishment_id)
    ]
    verdicts = [_membership_verdict(policy, m, person_group_ids) for m in relevant]
    if is_superuser:
        verdicts.append(Verdict(None, "", True, R_SUPERUSER))
    if not verdicts:
        return Decision(False, [Verdict(None, "", False, R_NO_MEMBERSHIP)])
    return Decision(any(v.allowed for v in verdicts), verdicts)


def population_access(policy: ServicePolicy, establishment_id: int) -> dict[str, str]:
    """Who may open the service in one establishment, by population: ``"all"`` (everyone of
    that population), ``"profiles"`` (everyone of some of its profiles: a rule for
    « Enseignant » alone leaves out the « Documentaliste » of the same population), ``"some"``
    (only some groups) or absent (nobody). Used to show the current state next to « Activer »."""
    result: dict[str, str] = {}
    switched_on = policy.activations.get(establishment_id, ActivationFact(True)).enabled
    if not policy.enabled:
        return result
    if (
        policy.owner_establishment_id is not None
        and policy.owner_establishment_id != establishment_id
    ):
        return result
    for key, population in POPULATIONS.items():
        if key == ADMINISTRATOR:
            samples = [MembershipFact(establishment_id, "", is_admin=True)]
        else:
            samples = [MembershipFact(establishment_id, p) for p in sorted(population.profiles)]
        verdicts = [_membership_verdict(policy, m, frozenset()) for m in samples]
        if all(v.allowed for v in verdicts):
            result[key] = "all"
        elif any(v.allowed for v in verdicts):
            result[key] = "profiles"
        elif switched_on and (
            _has_group_rule(policy, establishment_id, population.profiles)
            or _has_narrowed_rule(policy, establishment_id, population.profiles)
            or _has_level_rule(policy, establishment_id, population.profiles)
        ):
            result[key] = "some"
    return result


def _has_narrowed_rule(
    policy: ServicePolicy, establishment_id: int, profiles: frozenset[str]
) -> bool:
    """A rule for this establishment narrowed to subjects, functions or disciplines, which some
    staff of these profiles may hold (pupils and parents hold none)."""
    staff = profiles - HOLD_NOTHING
    return any(
        r.narrowed
        and not r.levels
        and (r.profile in staff if r.profile else bool(staff))
        and _concerns(r, establishment_id)
        for r in policy.rules
    )


def _has_level_rule(policy: ServicePolicy, establishment_id: int, profiles: frozenset[str]) -> bool:
    """A rule for this establishment narrowed to levels, which some pupils or parents of these
    profiles may have."""
    concerned = profiles & HOLD_NOTHING
    return any(
        r.levels
        and (r.profile in concerned if r.profile else bool(concerned))
        and _concerns(r, establishment_id)
        for r in policy.rules
    )


def _concerns(rule: RuleFact, establishment_id: int) -> bool:
    return (
        rule.target == "all"
        or establishment_id in rule.establishment_ids
        or any(g.establishment_id == establishment_id for g in rule.groups)
    )


def _has_group_rule(policy: ServicePolicy, establishment_id: int, profiles: frozenset[str]) -> bool:
    return any(
        r.target == "groups"
        and (not r.profile or r.profile in profiles)
        and any(g.establishment_id == establishment_id for g in r.groups)
        for r in policy.rules
    )
