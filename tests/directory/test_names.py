import pytest

from socle.directory.names import compact_name, normalize_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jean-Pierre", "jean pierre"),
        ("  HÉLÈNE   ", "helene"),
        ("D’Artagnan", "d artagnan"),
        ("d'artagnan", "d artagnan"),
        ("Lætitia Œuvrard", "laetitia oeuvrard"),
        ("de la Fontaine", "de la fontaine"),
        ("McDonald", "mcdonald"),
        ("Mc Donald", "mc donald"),
        ("Van der Berg", "van der berg"),
        ("", ""),
    ],
)
def test_it_folds_case_accents_hyphens_apostrophes_and_spaces(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_it_keeps_particles_and_mc_rather_than_dropping_them() -> None:
    assert normalize_name("Le Goff") != normalize_name("Goff")
    assert normalize_name("McLean") != normalize_name("Lean")


def test_compact_name_ignores_spaces() -> None:
    assert compact_name("D'Artagnan") == compact_name("Dartagnan")
