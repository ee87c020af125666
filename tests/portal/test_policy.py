"""The access decision as plain data (socle.portal.policy.decide): no database."""

from socle.portal.policy import (
    ActivationFact,
    GroupFact,
    MembershipFact,
    RuleFact,
    ServicePolicy,
    decide,
    population_access,
)

ELV, TUT, ENS, DIR = "National_ELV", "National_TUT", "National_ENS", "National_DIR"
A, B = 1, 2


def test_it_opens_an_open_service_to_every_profile_of_any_establishment() -> None:
    policy = ServicePolicy(10)
    assert decide(policy, [MembershipFact(A, ELV)]).allowed
    assert decide(policy, [MembershipFact(B, TUT)]).allowed


def test_it_refuses_a_person_without_any_membership() -> None:
    assert not decide(ServicePolicy(10), []).allowed


def test_it_limits_a_service_of_one_establishment_to_its_members() -> None:
    policy = ServicePolicy(10, owner_establishment_id=A)
    assert decide(policy, [MembershipFact(A, ELV)]).allowed
    assert not decide(policy, [MembershipFact(B, ELV)]).allowed


def test_it_refuses_everyone_when_the_service_is_restricted_and_has_no_rule() -> None:
    policy = ServicePolicy(10, open_by_default=False)
    assert not decide(policy, [MembershipFact(A, ELV)]).allowed


def test_an_establishment_switch_off_wins_over_an_all_ent_rule() -> None:
    rule = RuleFact(1, "all", ELV)
    policy = ServicePolicy(10, activations={A: ActivationFact(False)}, rules=(rule,))
    assert not decide(policy, [MembershipFact(A, ELV)]).allowed
    assert decide(policy, [MembershipFact(B, ELV)]).allowed


def test_an_activation_grants_only_the_ticked_populations() -> None:
    policy = ServicePolicy(10, activations={A: ActivationFact(True, ("eleve", "parent"))})
    assert decide(policy, [MembershipFact(A, ELV)]).allowed
    assert decide(policy, [MembershipFact(A, TUT)]).allowed
    assert not decide(policy, [MembershipFact(A, ENS)]).allowed
    # another establishment keeps the default (open)
    assert decide(policy, [MembershipFact(B, ENS)]).allowed


def test_the_administrator_population_is_the_establishment_admin_whatever_the_profile() -> None:
    policy = ServicePolicy(10, activations={A: ActivationFact(True, ("administrateur",))})
    assert decide(policy, [MembershipFact(A, DIR, is_admin=True)]).allowed
    assert not decide(policy, [MembershipFact(A, DIR)]).allowed


def test_a_rule_adds_to_an_activation() -> None:
    rule = RuleFact(1, "site", ENS, frozenset({A}))
    policy = ServicePolicy(
        10, open_by_default=False, activations={A: ActivationFact(True, ("eleve",))}, rules=(rule,)
    )
    assert decide(policy, [MembershipFact(A, ENS)]).allowed
    assert not decide(policy, [MembershipFact(A, TUT)]).allowed


def test_a_rule_for_a_list_of_establishments_covers_only_them() -> None:
    rule = RuleFact(1, "establishments", "", frozenset({B}))
    policy = ServicePolicy(10, open_by_default=False, rules=(rule,))
    assert decide(policy, [MembershipFact(B, TUT)]).allowed
    assert not decide(policy, [MembershipFact(A, TUT)]).allowed


def test_a_class_group_rule_covers_the_pupils_of_that_class_only() -> None:
    rule = RuleFact(1, "groups", ELV, groups=(GroupFact(5, A, "4A"),))
    policy = ServicePolicy(10, open_by_default=False, rules=(rule,))
    assert decide(policy, [MembershipFact(A, ELV, class_name="4a")]).allowed
    assert not decide(policy, [MembershipFact(A, ELV, class_name="3B")]).allowed
    assert not decide(policy, [MembershipFact(B, ELV, class_name="4A")]).allowed


def test_a_class_group_rule_covers_the_parents_of_its_pupils() -> None:
    group = (GroupFact(5, A, "4A"),)
    everyone = ServicePolicy(
        10, open_by_default=False, rules=(RuleFact(1, "groups", "", groups=group),)
    )
    parents = ServicePolicy(
        10, open_by_default=False, rules=(RuleFact(1, "groups", TUT, groups=group),)
    )
    pupils = ServicePolicy(
        10, open_by_default=False, rules=(RuleFact(1, "groups", ELV, groups=group),)
    )
    parent_of_4a = [MembershipFact(A, TUT, children_classes=frozenset({"4a"}))]
    assert decide(everyone, parent_of_4a).allowed
    assert decide(parents, parent_of_4a).allowed
    assert not decide(pupils, parent_of_4a).allowed
    assert not decide(
        everyone, [MembershipFact(A, TUT, children_classes=frozenset({"3b"}))]
    ).allowed
    assert not decide(
        everyone, [MembershipFact(B, TUT, children_classes=frozenset({"4a"}))]
    ).allowed


