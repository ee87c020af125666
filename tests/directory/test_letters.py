import csv
import io
import os
import signal
import stat
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from socle.directory.activation import activation_redirect
from socle.directory.models import ActivationCode, Establishment
from tests.core.pipes import PipeReader
from tests.directory.helpers import run
from tests.factories import make_establishment, make_parent_link, make_person


@pytest.fixture
def college() -> Establishment:
    college = make_establishment("0312609T", "Collège Jean Jaurès")
    camille = make_person(
        "Camille", "Martin", password=None, establishment=college, class_name="5E1"
    )
    make_person("Léo", "Petit", password=None, establishment=college, class_name="4A")
    make_person("Zoé", "Déjà-Active", establishment=college, class_name="5E1")  # has a password
    mother = make_person(
        "Sophie", "Martin", password=None, establishment=college, profile="National_TUT"
    )
    make_parent_link(mother, camille)
    return college


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_csv_letters_hold_working_codes_for_people_without_password(
    tmp_path: Path, college: Establishment
) -> None:
    out, _ = run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.csv"))
    assert "3 fiche(s) de connexion écrite(s)" in out
    rows = _read_csv(tmp_path / "fiches.csv")
    assert {r["identifiant"] for r in rows} == {"camille.martin", "leo.petit", "sophie.martin"}
    for row in rows:
        assert row["adresse_ent"] == "http://testserver"
        assert row["etablissement"] == "Collège Jean Jaurès"
        assert activation_redirect(row["identifiant"], row["code_activation"], None)
    mother = next(r for r in rows if r["identifiant"] == "sophie.martin")
    assert mother["enfants"] == "Camille Martin (5E1)"


def test_letters_can_target_a_class_and_the_parents_of_a_class(
    tmp_path: Path, college: Establishment
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "a.csv"), class_name="5E1")
    assert [r["identifiant"] for r in _read_csv(tmp_path / "a.csv")] == ["camille.martin"]
    run(
        "activation_letters",
        uai="0312609T",
        out=str(tmp_path / "b.csv"),
        class_name="5E1",
        profile="National_TUT",
    )
    assert [r["identifiant"] for r in _read_csv(tmp_path / "b.csv")] == ["sophie.martin"]


def test_issuing_letters_again_renews_the_codes(tmp_path: Path, college: Establishment) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "a.csv"), class_name="4A")
    first = _read_csv(tmp_path / "a.csv")[0]["code_activation"]
    run("activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"), class_name="4A")
    second = _read_csv(tmp_path / "b.csv")[0]["code_activation"]
    assert first != second
    assert activation_redirect("leo.petit", first, None) is None
    assert activation_redirect("leo.petit", second, None)
    assert ActivationCode.objects.filter(person__login="leo.petit").count() == 1


def test_pdf_letters_have_one_page_per_person(tmp_path: Path, college: Establishment) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.pdf"))
    pages = PdfReader(tmp_path / "fiches.pdf").pages
    assert len(pages) == 3
    texts = [page.extract_text() for page in pages]
    camille = next(t for t in texts if "camille.martin" in t)
    assert "Fiche de connexion" in camille and "http://testserver" in camille
    assert "Collège Jean Jaurès" in camille and "classe 5E1" in camille
    lines = [line.strip() for line in camille.splitlines()]
    typed = lines[lines.index("Code d'activation :") + 1]
    assert activation_redirect("camille.martin", typed, None)


@pytest.mark.parametrize("name", ["fiches.csv", "fiches.pdf"])
def test_it_writes_the_letters_readable_by_their_owner_only(
    tmp_path: Path, college: Establishment, name: str
) -> None:
    out = tmp_path / name
    out.write_text("previous letters")
    out.chmod(0o644)
    previous = os.umask(0o022)
    try:
        run("activation_letters", uai="0312609T", out=str(out))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes() != b"previous letters"


