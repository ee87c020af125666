"""After the complete export (which resets every « Identifiant CAS » it exports), PRONOTE
recognises users by identity again when the service says « Avec l'identité de
l'utilisateur »: two records of one category with the same name, first name and birth date
are the same identity to it, and it refuses both (« Identification impossible »). The
diagnostic lists them and says what to do (socle.pronote.namesakes)."""

from __future__ import annotations

import datetime as dt

from socle.pronote.doctor import diagnose
from socle.pronote.importer.steps import run_automatic
from tests.factories import make_person, make_service
from tests.pronote.helpers import School, page_text, record, run, start

BORN = dt.date(2013, 5, 12)
URL = "https://0312609t.index-education.net/pronote/"


def _service(school: School, recognition: str = "identity"):
    return make_service(
        "pronote",
        sso_type="pronote",
        establishment=school.est,
        url=URL,
        patterns=(URL + "**",),
        pronote_recognition=recognition,
    )


def _namesakes_imported(school: School, *extra, mode: str = "complet") -> tuple:
    first = make_person(
        "Thomas", "Martin", establishment=school.est, class_name="5B", birth_date=BORN
    )
    second = make_person(
        "Thomas", "Martin", establishment=school.est, class_name="3D", birth_date=BORN
    )
    records = [
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTN5B2013A", birth=BORN, class_name="5B"),
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTN3D2013B", birth=BORN, class_name="3D"),
        *extra,
    ]
    run_automatic(start(school.est, mode, *school.records(), *records))
    return first, second


def test_it_lists_namesakes_pronote_cannot_tell_apart_by_identity(school: School) -> None:
    _service(school)
    first, second = _namesakes_imported(school)
    report = diagnose(school.est, allowed=None)
    (line,) = report.namesake_lines
    assert line == (
        "MARTIN Thomas, élève : fiche THMSMARTN5B2013A (classe 5B, né(e) le 12/05/2013, "
        "aucun compte ENT rapproché) : l'identité de son titulaire correspond aussi à la fiche "
        "THMSMARTN3D2013B ; fiche THMSMARTN3D2013B (classe 3D, né(e) le 12/05/2013, aucun "
        "compte ENT rapproché) : l'identité de son titulaire correspond aussi à la fiche "
        "THMSMARTN5B2013A"
    ), line
    assert report.namesake_text.startswith(
        "2 fiches de l'export de tous les utilisateurs importé le "
    )
    for words in (
        ": l'identité de leur titulaire correspond aussi à une autre fiche de mêmes "
        "catégorie, nom et prénom.",
        "Cet export a effacé leur « Identifiant CAS » : avec la reconnaissance « Avec "
        "l'identité de l'utilisateur », PRONOTE ne peut plus les distinguer",
        "« Identification impossible »",
        "Importez les identifiants PRONOTE (« Importer les identifiants PRONOTE », en "
        "rapprochant chacun de sa propre fiche, à la main si besoin), puis choisissez la "
        "reconnaissance « Avec l'identifiant PRONOTE de l'utilisateur » dans la console de "
        "PRONOTE et dans ce service",
    ):
        assert words in report.namesake_text
    out = run("pronote_doctor", "--uai", school.est.uai, "--login", first.login)
    assert "## Homonymes que PRONOTE ne distingue pas" in out
    assert "  MARTIN Thomas, élève : fiche THMSMARTN5B2013A (classe 5B, " in out
    # the account examined is one of them: its own note names its record (the one of its
    # class: the import matched neither) and the other one
    assert (
        "plusieurs fiches PRONOTE à ce nom et ce prénom : celle de ce compte, THMSMARTN5B2013A "
        "(classe 5B, né(e) le 12/05/2013, aucun compte ENT rapproché), et une autre qui "
        "correspond aussi à son identité, THMSMARTN3D2013B (classe 3D, né(e) le 12/05/2013, "
        "aucun compte ENT rapproché). PRONOTE ne peut pas reconnaître ce compte par son "
        "identité."
    ) in out, out


def test_twins_and_namesakes_born_other_days_are_not_listed(school: School) -> None:
    _service(school)
    make_person("Jade", "Dubois", establishment=school.est, birth_date=BORN)
    make_person("Louis", "Dubois", establishment=school.est, birth_date=BORN)
    records = [
        record("eleve", "DUBOIS", "Jade", pid="JADEDUBS2013AAAA", birth=BORN),
        record("eleve", "DUBOIS", "Louis", pid="LOUSDUBS2013AAAA", birth=BORN),
        record("eleve", "MARTIN", "Léa", pid="LEAMARTN2012AAAA", birth=dt.date(2012, 1, 2)),
        record("eleve", "MARTIN", "Léa", pid="LEAMARTN2013AAAA", birth=dt.date(2013, 1, 2)),
    ]
    run_automatic(start(school.est, "complet", *school.records(), *records))
    assert diagnose(school.est, allowed=None).namesake_lines == []


