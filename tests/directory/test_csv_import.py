import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.directory.models import Membership, ParentLink, Person
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment, make_person

UAI = "0312609T"

FAMILY = """
uai;profile;last_name;first_name;birth_date;postal_code;class;login;password;external_id;children
0312609T;National_ELV;Martin;Camille;2012-03-04;31000;4A;;;E1;
0312609T;National_ELV;Martin;Léo;15/09/2014;31000;6B;;;E2;
0312609T;National_TUT;Martin;Sophie;;31000;;;;P1;E1|E2
0312609T;enseignant;Durand;Paul;1980-01-02;;;paul.durand;un mot de passe tres long;T1;
"""


@pytest.fixture
def college() -> object:
    return make_establishment(UAI, "Collège Jean Jaurès")


def test_it_imports_people_memberships_and_parent_links(tmp_path: Path, college: object) -> None:
    out, _ = run("directory_import", str(write_csv(tmp_path, FAMILY)))
    assert "4 créée(s), 0 mise(s) à jour, 0 inchangée(s), 0 ligne(s) rejetée(s)" in out
    camille = Person.objects.get(external_id="E1")
    assert camille.login == "camille.martin"
    assert camille.birth_date == dt.date(2012, 3, 4)
    assert not camille.has_usable_password()
    assert camille.memberships.get().class_name == "4A"
    assert Person.objects.get(external_id="E2").birth_date == dt.date(2014, 9, 15)
    sophie = Person.objects.get(external_id="P1")
    assert sorted(link.child.external_id for link in sophie.children_links.all()) == ["E1", "E2"]
    paul = Person.objects.get(login="paul.durand")
    assert paul.memberships.get().profile == "National_ENS"
    assert check_password("un mot de passe tres long", paul.password)


def test_it_never_prints_passwords(tmp_path: Path, college: object) -> None:
    out, err = run("directory_import", str(write_csv(tmp_path, FAMILY)))
    assert "tres long" not in out + err


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path, college: object) -> None:
    path = write_csv(tmp_path, FAMILY)
    run("directory_import", str(path))
    before = list(Person.objects.values_list("pk", "login", "password", "updated_at"))
    out, _ = run("directory_import", str(path))
    assert "0 créée(s), 0 mise(s) à jour, 4 inchangée(s)" in out
    assert list(Person.objects.values_list("pk", "login", "password", "updated_at")) == before
    assert Membership.objects.count() == 4
    assert ParentLink.objects.count() == 2


def test_it_matches_people_without_external_id_on_identity(tmp_path: Path, college: object) -> None:
    text = (
        "uai,profile,last_name,first_name,birth_date,class\n0312609T,élève,Petit,Léa,2011-05-06,5E1"
    )
    path = write_csv(tmp_path, text)
    run("directory_import", str(path))
    changed = write_csv(tmp_path, text.replace("5E1", "4E2").replace("Léa", "LEA"), name="b.csv")
    out, _ = run("directory_import", str(changed))
    assert "0 créée(s), 1 mise(s) à jour" in out
    person = Person.objects.get()
    assert person.memberships.get().class_name == "4E2"


def test_it_reads_a_bom_and_commas(tmp_path: Path, college: object) -> None:
    text = "uai,profile,last_name,first_name\n0312609T,National_ENS,Durand,Paul"
    out, _ = run("directory_import", str(write_csv(tmp_path, text, bom=True)))
    assert "1 créée(s)" in out
    assert Person.objects.get().login == "paul.durand"


def test_uai_may_come_from_the_option(tmp_path: Path, college: object) -> None:
    text = "profil;nom;prenom;classe\nélève;Petit;Léa;5E1"
    out, _ = run("directory_import", str(write_csv(tmp_path, text)), uai="0312609t")
    assert "1 créée(s)" in out


def test_it_generates_suffixed_logins_for_homonyms(tmp_path: Path, college: object) -> None:
    make_person("Léa", "Petit")
    text = (
        "profile;last_name;first_name;birth_date\n"
        "élève;Petit;Léa;2011-01-01\nélève;Petit;Léa;2012-01-01"
    )
    run("directory_import", str(write_csv(tmp_path, text)), uai=UAI)
    assert sorted(Person.objects.values_list("login", flat=True)) == [
        "lea.petit",
        "lea.petit2",
        "lea.petit3",
    ]


