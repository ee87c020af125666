"""axe-core (WCAG 2.1 A and AA) on every page of the portal, in French and in English, and at
phone width where the layout changes; each page also has its own title, the right ``lang`` and
headings that never skip a level (``tests/portal/axe.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.template import loader
from django.utils import translation

from socle.directory.models import Establishment, Membership, MembershipGroup, Person
from socle.directory.profiles import Profile
from socle.portal.models import AccessRule, AccessTarget, Service
from tests.factories import make_membership, make_parent_link, make_person
from tests.portal.axe import PHONE, checker, violations
from tests.portal.browser import session_cookie_for, submit
from tests.portal.test_screenshots import seed_catalogue

pytestmark = pytest.mark.browser


class Seed:
    """A school with the catalogue of the screenshots, the people who meet its pages, an access
    rule and three weeks of traces (the indicators' charts)."""

    def __init__(self) -> None:
        self.school = Establishment.objects.create(
            uai="0312609T", name="Collège Jean Jaurès", city="Toulouse"
        )
        other = Establishment.objects.create(uai="0312799Z", name="Collège Pierre de Fermat")
        seed_catalogue(self.school)
        self.pronote = Service.objects.get(code="PRONOTECAS")
        self.cdi = Service.objects.get(code="CDI")
        self.pupil = make_person("Camille", "Martin", establishment=self.school, class_name="4A")
        pupil_membership = Membership.objects.get(person=self.pupil)
        MembershipGroup.objects.create(membership=pupil_membership, kind="niveau", name="4EME")
        self.parent = make_person(
            "Nathalie", "Martin", establishment=self.school, profile=Profile.PARENT
        )
        make_parent_link(self.parent, self.pupil)
        self.teacher = make_person(
            "Hélène", "Le Gall", establishment=self.school, profile=Profile.TEACHER
        )
        make_membership(self.teacher, other, profile=Profile.TEACHER)
        held = Membership.objects.get(person=self.teacher, establishment=self.school)
        for kind, name in (
            ("matiere", "ANGLAIS"),
            ("fonction", "ENSEIGNEMENT"),
            ("discipline", "ANGLAIS"),
        ):
            MembershipGroup.objects.create(membership=held, kind=kind, name=name)
        self.agent = make_person(
            "Marc", "Agent", establishment=self.school, profile=Profile.ADMIN_STAFF
        )
        self.admin = make_person(
            "Claire",
            "Dupuis",
            establishment=self.school,
            profile=Profile.DIRECTION,
            is_admin=True,
        )
        self.superuser = Person.objects.create_superuser("admin", "admin-password-2026")
        rule = AccessRule.objects.create(
            service=self.cdi,
            target=AccessTarget.SITE,
            profile=Profile.PUPIL,
            created_by=self.admin,
        )
        rule.establishments.add(self.school)


def _pages(seed: Seed) -> list[tuple[str, Person | None, str, int]]:
    """(name, person, path, status) of every page of the portal that shows no form error."""
    pronote, cdi = seed.pronote.pk, seed.cdi.pk
    return [
        ("Accueil visiteur", None, "/", 200),
        ("Mon espace · élève", seed.pupil, "/", 200),
        ("Mon espace · parent", seed.parent, "/", 200),
        ("Mon espace · enseignant", seed.teacher, "/", 200),
        ("Mon espace · administrateur", seed.admin, "/", 200),
        ("Mon espace · super-administrateur", seed.superuser, "/", 200),
        ("Lanceur PRONOTE", seed.pupil, "/services/PRONOTECAS/", 200),
        ("Service refusé", seed.agent, "/services/PRONOTECAS/", 403),
        ("Gestion portail", seed.admin, "/gestion/", 200),
        ("Services", seed.superuser, "/gestion/services/", 200),
        ("Nouveau service", seed.superuser, "/gestion/services/nouveau/", 200),
        ("Service", seed.admin, f"/gestion/services/{pronote}/", 200),
        ("Service en lecture seule", seed.admin, f"/gestion/services/{cdi}/", 200),
        ("Supprimer un service", seed.superuser, f"/gestion/services/{cdi}/supprimer/", 200),
        ("Accès population", seed.admin, f"/gestion/services/{pronote}/acces-population/", 200),
        (
            "Accès population · service de l'ENT",
            seed.superuser,
            f"/gestion/services/{cdi}/acces-population/?etab=0312609T",
            200,
        ),
        (
            "Accès utilisateur",
            seed.admin,
            f"/gestion/services/{pronote}/acces-utilisateur/?q=martin",
            200,
        ),
        ("Accès aux services tiers", seed.admin, "/gestion/acces/", 200),
        ("Traces", seed.admin, "/gestion/traces/", 200),
        ("Indicateurs", seed.admin, "/gestion/indicateurs/", 200),
        ("Comptes", seed.admin, "/gestion/comptes/?q=martin", 200),
        ("Bloquer un compte", seed.admin, f"/gestion/comptes/{seed.pupil.uid}/bloquer/", 200),
        ("Page réservée", seed.pupil, "/gestion/", 403),
        ("Page introuvable", seed.pupil, "/nulle-part/", 404),
    ]


def fulfil(status: int, body: str) -> Callable[[Any], None]:
    """A route handler answering ``body`` with ``status`` (one argument: Playwright would pass
    the request as a second one)."""

    def handler(route: Any) -> None:
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return handler


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_violation_on_the_portal_pages(
    live_server: Any,
    transactional_db: None,
    orm_beside_playwright: None,
    settings: Any,
    language: str,
) -> None:
    # The footer's links to the privacy notice and the accessibility statement are on every page
    # (their contrast, their names).
    settings.SOCLE_ACCESSIBILITY_URL = "https://ent.example.org/accessibilite"
    settings.SOCLE_PRIVACY_URL = "https://ent.example.org/donnees-personnelles"
    seed = Seed()
    base = live_server.url
    with checker(base) as check:
        for name, person, path, status in _pages(seed):
            cookie = session_cookie_for(person, base) if person else None
            with check.context(language, cookie=cookie) as page:
                check.open(page, path, status)
                check.check(page, name, language)
        with check.context(language, cookie=session_cookie_for(seed.superuser, base)) as page:
            check.open(page, "/gestion/services/nouveau/")
            page.fill("#id_code", "PRONOTECAS")
            page.select_option("#id_sso_type", "pronote")
            page.fill("#id_url", "0312609t.index-education.net/pronote")
            page.fill("#id_patterns_text", "https://**")
            submit(page, "main form[enctype] button[type=submit]")
            assert page.locator(".field-error").count() >= 2
            check.check(page, "Nouveau service · erreurs", language)
            check.focus_after_error(page, "Nouveau service · erreurs")
        with check.context(language, cookie=session_cookie_for(seed.admin, base)) as page:
            check.open(page, f"/gestion/services/{seed.pronote.pk}/acces-population/")
            submit(page, "section[aria-labelledby='add-title'] button[type=submit]")
            check.check(page, "Accès population · erreurs", language)
            check.focus_after_error(page, "Accès population · erreurs")
        # Django renders 500.html and 400.html without a view's context: the pages as the
        # server would send them.
        outage = {"reason": "connexion perdue", "path": "/"}
        for status, template, name, context in (
            (500, "500.html", "Erreur serveur", {}),
            (400, "400.html", "Demande refusée", {}),
            (503, "503.html", "Base de données indisponible", outage),
        ):
            with translation.override(language):
                body = loader.get_template(template).render(context)
            with check.context(language) as page:
                page.route(base + f"/erreur-{status}", fulfil(status, body))
                check.open(page, f"/erreur-{status}", status)
                check.check(page, name, language)
    assert not check.problems, check.report()


def test_it_finds_no_violation_at_phone_width(
    live_server: Any, transactional_db: None, orm_beside_playwright: None
) -> None:
    """The header, menus and tables change below 40rem: the pages that have them."""
    seed = Seed()
    base = live_server.url
    pages = [
        ("Accueil visiteur", None, "/"),
        ("Mon espace · élève", seed.pupil, "/"),
        ("Mon espace · administrateur", seed.admin, "/"),
        ("Services", seed.superuser, "/gestion/services/"),
        ("Service", seed.admin, f"/gestion/services/{seed.pronote.pk}/"),
        ("Accès population", seed.admin, f"/gestion/services/{seed.pronote.pk}/acces-population/"),
        ("Accès aux services tiers", seed.admin, "/gestion/acces/"),
        ("Traces", seed.admin, "/gestion/traces/"),
        ("Indicateurs", seed.admin, "/gestion/indicateurs/"),
        ("Comptes", seed.admin, "/gestion/comptes/"),
    ]
    with checker(base) as check:
        for name, person, path in pages:
            cookie = session_cookie_for(person, base) if person else None
            with check.context("fr", PHONE, cookie=cookie) as page:
                check.open(page, path)
                check.check(page, name, "fr")
    assert not check.problems, check.report()


def test_it_reports_a_violation_with_its_rule_impact_and_target() -> None:
    """The check itself: an image without text alternative is found, and named."""
    with checker("http://localhost") as check, check.context("fr") as page:
        page.set_content('<html lang="fr"><title>Essai</title><img src="x.png"></html>')
        found = violations(page, "Essai")
    assert len(found) == 1 and found[0].startswith("Essai: image-alt (critical) "), found
    assert found[0].endswith("['img']"), found
