"""The portal, CAS and PRONOTE pages served in English, as each kind of person meets them: no
French left outside user data and PRONOTE's own wording (quoted in « »), text and attributes
alike; and what an English page writes to the journal stays in its language, French."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.activation import activation_redirect, issue_code
from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal import trace_log
from socle.portal.models import AccessTarget, Service, SSOType, Trace
from socle.pronote.models import ImportSession
from tests.factories import make_person
from tests.portal.phone import phone_school
from tests.portal.test_service_pages import service_data

# Words of the French interface that no English page should show (user data aside); whole
# words, so that a script's ``getModifierState`` is no « Modifier ».
GIVEAWAYS = re.compile(
    r"\b(?:Établissement|Se déconnecter|Se connecter|Enregistrer|Annuler|Rechercher|Mot de passe"
    r"|Mon espace|Gestion du portail|Élève|Enseignant|Aucun|Supprimer|Modifier|Valider)\b"
)
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "value")
QUOTED = re.compile(r"«[^»]*»")  # PRONOTE's own messages, quoted on purpose


def french_left(body: bytes) -> list[str]:
    """The texts and attributes of a page that still show French interface words."""
    doc = html.fromstring(body)
    for node in doc.xpath("//style"):
        node.drop_tree()
    found = []
    for node in doc.iter():
        if not isinstance(node.tag, str):
            continue
        values = [node.text or "", node.tail or ""]
        values += [v for k, v in node.attrib.items() if k in ATTRIBUTES or k.startswith("data-")]
        found += [v.strip() for v in values if GIVEAWAYS.search(QUOTED.sub("", v))]
    return found


def _walk() -> dict[str, tuple[Person | None, list[str]]]:
    admin, pages = phone_school()
    # phone_school's traces carry French details: stored data
    trace_log.delete_traces(Trace.objects.all())
    school = Establishment.objects.get(uai="0312609T")
    pupil = Person.objects.filter(memberships__profile=Profile.PUPIL).first()
    parent = Person.objects.filter(memberships__profile=Profile.PARENT).first()
    teacher = make_person("Hélène", "Le Gall", establishment=school, profile=Profile.TEACHER)
    superuser = Person.objects.create_superuser("admin", "admin-password-2026")
    newcomer = make_person("Yanis", "Haddad", establishment=school, password=None)
    activation = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    session = ImportSession.objects.order_by("-pk").first()
    assert pupil is not None and parent is not None and session is not None
    own = [
        "/",
        reverse("portal:launcher", args=["PRONOTE-0312609T"]),
        reverse("portal:launcher", args=["cahier-de-textes"]),
        reverse("directory:change_password"),
        reverse("portal:admin_index"),
        "/nulle-part/",
    ]
    administration = [
        *own,
        reverse("portal:service_create"),
        *pages.values(),
        *(reverse("pronote:step", args=[session.pk, n]) for n in (1, 3, 6)),
        reverse("portal:indicators"),
        reverse("pronote:export"),
        reverse("portal:service_delete", args=[Service.objects.get(code="cahier-de-textes").pk]),
        reverse("directory:reset_password", args=[pupil.uid]),
    ]
    return {
        "visitor": (
            None,
            [
                "/",
                "/cas/login",
                "/cas/login?service=https://ailleurs.example.com/",
                str(activation),
                "/compte/activation/perime/",
                "/cas/logout",
            ],
        ),
        "pupil": (pupil, own),
        "parent": (parent, own),
        "teacher": (teacher, own),
        "establishment administrator": (admin, administration),
        "ENT administrator": (superuser, administration),
    }


def test_it_shows_no_french_interface_text_in_english_pages() -> None:
    found = {}
    for who, (person, urls) in _walk().items():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if person is not None:
            client.force_login(person)
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403, 404, 410), (who, url)
            assert html.fromstring(response.content).get("lang") == "en", (who, url)
            if left := french_left(response.content):
                found[f"{who} {url}"] = left
    assert found == {}
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    french.force_login(Person.objects.get(login="admin"))
    assert french_left(french.get(reverse("portal:admin_index")).content)  # the check sees French


def test_it_shows_no_french_in_english_form_errors() -> None:
    admin, _pages = phone_school()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    pages = [client.post("/cas/login", {"username": "personne", "password": "faux"}).content]
    client.force_login(admin)
    for url, data in [
        (reverse("directory:change_password"), {"old_password": "x", "new_password1": "a"}),
        (reverse("portal:service_create"), {"code": "pas un code", "url": "ftp://x"}),
    ]:
        pages.append(client.post(url, data).content)
    assert [french_left(page) for page in pages] == [[], [], []]
    csrf = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    assert french_left(csrf.post("/cas/login", {"username": "a", "password": "b"}).content) == []


def test_it_writes_the_journal_in_french_from_an_english_page() -> None:
    admin, _pages = phone_school()
    trace_log.delete_traces(Trace.objects.all())
    school = Establishment.objects.get(uai="0312609T")
    service = Service.objects.get(code="cahier-de-textes")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    access = reverse("portal:service_access", args=[service.pk])
    posts = [
        (access, {"action": "activation", "act-enabled": "1", "act-populations": ["eleve"]}),
        (
            access,
            {
                "action": "add_rule",
                "etab": school.uai,
                "rule-role": "access",
                "rule-target": AccessTarget.SITE,
                "rule-profiles": [Profile.TEACHER],
            },
        ),
        (
            reverse("portal:service_create"),
            {
                **service_data(code="atelier", label="Atelier", establishment=str(school.pk)),
                "sso_type": SSOType.CAS,
                "url": "https://atelier.example.org/",
                "patterns_text": "https://atelier.example.org/**",
            },
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    details = dict(
        Trace.objects.filter(
            event__in=["activation_changed", "access_rule_added", "service_created"]
        ).values_list("event", "detail")
    )
    assert details == {
        "activation_changed": "activé : Élève",
        "access_rule_added": "Établissement(s) du site courant : Collège Jean Jaurès × Enseignant",
        "service_created": (
            "Atelier — SSO CAS — https://atelier.example.org/"
            " — identifiant CAS : uid ; attributs : aucun"
        ),
    }