def _refused(tmp_path: Path, text: str, **options: str) -> str:
    count = Person.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directory_import", str(write_csv(tmp_path, text)), stderr=err, **options)
    assert Person.objects.count() == count, "nothing may be half-imported"
    return err.getvalue()


HEADER = "uai;profile;last_name;first_name;birth_date;external_id;children\n"


def test_a_bad_uai_refuses_the_whole_file(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;;E1;\n0312609A;élève;C;D;;E2;")
    assert "ligne 3 : UAI 0312609A invalide : la lettre de contrôle de 0312609 est T" in err
    assert "1 ligne(s) rejetée(s)" in err


def test_a_bad_date_is_reported_with_its_line(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;31/02/2012;E1;")
    assert "ligne 2 : date de naissance « 31/02/2012 » impossible." in err
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;2012.03.04;E1;")
    assert "ligne 2 : date de naissance « 2012.03.04 » illisible" in err


def test_a_bad_profile_is_reported(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;National_XYZ;A;B;;E1;")
    assert "ligne 2 : profil « National_XYZ » inconnu" in err


def test_a_bad_row_and_a_duplicate_are_reported_in_the_same_pass(
    tmp_path: Path, college: object
) -> None:
    err = _refused(
        tmp_path,
        HEADER
        + "0312609T;National_XYZ;A;B;;E1;\n"
        + "0312609T;élève;C;D;;E2;\n"
        + "0312609T;élève;C;D;;E2;",
    )
    assert "ligne 2 : profil « National_XYZ » inconnu" in err
    assert "ligne 4 : doublon de la ligne 3" in err
    assert err.index("ligne 2") < err.index("ligne 4")


def test_an_unknown_child_is_reported(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;parent;A;B;;P1;E404")
    assert "ligne 2 : enfant « E404 » inconnu" in err


def test_duplicate_rows_are_refused(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;;E1;\n0312609T;élève;A;B;;E1;")
    assert "ligne 3 : doublon de la ligne 2" in err
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;;;\n0312609T;eleve;a;b;;;")
    assert "ligne 3 : doublon de la ligne 2" in err


def test_an_unknown_establishment_is_reported(tmp_path: Path) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;élève;A;B;;E1;")
    assert "établissement 0312609T inconnu" in err


def test_unknown_and_missing_columns_are_reported(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, "uai;profile;nom_famille\n0312609T;élève;A")
    assert "colonne(s) inconnue(s) « nom_famille »" in err
    assert "obligatoire(s) absente(s) : last_name (nom), first_name (prenom)" in err


def test_it_names_the_untitled_columns_of_a_header_by_their_number(
    tmp_path: Path, college: object
) -> None:
    # Excel leaves ";;" after the last title when cells further right were once used.
    err = _refused(tmp_path, "uai;profil;nom;prenom;;\n0312609T;élève;A;B;;")
    assert "colonne(s) inconnue(s) colonne 5 sans titre, colonne 6 sans titre ;" in err


def test_a_row_with_the_wrong_number_of_cells_is_reported(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, HEADER + "0312609T;élève;A")
    assert "ligne 2 : 7 champs attendus, 3 trouvés." in err


def test_it_says_a_file_cut_inside_its_last_line_looks_truncated(
    tmp_path: Path, college: object
) -> None:
    """A copy or an export interrupted: the last line has no line end and too few cells. The
    message says the file seems cut, not only that a « ; » is missing; a short line that ends
    (a missing « ; ») keeps the plain message."""
    whole = HEADER + "0312609T;élève;MARTIN;Camille;2012-03-04;E1;\r\n"
    path = tmp_path / "coupe.csv"
    path.write_bytes((whole + "0312609T;élève;PETIT;Lé").encode())
    err = io.StringIO()
    with pytest.raises(CommandError, match="corrigez les lignes signalées"):
        call_command("directory_import", str(path), stdout=io.StringIO(), stderr=err)
    assert (
        "ligne 3 : 7 champs attendus, 4 trouvés, sans fin de ligne : le fichier semble coupé "
        "(export ou copie interrompus) ; refaites l'export."
    ) in err.getvalue()
    assert not Person.objects.filter(last_name__in=["MARTIN", "PETIT"]).exists()
    path.write_bytes((whole + "0312609T;élève;PETIT;Léo\r\n").encode())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directory_import", str(path), stdout=io.StringIO(), stderr=err)
    assert "ligne 3 : 7 champs attendus, 4 trouvés.\n" in err.getvalue()


def test_a_weak_password_is_refused_without_being_printed(tmp_path: Path, college: object) -> None:
    err = _refused(tmp_path, "uai;profile;last_name;first_name;password\n0312609T;élève;A;B;azerty")
    assert "ligne 2 : mot de passe refusé" in err
    assert "azerty" not in err


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, college: object) -> None:
    path = write_csv(
        tmp_path, "uai;profile;last_name;first_name\n0312609T;élève;Hélène;B", encoding="latin-1"
    )
    with pytest.raises(CommandError):
        run("directory_import", str(path))
    assert Person.objects.count() == 0


def test_a_login_taken_by_someone_else_is_refused(tmp_path: Path, college: object) -> None:
    make_person("Paul", "Durand")
    err = _refused(
        tmp_path, "uai;profile;last_name;first_name;login\n0312609T;élève;A;B;paul.durand"
    )
    assert "identifiant « paul.durand » déjà pris" in err


def test_homonyms_without_external_id_are_reported_as_ambiguous(
    tmp_path: Path, college: object
) -> None:
    for _ in range(2):
        make_person("Léa", "Petit", establishment=college)  # type: ignore[arg-type]
    err = _refused(tmp_path, "uai;profile;last_name;first_name\n0312609T;élève;Petit;Léa")
    assert "plusieurs personnes de l'annuaire correspondent" in err


def test_one_person_may_have_two_profiles_on_two_rows(tmp_path: Path, college: object) -> None:
    text = (
        HEADER + "0312609T;enseignant;Durand;Paul;;T1;\n0312609T;parent;Durand;Paul;;T1;E1\n"
        "0312609T;élève;Durand;Zoé;;E1;"
    )
    out, _ = run("directory_import", str(write_csv(tmp_path, text)))
    assert "2 créée(s)" in out
    paul = Person.objects.get(external_id="T1")
    assert sorted(paul.memberships.values_list("profile", flat=True)) == [
        "National_ENS",
        "National_TUT",
    ]


def test_a_missing_file_is_one_sentence_without_lines_to_correct(tmp_path: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("directory_import", str(tmp_path / "absent.csv"), stderr=err)
    assert "rien n'a été importé" in str(caught.value)
    assert "fichier ou dossier introuvable" in str(caught.value)
    assert "lignes signalées" not in str(caught.value) + err.getvalue()


def test_a_folder_of_csv_files_is_not_taken_for_an_aaf_export(tmp_path: Path) -> None:
    (tmp_path / "eleves.csv").write_text("uai;profile\n")
    with pytest.raises(CommandError, match="est un dossier : donnez le fichier CSV"):
        call_command("directory_import", str(tmp_path))


def test_it_hashes_the_initial_passwords_before_taking_the_write_lock(
    tmp_path: Path, college: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite the import's transaction holds the write lock every login needs: the Argon2
    # hashes (30 ms each, minutes for a big file) must not run inside it.
    from django.contrib.auth import hashers
    from django.db import connection

    from socle.directory import csv_apply

    depth = len(connection.atomic_blocks)
    depths: list[int] = []

    def spy(password: str | None, *args: object, **kwargs: object) -> str:
        if password is not None:
            depths.append(len(connection.atomic_blocks))
        return hashers.make_password(password)

    monkeypatch.setattr(csv_apply, "make_password", spy)
    existing = make_person("Léa", "Roux", password=None, login="lea.roux", external_id="T2")
    run(
        "directory_import",
        str(
            write_csv(
                tmp_path,
                "uai;profile;last_name;first_name;password;external_id\n"
                "0312609T;enseignant;Durand;Paul;un mot de passe tres long;T1\n"
                "0312609T;enseignant;Roux;Léa;une autre phrase assez longue;T2",
            )
        ),
    )
    assert depths == [depth, depth]
    assert check_password(
        "un mot de passe tres long", Person.objects.get(login="paul.durand").password
    )
    assert check_password(
        "une autre phrase assez longue", Person.objects.get(pk=existing.pk).password
    )


def test_it_refuses_the_file_in_french_when_sqlite_stays_locked_by_another_writer(
    tmp_path: Path, college: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from socle.directory import csv_import

    def locked(*args: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(csv_import, "apply_groups", locked)
    with pytest.raises(CommandError) as refused:
        run("directory_import", str(write_csv(tmp_path, FAMILY)))
    assert str(refused.value) == (
        "Fichier refusé, rien n'a été importé : la base de données est restée occupée par une "
        "autre écriture (un import AAF ?) ; relancez la même commande plus tard."
    )


ANOTHER_IMPORT = (
    "Fichier refusé, rien n'a été importé : l'annuaire a été modifié pendant l'import, sans doute "
    "par un autre import en cours pour les mêmes personnes : attendez qu'il soit terminé, puis "
    "relancez la même commande."
)


@pytest.mark.parametrize(
    "said",
    [
        'duplicate key value violates unique constraint "directory_person_login_key"\n'
        "DETAIL:  Key (login)=(camille.martin) already exists.",
        "UNIQUE constraint failed: directory_person.login",
    ],
)
def test_it_says_only_in_french_that_another_import_changed_the_directory_meanwhile(
    tmp_path: Path, college: object, monkeypatch: pytest.MonkeyPatch, said: str
) -> None:
    """Two imports of the same people at once (PostgreSQL: the second waits for the first, then
    meets its logins): the pre-checks passed, the rows collide. It said « … relancez la même
    commande. Détail : UNIQUE constraint failed: directory_person.login »: the database's
    English, and no word of waiting for the other import."""
    from django.db import IntegrityError

    from socle.directory import csv_import

    def collides(*args: object) -> None:
        raise IntegrityError(said)

    monkeypatch.setattr(csv_import, "apply_groups", collides)
    with pytest.raises(CommandError) as refused:
        run("directory_import", str(write_csv(tmp_path, FAMILY)))
    assert str(refused.value) == ANOTHER_IMPORT


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_the_hashing_of_the_initial_passwords_on_a_terminal_only(
    tmp_path: Path, college: object
) -> None:
    """About 30 ms each: a school's file with initial passwords took minutes without a word."""
    err = _Terminal()
    call_command(
        "directory_import", str(write_csv(tmp_path, FAMILY)), stdout=io.StringIO(), stderr=err,
        force_color=True,
    )  # fmt: skip
    assert "\rMots de passe initiaux : 1/1\x1b[K" in err.getvalue()
    _out, piped = run("directory_import", str(write_csv(tmp_path, FAMILY, name="b.csv")))
    assert piped == ""


def test_it_shows_the_progress_of_a_csv_import_on_a_terminal_only(
    tmp_path: Path, college: object
) -> None:
    """A region's file took seconds (3.6 s for 6,531 rows) without a word: each part is named
    as it starts, on one line rewritten in place, ended before the summary; nothing when stderr
    is no terminal (cron)."""
    source = write_csv(tmp_path, FAMILY)
    err = _Terminal()
    call_command("directory_import", str(source), stdout=io.StringIO(), stderr=err)
    parts = err.getvalue().split("\x1b[K")
    assert parts == [
        f"\rLecture de {source}…",
        "\rLecture des lignes…",
        "\rVérification de 4 personnes dans l'annuaire…",
        "\rMots de passe initiaux : 1/1",
        "\rÉcriture de 4 personnes dans l'annuaire…",
        "\n",
    ]
    _out, piped = run("directory_import", str(write_csv(tmp_path, FAMILY, name="b.csv")))
    assert piped == ""


def test_a_refused_csv_file_starts_its_errors_on_a_line_of_their_own(
    tmp_path: Path, college: object
) -> None:
    err = _Terminal()
    with pytest.raises(CommandError):
        call_command(
            "directory_import",
            str(write_csv(tmp_path, HEADER + "0312609T;eleve;;Marie;;;")),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "\x1b[K\nligne 2 : " in err.getvalue()


def test_two_homonym_mothers_without_external_id_are_told_how_to_import_both(
    tmp_path: Path, college: object
) -> None:
    err = _refused(
        tmp_path, HEADER + "0312609T;parent;Petit;Marie;;;\n0312609T;parent;Petit;Marie;;;"
    )
    assert (
        "ligne 3 : doublon de la ligne 2 (mêmes établissement, profil, nom, prénom et date de "
        "naissance). Si ce sont deux personnes (deux parents homonymes), ajoutez une colonne "
        "external_id pour les distinguer." in err
    )
