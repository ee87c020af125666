"""The school the phone-width browser tests measure (tests/portal/test_browser_phone*.py): the
demo's long service names, access rules, homonyms, PRONOTE imports and traces; and the page they
open it in (:func:`sized_page`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.urls import reverse

from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.models import AccessRule, AccessTarget, ServiceActivation, SSOType, Trace
from socle.pronote.importer.steps import validate_step
from tests.factories import make_person, make_service
from tests.portal.browser import session_cookie_for
from tests.pronote.helpers import record, start

# The narrowest phone in common use (Android's 360 × 740 CSS pixels).
PHONE = {"width": 360, "height": 740}
PRONOTE = "https://0312609t.index-education.net/pronote/"
# No hyphen in the host's first label: Chromium breaks a line after one, not inside a word.
LONG_URL = "https://collegeaunomvraimenttreslongpourmesurer.index-education.net/pronote/"


@contextmanager
def sized_page(
    browser: Any,
    live_server_url: str,
    person: Person | None = None,
    viewport: dict[str, int] = PHONE,
) -> Iterator[Any]:
    """A page of a new browser context (French, ``viewport``, a phone's by default), logged in
    as ``person`` (``None``: a visitor); the context is closed after."""
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    try:
        if person is not None:
            context.add_cookies([session_cookie_for(person, live_server_url)])
        yield context.new_page()
    finally:
        context.close()


def phone_school() -> tuple[Person, dict[str, str]]:
    """An establishment administrator, and the pages the reviewer measured, filled as in the
    demo: long service names, access rules, homonyms, a PRONOTE import at step 2, a finished one
    (its report), traces."""
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    admin = make_person(
        "Florence",
        "Delmas",
        establishment=school,
        profile=Profile.DIRECTION,
        is_admin=True,
    )
    pronote = make_service(
        "PRONOTE-0312609T",
        label="PRONOTE — Collège Jean Jaurès",
        sso_type=SSOType.PRONOTE,
        url=PRONOTE,
        patterns=(PRONOTE + "**",),
        establishment=school,
        category="Vie scolaire",
    )
    for code, label in [
        ("cahier-de-textes", "Cahier de textes numérique de l'établissement"),
        ("documentation-cdi", "Portail documentaire du CDI (e-sidoc)"),
        ("orientation-onisep", "Orientation : ressources ONISEP et Folios"),
    ]:
        make_service(code, label=label, url=f"https://{code}.example.org/", establishment=school)
    for profile in (Profile.PUPIL, Profile.PARENT, Profile.TEACHER, Profile.DIRECTION):
        rule = AccessRule.objects.create(
            service=pronote, target=AccessTarget.SITE, profile=profile, created_by=admin
        )
        rule.establishments.add(school)
    ServiceActivation.objects.create(
        service=pronote, establishment=school, enabled=True, populations=["eleve", "parent"]
    )
    pupils = [
        make_person(
            first,
            "Martin",
            establishment=school,
            class_name=klass,
            birth_date=dt.date(2012, 3, day),
        )
        for first, klass, day in [
            ("Camille", "4A", 4),
            ("Thomas", "5B", 12),
            ("Thomas", "3D", 30),
            ("Jean-Baptiste", "3A", 2),
        ]
    ]
    make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    camille = record("eleve", "MARTIN", "Camille", birth=dt.date(2012, 3, 4))
    finished = start(school, "partiel", camille)
    for number in range(1, 7):
        validate_step(finished, number)
    session = start(
        school,
        "complet",
        record("eleve", "MARTIN", "Tomas", birth=dt.date(2012, 3, 12)),
        record("eleve", "MARTIN", "Thomas", birth=None),
        record("eleve", "DE LA FONTAINE-MARTIN", "Jean Baptiste", birth=dt.date(2012, 3, 2)),
        record("eleve", "MARTIN", "Camille", birth=dt.date(2012, 3, 4)),
    )
    validate_step(session, 1)
    for event, outcome, detail in [
        ("login", "ok", ""),
        ("ticket_refused", "denied", "service non autorisé : " + LONG_URL + "eleve.html"),
        ("activation_changed", "ok", "activé : Élève, Parent, Enseignant, Personnel de direction"),
    ]:
        Trace.objects.create(
            event=event,
            outcome=outcome,
            person=admin,
            actor_login=admin.login,
            service_code=pronote.code,
            uai=school.uai,
            profile=Profile.DIRECTION,
            detail=detail,
        )
    edit = reverse("portal:service_edit", args=[pronote.pk])
    return admin, {
        "service form": edit,
        "services": reverse("portal:service_list"),
        "population": reverse("portal:service_access", args=[pronote.pk]),
        "user": reverse("portal:service_users", args=[pronote.pk]) + "?q=martin",
        "pronote import": reverse("pronote:index"),
        "pronote step 2": reverse("pronote:step", args=[session.pk, 2]),
        "pronote report": reverse("pronote:final", args=[finished.pk]),
        "activations": reverse("portal:activations") + "?etab=0312609T",
        "traces": reverse("portal:traces"),
        "diagnostic": reverse("pronote:doctor")
        + f"?establishment={school.pk}&login={pupils[0].login}",
    }
