"""The automatic rapprochement rules (pure code: accounts and rows built by hand)."""

from __future__ import annotations

import datetime as dt
import itertools

from socle.directory.profiles import Profile
from socle.pronote.categories import STEP_BY_CATEGORY
from socle.pronote.matching import (
    Account,
    DirectoryIndex,
    Row,
    children_by_responsable,
    match_rows,
    name_key,
)

_ids = itertools.count(1)
D = dt.date


def account(last: str, first: str, *profiles: str, **fields) -> Account:
    return Account(
        id=fields.pop("id", next(_ids)),
        last_name=last,
        first_name=first,
        profiles=frozenset(profiles or {Profile.PUPIL}),
        **fields,
    )


def row(category: str, last: str, first: str, pronote_id: str = "", **fields) -> Row:
    key = next(_ids)
    return Row(
        key=key,
        category=category,
        pronote_id=pronote_id or f"ID{key}",
        last_name=last,
        first_name=first,
        **fields,
    )


def match_one(category: str, accounts, the_row: Row, **kwargs):
    profiles = STEP_BY_CATEGORY[category].profiles
    return match_rows([the_row], DirectoryIndex(accounts), profiles, **kwargs)[0]


def test_name_keys_fold_case_accents_hyphens_apostrophes_and_spaces():
    assert name_key("D'ARTAGNAN", "Jean-Pierre") == name_key("d’Artagnan", "jean pierre")
    assert name_key("Lefèvre", "Zoé") == name_key("LEFEVRE", "ZOE")
    assert name_key("Le Goff", "Anne") == name_key("LEGOFF", "Anne")
    assert name_key("McDonald", "Rory") != name_key("Donald", "Rory")  # Mc kept


def test_it_matches_a_pupil_by_name_first_name_and_birth_date():
    pupil = account("Lefèvre", "Zoé", birth_date=D(2012, 3, 4))
    match = match_one("eleve", [pupil], row("eleve", "LEFEVRE", "ZOE", birth_date=D(2012, 3, 4)))
    assert match.account_id == pupil.id and match.method == "name"


def test_it_matches_compound_names_written_differently():
    pupil = account("Martin-Dupont", "Jean Pierre", birth_date=D(2012, 1, 1))
    match = match_one(
        "eleve", [pupil], row("eleve", "MARTIN DUPONT", "Jean-Pierre", birth_date=D(2012, 1, 1))
    )
    assert match.account_id == pupil.id


def test_it_matches_on_the_birth_name_too():
    mother = account("Martin", "Nathalie", Profile.PARENT, birth_last_name="Dupont")
    match = match_one("responsable", [mother], row("responsable", "DUPONT", "Nathalie"))
    assert match.account_id == mother.id


def test_it_never_guesses_between_two_pupils_of_same_name_and_birth_date():
    first = account("Martin", "Camille", birth_date=D(2012, 3, 4), class_name="4A")
    second = account("Martin", "Camille", birth_date=D(2012, 3, 4), class_name="4B")
    match = match_one(
        "eleve", [first, second], row("eleve", "MARTIN", "Camille", birth_date=D(2012, 3, 4))
    )
    assert match.account_id is None
    assert "2 élèves de même nom" in match.reason
    assert {c.id for c in match.candidates} == {first.id, second.id}


def test_it_tells_twins_apart_by_first_name():
    lea = account("Bernard", "Léa", birth_date=D(2011, 6, 1))
    leo = account("Bernard", "Léo", birth_date=D(2011, 6, 1))
    index = DirectoryIndex([lea, leo])
    rows = [
        row("eleve", "BERNARD", "Léo", birth_date=D(2011, 6, 1)),
        row("eleve", "BERNARD", "Lea", birth_date=D(2011, 6, 1)),
    ]
    matches = match_rows(rows, index, STEP_BY_CATEGORY["eleve"].profiles)
    assert [m.account_id for m in matches] == [leo.id, lea.id]


def test_it_does_not_match_a_pupil_born_another_day():
    pupil = account("Martin", "Camille", birth_date=D(2012, 3, 4))
    match = match_one("eleve", [pupil], row("eleve", "MARTIN", "Camille", birth_date=D(2012, 3, 5)))
    assert match.account_id is None
    assert match.reason == "homonyme né(e) un autre jour"
    assert match.candidates[0].id == pupil.id
    assert "pas le 05/03/2012" in match.candidates[0].why