def test_letters_refuse_bad_options(tmp_path: Path, college: Establishment) -> None:
    with pytest.raises(CommandError, match="lettre de contrôle"):
        run("activation_letters", uai="0312609A", out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="inconnu"):
        run("activation_letters", uai="0312610U", out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match=".pdf ou .csv"):
        run("activation_letters", uai="0312609T", out=str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="Profil"):
        run("activation_letters", uai="0312609T", out=str(tmp_path / "x.csv"), profile="xx")


def test_a_failed_write_keeps_the_previous_codes(tmp_path: Path, college: Establishment) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "a.csv"), class_name="4A")
    first = _read_csv(tmp_path / "a.csv")[0]["code_activation"]
    (tmp_path / "dir.pdf").mkdir()
    with pytest.raises(CommandError, match="c'est un dossier"):
        run("activation_letters", uai="0312609T", out=str(tmp_path / "dir.pdf"), class_name="4A")
    assert activation_redirect("leo.petit", first, None)


def test_an_interrupted_write_renews_no_code_and_leaves_no_file(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "a.csv"), class_name="4A")
    first = _read_csv(tmp_path / "a.csv")[0]["code_activation"]

    def full_disk(letters: object, path: Path) -> None:
        path.write_text("half a letter")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        "socle.directory.management.commands.activation_letters.write_csv", full_disk
    )
    with pytest.raises(CommandError, match="plus de place sur le disque. Aucun code"):
        run("activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"), class_name="4A")
    assert activation_redirect("leo.petit", first, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_sigterm_renews_no_code_and_leaves_no_partial_file(
    tmp_path: Path, college: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kill`` (systemd, a timeout) in the middle of the letters: Python's default ended the
    process there, leaving half a letters file, ``.b.csv.<random>.partial``."""
    run("activation_letters", uai="0312609T", out=str(tmp_path / "a.csv"), class_name="4A")
    first = _read_csv(tmp_path / "a.csv")[0]["code_activation"]

    def killed(letters: object, path: Path) -> None:
        path.write_text("half a letter")
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr("socle.directory.management.commands.activation_letters.write_csv", killed)
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command(
            "activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"), class_name="4A",
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert stopped.value.code == 143
    assert err.getvalue().strip() == (
        "Interrompu. Aucun code n'a été renouvelé : relancez la même commande."
    )
    assert activation_redirect("leo.petit", first, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_shows_the_progress_of_the_pdf_on_a_terminal_only(
    tmp_path: Path, college: Establishment
) -> None:
    """Some 400 pages a second: a lycée's letters take tens of seconds."""
    err = _Terminal()
    call_command(
        "activation_letters", uai="0312609T", out=str(tmp_path / "a.pdf"),
        stdout=io.StringIO(), stderr=err, force_color=True,
    )  # fmt: skip
    assert err.getvalue() == (
        "\rCréation des codes d'activation…\x1b[K\rFiches de connexion : 3/3\x1b[K\n"
    )
    _out, piped = run("activation_letters", uai="0312609T", out=str(tmp_path / "b.pdf"))
    assert piped == ""  # cron, a log: no carriage returns


def test_an_empty_selection_writes_nothing(tmp_path: Path, college: Establishment) -> None:
    with pytest.raises(CommandError, match="Aucune fiche"):
        run("activation_letters", uai="0312609T", out=str(tmp_path / "a.pdf"), class_name="9Z")
    assert not (tmp_path / "a.pdf").exists()


def test_its_temporary_file_cannot_be_guessed_nor_a_file_planted_there_removed(
    tmp_path: Path, college: Establishment
) -> None:
    """The letters' codes open accounts: in a folder others may write in, a temporary name made
    of the process id let another user plant a file there beforehand (the letters refused) and
    had the command remove it. The name is random, created exclusively."""
    planted = tmp_path / f".b.csv.{os.getpid()}.partial"
    planted.write_text("someone else's")
    run("activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"), class_name="4A")
    assert _read_csv(tmp_path / "b.csv")[0]["code_activation"]
    assert planted.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["b.csv", planted.name])


