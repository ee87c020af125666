"""A configuration mistake stops ``socle`` with one French line naming the variable (English with
``SOCLE_LANGUAGE=en``; exit status 1), never a Python traceback: ``socle.cli.main`` prints the
message of ``ConfigurationError`` and ``ImproperlyConfigured``, and ``socle.settings`` validates
each value itself instead of letting Django, ``logging`` or the database driver fail later in
English."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.core.cli import UNSET, run_socle


def _one_line_naming(result: subprocess.CompletedProcess[str], variable: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    return lines[0]


def test_it_explains_a_missing_secret_key_even_for_help(tmp_path: Path):
    line = _one_line_naming(
        run_socle(tmp_path, "--help", SOCLE_SECRET_KEY=UNSET), "SOCLE_SECRET_KEY"
    )
    assert "doit être défini" in line


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("SOCLE_DEBUG", "maybe", "valeur booléenne attendue"),
        ("SOCLE_CAS_ST_LIFETIME", "abc", "nombre entier attendu"),
        ("SOCLE_LANGUAGE", "de", "fr ou en"),
        ("SOCLE_BASE_URL", "ent.example.org", "URL http(s) absolue"),
        ("SOCLE_TIME_ZONE", "Paris", "fuseau horaire inconnu"),
        ("SOCLE_LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING"),
        ("SOCLE_DATABASE_URL", "mysql2://x", "« mysql2 » non pris en charge"),
        ("SOCLE_DATABASE_URL", "postgres//bad", "« schéma:// » manquant"),
        ("SOCLE_ALLOWED_HOSTS", " , ", "au moins une valeur attendue"),
        ("SOCLE_ALLOWED_HOSTS", "", "défini mais vide : au moins une valeur attendue"),
        ("SOCLE_ALLOWED_HOSTS", "  ", "retirez la variable pour sa valeur par défaut"),
        ("SOCLE_TRUSTED_PROXIES", "", "défini mais vide : au moins une valeur attendue"),
        ("SOCLE_TRUSTED_PROXIES", ",", "au moins une valeur attendue"),
        ("SOCLE_ACCESSIBILITY_COMPLIANCE", "oui", "none (non conforme), partial, full"),
    ],
)
def test_it_names_the_variable_of_a_bad_value_in_one_french_line(
    tmp_path: Path, variable: str, value: str, words: str
):
    line = _one_line_naming(run_socle(tmp_path, "check", **{variable: value}), variable)
    assert words in line


def test_it_says_a_bad_language_in_both_languages_on_one_line(tmp_path: Path):
    """SOCLE_LANGUAGE=de asks for neither language: the reader gets both."""
    line = _one_line_naming(run_socle(tmp_path, "check", SOCLE_LANGUAGE="de"), "SOCLE_LANGUAGE")
    french, english = line.split(" / ")
    assert "fr ou en" in french
    assert "SOCLE_LANGUAGE" in english and "fr ou en" not in english


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("SOCLE_DEBUG", "maybe", "SOCLE_DEBUG='maybe': a boolean expected (true/false)."),
        ("SOCLE_CAS_ST_LIFETIME", "abc", "SOCLE_CAS_ST_LIFETIME='abc': a whole number expected."),
        ("SOCLE_CAS_ST_LIFETIME", "0", "SOCLE_CAS_ST_LIFETIME=0: must be at least 1."),
        (
            "SOCLE_TIME_ZONE",
            "Paris",
            "SOCLE_TIME_ZONE='Paris': unknown time zone; expected a name of the IANA database, "
            "e.g. Europe/Paris, America/Cayenne, Indian/Reunion",
        ),
        (
            "SOCLE_DATABASE_URL",
            "postgres://socle:s3cret@db:notaport/socle",
            "SOCLE_DATABASE_URL: unreadable address (a port that is not a number, or a special "
            'character of the password not encoded: "@" is written %40, "/" %2F, ":" %3A); '
            "expected postgres://user:password@host:5432/database.",
        ),
        (
            "SOCLE_SECRET_KEY_FILE",
            "/nonexistent/secret_key",
            "SOCLE_SECRET_KEY_FILE: cannot read /nonexistent/secret_key (file not found).",
        ),
        (
            "SOCLE_TRUSTED_PROXIES",
            "",
            "SOCLE_TRUSTED_PROXIES is set but empty: at least one value expected (remove the "
            "variable for its default value, 127.0.0.1,::1).",
        ),
    ],
)
def test_it_says_a_bad_value_in_english_with_socle_language_en(
    tmp_path: Path, variable: str, value: str, line: str
):
    """The settings cannot be read, so Django's translations cannot be either: the message is
    translated from the catalogue itself, in the language SOCLE_LANGUAGE names."""
    result = run_socle(tmp_path, "check", SOCLE_LANGUAGE="en", **{variable: value})
    assert _one_line_naming(result, variable) == line


def test_it_never_repeats_the_password_of_a_malformed_database_url(tmp_path: Path):
    url = "postgres://socle:s3cret@db:notaport/socle"
    result = run_socle(tmp_path, "check", SOCLE_DATABASE_URL=url)
    line = _one_line_naming(result, "SOCLE_DATABASE_URL")
    assert "s3cret" not in line and "adresse illisible" in line


def test_it_refuses_an_empty_or_missing_secret_key_file(tmp_path: Path):
    empty = tmp_path / "secret_key"
    empty.write_text("\n")
    line = _one_line_naming(
        run_socle(tmp_path, "check", SOCLE_SECRET_KEY_FILE=str(empty)), "SOCLE_SECRET_KEY_FILE"
    )
    assert "est vide" in line
    missing = tmp_path / "absent"
    line = _one_line_naming(
        run_socle(tmp_path, "check", SOCLE_SECRET_KEY_FILE=str(missing)), "SOCLE_SECRET_KEY_FILE"
    )
    assert "fichier introuvable" in line


def test_it_reads_a_variable_set_to_nothing_as_unset_where_a_default_is_a_value(tmp_path: Path):
    """``SOCLE_X=`` in an env file, ``${SOCLE_X:-}`` in a compose file: the default, except
    for the lists that may not be empty (above)."""
    result = run_socle(tmp_path, "check", SOCLE_LOG_LEVEL="", SOCLE_ADMISSION_DEFERRED_PROFILES=" ")
    assert result.returncode == 0, result.stderr


def test_it_accepts_a_lower_case_log_level_and_a_real_time_zone(tmp_path: Path):
    result = run_socle(tmp_path, "check", SOCLE_LOG_LEVEL="debug", SOCLE_TIME_ZONE="Indian/Reunion")
    assert result.returncode == 0, result.stderr


def test_it_leaves_hsts_and_the_https_redirect_to_the_tls_proxy(tmp_path: Path):
    production = {
        "SOCLE_BASE_URL": "https://ent.example.org",
        "SOCLE_TRUSTED_PROXIES": "10.0.0.5",
        "SOCLE_SECRET_KEY": "Zr8-q2LxV0pTn4sWk9yBcE1uHj6mFa3dGo7iRl5eXt_NvQwYz0AbCdEfGhIjKl",
        "SOCLE_ACCESSIBILITY_URL": "https://ent.example.org/accessibilite",
        "SOCLE_PRIVACY_URL": "https://ent.example.org/donnees-personnelles",
    }
    behind_proxy = run_socle(
        tmp_path, "check", "--deploy", SOCLE_BEHIND_TLS_PROXY="true", **production
    )
    assert behind_proxy.returncode == 0, behind_proxy.stderr
    assert "no issues (2 silenced)" in behind_proxy.stdout
    direct = run_socle(tmp_path, "check", "--deploy", **production)
    assert "security.W004" in direct.stderr and "security.W008" in direct.stderr
