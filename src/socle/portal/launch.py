"""Where the launcher's button leads: ``/cas/login?service=<service URL>``, and for PRONOTE the
espace of each profile the person is granted in (``…/pronote/eleve.html``…)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

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