def test_a_known_postal_code_that_differs_tells_them_apart(school: School) -> None:
    _service(school)
    records = [
        record(
            "eleve", "MARTIN", "Thomas", pid="THMSMARTN5B2013A", birth=BORN, postal_code="31200"
        ),
        record(
            "eleve", "MARTIN", "Thomas", pid="THMSMARTN3D2013B", birth=BORN, postal_code="31500"
        ),
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTN4C2013C", postal_code="31500"),
    ]
    run_automatic(start(school.est, "complet", *school.records(), *records))
    (line,) = diagnose(school.est, allowed=None).namesake_lines
    # the record without a birth date is the same identity as the one of its postal code
    assert line == (
        "MARTIN Thomas, élève : fiche THMSMARTN3D2013B (né(e) le 12/05/2013, code postal "
        "31500, aucun compte ENT rapproché) : l'identité de son titulaire correspond aussi à "
        "la fiche THMSMARTN4C2013C ; fiche THMSMARTN4C2013C (sans date de naissance, code "
        "postal 31500, aucun compte ENT rapproché) : son titulaire est reconnu par son "
        "identité, mais elle correspond aussi à celle du titulaire de la fiche THMSMARTN3D2013B"
    ), line


def test_nothing_is_said_when_pronote_recognises_by_identifier(school: School) -> None:
    """With the identifier (or no complete import), the namesakes are told apart."""
    _service(school, recognition="pronote")
    _namesakes_imported(school)
    assert diagnose(school.est, allowed=None).namesake_lines == []


def test_nothing_is_said_without_a_complete_import(school: School) -> None:
    _service(school)
    _namesakes_imported(school, mode="partiel")
    assert diagnose(school.est, allowed=None).namesake_lines == []


def test_the_import_final_page_says_it_too(school: School, admin_client) -> None:
    from django.urls import reverse

    from socle.pronote.models import ImportSession

    _service(school)
    _namesakes_imported(school)
    session = ImportSession.objects.get()
    page = admin_client.get(reverse("pronote:final", args=[session.pk]))
    text = page.content.decode()
    assert "Homonymes que PRONOTE ne distingue pas" in text
    assert "fiche THMSMARTN5B2013A (classe 5B, né(e) le 12/05/2013" in text
    assert "reconnaissance « Avec l&#x27;identifiant PRONOTE de l&#x27;utilisateur »" in text


NOTE = "PRONOTE ne peut pas reconnaître ce compte par son identité."


def _fixes(school: School, login: str) -> str:
    report = diagnose(school.est, login, allowed=None)
    assert report.account is not None
    return " ".join(report.account.fixes)


def test_it_leaves_out_a_parent_named_like_two_pupil_namesakes(school: School) -> None:
    """PRONOTE looks for a parent among its responsables only: pupils of his names do not
    make him ambiguous, even though he has no birth date (most parents have none)."""
    from socle.directory.profiles import Profile

    _service(school)
    father = make_person(
        "Thomas",
        "Martin",
        establishment=school.est,
        profile=Profile.PARENT,
        login="thomas.martin",
    )
    _namesakes_imported(school, record("responsable", "MARTIN", "Thomas", pid="RESPTHOMAS000001"))
    assert father.birth_date is None
    report = diagnose(school.est, "thomas.martin", allowed=None)
    assert len(report.namesake_lines) == 1  # the pupils' group is still listed
    assert report.account is not None and report.account.person == father
    assert NOTE not in " ".join(report.account.fixes)


