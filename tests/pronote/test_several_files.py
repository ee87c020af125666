"""Several CSV extractions make one import: their lines are numbered alike, so every message and
every row's location names its file."""

from __future__ import annotations

import pytest
from django.utils import translation

from socle.pronote.files import PronoteFileError
from socle.pronote.importer.session import load_files

UAI = "0312609T"
HEADER = "Nom;Prénom;Né(e) le;Classe;Identifiant_PRONOTE-ENT\r\n"
PUPILS = HEADER + "MARTIN;Camille;04/03/2012;4A;AZKH9C7WSQ2R54DP\r\n"


def test_it_names_both_files_of_an_identifier_given_twice():
    teachers = "Nom;Prénom;Identifiant_PRONOTE-ENT\r\nBERRONE;Christian;AZKH9C7WSQ2R54DP\r\n"
    with pytest.raises(PronoteFileError) as refused:
        load_files([("EXP_ELEVES.csv", PUPILS.encode()), ("EXP_PROFS.csv", teachers.encode())], UAI)
    assert str(refused.value) == (
        "EXP_PROFS.csv, ligne 2 : l'identifiant PRONOTE AZKH9C7WSQ2R54DP est déjà celui de "
        "MARTIN Camille (EXP_ELEVES.csv, ligne 2)."
    )


def test_it_names_the_file_of_a_line_at_fault():
    wrong = HEADER + "ROUX;Emma;31/02/2012;4A;BZKH9C7WSQ2R54DP\r\n"
    with pytest.raises(PronoteFileError) as refused:
        load_files([("EXP_ELEVES.csv", PUPILS.encode()), ("EXP_ELEVES_2.csv", wrong.encode())], UAI)
    assert str(refused.value).startswith("EXP_ELEVES_2.csv — ligne 2 : date de naissance")


def test_it_names_the_file_in_english():
    wrong = HEADER + "ROUX;Emma;31/02/2012;4A;BZKH9C7WSQ2R54DP\r\n"
    with translation.override("en"), pytest.raises(PronoteFileError) as refused:
        load_files([("EXP_ELEVES.csv", PUPILS.encode()), ("EXP_ELEVES_2.csv", wrong.encode())], UAI)
    assert str(refused.value).startswith("EXP_ELEVES_2.csv — line 2: ")


def test_it_keeps_the_locations_of_a_single_file_as_they_were():
    parsed = load_files([("EXP_ELEVES.csv", PUPILS.encode())], UAI)
    assert [r.location for r in parsed.records] == ["ligne 2"]


def test_it_stores_the_file_name_in_each_rows_location():
    teachers = "Nom;Prénom;Identifiant_PRONOTE-ENT\r\nBERRONE;Christian;PROFBERRONE00001\r\n"
    parsed = load_files(
        [("EXP_ELEVES.csv", PUPILS.encode()), ("EXP_PROFS.csv", teachers.encode())], UAI
    )
    assert [r.location for r in parsed.records] == [
        "EXP_ELEVES.csv, ligne 2",
        "EXP_PROFS.csv, ligne 2",
    ]