def test_it_asks_to_confirm_a_pupil_whose_birth_date_is_missing():
    pupil = account("Martin", "Camille", birth_date=D(2012, 3, 4))
    match = match_one("eleve", [pupil], row("eleve", "MARTIN", "Camille"))
    assert match.account_id is None
    assert "date de naissance absente du fichier" in match.reason
    assert match.candidates[0].id == pupil.id

    unknown = account("Durand", "Léo")
    match = match_one("eleve", [unknown], row("eleve", "DURAND", "Leo", birth_date=D(2012, 1, 1)))
    assert match.account_id is None and "inconnue dans l'annuaire" in match.reason


def test_it_matches_a_teacher_by_name_when_a_birth_date_is_missing_on_one_side():
    teacher = account("Berrone", "Christian", Profile.TEACHER)
    match = match_one(
        "enseignant",
        [teacher],
        row("enseignant", "BERRONE", "CHRISTIAN", birth_date=D(1975, 5, 12)),
    )
    assert match.account_id == teacher.id and match.reason == "nom et prénom"


def test_it_uses_the_birth_date_of_teachers_when_both_sides_have_it():
    older = account("Petit", "Marc", Profile.TEACHER, birth_date=D(1960, 1, 1))
    younger = account("Petit", "Marc", Profile.TEACHER, birth_date=D(1990, 1, 1))
    match = match_one(
        "enseignant", [older, younger], row("enseignant", "PETIT", "Marc", birth_date=D(1990, 1, 1))
    )
    assert match.account_id == younger.id


def test_it_sends_teacher_homonyms_to_the_manual_list():
    one = account("Petit", "Marc", Profile.TEACHER)
    two = account("Petit", "Marc", Profile.DOCUMENTALIST)
    match = match_one("enseignant", [one, two], row("enseignant", "PETIT", "Marc"))
    assert match.account_id is None and match.reason == "2 homonymes dans l'établissement"


def test_it_only_matches_accounts_with_the_step_profile():
    pupil = account("Petit", "Marc", Profile.PUPIL)
    staff = account("Petit", "Marc", Profile.DIRECTION)
    assert (
        match_one("enseignant", [pupil, staff], row("enseignant", "PETIT", "Marc")).account_id
        is None
    )
    assert (
        match_one("personnel", [pupil, staff], row("personnel", "PETIT", "Marc")).account_id
        == staff.id
    )


def test_it_maps_maitres_de_stage_and_inspectors_to_their_profiles():
    mds = account("Garage", "Paul", Profile.MAITRE_DE_STAGE)
    ins = account("Leroy", "Anne", Profile.ACADEMY)
    assert (
        match_one(
            "maitre_de_stage", [mds, ins], row("maitre_de_stage", "GARAGE", "Paul")
        ).account_id
        == mds.id
    )
    assert (
        match_one("inspecteur", [mds, ins], row("inspecteur", "LEROY", "Anne")).account_id == ins.id
    )


def test_it_tells_homonym_parents_apart_by_their_children():
    camille = account("Martin", "Camille")
    hugo = account("Martin", "Hugo")
    mother_of_camille = account(
        "Martin", "Nathalie", Profile.PARENT, children=frozenset({camille.id})
    )
    mother_of_hugo = account("Martin", "Nathalie", Profile.PARENT, children=frozenset({hugo.id}))
    the_row = row("responsable", "MARTIN", "Nathalie", pronote_id="RESP1")
    children = children_by_responsable([(hugo.id, ["RESP1"])])
    match = match_one(
        "responsable",
        [mother_of_camille, mother_of_hugo],
        the_row,
        children_by_responsable=children,
    )
    assert match.account_id == mother_of_hugo.id and match.method == "children"

    without = match_one("responsable", [mother_of_camille, mother_of_hugo], the_row)
    assert without.account_id is None and "2 homonymes" in without.reason


def test_it_matches_the_parent_of_siblings_once():
    sister, brother = account("Roux", "Emma"), account("Roux", "Tom")
    father = account("Roux", "Pierre", Profile.PARENT, children=frozenset({sister.id, brother.id}))
    children = children_by_responsable([(sister.id, ["P1"]), (brother.id, ["P1"])])
    match = match_one(
        "responsable",
        [father],
        row("responsable", "ROUX", "Pierre", pronote_id="P1"),
        children_by_responsable=children,
    )
    assert match.account_id == father.id


