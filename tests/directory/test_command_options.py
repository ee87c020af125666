"""A command's ``--uai``: the establishment, or one refusal worded the same by every command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from socle.directory.command_options import establishment_of
from tests.factories import make_establishment

UNKNOWN = "Établissement 0310001H inconnu (socle establishment_add)."


def test_it_finds_the_establishment_whatever_the_case() -> None:
    school = make_establishment("0312609T")
    assert establishment_of(" 0312609t ") == school


def test_it_refuses_an_invalid_or_unknown_uai() -> None:
    with pytest.raises(CommandError, match="lettre de contrôle"):
        establishment_of("0312609A")
    with pytest.raises(CommandError) as refused:
        establishment_of("0310001h")
    assert str(refused.value) == UNKNOWN


@pytest.mark.parametrize(
    "args",
    [
        ("activation_letters", "--uai", "0310001H", "--out", "absent.pdf"),
        ("pronote_doctor", "--uai", "0310001H"),
        ("pronote_import", "absent.xml", "--uai", "0310001H", "--mode", "partiel"),
        (
            "pronote_export",
            "--uai",
            "0310001H",
            "--public-key",
            "absent.pem",
            "--partner-id",
            "1",
            "--out",
            "absent.xml",
        ),
        ("service_add", "appli", "Appli", "--url", "https://a.example.org/", "--uai", "0310001H"),
    ],
)
def test_it_words_the_refusal_of_an_unknown_uai_alike_in_every_command(
    args: tuple[str, ...], tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing is written: refused before
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    assert str(refused.value) == UNKNOWN