def test_the_half_letters_file_of_a_killed_run_is_removed_by_the_next_one(
    tmp_path: Path, college: Establishment
) -> None:
    """``kill -9`` leaves the temporary file (codes included) beside ``--out``: the next run
    writing the same file removes it once more than an hour old, as ``pronote_export`` does."""
    leftover = tmp_path / ".b.csv.0123456789abcdef.partial"
    recent = tmp_path / ".b.csv.fedcba9876543210.partial"  # a run going on beside this one
    for path in (leftover, recent):
        path.write_text("half a letter")
    old = time.time() - 2 * 3600
    os.utime(leftover, (old, old))
    run("activation_letters", uai="0312609T", out=str(tmp_path / "b.csv"), class_name="4A")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["b.csv", recent.name])


def test_only_new_leaves_the_letters_already_handed_out_valid(
    tmp_path: Path, college: Establishment
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "first.csv"))
    first = {r["identifiant"]: r["code_activation"] for r in _read_csv(tmp_path / "first.csv")}
    make_person("Yanis", "Haddad", password=None, establishment=college, class_name="6E1")
    out, _ = run("activation_letters", "--only-new", uai="0312609T", out=str(tmp_path / "b.csv"))
    assert "1 fiche(s) de connexion écrite(s)" in out
    assert "les fiches déjà distribuées restent valables" in out
    assert [r["identifiant"] for r in _read_csv(tmp_path / "b.csv")] == ["yanis.haddad"]
    for login, code in first.items():  # the first wave still opens its accounts
        assert activation_redirect(login, code, None)


def test_only_new_gives_a_letter_again_once_the_code_expired(
    tmp_path: Path, college: Establishment
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "first.csv"))
    ActivationCode.objects.filter(person__login="leo.petit").update(expires_at="2020-01-01T00:00Z")
    run("activation_letters", "--only-new", uai="0312609T", out=str(tmp_path / "b.csv"))
    assert [r["identifiant"] for r in _read_csv(tmp_path / "b.csv")] == ["leo.petit"]


def test_only_new_with_nobody_new_is_said_and_writes_nothing(
    tmp_path: Path, college: Establishment
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "first.csv"))
    codes = list(ActivationCode.objects.values_list("code_hash", flat=True))
    out, _ = run("activation_letters", "--only-new", uai="0312609T", out=str(tmp_path / "b.csv"))
    assert out.startswith("Aucune nouvelle fiche : dans cette sélection, toute personne sans mot")
    assert not (tmp_path / "b.csv").exists()
    assert list(ActivationCode.objects.values_list("code_hash", flat=True)) == codes


def test_only_new_with_a_mistyped_class_is_an_error_as_without_it(
    tmp_path: Path, college: Establishment
) -> None:
    """A class nobody is in (« 6E1 » for « 6E 1 ») is no « Aucune nouvelle fiche : … toute
    personne sans mot de passe a déjà un code valable », which a rentrée script would take for
    done: the same error as without --only-new."""
    with pytest.raises(CommandError, match="vérifiez --class et --profile"):
        run(
            "activation_letters",
            "--only-new",
            uai="0312609T",
            out=str(tmp_path / "a.pdf"),
            class_name="9Z",
        )
    assert not (tmp_path / "a.pdf").exists()


def test_a_school_where_everyone_has_a_password_is_said_so(tmp_path: Path) -> None:
    school = make_establishment("0312799Z", "Collège Voltaire")
    make_person("Zoé", "Active", establishment=school)
    with pytest.raises(CommandError, match="tout le monde a déjà un mot de passe dans cet"):
        run("activation_letters", uai="0312799Z", out=str(tmp_path / "a.pdf"))
    assert not (tmp_path / "a.pdf").exists()


