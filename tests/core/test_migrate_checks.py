"""``socle migrate``: a registered service failing a check that reads the database
(``socle.E040``) is told but no longer stops a migration or ``migrate --check``; an error of the
checks every command runs (a configuration error, the registry's ``socle.E006``) still does."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from socle.portal.models import PatternKind
from tests.factories import make_service


def migrate(*args: str) -> str:
    err = StringIO()
    call_command("migrate", *args, skip_checks=False, verbosity=0, stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_it_migrates_with_a_service_failing_a_registry_check_and_says_so() -> None:
    make_service(
        "ouvert", url="https://appli.example.org/", patterns=("https://appli.example.org**",)
    )
    told = migrate()
    assert "socle.E040" in told
    assert "ouvert" in told


@pytest.mark.django_db(transaction=True)
def test_migrate_check_answers_about_the_migrations_alone() -> None:
    make_service(
        "ouvert", url="https://appli.example.org/", patterns=("https://appli.example.org**",)
    )
    migrate("--check")  # up to date: no SystemExit(1) for the service


@pytest.mark.django_db(transaction=True)
def test_a_configuration_error_still_stops_it() -> None:
    with override_settings(SECRET_KEY="court"), pytest.raises(SystemCheckError, match="E081"):
        migrate()


@pytest.mark.django_db(transaction=True)
def test_it_still_stops_on_a_pattern_the_registry_cannot_compile() -> None:
    """``socle.E006`` is no database-tagged check: it runs with every command, and stops this
    one as before (docs/deployment.md)."""
    make_service(
        "casse",
        url="https://appli.example.org/",
        patterns=(r"^https://appli\.example\.org/(",),
        kind=PatternKind.REGEX,
    )
    with pytest.raises(SystemCheckError, match="E006"):
        migrate()
