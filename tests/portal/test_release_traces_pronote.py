"""A PRONOTE service's recognition mode decides attributes it receives whatever its list
(« Avec l'identité de l'utilisateur »: nom, prenom, dateNaissance, codePostal, categories):
setting or changing it is traced as a widening of what it receives, whoever does it — the
portal's form, the Django admin, ``socle service_add`` — and the trace names those attributes
(socle.portal.release, docs/privacy.md "What goes to third parties")."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from socle.directory.models import Person
from socle.portal.models import Service, Trace
from tests.factories import make_pronote_service, make_service_by_command
from tests.portal.conftest import logged_in
from tests.portal.test_release_traces import admin_change, details
from tests.portal.test_service_pages import pronote_school, service_data

IDENTITY = "categories, codePostal, dateNaissance, nom, prenom"


def test_the_service_form_traces_the_identity_attributes_a_recognition_mode_releases(
    superuser: Person,
) -> None:
    client = logged_in(superuser)
    assert client.post(reverse("portal:service_create"), service_data()).status_code == 302
    assert details("service_created")[0].endswith("identifiant CAS : uid ; attributs : idPronote")
    service = Service.objects.get(code="PRONOTECAS")
    data = service_data(pronote_recognition="identity")
    assert client.post(reverse("portal:service_edit", args=[service.pk]), data).status_code == 302
    (updated,) = details("service_updated")
    assert updated.startswith(f"identifiant CAS : uid ; attributs : {IDENTITY} — champs modifiés")
    assert "pronote_recognition" in updated


def test_the_django_admin_traces_a_change_of_recognition_mode(client: Client) -> None:
    admin_change(client, make_pronote_service(pronote_school()), pronote_recognition="both")
    trace = Trace.objects.get(event="service_updated")
    assert trace.detail == (
        "identifiant CAS : uid ; attributs : categories, codePostal, dateNaissance, idPronote, "
        "nom, prenom — Django admin"
    )


def test_service_add_traces_a_change_of_recognition_mode() -> None:
    pronote = pronote_school()
    options = ("--sso", "pronote", "--uai", pronote.uai)
    url = "https://0312609t.index-education.net/pronote/"
    make_service_by_command(*options, code="PRONOTECAS", url=url)
    make_service_by_command(*options, "--recognition", "identity", code="PRONOTECAS", url=url)
    assert details("service_created") == [
        "identifiant CAS : uid ; attributs : idPronote — service_add"
    ]
    assert details("service_updated") == [
        f"identifiant CAS : uid ; attributs : {IDENTITY} — service_add"
    ]
