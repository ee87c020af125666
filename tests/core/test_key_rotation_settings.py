"""``SOCLE_SECRET_KEY_FALLBACKS`` (or ``…_FILE``): the former secret keys kept after a rotation,
read strictly (one French line for a value that cannot be used) and checked like the key
(``socle.E095``, ``socle.W096``, ``socle.W097``). What they keep working:
tests/cas/test_key_rotation.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.core import secret_checks
from tests.core.cli import run_socle

OLD = "old-key-" + "a1B2c3D4" * 7
NEW = "new-key-" + "z9Y8x7W6" * 7


def test_it_refuses_a_weak_former_key(settings):
    settings.SECRET_KEY_FALLBACKS = [OLD, "x" * 60]
    (error,) = secret_checks.check_secret_key_fallbacks()
    assert error.id == "socle.E095"
    assert "n° 2" in error.msg


def test_it_warns_when_the_former_keys_hold_the_current_one(settings):
    settings.SECRET_KEY_FALLBACKS = [OLD, settings.SECRET_KEY]
    (warning,) = secret_checks.check_secret_key_fallbacks()
    assert warning.id == "socle.W096"


def test_it_says_nothing_of_good_former_keys_or_of_none(settings):
    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert secret_checks.check_secret_key_fallbacks() == []
    settings.SECRET_KEY_FALLBACKS = []
    assert secret_checks.check_secret_key_fallbacks() == []


def test_it_reads_the_former_keys_from_a_file_for_the_owner_only(tmp_path: Path):
    keys = tmp_path / "former_keys"
    keys.write_text(f"{OLD}\n\n{NEW}\n")
    keys.chmod(0o600)
    printed = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = run_socle(tmp_path, "shell", "-c", printed, SOCLE_SECRET_KEY_FALLBACKS_FILE=str(keys))
    assert result.returncode == 0, result.stderr
    assert f"['{OLD}', '{NEW}']" in result.stdout
    keys.chmod(0o644)
    result = run_socle(tmp_path, "check", SOCLE_SECRET_KEY_FALLBACKS_FILE=str(keys))
    assert "socle.W097" in result.stderr


def test_it_reads_the_former_keys_from_the_variable(tmp_path: Path):
    printed = "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    result = run_socle(tmp_path, "shell", "-c", printed, SOCLE_SECRET_KEY_FALLBACKS=f"{OLD}, {NEW}")
    assert f"['{OLD}', '{NEW}']" in result.stdout


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"SOCLE_SECRET_KEY_FALLBACKS": f"{OLD},,{NEW}"}, "clé vide dans la liste"),
        (
            {"SOCLE_SECRET_KEY_FALLBACKS": OLD, "SOCLE_SECRET_KEY_FALLBACKS_FILE": "/etc/x"},
            "tous deux définis",
        ),
        ({"SOCLE_SECRET_KEY_FALLBACKS_FILE": "/nonexistent/keys"}, "fichier introuvable"),
    ],
)
def test_it_refuses_unreadable_former_keys_in_one_line(tmp_path: Path, variables, words):
    result = run_socle(tmp_path, "check", **variables)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "SOCLE_SECRET_KEY_FALLBACKS" in line and words in line
