"""« Identifiant CAS transmis »: refused as the login for PRONOTE, locked once names were sent,
and the confirmation asked before a pairwise service's names are lost with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from lxml import html

from socle.directory.models import Person
from socle.portal.models import Service, SSOType, UsernameMode
from tests.factories import make_pronote_service, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import (
    PRONOTE_URL,
    field_errors,
    post_new,
    pronote_school,
    service_data,
)

LOGIN_REFUSED = (
    "PRONOTE ne peut pas recevoir l'identifiant de connexion : il peut changer (import de "
    "l'annuaire, correction d'un nom), et PRONOTE garde le premier identifiant CAS reçu."
)


def pronote_service(sso_type: str = SSOType.PRONOTE, **fields: Any) -> Service:
    return make_pronote_service(pronote_school(), url=PRONOTE_URL, sso_type=sso_type, **fields)


def post_edit(client: Any, service: Service, **overrides: Any) -> Any:
    return client.post(reverse("portal:service_edit", args=[service.pk]), service_data(**overrides))


def mode_select(response: Any) -> Any:
    (select,) = html.fromstring(response.content.decode()).xpath("//select[@name='username_mode']")
    return select


def test_it_refuses_the_login_for_a_new_pronote_service(superuser: Person) -> None:
    response = post_new(logged_in(superuser), username_mode=UsernameMode.LOGIN)
    assert response.status_code == 200
    (error,) = field_errors(response, "username_mode")
    assert error.startswith(LOGIN_REFUSED)
    assert "« Identification impossible »" in error
    assert not Service.objects.exists()


def test_it_still_accepts_the_login_for_a_plain_cas_service(superuser: Person) -> None:
    response = post_new(
        logged_in(superuser),
        sso_type=SSOType.CAS,
        url="https://appli.example.org/",
        patterns_text="https://appli.example.org/**",
        username_mode=UsernameMode.LOGIN,
    )
    assert response.status_code == 302
    assert Service.objects.get().username_mode == UsernameMode.LOGIN


def test_it_refuses_to_turn_a_login_service_into_a_pronote_one(superuser: Person) -> None:
    service = pronote_service(sso_type=SSOType.CAS, username_mode=UsernameMode.LOGIN)
    response = post_edit(logged_in(superuser), service, username_mode=UsernameMode.LOGIN)
    assert field_errors(response, "username_mode")[0].startswith(LOGIN_REFUSED)
    service.refresh_from_db()
    assert service.sso_type == SSOType.CAS


def test_it_refuses_the_change_on_the_type_when_the_login_is_locked(superuser: Person) -> None:
    service = pronote_service(
        sso_type=SSOType.CAS, username_mode=UsernameMode.LOGIN, usernames_sent=True
    )
    response = post_edit(logged_in(superuser), service, username_mode=None)
    assert field_errors(response, "sso_type")[0].startswith(LOGIN_REFUSED)


def test_an_existing_pronote_service_in_login_mode_stays_editable(superuser: Person) -> None:
    service = pronote_service(username_mode=UsernameMode.LOGIN, usernames_sent=True)
    response = post_edit(logged_in(superuser), service, label="PRONOTE", username_mode=None)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.label == "PRONOTE" and service.username_mode == UsernameMode.LOGIN


def test_before_the_first_connection_the_mode_is_free_and_the_form_says_until_when(
    superuser: Person,
) -> None:
    service = pronote_service()
    client = logged_in(superuser)
    page = client.get(reverse("portal:service_edit", args=[service.pk]))
    assert mode_select(page).get("disabled") is None
    assert "Choisissez-le avant la première connexion" in page.content.decode()
    assert post_edit(client, service, username_mode=UsernameMode.PAIRWISE).status_code == 302
    service.refresh_from_db()
    assert service.username_mode == UsernameMode.PAIRWISE


def test_a_generic_service_is_warned_too(superuser: Person) -> None:
    page = logged_in(superuser).get(reverse("portal:service_create"))
    text = " ".join(page.content.decode().split())
    assert "le service reconnaît chaque personne par cet identifiant" in text


def test_once_names_were_sent_the_mode_is_shown_locked_with_why(superuser: Person) -> None:
    service = pronote_service(usernames_sent=True)
    page = logged_in(superuser).get(reverse("portal:service_edit", args=[service.pk]))
    select = mode_select(page)
    assert select.get("disabled") is not None
    (help_text,) = html.fromstring(page.content.decode()).xpath(
        "//*[@id='id_username_mode_helptext']"
    )
    text = help_text.text_content()
    assert "Ce service a déjà transmis des identifiants CAS" in text
    assert "effacer tous les « Identifiant CAS » dans PRONOTE" in text
    assert "--change-username-mode" in text


def by_id(page: Any, element_id: str) -> str:
    found = html.fromstring(page.content.decode()).xpath(f"//*[@id='{element_id}']")
    return " ".join(found[0].text_content().split()) if found else ""


def test_an_establishment_administrator_is_told_whom_to_ask_not_a_command(
    school_admin: Person,
) -> None:
    service = pronote_service(usernames_sent=True)
    page = logged_in(school_admin).get(reverse("portal:service_edit", args=[service.pk]))
    text = by_id(page, "id_username_mode_helptext")
    assert "Ce service a déjà transmis des identifiants CAS" in text
    assert text.endswith(
        "si un changement est voulu et préparé, demandez-le à un administrateur de l'ENT."
    )
    assert "service_add" not in text


def test_a_pronote_service_kept_in_login_mode_shows_the_warning_by_the_field(
    superuser: Person, school_admin: Person
) -> None:
    service = pronote_service(username_mode=UsernameMode.LOGIN, usernames_sent=True)
    url = reverse("portal:service_edit", args=[service.pk])
    page = logged_in(superuser).get(url)
    warning = by_id(page, "id_username_mode_warning")
    assert warning.startswith(
        "Service PRONOTE PRONOTECAS : l'identifiant CAS transmis est l'identifiant de connexion."
    )
    assert warning.endswith("--username-mode uid --change-username-mode.")
    assert mode_select(page).get("aria-describedby") == (
        "id_username_mode_warning id_username_mode_helptext"
    )
    school_page = logged_in(school_admin).get(url)
    assert by_id(school_page, "id_username_mode_warning").endswith(
        "puis demandez-le à un administrateur de l'ENT."
    )
    # Saving stays possible, and the page shown after an error keeps the stored mode's warning.
    response = post_edit(logged_in(superuser), service, label="", username_mode=None)
    assert by_id(response, "id_username_mode_warning")


def test_no_warning_for_an_opaque_identifier_or_another_service(superuser: Person) -> None:
    service = pronote_service(sso_type=SSOType.CAS, username_mode=UsernameMode.LOGIN)
    page = logged_in(superuser).get(reverse("portal:service_edit", args=[service.pk]))
    assert by_id(page, "id_username_mode_warning") == ""


def test_a_post_that_changes_a_locked_mode_is_refused(superuser: Person) -> None:
    service = pronote_service(usernames_sent=True)
    response = post_edit(
        logged_in(superuser), service, label="Autre", username_mode=UsernameMode.PAIRWISE
    )
    assert response.status_code == 200
    assert field_errors(response, "username_mode") == [
        "L'identifiant CAS transmis de ce service ne peut plus être modifié : le service a déjà "
        "reçu des identifiants CAS."
    ]
    service.refresh_from_db()
    assert service.username_mode == UsernameMode.UID and service.label == "Pronote.net"


def test_a_browser_posts_no_locked_field_and_the_rest_is_saved(superuser: Person) -> None:
    service = pronote_service(username_mode=UsernameMode.PAIRWISE, usernames_sent=True)
    response = post_edit(logged_in(superuser), service, label="PRONOTE", username_mode=None)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.label == "PRONOTE" and service.username_mode == UsernameMode.PAIRWISE


def test_a_generic_service_is_locked_once_used_with_its_own_reason(superuser: Person) -> None:
    service = make_service("appli", url="https://appli.example.org/", usernames_sent=True)
    page = logged_in(superuser).get(reverse("portal:service_edit", args=[service.pk]))
    assert mode_select(page).get("disabled") is not None
    assert "les changer lui rendrait chaque utilisateur inconnu" in page.content.decode()


def test_the_django_admin_keeps_a_used_mode_read_only() -> None:
    admin = site._registry[Service]
    request = RequestFactory().get("/")
    assert "username_mode" not in admin.get_readonly_fields(request, make_service("a"))
    used = make_service("b", patterns=("https://b.example.org/**",), usernames_sent=True)
    assert "username_mode" in admin.get_readonly_fields(request, used)


# --- deleting a pairwise service ----------------------------------------------------------


def delete_url(service: Service) -> str:
    return reverse("portal:service_delete", args=[service.pk])


def test_deleting_a_pairwise_pronote_service_names_the_consequence(superuser: Person) -> None:
    service = pronote_service(username_mode=UsernameMode.PAIRWISE)
    client = logged_in(superuser)
    page = client.get(delete_url(service)).content.decode()
    text = " ".join(page.split())
    assert (
        "chaque utilisateur qui s'est déjà connecté à PRONOTE depuis l'ENT devra y être délié"
        in (text)
    )
    assert "Je confirme : chaque utilisateur devra être délié dans PRONOTE." in text
    assert 'name="names_lost"' in page


def test_it_is_not_deleted_without_the_confirmation(superuser: Person) -> None:
    service = pronote_service(username_mode=UsernameMode.PAIRWISE)
    response = logged_in(superuser).post(delete_url(service))
    assert response.status_code == 200
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()
    assert Service.objects.filter(pk=service.pk).exists()


def test_it_is_deleted_with_the_confirmation(superuser: Person) -> None:
    service = pronote_service(username_mode=UsernameMode.PAIRWISE)
    response = logged_in(superuser).post(delete_url(service), {"names_lost": "1"})
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()


def test_a_used_generic_pairwise_service_asks_too(superuser: Person) -> None:
    service = make_service("appli", username_mode=UsernameMode.PAIRWISE, usernames_sent=True)
    client = logged_in(superuser)
    assert (
        "l'application ne reconnaîtrait plus ses utilisateurs"
        in client.get(delete_url(service)).content.decode()
    )
    assert client.post(delete_url(service)).status_code == 200
    assert Service.objects.filter(pk=service.pk).exists()


def test_services_whose_names_survive_are_deleted_as_before(superuser: Person) -> None:
    client = logged_in(superuser)
    for service in (
        pronote_service(usernames_sent=True),  # uid: a new service sends the same names
        make_service("neuf", username_mode=UsernameMode.PAIRWISE),  # has sent nothing yet
    ):
        assert 'name="names_lost"' not in client.get(delete_url(service)).content.decode()
        assert client.post(delete_url(service)).status_code == 302
    assert not Service.objects.exists()


# --- services that existed before the flag --------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite changes a table's schema outside transactions
def test_the_migration_marks_services_already_used_and_every_pronote_one() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("portal", "0002_access_rules_activations_groups")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("portal")
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    services = old.get_model("portal", "Service").objects
    services.create(code="used", label="Used", sso_type="cas")
    services.create(code="idle", label="Idle", sso_type="cas")
    services.create(code="refused", label="Refused", sso_type="cas")
    services.create(code="pronote", label="PRONOTE", sso_type="pronote")
    traces = old.get_model("portal", "Trace").objects
    traces.create(event="ticket_validated", service_code="used")
    traces.create(event="ticket_issued", service_code="idle")
    traces.create(event="ticket_validated", outcome="refused", service_code="refused")
    MigrationExecutor(connection).migrate(after)
    marked = dict(Service.objects.values_list("code", "usernames_sent"))
    assert marked == {"used": True, "idle": False, "refused": False, "pronote": True}
