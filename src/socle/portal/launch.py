"""Where the launcher's button leads: ``/cas/login?service=<service URL>``, and for PRONOTE the
espace of each profile the person is granted in (``…/pronote/eleve.html``…); and what the page
warns of before the click (notes other apps register: :func:`register_launcher_note`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from socle.directory.models import Person
from socle.portal.espaces import ESPACES, espace_url, espaces_for
from socle.portal.models import Service, SSOType
from socle.portal.policy import Decision


@dataclass(frozen=True)
class Target:
    label: str
    url: str  # where the browser goes: the CAS login for SSO services, else the service itself
    service_url: str  # the URL the service is reached at
    espace: str = ""  # PRONOTE espace label


def cas_login_url(service_url: str) -> str:
    try:
        login = reverse("cas:login")
    except NoReverseMatch:
        login = "/cas/login"
    return f"{login}?{urlencode({'service': service_url})}"


def launch_targets(service: Service, decision: Decision, *, phone: bool) -> list[Target]:
    """One target per way in; several for PRONOTE when the person has several espaces."""
    if service.sso_type == SSOType.NONE:
        return [Target(service.label, service.url, service.url)]
    if service.sso_type == SSOType.PRONOTE:
        profiles = {v.profile for v in decision.verdicts if v.allowed and v.profile}
        targets = []
        for key in espaces_for(profiles):
            url = espace_url(service.url, key, phone=phone)
            targets.append(Target(service.label, cas_login_url(url), url, str(ESPACES[key].label)))
        if targets:
            return targets
    return [Target(service.label, cas_login_url(service.url), service.url)]


LauncherNote = Callable[[Person, Service], str]
"""``note(person, service)``: what the launcher page should warn ``person`` of before they open
``service`` (« "" » for nothing), e.g. the PRONOTE connector's « identifier not received yet »."""

_notes: list[LauncherNote] = []


def register_launcher_note(note: LauncherNote) -> None:
    """Called from an app's ``ready()`` (``portal`` never imports the apps that warn)."""
    if note not in _notes:
        _notes.append(note)


def launcher_notes(person: Person, service: Service) -> list[str]:
    """The warnings of every registered note for ``person`` opening ``service``, in order."""
    return [text for note in _notes if (text := note(person, service))]