def test_it_refuses_a_single_parent_homonym_of_another_family():
    child, stranger_child = account("Roux", "Emma"), account("Roux", "Léa")
    stranger = account("Roux", "Pierre", Profile.PARENT, children=frozenset({stranger_child.id}))
    children = children_by_responsable([(child.id, ["P1"])])
    match = match_one(
        "responsable",
        [stranger],
        row("responsable", "ROUX", "Pierre", pronote_id="P1"),
        children_by_responsable=children,
    )
    assert match.account_id is None
    assert "aucun des élèves rapprochés" in match.reason


def test_it_proposes_the_parents_of_the_children_when_the_name_differs():
    child = account("Roux", "Emma")
    mother = account("Roux", "Claire", Profile.PARENT, children=frozenset({child.id}))
    children = children_by_responsable([(child.id, ["P1"])])
    match = match_one(
        "responsable",
        [mother],
        row("responsable", "FAURE", "Claire", pronote_id="P1"),
        children_by_responsable=children,
    )
    assert match.account_id is None
    assert match.candidates[0].id == mother.id
    assert "responsable d'un enfant rapproché" in match.candidates[0].why


def test_it_names_a_responsable_whose_children_matched_nobody_as_a_former_pupil_s():
    parent = account("Roux", "Claire", Profile.PARENT)
    match = match_one("responsable", [parent], row("responsable", "GIRARD", "Sylvie"))
    assert match.account_id is None
    assert match.reason_parts == (("no_responsable_nor_child", {}),)
    assert "responsable d'un ancien élève ?" in match.reason
    teacher = match_one("enseignant", [], row("enseignant", "GIRARD", "Sylvie"))
    assert teacher.reason_parts == (("no_account", {}),)


def test_it_reuses_an_identifier_the_account_already_holds():
    pupil = account("Martin", "Camille", pronote_id="AZKH9C7WSQ2R54DP")
    match = match_one(
        "eleve", [pupil], row("eleve", "MARTIN", "Camille", pronote_id="AZKH9C7WSQ2R54DP")
    )
    assert match.account_id == pupil.id and match.method == "existing_id"


def test_it_does_not_trust_a_held_identifier_when_the_name_differs():
    pupil = account("Martin", "Camille", pronote_id="AZKH9C7WSQ2R54DP")
    match = match_one(
        "eleve", [pupil], row("eleve", "DUBOIS", "Jules", pronote_id="AZKH9C7WSQ2R54DP")
    )
    assert match.account_id is None and "dont le nom diffère" in match.reason


def test_it_does_not_keep_twins_swapped_by_an_earlier_match():
    """Maëlys's record given to Maëlle's account (and the other way) by a wrong hand match: the
    near first names « agree », but each record bears exactly the other twin's name."""
    born = D(2014, 2, 11)
    maelle = account("Nguyen", "Maëlle", birth_date=born, pronote_id="TTWGYCSKUL5LGYH5")
    maelys = account("Nguyen", "Maëlys", birth_date=born, pronote_id="Z8JHDSNKJ28W5SA9")
    rows = [
        row("eleve", "NGUYEN", "Maëlle", pronote_id="Z8JHDSNKJ28W5SA9", birth_date=born),
        row("eleve", "NGUYEN", "Maëlys", pronote_id="TTWGYCSKUL5LGYH5", birth_date=born),
    ]
    for twin, account_named in zip(
        match_rows(rows, DirectoryIndex([maelle, maelys]), STEP_BY_CATEGORY["eleve"].profiles),
        (maelle, maelys),
        strict=True,
    ):
        assert twin.account_id is None  # to the manual list, the right twin proposed first
        assert twin.reason_parts[0][0] == "id_of_namesake"
        assert "jumeaux ou homonymes échangés ?" in twin.reason
        assert twin.candidates[0].id == account_named.id


def test_it_does_not_follow_pronotes_identifiant_cas_to_the_other_twin():
    born = D(2014, 2, 11)
    maelle = account("Nguyen", "Maëlle", birth_date=born, uid="maelle0000000000")
    maelys = account("Nguyen", "Maëlys", birth_date=born, uid="maelys0000000000")
    match = match_one(
        "eleve",
        [maelle, maelys],
        row("eleve", "NGUYEN", "Maëlys", cas_id="maelle0000000000", birth_date=born),
    )
    assert match.account_id == maelys.id and match.method == "name"