def test_it_refuses_only_the_owner_of_the_dated_record_beside_an_undated_one(
    school: School,
) -> None:
    """pronotesim's rule: a record's birth date must equal the ENT's only when the record has
    one. The owner of the dated record fits the undated one too (two candidates); the owner of
    the undated record, who sends no date (or another), fits it alone."""
    _service(school)
    dated = make_person(
        "Thomas", "Martin", establishment=school.est, birth_date=BORN, login="thomas.dated"
    )
    make_person("Thomas", "Martin", establishment=school.est, login="thomas.undated")
    records = [
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTNDATED01", birth=BORN),
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTNUNDATED"),
    ]
    run_automatic(start(school.est, "complet", *school.records(), *records))
    report = diagnose(school.est, allowed=None)
    (line,) = report.namesake_lines
    assert line == (
        "MARTIN Thomas, élève : fiche THMSMARTNDATED01 (né(e) le 12/05/2013, compte ENT "
        "thomas.dated) : l'identité de son titulaire correspond aussi à la fiche "
        "THMSMARTNUNDATED ; fiche THMSMARTNUNDATED (sans date de naissance, aucun compte ENT "
        "rapproché) : son titulaire est reconnu par son identité, mais elle correspond aussi à "
        "celle du titulaire de la fiche THMSMARTNDATED01"
    ), line
    # one record is refused: its owner's
    assert report.namesake_text.startswith(
        "1 fiche de l'export de tous les utilisateurs importé le "
    ), report.namesake_text
    assert (
        "celle de ce compte, THMSMARTNDATED01 (né(e) le 12/05/2013, compte ENT thomas.dated), "
        "et une autre qui correspond aussi à son identité, THMSMARTNUNDATED (sans date de "
        "naissance, aucun compte ENT rapproché)."
    ) in _fixes(school, dated.login)
    assert NOTE not in _fixes(school, "thomas.undated")


def test_it_names_the_record_the_ent_gives_the_account_and_the_one_that_blocks_it(
    school: School,
) -> None:
    """The account's own record is the one whose identifier the ENT holds for it (matched by
    hand after the import), whatever its class says; without any clue, the note lists the
    records its identity fits and says none is its own."""
    from socle.pronote.models import MatchMethod, PronoteIdentity

    _service(school)
    first, second = _namesakes_imported(school)
    PronoteIdentity.objects.create(
        person=second,
        establishment=school.est,
        pronote_id="THMSMARTN3D2013B",
        category="eleve",
        method=MatchMethod.MANUAL,
    )
    assert (
        "celle de ce compte, THMSMARTN3D2013B (classe 3D, né(e) le 12/05/2013, aucun compte "
        "ENT rapproché), et une autre qui correspond aussi à son identité, THMSMARTN5B2013A "
        "(classe 5B, né(e) le 12/05/2013, aucun compte ENT rapproché)."
    ) in _fixes(school, second.login)
    third = make_person("Thomas", "Martin", establishment=school.est, birth_date=BORN)
    fixes = _fixes(school, third.login)  # no identifier, no match, no class
    assert (
        "a plusieurs fiches PRONOTE à ce nom et ce prénom qui correspondent à l'identité de ce "
        "compte : THMSMARTN5B2013A (classe 5B, né(e) le 12/05/2013, aucun compte ENT "
        "rapproché) ; THMSMARTN3D2013B (classe 3D, né(e) le 12/05/2013, aucun compte ENT "
        "rapproché). Aucune n'est rapprochée de ce compte : PRONOTE ne peut pas le reconnaître "
        "par son identité."
    ) in fixes, fixes


def test_it_says_it_in_both_mode_true_whichever_mode_pronote_has(
    school: School, admin_client
) -> None:
    """« Les deux (migration) » sends the identity and the identifier; PRONOTE recognises by the
    mode of its own console (pronotesim: the identity alone in identity mode, ``idPronote``
    alone in identifier mode): the note is shown, worded for either."""
    from django.urls import reverse

    from socle.pronote.models import ImportSession

    _service(school, recognition="both")
    first, _second = _namesakes_imported(school)
    report = diagnose(school.est, first.login, allowed=None)
    assert len(report.namesake_lines) == 1
    text = report.namesake_text
    for words in (
        "Ce service, en « Les deux (migration) », envoie à PRONOTE l'identité et l'identifiant "
        "PRONOTE : si PRONOTE reconnaît par l'identité (« Avec l'identité de l'utilisateur » "
        "dans sa console), il ne peut plus les distinguer",
        "s'il reconnaît par l'identifiant PRONOTE, chacun est reconnu par l'identifiant que "
        "l'ENT lui attribue, qui doit donc être celui de sa propre fiche.",
        "puis choisissez la reconnaissance « Avec l'identifiant PRONOTE de l'utilisateur » dans "
        "la console de PRONOTE : l'ENT enverra",
    ):
        assert words in text, text
    # never the identity mode's words, which say PRONOTE recognises by identity
    assert "avec la reconnaissance « Avec l'identité de l'utilisateur », PRONOTE" not in text
    assert report.account is not None
    fixes = " ".join(report.account.fixes)
    assert "celle de ce compte, THMSMARTN5B2013A" in fixes
    assert "si PRONOTE reconnaît par l'identité" in fixes
    session = ImportSession.objects.get()
    page = page_text(admin_client.get(reverse("pronote:final", args=[session.pk])))
    assert "Homonymes que PRONOTE ne distingue pas par l'identité" in page
    assert "si PRONOTE reconnaît par l'identité" in page