def test_only_new_gives_a_person_of_two_schools_one_letter_that_stays_valid(
    tmp_path: Path, college: Establishment
) -> None:
    other = make_establishment("0312799Z", "Collège Voltaire")
    teacher = make_person(
        "Hélène", "Le Gall", password=None, establishment=college, profile="National_ENS"
    )
    teacher.memberships.create(establishment=other, profile="National_ENS")
    run("activation_letters", "--only-new", uai="0312609T", out=str(tmp_path / "a.csv"))
    (code,) = [
        r["code_activation"]
        for r in _read_csv(tmp_path / "a.csv")
        if r["identifiant"] == "helene.le-gall"
    ]
    out, _ = run("activation_letters", "--only-new", uai="0312799Z", out=str(tmp_path / "b.csv"))
    assert out.startswith("Aucune nouvelle fiche")  # her only one is Jaurès's …
    assert activation_redirect("helene.le-gall", code, None)  # … and it still works


def test_it_names_the_ent_on_the_letters(
    tmp_path: Path, college: Establishment, settings: object
) -> None:
    settings.SOCLE_ENT_NAME = "Mon ENT Occitanie"  # type: ignore[attr-defined]
    run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.pdf"), class_name="4A")
    reader = PdfReader(tmp_path / "fiches.pdf")
    assert "Fiche de connexion à Mon ENT Occitanie" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == "Fiches de connexion à Mon ENT Occitanie"
    assert reader.metadata.author == "Mon ENT Occitanie"
    run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.csv"), class_name="4A")
    assert [r["nom_ent"] for r in _read_csv(tmp_path / "fiches.csv")] == ["Mon ENT Occitanie"]


def test_it_fits_a_long_ent_name_in_the_letter_title(
    tmp_path: Path, college: Establishment, settings: object
) -> None:
    name = "Espace numérique de travail des collèges et lycées de la région Occitanie"
    settings.SOCLE_ENT_NAME = name  # type: ignore[attr-defined]
    run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.pdf"), class_name="4A")
    text = " ".join(PdfReader(tmp_path / "fiches.pdf").pages[0].extract_text().split())
    assert f"Fiche de connexion à {name}" in text


def test_it_says_socle_on_the_letters_when_the_ent_has_no_name(
    tmp_path: Path, college: Establishment
) -> None:
    run("activation_letters", uai="0312609T", out=str(tmp_path / "fiches.pdf"), class_name="4A")
    text = PdfReader(tmp_path / "fiches.pdf").pages[0].extract_text()
    assert "Fiche de connexion à Socle" in text


def test_it_writes_the_letters_into_a_named_pipe_without_replacing_it(
    tmp_path: Path, college: Establishment
) -> None:
    """Renamed over, a named pipe (``--out`` a link to ``/dev/stdout``…) became a regular file
    and its reader got nothing: the letters now go into it, the summary to stderr."""
    fifo = tmp_path / "fiches.csv"
    reader = PipeReader(fifo)
    out, err = run("activation_letters", uai="0312609T", out=str(fifo))
    received = reader.received()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    rows = list(csv.DictReader(io.StringIO(received.decode("utf-8-sig")), delimiter=";"))
    assert {r["identifiant"] for r in rows} == {"camille.martin", "leo.petit", "sophie.martin"}
    assert out == ""
    assert "3 fiche(s) de connexion écrite(s)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fiches.csv"]


def test_it_writes_names_a_spreadsheet_would_take_for_formulas_as_text(tmp_path: Path) -> None:
    school = make_establishment(uai="0312610U", name="=Collège")
    make_person(
        "-Sarah", '=HYPERLINK("http://x")', password=None, establishment=school, class_name="@5E1"
    )
    run("activation_letters", uai="0312610U", out=str(tmp_path / "fiches.csv"))
    (row,) = _read_csv(tmp_path / "fiches.csv")
    assert row["etablissement"] == "'=Collège"
    assert row["nom"] == '\'=HYPERLINK("http://x")'
    assert row["prenom"] == "'-Sarah"
    assert row["classe"] == "'@5E1"
    assert row["identifiant"][:1] not in "'=+-@"
