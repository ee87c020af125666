"""Screenshots of the portal's main pages (also a smoke test of their layout in a browser).

Set ``SOCLE_SCREENSHOTS_DIR=docs/screenshots`` to refresh the images kept in the repository."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from socle.directory import blocking
from socle.directory.models import Establishment, GroupKind, Membership, MembershipGroup, Person
from socle.directory.profiles import Profile
from socle.portal.models import AccessMode, Service, ServiceActivation, SSOType, Trace
from socle.portal.trace_models import insert_scopes, scope_rows
from tests.factories import make_membership, make_person, make_pronote_service, make_service
from tests.portal.browser import chromium, session_cookie_for, submit

pytestmark = pytest.mark.browser

PRONOTE = "https://0312609t.index-education.net/pronote/"


def seed_catalogue(school: Establishment) -> None:
    pronote = make_pronote_service(
        school,
        url=PRONOTE,
        category="Scolarité",
        order=10,
        access_mode=AccessMode.RULES,
        description="Notes, emploi du temps, cahier de textes, absences.",
    )
    ServiceActivation.objects.create(
        service=pronote, establishment=school, populations=["eleve", "parent", "enseignant"]
    )
    make_service(
        "CDT",
        label="Cahier de textes",
        sso_type=SSOType.NONE,
        internal=True,
        url="https://ent.example.org/cdt/",
        category="Scolarité",
        order=20,
        patterns=(),
        description="Le travail à faire, classe par classe.",
    )
    make_service(
        "ABS",
        label="Absences",
        sso_type=SSOType.NONE,
        internal=True,
        url="https://ent.example.org/abs/",
        category="Vie scolaire",
        order=30,
        patterns=(),
        in_services_bar=False,
    )
    make_service(
        "CDI",
        label="Portail du CDI",
        url="https://cdi.example.org/",
        patterns=("https://cdi.example.org/**",),
        category="Ressources",
        order=40,
        description="Catalogue et ressources documentaires.",
    )
    make_service(
        "HELP",
        label="Aide en ligne",
        sso_type=SSOType.NONE,
        anonymous=True,
        url="https://aide.example.org/",
        category="Aide",
        order=90,
        patterns=(),
        description="Guides pour les familles et les élèves.",
    )
    rng = random.Random(7)
    today, now = timezone.localdate(), timezone.now()
    traces = []
    for days_ago in range(21):
        day = today - dt.timedelta(days=days_ago)
        weekday_factor = 0.3 if day.weekday() >= 5 else 1.0
        for code, profile, base in (
            ("PRONOTECAS", Profile.PUPIL, 40),
            ("PRONOTECAS", Profile.PARENT, 25),
            ("PRONOTECAS", Profile.TEACHER, 12),
            ("CDI", Profile.PUPIL, 8),
        ):
            for _ in range(int(base * weekday_factor * rng.uniform(0.6, 1.3))):
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(7, 21))))
                if at > now:
                    continue  # none yet this evening
                traces.append(
                    Trace(
                        event="ticket_issued",
                        at=at,
                        service_code=code,
                        uai=school.uai,
                        profile=profile,
                        actor_login=f"{profile[-3:].lower()}.{rng.randint(1, 400)}",
                    )
                )
    # With their establishment's TraceScope rows, as the trace writer writes them
    # (socle.portal.trace_buffer): a school's « Traces » and « Indicateurs » read those.
    insert_scopes(
        (trace.pk, trace.at, scope_rows(trace.uai, "", {trace.uai: trace.profile}))
        for trace in Trace.objects.bulk_create(traces)
    )
    Trace.objects.create(
        event="access_denied",
        outcome="denied",
        service_code="PRONOTECAS",
        uai=school.uai,
        actor_login="agent.entretien",
        detail="lanceur du portail",
    )
    Trace.objects.create(
        event="activation_changed",
        service_code="PRONOTECAS",
        uai=school.uai,
        actor_login="claire.dupuis",
        detail="activé : Élève, Parent, Enseignant",
    )


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    target = os.environ.get("SOCLE_SCREENSHOTS_DIR")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_screenshots_of_the_main_pages(
    live_server: Any, transactional_db: None, shots_dir: Path, orm_beside_playwright: None
) -> None:
    school = Establishment.objects.create(
        uai="0312609T", name="Collège Jean Jaurès", city="Toulouse"
    )
    seed_catalogue(school)
    pronote_pk = Service.objects.get(code="PRONOTECAS").pk
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    make_membership(admin, school, profile=Profile.TEACHER)
    for first, last, subject in (("Paul", "Durand", "MATHEMATIQUES"), ("Inès", "Roux", "ANGLAIS")):
        teacher = make_person(first, last, establishment=school, profile=Profile.TEACHER)
        membership = Membership.objects.get(person=teacher)
        for kind, name in ((GroupKind.SUBJECT, subject), (GroupKind.DISCIPLINE, subject)):
            MembershipGroup.objects.create(membership=membership, kind=kind, name=name)
        MembershipGroup.objects.create(
            membership=membership, kind=GroupKind.FUNCTION, name="ENSEIGNEMENT"
        )
    blocked = make_person("Éloïse", "Mc Carthy", establishment=school, class_name="5D")
    blocking.block(
        blocked,
        by=admin,
        until=timezone.localdate() + dt.timedelta(days=7),
        reason="Mot de passe prêté à un camarade : à changer avec la famille.",
    )
    superuser = Person.objects.create_superuser("admin", "admin-password-2026")
    base = live_server.url
    pages = [
        (None, "/", "accueil-visiteur"),
        (pupil, "/", "mon-espace"),
        (pupil, "/services/PRONOTECAS/", "lanceur-pronote"),
        (admin, "/gestion/", "gestion"),
        (superuser, "/gestion/services/", "services"),
        (superuser, "/gestion/services/nouveau/", "nouveau-service"),
        (admin, f"/gestion/services/{pronote_pk}/acces-population/", "acces-population"),
        (admin, "/gestion/acces/", "acces-services-tiers"),
        (admin, "/gestion/comptes/", "comptes"),
        (admin, "/gestion/traces/", "traces"),
        (admin, "/gestion/indicateurs/", "indicateurs"),
    ]
    with chromium() as browser:
        for person, path, name in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
            if person is not None:
                context.add_cookies([session_cookie_for(person, base)])
            page = context.new_page()
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response)
            assert page.locator("h1").count() >= 1
            page.screenshot(path=str(shots_dir / f"{name}.png"), full_page=True)
            context.close()
        # a phone-sized Mon espace, and a form with its French errors
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="fr-FR",
            is_mobile=True,
            device_scale_factor=1,
        )
        context.add_cookies([session_cookie_for(pupil, base)])
        page = context.new_page()
        page.goto(base + "/")
        page.screenshot(path=str(shots_dir / "mon-espace-mobile.png"), full_page=True)
        context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR")
        context.add_cookies([session_cookie_for(superuser, base)])
        page = context.new_page()
        page.goto(base + "/gestion/services/nouveau/")
        page.fill("#id_code", "PRONOTECAS")
        page.fill("#id_label", "Pronote bis")
        page.select_option("#id_sso_type", "pronote")
        page.fill("#id_url", "0312609t.index-education.net/pronote")
        page.fill("#id_patterns_text", "https://**")
        submit(page, "button[type=submit]")
        assert page.locator(".field-error").count() >= 2
        page.screenshot(path=str(shots_dir / "nouveau-service-erreurs.png"), full_page=True)
        context.close()
