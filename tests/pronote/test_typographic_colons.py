"""The French typographic colon (a space before « : ») belongs to the translated text: English
pages show "This import: Full", never "This import : Full", and the French pages keep their
« Cet import : Complet »."""

from __future__ import annotations

import re

from django.urls import reverse
from lxml import html

from socle.portal.models import AccessMode
from socle.pronote.importer.steps import run_automatic
from tests.factories import make_person, make_service
from tests.pronote.helpers import School, start
from tests.pronote.test_languages import pronote_service


def visible_text(response) -> str:  # noqa: ANN001
    """The text a visitor reads: scripts and styles dropped, white space (non-breaking spaces
    included) collapsed to single spaces."""
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    for hidden in tree.xpath("//script | //style"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def pages(client, school: School, language: str) -> dict[str, str]:  # noqa: ANN001
    """The pages that label a value with « … : »: end of a PRONOTE import, PRONOTE diagnostics
    of an account, new activation code, a service's edit and user tabs."""
    headers = {"Accept-Language": language}
    session = start(school.est, "complet", *school.records())
    run_automatic(session)
    pupil = make_person("Camille", f"Martin-{language}", establishment=school.est)
    service = make_service(
        f"labo-{language}",
        label="Laboratoire",
        url="https://labo.example.org/",
        establishment=school.est,
        access_mode=AccessMode.RULES,  # every verdict « non », with its reason translated
    )
    return {
        "final": visible_text(
            client.get(reverse("pronote:final", args=[session.pk]), headers=headers)
        ),
        "doctor": visible_text(
            client.get(
                reverse("pronote:doctor"),
                {"establishment": school.est.pk, "login": school.emma.login},
                headers=headers,
            )
        ),
        "reset": visible_text(
            client.post(f"/compte/reinitialiser/{pupil.uid}/", headers=headers, follow=True)
        ),
        "edit": visible_text(
            client.get(reverse("portal:service_edit", args=[service.pk]), headers=headers)
        ),
        "users": visible_text(
            client.get(
                reverse("portal:service_users", args=[service.pk]),
                {"q": "roux"},
                headers=headers,
            )
        ),
    }


def test_it_puts_no_space_before_a_colon_on_english_pages(admin_client, school):
    pronote_service(school)
    english = pages(admin_client, school, "en")
    for name, text in english.items():
        assert " :" not in text, (name, text[max(0, text.find(" :") - 60) :][:120])
    assert re.search(
        r"This import: [\d/]{10} [\d:]{5}, Full, test.xml, finished\.", english["final"]
    )
    assert "Recognition: By the user's PRONOTE identifier" in english["doctor"]
    assert "CAS identifier: Opaque identifier (uid)" in english["doctor"]
    assert "ROUX Emma — PRONOTE identifier: ELEVEEMMA0000001 — CAS user sent: " in english["doctor"]
    for label in ("Person: Camille Martin-en", "Username: camille.martin-en", "Activation code: "):
        assert label in english["reset"]
    assert "ENT address: http://testserver" in english["reset"]
    assert "Edit a service: Laboratoire" in english["edit"]
    assert (
        "Collège Jean Jaurès — Pupil: no (no access right covers this profile)" in english["users"]
    )


def test_it_keeps_the_french_colon_and_its_space(admin_client, school):
    pronote_service(school)
    french = pages(admin_client, school, "fr")
    assert re.search(
        r"Cet import : [\d/]{10} [\d:]{5}, Complet, test.xml, terminé\.", french["final"]
    )
    assert "Reconnaissance : Avec l'identifiant PRONOTE" in french["doctor"]
    assert "identifiant CAS : Identifiant opaque (uid)" in french["doctor"]
    assert (
        "ROUX Emma — identifiant PRONOTE : ELEVEEMMA0000001 — utilisateur CAS transmis : "
        in french["doctor"]
    )
    assert "Personne : Camille Martin-fr" in french["reset"]
    assert "Adresse de l'ENT : http://testserver" in french["reset"]
    assert "Identifiant : camille.martin-fr" in french["reset"]
    assert "Code d'activation : " in french["reset"]
    assert "Modifier un service : Laboratoire" in french["edit"]
    assert "Collège Jean Jaurès — Élève : non (aucun droit ne couvre ce profil)" in french["users"]