def test_a_held_identifier_still_survives_a_near_name_nobody_else_bears():
    pupil = account("Martin", "Aya", pronote_id="G2TAJ87UKUE4XWWG")
    match = match_one(
        "eleve", [pupil], row("eleve", "MRATIN", "Aya", pronote_id="G2TAJ87UKUE4XWWG")
    )
    assert match.account_id == pupil.id and match.method == "existing_id"


def test_it_uses_the_cas_identifier_pronote_already_knows():
    pupil = account("Martin", "Camille", uid="abcdefgh23456789")
    match = match_one(
        "eleve", [pupil], row("eleve", "MARTIN", "Camille", cas_id="abcdefgh23456789")
    )
    assert match.account_id == pupil.id and match.method == "cas_id"


def test_two_pronote_rows_for_one_account_both_go_to_the_manual_list():
    teacher = account("Petit", "Marc", Profile.TEACHER)
    rows = [row("enseignant", "PETIT", "Marc"), row("enseignant", "Petit", "MARC")]
    matches = match_rows(rows, DirectoryIndex([teacher]), STEP_BY_CATEGORY["enseignant"].profiles)
    assert all(m.account_id is None for m in matches)
    assert "doublon dans PRONOTE" in matches[0].reason


def test_it_ranks_fuzzy_candidates_for_a_misspelt_name():
    right = account("Lefebvre", "Zoé", birth_date=D(2012, 3, 4))
    other = account("Lemaire", "Zoé", birth_date=D(2012, 3, 4))
    far = account("Nguyen", "Bao", birth_date=D(2012, 3, 4))
    match = match_one(
        "eleve", [right, other, far], row("eleve", "LEFEVRE", "Zoé", birth_date=D(2012, 3, 4))
    )
    assert match.account_id is None
    assert match.candidates[0].id == right.id
    assert far.id not in {c.id for c in match.candidates}
    assert match.reason == "aucun élève de ce nom et prénom dans l'établissement"


def test_a_duplicate_keeps_the_record_already_bound_to_the_account():
    parent = account("N'Diaye", "Gaëlle", Profile.PARENT, pronote_id="RESPGAELLE000001")
    bound = row("responsable", "N'DIAYE", "Gaëlle", pronote_id="RESPGAELLE000001")
    copy = row("responsable", "NDIAYE", "Gaelle", pronote_id="RESPGAELLE000002")
    profiles = STEP_BY_CATEGORY["responsable"].profiles
    kept, other = match_rows([bound, copy], DirectoryIndex([parent]), profiles)
    assert kept.account_id == parent.id and kept.method == "existing_id"
    assert other.account_id is None
    assert other.reason.startswith("doublon dans PRONOTE ? N'DIAYE Gaëlle")
    assert "a déjà la fiche RESPGAELLE000001, gardée" in other.reason
    assert "« Identification impossible »" in other.reason


def test_a_duplicate_keeps_the_record_whose_cas_identifier_names_the_account():
    teacher = account("Petit", "Marc", Profile.TEACHER, uid="abcdefgh23456789")
    rows = [
        row("enseignant", "PETIT", "Marc"),
        row("enseignant", "Petit", "MARC", cas_id="abcdefgh23456789"),
    ]
    profiles = STEP_BY_CATEGORY["enseignant"].profiles
    first, second = match_rows(rows, DirectoryIndex([teacher]), profiles)
    assert second.account_id == teacher.id and second.method == "cas_id"
    assert first.account_id is None and "gardée" in first.reason


def test_it_says_the_duplicates_candidate_is_the_account_each_record_was_recognised_as():
    teacher = account("Petit", "Marc", Profile.TEACHER)
    rows = [row("enseignant", "PETIT", "Marc"), row("enseignant", "Petit", "MARC")]
    matches = match_rows(rows, DirectoryIndex([teacher]), STEP_BY_CATEGORY["enseignant"].profiles)
    for match in matches:
        (candidate,) = [c for c in match.candidates if c.id == teacher.id]
        assert "compte reconnu pour chacune des fiches en double" in candidate.why
        assert "compte choisi pour ces fiches" not in candidate.why
