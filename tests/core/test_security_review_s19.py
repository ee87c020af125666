"""Attacks tried by the security review of 2026-12-04 on ``socle migrate``'s override: only the
registry checks that need the database (``socle.E040``, ``socle.E064``) are told instead of
stopping it; a pattern open to any site (``socle.E007``) still stops a migration."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.factories import make_service


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pattern", ["https://**", "**"])
def test_migrate_still_stops_on_a_pattern_that_sends_tickets_to_any_site(pattern: str) -> None:
    make_service("ouvert", url="https://appli.example.org/", patterns=(pattern,))
    with pytest.raises(SystemCheckError, match="socle.E007"):
        call_command(
            "migrate", skip_checks=False, verbosity=0, stdout=StringIO(), stderr=StringIO()
        )
    with pytest.raises(SystemCheckError, match="socle.E007"):
        call_command(
            "migrate",
            "--check",
            skip_checks=False,
            verbosity=0,
            stdout=StringIO(),
            stderr=StringIO(),
        )
