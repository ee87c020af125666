"""What a service receives about people is traced when it is set or changed, whoever changes it:
the portal's form, the Django admin, ``socle service_add`` (socle.portal.release)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Person
from socle.portal.models import Service, SSOType, Trace
from tests.factories import make_person, make_service, make_service_by_command
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import service_data


def details(event: str) -> list[str]:
    return list(Trace.objects.filter(event=event).order_by("pk").values_list("detail", flat=True))


def appli_data(attributes_text: str, **fields: str) -> dict[str, Any]:
    """The service form for the ENT-wide CAS service « appli » releasing ``attributes_text``."""
    return service_data(
        code="appli",
        sso_type=SSOType.CAS,
        url="https://appli.example.org/",
        establishment="",
        patterns_text="https://appli.example.org/**",
        attributes_text=attributes_text,
        **fields,
    )


def test_the_service_form_traces_what_a_new_service_receives(superuser: Person) -> None:
    logged_in(superuser).post(reverse("portal:service_create"), appli_data("nom, prenom"))
    assert details("service_created")[0].endswith("identifiant CAS : uid ; attributs : nom, prenom")


def test_the_service_form_traces_attributes_released_in_full(superuser: Person) -> None:
    service = make_service("appli", url="https://appli.example.org/")
    data = appli_data("nom, mail", label=service.label)
    client = logged_in(superuser)
    assert client.post(reverse("portal:service_edit", args=[service.pk]), data).status_code == 302
    (updated,) = details("service_updated")
    assert updated.startswith("identifiant CAS : uid ; attributs : nom, mail — champs modifiés")
    data["description"] = "Autre description"
    client.post(reverse("portal:service_edit", args=[service.pk]), data)
    assert details("service_updated")[1] == "champs modifiés : description"


def test_service_add_traces_a_new_service_and_a_change_of_release() -> None:
    make_service_by_command()
    make_service_by_command()  # run again unchanged: nothing to trace
    make_service_by_command("--attributes", "nom,prenom,login")
    assert details("service_created") == ["identifiant CAS : uid ; attributs : aucun — service_add"]
    assert details("service_updated") == [
        "identifiant CAS : uid ; attributs : nom, prenom, login — service_add"
    ]
    assert set(Trace.objects.values_list("actor_login", flat=True)) == {"service_add"}


def admin_change(client: Client, service: Service, **changes: str) -> None:
    """Ada Admin, a superuser, changes ``service`` in the Django admin: its change form as it
    comes, with ``changes``."""
    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    url = reverse("admin:portal_service_change", args=[service.pk])
    form = html.fromstring(client.get(url).content.decode()).xpath("//form[@id='service_form']")[0]
    data: dict[str, Any] = {**dict(form.form_values()), **changes}
    assert client.post(url, data).status_code == 302


def test_the_django_admin_traces_a_change_of_release(client: Client) -> None:
    service = make_service("appli", url="https://appli.example.org/")
    admin_change(client, service, released_attributes='["mail"]')
    assert Service.objects.get(pk=service.pk).released_attributes == ["mail"]
    trace = Trace.objects.get(event="service_updated")
    assert trace.detail == "identifiant CAS : uid ; attributs : mail — Django admin"
    assert trace.actor_login == "ada.admin"
