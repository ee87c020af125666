"""A service's URL and its patterns in two schemes (an https URL with an ``http://…/**`` pattern,
or the reverse): « Mon espace » sends the URL to the CAS, which answers only what a pattern
accepts, so every launch would be refused as an unknown service. ``service_add`` refuses such a
pattern, as the portal's form does, with the same words, and ``socle check`` (socle.W042) says
them of a service stored so (``socle.portal.patterns.scheme_problem``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from socle.directory.models import Person
from socle.portal.checks import check_service_patterns
from socle.portal.models import Service
from tests.cas.conftest import cas_login
from tests.factories import make_establishment, make_person, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import field_errors, post_new

APP = "appli.example.org"
PRONOTE = "0312609t.index-education.net/pronote/"


def service_add(url: str, *patterns: str, extra: tuple[str, ...] = ()) -> str:
    """``socle service_add appli …``: what it wrote to stdout."""
    out = io.StringIO()
    options = [option for pattern in patterns for option in ("--pattern", pattern)]
    call_command(
        "service_add", "appli", "Appli", "--url", url, *options, *extra, stdout=out, stderr=out
    )
    return out.getvalue()


@pytest.mark.parametrize(
    ("url", "pattern", "sent"),
    [
        (f"https://{APP}/", f"http://{APP}/**", f"http://{APP}/"),
        (f"http://{APP}/", f"https://{APP}/**", f"https://{APP}/"),
        (f"https://{APP}/", f"regex:^http://{APP}/.*", f"http://{APP}/"),
    ],
)
def test_it_refuses_a_pattern_in_the_other_scheme_than_the_url(url, pattern, sent):
    with pytest.raises(CommandError) as refused:
        service_add(url, pattern)
    message = str(refused.value)
    assert message.startswith(f"Motif « {pattern} » refusé : Ce motif accepte l'adresse du ")
    assert f"({sent}), pas son URL ({url})" in message
    assert "le même schéma" in message and "^https?://" in message
    assert not Service.objects.exists()  # nothing saved


def test_it_refuses_a_pronote_pattern_in_the_other_scheme_than_its_url():
    make_establishment("0312609T")
    with pytest.raises(CommandError, match="Ce motif accepte l'adresse du service en http "):
        service_add(
            f"https://{PRONOTE}",
            f"http://{PRONOTE}**",
            extra=("--sso", "pronote", "--uai", "0312609T"),
        )
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    "patterns",
    [
        (f"https://{APP}/**",),
        (f"regex:^https?://{APP}/.*",),  # both schemes, in one pattern that accepts the URL
    ],
)
def test_it_accepts_patterns_in_the_scheme_of_the_url(patterns):
    assert "Service appli enregistré" in service_add(f"https://{APP}/", *patterns)


def test_it_refuses_a_pattern_that_accepts_the_url_in_neither_scheme_as_the_form_does():
    """Another host's pattern beside one that accepts the URL: the portal's form and the Django
    admin refuse it (« Mon espace » opens the service at its URL); socle.W042 said it once
    saved."""
    with pytest.raises(CommandError, match="Ce motif ne correspond pas à l'URL du service"):
        service_add(f"https://{APP}/", f"https://{APP}/**", "https://autre.example.org/**")
    assert not Service.objects.exists()


def test_it_is_why_such_a_service_is_refused_by_the_cas_from_mon_espace():
    """Why it is refused: the launcher's address is the URL, which no pattern accepts."""
    make_service("appli", url=f"https://{APP}/", patterns=(f"http://{APP}/**",))
    person = make_person()
    answer = cas_login(Client(), person, f"https://{APP}/")
    assert answer.status_code == 403
    assert "Service non autorisé" in answer.content.decode()


def test_it_is_refused_by_the_portal_form_in_the_same_words():
    superuser = Person.objects.create_superuser("admin", "admin-password-2026")
    answer = post_new(
        logged_in(superuser),
        sso_type="cas",
        establishment="",
        url=f"https://{APP}/",
        patterns_text=f"http://{APP}/**",
    )
    (error,) = field_errors(answer, "patterns_text")
    assert error.startswith(
        f"http://{APP}/** — Ce motif accepte l'adresse du service en http (http://{APP}/), "
        f"pas son URL (https://{APP}/) : "
    )


def test_it_is_said_by_socle_check_of_a_service_stored_so():
    make_service("appli", url=f"https://{APP}/", patterns=(f"http://{APP}/**",))
    (warning,) = check_service_patterns(databases=["default"])
    assert warning.id == "socle.W042"
    assert "Ce motif accepte l'adresse du service en http" in warning.msg
    assert "il ne laisserait passer aucune connexion" not in warning.msg