def test_a_rule_naming_functions_or_disciplines_covers_only_the_staff_holding_one() -> None:
    maths = frozenset({"mathematiques"})
    rule = RuleFact(1, "site", "", frozenset({A}), disciplines=maths)
    policy = ServicePolicy(10, open_by_default=False, rules=(rule,))
    assert decide(policy, [MembershipFact(A, ENS, disciplines=maths)]).allowed
    assert not decide(policy, [MembershipFact(A, ENS, disciplines=frozenset({"anglais"}))]).allowed
    assert not decide(policy, [MembershipFact(A, ELV)]).allowed  # pupils hold none
    both = RuleFact(
        2, "site", "", frozenset({A}), functions=frozenset({"direction"}), disciplines=maths
    )
    policy = ServicePolicy(10, open_by_default=False, rules=(both,))
    assert not decide(policy, [MembershipFact(A, ENS, disciplines=maths)]).allowed
    director = MembershipFact(A, ENS, functions=frozenset({"direction"}), disciplines=maths)
    assert decide(policy, [director]).allowed
    svt = RuleFact(3, "site", ENS, frozenset({A}), subjects=frozenset({"svt"}))
    policy = ServicePolicy(10, open_by_default=False, rules=(svt,))
    assert decide(policy, [MembershipFact(A, ENS, subjects=frozenset({"svt", "latin"}))]).allowed
    assert not decide(policy, [director]).allowed


def test_a_hand_made_group_rule_needs_the_person_in_the_group() -> None:
    rule = RuleFact(1, "groups", "", groups=(GroupFact(7, A),))
    policy = ServicePolicy(10, open_by_default=False, rules=(rule,))
    member = [MembershipFact(A, ENS)]
    assert decide(policy, member, person_group_ids=frozenset({7})).allowed
    assert not decide(policy, member).allowed


def test_it_narrows_to_the_requested_establishment() -> None:
    policy = ServicePolicy(10, activations={A: ActivationFact(False)})
    memberships = [MembershipFact(A, TUT), MembershipFact(B, TUT)]
    assert decide(policy, memberships).allowed
    assert not decide(policy, memberships, establishment_id=A).allowed
    assert decide(policy, memberships, establishment_id=B).allowed


def test_inactive_accounts_and_disabled_services_are_refused() -> None:
    assert not decide(ServicePolicy(10), [MembershipFact(A, ELV)], is_active=False).allowed
    assert not decide(ServicePolicy(10, enabled=False), [MembershipFact(A, ELV)]).allowed


def test_an_anonymous_service_is_open_to_all_and_a_superuser_to_every_service() -> None:
    assert decide(ServicePolicy(10, anonymous=True), []).allowed
    assert decide(ServicePolicy(10, open_by_default=False), [], is_superuser=True).allowed


def test_population_access_summarises_who_gets_in() -> None:
    rule = RuleFact(1, "groups", ELV, groups=(GroupFact(5, A, "4A"),))
    policy = ServicePolicy(
        10, open_by_default=False, activations={A: ActivationFact(True, ("parent",))}, rules=(rule,)
    )
    assert population_access(policy, A) == {"parent": "all", "eleve": "some"}
    assert population_access(ServicePolicy(10), A)["enseignant"] == "all"


def test_population_access_tells_some_profiles_from_some_groups() -> None:
    """A rule for « Enseignant » (the profile) on the whole establishment leaves out the
    documentalists of the « Enseignant » population: some profiles, not some groups."""
    rule = RuleFact(1, "site", ENS, establishment_ids=frozenset({A}))
    policy = ServicePolicy(10, open_by_default=False, rules=(rule,))
    assert population_access(policy, A) == {"enseignant": "profiles"}


def test_a_narrowed_rule_shows_its_populations_as_partly_open() -> None:
    """« Accès aux services tiers » must not say « personne » (and preselect « Non »)."""
    from socle.portal.policy import population_access

    rule = RuleFact(1, "site", ENS, frozenset({A}), disciplines=frozenset({"maths"}))
    state = population_access(ServicePolicy(10, open_by_default=False, rules=(rule,)), A)
    assert state == {"enseignant": "some"}
    everyone = RuleFact(2, "establishments", "", frozenset({A}), functions=frozenset({"direction"}))
    state = population_access(ServicePolicy(10, open_by_default=False, rules=(everyone,)), A)
    assert "eleve" not in state and "parent" not in state and state.get("enseignant") == "some"
    assert population_access(ServicePolicy(10, open_by_default=False, rules=(everyone,)), B) == {}


def test_it_narrows_a_rule_to_levels_for_pupils_and_parents_only() -> None:
    third = frozenset({"3eme"})
    rule = RuleFact(1, "site", "", frozenset({A}), levels=third)
    policy = ServicePolicy(1, open_by_default=False, rules=(rule,))
    assert policy.has_levels and not ServicePolicy(2).has_levels
    assert decide(policy, [MembershipFact(A, ELV, levels=third)]).allowed
    assert decide(policy, [MembershipFact(A, TUT, levels=third)]).allowed  # a child's level
    assert not decide(policy, [MembershipFact(A, ELV, levels=frozenset({"4eme"}))]).allowed
    assert not decide(policy, [MembershipFact(A, ELV)]).allowed
    assert not decide(policy, [MembershipFact(B, ELV, levels=third)]).allowed  # elsewhere
    assert not decide(policy, [MembershipFact(A, ENS, levels=third)]).allowed  # no staff
    assert population_access(policy, A) == {"eleve": "some", "parent": "some"}
