"""What the access pages show: the « Récapitulatif des droits d'accès » rows and the current
state of a service in an establishment. No request here; views pass the administrator's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.access import load_policies
from socle.portal.models import (
    AccessMode,
    AccessRole,
    AccessRule,
    AccessTarget,
    Service,
    ServiceActivation,
)
from socle.portal.policy import population_access
from socle.portal.populations import POPULATIONS, profile_label


@dataclass
class RecapRow:
    kind: str  # "default", "activation" or "rule"
    target: str
    profile: str
    role: str
    object_id: int | None = None
    removable: bool = False
    note: str = ""
    subjects: str = ""  # a rule's narrowing, names joined with ", "
    functions: str = ""
    disciplines: str = ""
    levels: str = ""


def _in_scope(ids: set[int] | None, est_ids: set[int]) -> bool:
    return ids is None or bool(est_ids & ids)


def describe_rule(rule: AccessRule, ids: set[int] | None = None) -> str:
    """« Établissement(s) du site courant : Collège Jean Jaurès », in the active language (the
    French space before the colon belongs to the translated text). For an administrator of
    ``ids`` (``None``: the whole ENT), the establishments they do not administer, and their
    groups, are one count: « Collège Jean Jaurès + 2 autres établissements »."""
    label = str(AccessTarget(rule.target).label)
    if rule.target in (AccessTarget.SITE, AccessTarget.ESTABLISHMENTS):
        targets = list(rule.establishments.all())
        shown = [e.name for e in targets if ids is None or e.pk in ids]
        names = _with_others(", ".join(shown), len(targets) - len(shown))
        return _("%(target)s : %(names)s") % {"target": label, "names": names}
    if rule.target == AccessTarget.GROUPS:
        groups = list(rule.groups.all())
        seen = [g for g in groups if ids is None or g.establishment_id in ids]
        hidden = {
            g.establishment_id for g in groups if ids is not None and g.establishment_id not in ids
        }
        names = ", ".join(g.name for g in seen)
        schools = sorted({g.establishment.name for g in seen})
        names = _with_others(f"{names} ({', '.join(schools)})" if seen else "", len(hidden))
        return _("%(target)s : %(names)s") % {"target": label, "names": names}
    return label


def _with_others(names: str, others: int) -> str:
    """``names`` followed by the count of the establishments left out, when there are any."""
    if not others:
        return names
    more = ngettext("%(count)s autre établissement", "%(count)s autres établissements", others) % {
        "count": others
    }
    return f"{names} + {more}" if names else more


def rule_traces(rule: AccessRule) -> list[tuple[str, str]]:
    """(UAI, detail) of each trace of a rule added or removed. The UAIs are the establishments
    it targets (its groups' for « Liste de groupes »), so that each school's « Traces » shows
    the changes to its access, whichever school the administrator's page was on; ``""`` for
    « Tout l'ENT ». Each school's detail names that school alone, the others counted (« + 2
    autres établissements »), as its administrators see the rule in the recap table."""
    if rule.target == AccessTarget.GROUPS:
        targets = {g.establishment for g in rule.groups.select_related("establishment")}
    elif rule.target == AccessTarget.ALL:
        targets = set()
    else:
        targets = set(rule.establishments.all())
    if not targets:
        return [("", rule_detail(rule))]
    return sorted((e.uai, rule_detail(rule, {e.pk})) for e in targets)


def rule_detail(rule: AccessRule, ids: set[int] | None = None) -> str:
    """What the journal says of a rule added or removed: target × profile, and its narrowing; in
    French, the journal's language, whatever the administrator's page is in; ``ids``: the
    establishments it is told to (:func:`describe_rule`)."""
    with translation.override("fr"):
        return _rule_detail(rule, ids)


NARROWINGS = (
    gettext_noop("matières enseignées"),
    gettext_noop("fonctions"),
    gettext_noop("disciplines de poste"),
    gettext_noop("niveaux"),
)


def _rule_detail(rule: AccessRule, ids: set[int] | None) -> str:
    detail = f"{describe_rule(rule, ids)} × {profile_label(rule.profile)}"
    lists = (rule.subjects, rule.functions, rule.disciplines, rule.levels)
    narrowing = zip(NARROWINGS, lists, strict=True)
    for label, names in narrowing:
        if names:
            narrowed = _("%(label)s : %(names)s") % {
                "label": _(label),
                "names": ", ".join(map(str, names)),
            }
            detail = _narrowed(detail, narrowed)
    return detail


def _narrowed(rule: str, narrowing: str) -> str:
    """« … × Enseignant ; matières enseignées : Mathématiques »."""
    return _("%(rule)s ; %(narrowing)s") % {"rule": rule, "narrowing": narrowing}


_OTHERS = re.compile(r"(?:(?P<names>.*) \+ )?(?P<count>[0-9]+) autres? établissements?", re.DOTALL)


def shown_rule_detail(detail: str) -> str | None:
    """A detail :func:`rule_detail` wrote (in French) in the active language: the target's and
    the profile's labels, the count of the other establishments and the narrowing's labels; the
    names (establishments, groups, subjects…) as they are. ``None`` for another text
    (``socle.portal.trace_details``)."""
    head, *narrowings = detail.split(" ; ")
    target, separator, profile = head.rpartition(" × ")
    if not separator:
        return None
    targets, profiles, narrowing_labels = _labels(translation.get_language())
    if target in targets:
        shown = str(targets[target].label)
    else:
        label, colon, names = target.partition(" : ")
        if not colon or label not in targets or targets[label] == AccessTarget.ALL:
            return None
        shown = _("%(target)s : %(names)s") % {
            "target": targets[label].label,
            "names": _shown_others(names),
        }
    shown += " × " + profiles.get(profile, profile)
    for part in narrowings:
        label, colon, names = part.partition(" : ")
        if not colon or label not in narrowing_labels:
            return None
        narrowing = _("%(label)s : %(names)s") % {"label": narrowing_labels[label], "names": names}
        shown = _narrowed(shown, narrowing)
    return shown


@cache
def _labels(
    language: str | None,
) -> tuple[dict[str, AccessTarget], dict[str, str], dict[str, str]]:
    """The targets by their French labels, and the profiles' and the narrowings' labels in
    ``language`` (the active one) by their French ones: read once per language, not for each
    row of the journal's CSV export (code labels and catalogues, fixed while the process runs)."""
    with translation.override("fr"):
        targets = {str(choice.label): choice for choice in AccessTarget}
        codes = {profile_label(code): code for code in ["", *Profile.values]}
    profiles = {french: profile_label(code) for french, code in codes.items()}
    return targets, profiles, {label: _(label) for label in NARROWINGS}


def _shown_others(names: str) -> str:
    """« Collège Jean Jaurès + 2 autres établissements » (:func:`_with_others`, in French) in the
    active language."""
    found = _OTHERS.fullmatch(names)
    if found is None:
        return names
    named, count = found["names"] or "", int(found["count"])
    return _with_others(named, count) if _french_others(named, count) == names else names


@lru_cache(maxsize=1024)
def _french_others(named: str, count: int) -> str:
    """:func:`_with_others` in French (the few establishments' names of a journal, once each)."""
    with translation.override("fr"):
        return _with_others(named, count)


def recap_rows(
    service: Service, ids: set[int] | None, can_remove: dict[int, bool]
) -> list[RecapRow]:
    """Rows of the recap table an administrator of ``ids`` (``None`` = all) may see."""
    role = str(AccessRole.ACCESS.label)
    rows: list[RecapRow] = []
    if service.access_mode == AccessMode.OPEN:
        target = (
            service.establishment.name if service.establishment else str(AccessTarget.ALL.label)
        )
        rows.append(
            RecapRow("default", target, _("Tous les profils"), role, note=_("Accès par défaut"))
        )
    activations = ServiceActivation.objects.filter(service=service).select_related("establishment")
    for act in activations.order_by("establishment__name"):
        if not _in_scope(ids, {act.establishment_id}):
            continue
        if act.enabled:
            profiles = ", ".join(
                str(POPULATIONS[k].label) for k in act.populations if k in POPULATIONS
            )
        else:
            profiles = _("Désactivé")
        rows.append(
            RecapRow(
                "activation",
                act.establishment.name,
                profiles,
                role,
                act.establishment_id,
                removable=ids is None or act.establishment_id in ids,
                note=_("Accès aux services tiers"),
            )
        )
    rules = AccessRule.objects.filter(service=service).prefetch_related(
        "establishments", "groups__establishment"
    )
    for rule in rules:
        if rule.target == AccessTarget.GROUPS:
            est_ids = {g.establishment_id for g in rule.groups.all()}
        else:
            est_ids = {e.pk for e in rule.establishments.all()}
        if rule.target != AccessTarget.ALL and not _in_scope(ids, est_ids):
            continue
        rows.append(
            RecapRow(
                "rule",
                describe_rule(rule, ids),
                profile_label(rule.profile),
                str(AccessRole(rule.role).label),
                rule.pk,
                removable=can_remove.get(rule.pk, False),
                note=_("Accès population"),
                subjects=", ".join(rule.subjects or ()),
                functions=", ".join(rule.functions or ()),
                disciplines=", ".join(rule.disciplines or ()),
                levels=", ".join(rule.levels or ()),
            )
        )
    return rows


def current_state(service: Service, establishment: Establishment) -> dict[str, str]:
    """Population key → ``"all"``/``"some"`` for the service in that establishment."""
    policy = load_policies([service])[service.pk]
    return population_access(policy, establishment.pk)


def activation_initial(
    service: Service, establishment: Establishment, state: dict[str, str]
) -> dict[str, object]:
    """« Activer » and the ticked populations as they stand (the effective state when the
    establishment has not chosen yet)."""
    act = ServiceActivation.objects.filter(service=service, establishment=establishment).first()
    if act is not None:
        return {"enabled": "1" if act.enabled else "0", "populations": list(act.populations)}
    full = [k for k, v in state.items() if v == "all"]
    return {"enabled": "1" if full else "0", "populations": full}


def extent_label(label: str, extent: str) -> str:
    """« Enseignant », « Enseignant (certains profils) », « Enseignant (certains groupes) »."""
    if extent == "profiles":
        return _("%(p)s (certains profils)") % {"p": label}
    if extent == "some":
        return _("%(p)s (certains groupes)") % {"p": label}
    return label


def partial_populations(state: dict[str, str]) -> dict[str, str]:
    """The populations only part of which may open the service (through « Accès population »):
    their box is not ticked, yet some of them have access."""
    return {key: extent for key, extent in state.items() if extent in ("profiles", "some")}


def state_text(state: dict[str, str]) -> str:
    if not state:
        return _("Personne n'a accès à ce service dans cet établissement.")
    parts = [extent_label(str(POPULATIONS[key].label), extent) for key, extent in state.items()]
    return _("Accessible à : %(who)s.") % {"who": ", ".join(parts)}
