import pytest
from django.core.exceptions import ValidationError

from socle.directory.models import Establishment
from socle.directory.uai import InvalidUAI, normalize_uai


def test_it_accepts_a_uai_with_the_right_check_letter() -> None:
    assert normalize_uai("0312609t") == "0312609T"


def test_it_rejects_a_wrong_check_letter_naming_the_right_one() -> None:
    with pytest.raises(InvalidUAI, match="la lettre de contrôle de 0312609 est T, pas A"):
        normalize_uai("0312609A")


@pytest.mark.parametrize("value", ["", "031260T", "03126090T", "0312609", "ABCDEFGH", "0312609TT"])
def test_it_rejects_malformed_uais(value: str) -> None:
    with pytest.raises(InvalidUAI):
        normalize_uai(value)


def test_it_refuses_to_validate_an_establishment_with_a_bad_uai() -> None:
    with pytest.raises(ValidationError):
        Establishment(uai="0312609A", name="X").full_clean()
