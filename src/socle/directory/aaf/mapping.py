"""The AAF → Socle mapping, as one declarative table (documented in ``docs/aaf.md``).

Each :class:`Rule` says which AAF attribute feeds which field of the record Socle builds, for
which file types, and how the value is read. When several rules feed one field (``sn`` and…,
``ENTPersonCodePostal`` then ``postalCode``), the first one with a value wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from socle.directory.profiles import Profile, Relation

ETAB = "EtabEducNat"
STAFF = "PersEducNat"
PUPIL = "Eleve"
RELATIVE = "PersRelEleve"
PEOPLE = (STAFF, PUPIL, RELATIVE)
SKIPPED_TYPES = ("MatiereEducNat", "MefEducNat")
# Processing order inside one export: establishments first, then the people who refer to them,
# pupils before their relatives (links are resolved once everything is read).
TYPE_ORDER = {ETAB: 0, STAFF: 1, PUPIL: 2, RELATIVE: 3, "MatiereEducNat": 4, "MefEducNat": 5}


@dataclass(frozen=True)
class Rule:
    attribute: str  # AAF attribute name (attr/@name or modification/@name)
    field: str  # field of the record built by socle.directory.aaf.records
    kind: str  # text | date | list | flag
    types: tuple[str, ...]
    meaning: str


RULES: tuple[Rule, ...] = (
    # --- Establishments (EtabEducNat) ---
    Rule("ENTStructureJointure", "external_id", "text", (ETAB,), "Establishment.external_id"),
    Rule("ENTStructureUAI", "uai", "text", (ETAB,), "Establishment.uai"),
    Rule("ENTEtablissementUAI", "uai", "text", (ETAB,), "Establishment.uai (fallback)"),
    Rule("ENTStructureNomCourant", "name", "text", (ETAB,), "Establishment.name"),
    Rule("postalCode", "postal_code", "text", (ETAB,), "Establishment.postal_code"),
    Rule("l", "city", "text", (ETAB,), "Establishment.city"),
    # --- People ---
    Rule("ENTPersonJointure", "external_id", "text", PEOPLE, "Person.external_id"),
    Rule("sn", "last_name", "text", PEOPLE, "Person.last_name (usage name)"),
    Rule("ENTPersonNomPatro", "birth_last_name", "text", PEOPLE, "Person.birth_last_name"),
    Rule("givenName", "first_name", "text", PEOPLE, "Person.first_name"),
    Rule("personalTitle", "personal_title", "text", PEOPLE, "Person.personal_title"),
    Rule("ENTPersonDateNaissance", "birth_date", "date", PEOPLE, "Person.birth_date (JJ/MM/AAAA)"),
    Rule("ENTPersonCodePostal", "postal_code", "text", PEOPLE, "Person.postal_code"),
    Rule("postalCode", "postal_code", "text", PEOPLE, "Person.postal_code (fallback)"),
    Rule("mail", "email", "text", PEOPLE, "Person.email (first valid address)"),
    Rule(
        "ENTPersonStructRattach",
        "structures",
        "list",
        (STAFF, PUPIL),
        "establishment(s) by ENTStructureJointure → memberships",
    ),
    Rule(
        "ENTEleveClasses",
        "classes",
        "list",
        (PUPIL,),
        "`struct$classe` → Membership.class_name (and establishment)",
    ),
    Rule(
        "ENTEleveGroupes",
        "groups",
        "list",
        (PUPIL,),
        "`struct$groupe` → MembershipGroup (groupe) of the pupil's membership there",
    ),
    # The pupil's level, kept as the AAF labels it: the « niveau de formation », else the MEF's
    # label, else its code (records.py takes the first of the three the record fills).
    Rule(
        "ENTEleveNivFormation",
        "level",
        "text",
        (PUPIL,),
        "level → MembershipGroup (niveau) of the pupil's memberships",
    ),
    Rule("ENTEleveLibelleMEF", "mef_label", "text", (PUPIL,), "level, without NivFormation"),
    Rule("ENTEleveMEF", "mef_code", "text", (PUPIL,), "level, without the two above"),
    Rule(
        "ENTElevePersRelEleve",
        "relations",
        "list",
        (PUPIL,),
        "`parent$type$financier$légal$contact[$paiement]` → ParentLink",
    ),
    Rule("ENTPersonProfils", "profiles", "list", (STAFF,), "national profile(s), when given"),
    Rule(
        "ENTPersonFonctions",
        "functions",
        "list",
        (STAFF,),
        "`struct$code$libellé[$discipline$libellé]` → establishment, profile, and "
        "MembershipGroup (fonction, discipline) of the staff membership there",
    ),
    Rule(
        "ENTAuxEnsClasses",
        "taught_classes",
        "list",
        (STAFF,),
        "`struct$classe[$matière…]` → MembershipGroup (classe) of the staff membership there",
    ),
    Rule(
        "ENTAuxEnsGroupes",
        "groups",
        "list",
        (STAFF,),
        "`struct$groupe[$matière…]` → MembershipGroup (groupe) of the staff membership there",
    ),
    Rule(
        "ENTAuxEnsMatiereEnseignEtab",
        "subjects",
        "list",
        (STAFF,),
        "`struct$matière` → MembershipGroup (matiere) of the staff membership there",
    ),
    Rule(
        "PersEducNatPresenceDevantEleves",
        "teaches",
        "flag",
        (STAFF,),
        "`O` → teacher (National_ENS)",
    ),
)

RULES_BY_TYPE: dict[str, dict[str, Rule]] = {
    kind: {rule.attribute: rule for rule in RULES if kind in rule.types} for kind in (ETAB, *PEOPLE)
}

# The attributes a staff member's profiles are deduced from together (field of the record →
# attribute). Their last received values are kept on the person (``Person.aaf_staff_inputs``, by
# attribute name), so that a delta carrying only some of them recomputes the profiles.
STAFF_INPUTS: dict[str, str] = {
    rule.field: rule.attribute
    for rule in RULES
    if STAFF in rule.types and rule.field in {"structures", "functions", "profiles", "teaches"}
}

# Fields of the record that list classes or groups (``struct$name[$…]``) → kind of
# ``MembershipGroup`` (``socle.directory.models.GroupKind``). A modify carrying one of them
# replaces the person's rows of that kind, and only those.
GROUP_FIELDS: dict[str, str] = {"taught_classes": "classe", "groups": "groupe"}
GROUP_NAME_MAX = 50
# ``ENTPersonFonctions`` (``struct$code$libellé[$discipline$libellé]``) also gives a staff
# member's functions and « disciplines de poste » per establishment, kept as ``MembershipGroup``
# rows of these kinds (the label, else the code), for the « Accès population » rules.
FUNCTION_KINDS = ("fonction", "discipline")
# ``ENTAuxEnsMatiereEnseignEtab`` (``struct$matière``): the subjects a teacher teaches there.
SUBJECT_KIND = "matiere"
# A pupil's level: the first of these fields the record fills, as a ``MembershipGroup`` row of
# kind ``niveau`` on each of the pupil's memberships (the AAF gives one per pupil, without an
# establishment). A record carrying one of them replaces the level; an add without any: none.
LEVEL_FIELDS = ("level", "mef_label", "mef_code")
LEVEL_KIND = "niveau"

# Profile of a staff member in an establishment, from the function code of ENTPersonFonctions
# for that establishment. ENS counts as teaching only with PersEducNatPresenceDevantEleves=O.
FUNCTION_PROFILES: dict[str, str] = {
    "DIR": Profile.DIRECTION,
    "EDU": Profile.VIE_SCOLAIRE,
    "SUR": Profile.VIE_SCOLAIRE,
    "AED": Profile.VIE_SCOLAIRE,
    "DOC": Profile.DOCUMENTALIST,
    "ENS": Profile.TEACHER,
}
STAFF_DEFAULT_PROFILE = Profile.ADMIN_STAFF
# Profiles an AAF file type manages: a full file only ends memberships of these profiles.
TYPE_PROFILES: dict[str, frozenset[str]] = {
    PUPIL: frozenset({Profile.PUPIL}),
    RELATIVE: frozenset({Profile.PARENT}),
    STAFF: frozenset(
        {
            Profile.TEACHER,
            Profile.DIRECTION,
            Profile.VIE_SCOLAIRE,
            Profile.ADMIN_STAFF,
            Profile.DOCUMENTALIST,
            Profile.ACADEMY,
            Profile.COLLECTIVITY,
        }
    ),
}

# Second field of ENTElevePersRelEleve. AAF writes 1/2 (parent); SIECLE's "lien de parenté"
# codes are accepted too. For 1/2 the title of the relative (M. / Mme) tells father from mother.
RELATION_CODES: dict[str, str] = {
    "10": Relation.MOTHER,
    "20": Relation.FATHER,
    "37": Relation.OTHER_FAMILY,
    "38": Relation.OTHER_FAMILY,
    "39": Relation.OTHER_FAMILY,
    "41": Relation.GUARDIAN,
    "42": Relation.GUARDIAN,
    "50": Relation.GUARDIAN,
    "51": Relation.GUARDIAN,
    "80": Relation.GUARDIAN,
    "90": Relation.OTHER,
}
PARENT_CODES = frozenset({"1", "2"})
MALE_TITLES = frozenset({"m", "m.", "mr", "monsieur"})
FEMALE_TITLES = frozenset({"mme", "mlle", "madame", "mademoiselle", "mme.", "mlle."})