def test_it_prints_the_namesakes_in_pronote_import_auto_only(school: School, tmp_path) -> None:
    """``pronote_import --auto-only`` prints the final page's note in its words: the heading,
    the note, one line per group; not for a Partiel import, nor with the identifier."""
    from socle.pronote.models import ImportSession
    from socle.pronote.namesake_notes import namesakes_shown
    from socle.pronote.namesakes import import_namesakes
    from tests.pronote.helpers import import_automatically

    service = _service(school)
    make_person("Thomas", "Martin", establishment=school.est, class_name="5B", birth_date=BORN)
    make_person("Thomas", "Martin", establishment=school.est, class_name="3D", birth_date=BORN)
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(
        "Nom;Prénom;Né(e) le;Classe;Identifiant_PRONOTE-ENT\n"
        "ROUX;Emma;04/03/2012;4A;ELEVEEMMA0000001\n"
        "MARTIN;Thomas;12/05/2013;5B;THMSMARTN5B2013A\n"
        "MARTIN;Thomas;12/05/2013;3D;THMSMARTN3D2013B\n",
        encoding="utf-8",
    )
    out = import_automatically(path, school)
    session = ImportSession.objects.get()
    text, (line,) = namesakes_shown(import_namesakes(session))  # what the final page shows
    assert f"Homonymes que PRONOTE ne distingue pas par l'identité :\n{text}\n  - {line}\n" in out
    assert text.startswith("2 fiches de l'export de tous les utilisateurs importé le ")
    assert line.startswith(
        "MARTIN Thomas, élève : fiche THMSMARTN5B2013A (classe 5B, né(e) le 12/05/2013, "
    ), line
    assert "Homonymes" not in import_automatically(path, school, mode="partiel")
    service.pronote_recognition = "pronote"
    service.save()
    assert "Homonymes" not in import_automatically(path, school)


def test_it_does_not_claim_a_same_birth_date_beside_an_undated_namesake(school: School) -> None:
    """The dated record is refused because the undated one fits its owner's identity: the
    headline says that, not « de mêmes nom, prénom et date de naissance »."""
    _service(school)
    records = [
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTNDATED01", birth=BORN),
        record("eleve", "MARTIN", "Thomas", pid="THMSMARTNUNDATED"),
    ]
    run_automatic(start(school.est, "complet", *school.records(), *records))
    text = diagnose(school.est, allowed=None).namesake_text
    assert "date de naissance" not in text.split(".")[0], text
    assert text.startswith("1 fiche de l'export de tous les utilisateurs importé le "), text
    assert (
        " : l'identité de son titulaire correspond aussi à une autre fiche de mêmes catégorie, "
        "nom et prénom. Cet export a effacé leur « Identifiant CAS »"
    ) in text, text


def test_it_caps_the_namesake_groups_pronote_import_prints(
    school: School, tmp_path, monkeypatch
) -> None:
    """At most ``SHOWN`` groups, then how many more and where to read them all."""
    from socle.pronote.management import import_preview
    from tests.pronote.helpers import import_automatically

    monkeypatch.setattr(import_preview, "SHOWN", 1)
    _service(school)
    path = tmp_path / "EXP_ELEVES.csv"
    path.write_text(
        "Nom;Prénom;Né(e) le;Classe;Identifiant_PRONOTE-ENT\n"
        "ROUX;Emma;04/03/2012;4A;ELEVEEMMA0000001\n"
        "MARTIN;Thomas;12/05/2013;5B;THMSMARTN5B2013A\n"
        "MARTIN;Thomas;12/05/2013;3D;THMSMARTN3D2013B\n"
        "PETIT;Léa;01/02/2012;4B;LEAPETIT4B2012AA\n"
        "PETIT;Léa;01/02/2012;4C;LEAPETIT4C2012BB\n",
        encoding="utf-8",
    )
    out = import_automatically(path, school)
    assert "  - MARTIN Thomas, élève : " in out
    assert "PETIT Léa, élève" not in out
    assert (
        "  … et 1 autre (liste complète : « Diagnostic PRONOTE », ou pronote_doctor --all)\n"
    ) in out
