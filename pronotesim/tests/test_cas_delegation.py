"""CAS delegation as PRONOTE.net does it, against a fake CAS (the HTTP POST is mocked)."""

from urllib.parse import quote

import pytest
from django.test import Client
from lxml import etree

from pronotesim.base.models import PronoteUser
from tests.helpers import (
    CAS_URL,
    PUBLIC_URL,
    FakeCas,
    configure,
    make_establishment,
    make_user,
    text_of,
)

ELEVE_URL = PUBLIC_URL + "eleve.html"


def arrive(
    client: Client,
    fake_cas: FakeCas,
    page: str,
    user: str,
    *,
    follow: bool = False,
    **attributes: str,
):
    ticket = fake_cas.issue(PUBLIC_URL + page, user, **attributes)
    separator = "&" if "?" in page else "?"
    return client.get(f"/pronote/{page}{separator}ticket={ticket}", follow=follow)


def test_it_redirects_an_unauthenticated_visitor_to_the_ent_cas(pupil: PronoteUser) -> None:
    response = Client().get("/pronote/eleve.html")
    assert response.status_code == 302
    assert response["Location"] == f"{CAS_URL}/login?service={quote(ELEVE_URL, safe='')}"


def test_it_redirects_the_page_commune_with_the_public_url_as_service(pupil: PronoteUser) -> None:
    response = Client().get("/pronote/")
    assert response["Location"] == f"{CAS_URL}/login?service={quote(PUBLIC_URL, safe='')}"


def test_it_uses_the_configured_public_url_not_the_host_header(pupil: PronoteUser) -> None:
    configure(public_url="https://0312609t.index-education.net/pronote/")
    response = Client().get("/pronote/parent.html")
    expected = quote("https://0312609t.index-education.net/pronote/parent.html", safe="")
    assert response["Location"].endswith(f"service={expected}")


def test_it_validates_the_ticket_by_saml_post_and_binds_the_cas_user(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "NAA31616", idPronote=pupil.pronote_id)
    assert response.status_code == 302
    assert response["Location"] == "/pronote/eleve.html"
    call = fake_cas.calls[0]
    assert call["path"] == "/cas/samlValidate"
    assert call["target"] == ELEVE_URL
    assert call["url"] == f"{CAS_URL}/samlValidate?TARGET={quote(ELEVE_URL, safe='')}"
    assert call["timeout"] <= 10
    pupil.refresh_from_db()
    assert pupil.cas_identifier == "NAA31616"
    page = client.get("/pronote/eleve.html")
    assert page.status_code == 200
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(page)


def test_the_saml_request_is_a_soap_envelope_with_the_ticket_as_artifact(
    pupil: PronoteUser, fake_cas: FakeCas, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured = {}

    def spy(url, body, headers, timeout):
        captured["body"], captured["headers"] = body, headers
        return fake_cas(url, body, headers, timeout)

    monkeypatch.setattr("pronotesim.espaces.saml.requests_transport", spy)
    arrive(Client(), fake_cas, "eleve.html", "u1", idPronote=pupil.pronote_id)
    root = etree.fromstring(captured["body"])
    soap = "http://schemas.xmlsoap.org/soap/envelope/"
    samlp = "urn:oasis:names:tc:SAML:1.0:protocol"
    request = root.find(f"{{{soap}}}Body/{{{samlp}}}Request")
    assert request is not None
    assert request.get("MajorVersion") == "1" and request.get("MinorVersion") == "1"
    assert request.get("RequestID")
    assert request.findtext(f"{{{samlp}}}AssertionArtifact") == "ST-1-faketicket"
    assert captured["headers"]["Content-Type"].startswith("text/xml")


def test_later_connections_use_the_identifiant_cas_without_the_attribute(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    arrive(Client(), fake_cas, "eleve.html", "NAA31616", idPronote=pupil.pronote_id)
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "NAA31616")
    assert response.status_code == 302
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(client.get("/pronote/eleve.html"))


def test_the_identifiant_cas_is_never_changed_by_a_later_connection(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    arrive(Client(), fake_cas, "eleve.html", "first-user", idPronote=pupil.pronote_id)
    response = arrive(Client(), fake_cas, "eleve.html", "second-user", idPronote=pupil.pronote_id)
    pupil.refresh_from_db()
    assert pupil.cas_identifier == "first-user"
    assert response["Location"] == "/pronote/identification-impossible"


def test_it_shows_pronote_message_when_no_idpronote_attribute_is_released(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "NAA31616")
    # shown at the address without the ticket: loading it again authenticates again
    assert response.status_code == 302 and response["Location"] == "/pronote/eleve.html"
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert (
        f"Échec de l'authentification par le serveur CAS {CAS_URL} : Le serveur CAS doit être "
        'configuré pour renvoyer un attribut "idPronote". Or aucun attribut n\'a été renvoyé.'
        in text_of(page)
    )
    assert client.get("/pronote/eleve.html")["Location"].startswith(f"{CAS_URL}/login?service=")
    pupil.refresh_from_db()
    assert pupil.cas_identifier == ""


@pytest.mark.parametrize("name", ["idpronote", "IDPRONOTE", "IdPronote", "idPronote "])
def test_an_attribute_in_another_case_is_not_the_configured_one(
    pupil: PronoteUser, fake_cas: FakeCas, name: str
) -> None:
    response = arrive(
        Client(), fake_cas, "eleve.html", "NAA31616", follow=True, **{name: pupil.pronote_id}
    )
    assert 'Le serveur CAS doit être configuré pour renvoyer un attribut "idPronote".' in (
        text_of(response)
    )
    pupil.refresh_from_db()
    assert pupil.cas_identifier == ""


def test_the_missing_attribute_message_names_the_configured_attribute(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    configure(id_attribute="ENTPersonIdPronote")
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", follow=True, idPronote=pupil.pronote_id
    )
    assert 'attribut "ENTPersonIdPronote"' in text_of(response)


def test_an_attribute_named_as_configured_recognises_the_user(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    configure(id_attribute="ENTPersonIdPronote")
    arrive(Client(), fake_cas, "eleve.html", "u", ENTPersonIdPronote=pupil.pronote_id)
    pupil.refresh_from_db()
    assert pupil.cas_identifier == "u"


def test_an_unknown_pronote_id_leads_to_identification_impossible(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = arrive(client, fake_cas, "eleve.html", "u", idPronote="ZZZZZZZZZZZZZZZZ")
    assert response["Location"] == "/pronote/identification-impossible"
    page = client.get("/pronote/identification-impossible")
    assert "Identification impossible" in text_of(page)


def test_the_ticket_goes_away_and_the_page_commune_leads_to_the_user_espace(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = arrive(client, fake_cas, "", "u", idPronote=pupil.pronote_id)
    assert response["Location"] == "/pronote/"
    assert client.get("/pronote/")["Location"] == "/pronote/eleve.html"


def test_other_query_parameters_stay_in_the_service_url(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    response = arrive(Client(), fake_cas, "eleve.html?fd=1", "u", idPronote=pupil.pronote_id)
    assert fake_cas.calls[0]["target"] == ELEVE_URL + "?fd=1"
    assert response["Location"] == "/pronote/eleve.html?fd=1"


def test_a_ticket_the_cas_refuses_shows_the_cas_failure(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    response = Client().get("/pronote/eleve.html?ticket=ST-forged", follow=True)
    text = text_of(response)
    assert response.status_code == 403
    assert f"Échec de l'authentification par le serveur CAS {CAS_URL}" in text
    assert "not recognized" in text


def test_a_refused_ticket_leaves_the_address_and_a_reload_authenticates_again(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    response = client.get("/pronote/eleve.html?fd=1&ticket=ST-forged")
    assert response.status_code == 302
    assert response["Location"] == "/pronote/eleve.html?fd=1"
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "not recognized" in text_of(page)
    again = client.get("/pronote/eleve.html?fd=1")  # reloaded: shown once, then the CAS again
    assert again.status_code == 302
    assert again["Location"].startswith(f"{CAS_URL}/login?service=")
    assert len(fake_cas.calls) == 1  # the used ticket was sent to the CAS once


def test_a_ticket_spelt_otherwise_is_refused_in_place_not_in_a_redirect_loop(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    response = Client().get("/pronote/eleve.html?tick%65t=ST-forged")
    assert response.status_code == 403
    assert "not recognized" in text_of(response)


def test_a_ticket_for_another_service_is_refused(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    ticket = fake_cas.issue(PUBLIC_URL + "parent.html", "u", idPronote=pupil.pronote_id)
    response = Client().get(f"/pronote/eleve.html?ticket={ticket}", follow=True)
    assert response.status_code == 403
    pupil.refresh_from_db()
    assert pupil.cas_identifier == ""


def test_a_response_to_another_request_is_refused(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    fake_cas.wrong_in_response_to = True
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", follow=True, idPronote=pupil.pronote_id
    )
    assert response.status_code == 403
    assert "InResponseTo" in text_of(response)


def test_an_unreachable_cas_is_reported(
    pupil: PronoteUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    import requests

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(requests, "post", refuse)
    response = Client().get("/pronote/eleve.html?ticket=ST-1", follow=True)
    assert response.status_code == 403
    assert "le serveur CAS ne répond pas" in text_of(response)


def test_a_cas_http_error_is_reported(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    fake_cas.status = 500
    response = arrive(
        Client(), fake_cas, "eleve.html", "u", follow=True, idPronote=pupil.pronote_id
    )
    assert "HTTP 500" in text_of(response)


def test_a_user_whose_category_does_not_fit_the_espace_is_refused(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    teacher = make_user(
        category="enseignant",
        last_name="BERRONE",
        first_name="Christian",
        class_name="",
        birth_date=None,
    )
    client = Client()
    arrive(client, fake_cas, "eleve.html", "prof1", idPronote=teacher.pronote_id)
    page = client.get("/pronote/eleve.html")
    assert page.status_code == 403
    text = text_of(page)
    assert "ne vous permet pas d'accéder à l'Espace Élèves" in text
    assert 'href="/pronote/professeur.html"' in page.content.decode()
    assert client.get("/pronote/professeur.html")["Location"].startswith(CAS_URL + "/login")
    arrive(client, fake_cas, "professeur.html", "prof1")
    ok = client.get("/pronote/professeur.html")
    assert "Espace Professeurs — BERRONE CHRISTIAN" in text_of(ok)


def test_the_espace_shows_the_previous_connection(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    first = Client()
    arrive(first, fake_cas, "eleve.html", "u", idPronote=pupil.pronote_id)
    assert "Première connexion" in text_of(first.get("/pronote/eleve.html"))
    second = Client()
    arrive(second, fake_cas, "eleve.html", "u")
    assert "Dernière connexion : " in text_of(second.get("/pronote/eleve.html"))


def test_mobile_espaces_delegate_too(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    client = Client()
    assert client.get("/pronote/mobile.eleve.html")["Location"].endswith(
        quote(PUBLIC_URL + "mobile.eleve.html", safe="")
    )
    arrive(client, fake_cas, "mobile.eleve.html", "u", idPronote=pupil.pronote_id)
    text = text_of(client.get("/pronote/mobile.eleve.html"))
    assert "Espace Élèves — MARTIN CAMILLE" in text and "Version mobile" in text


def test_a_parent_sees_their_children(fake_cas: FakeCas) -> None:
    make_establishment()
    configure()
    parent = make_user(
        category="responsable",
        last_name="DUPONT",
        first_name="Anne",
        birth_date=None,
        class_name="",
    )
    for first in ("Léo", "Zoé"):
        child = make_user(last_name="DUPONT", first_name=first)
        child.responsables.add(parent)
    client = Client()
    arrive(client, fake_cas, "", "parent-1", idPronote=parent.pronote_id)
    assert client.get("/pronote/")["Location"] == "/pronote/parent.html"
    text = text_of(client.get("/pronote/parent.html"))
    assert "Espace Parents — DUPONT ANNE" in text
    assert "DUPONT Léo" in text and "DUPONT Zoé" in text


def test_its_cookies_never_use_the_ent_cookie_names(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u", idPronote=pupil.pronote_id)
    client.get("/pronote/administration/connexion")
    assert "pronotesim_session" in client.cookies
    assert "pronotesim_csrftoken" in client.cookies
    assert "sessionid" not in client.cookies and "socle_session" not in client.cookies


def test_a_new_ticket_replaces_the_connected_user(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    other = make_user(first_name="Jules")
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u1", idPronote=pupil.pronote_id)
    arrive(client, fake_cas, "eleve.html", "u2", idPronote=other.pronote_id)
    assert "Espace Élèves — MARTIN JULES" in text_of(client.get("/pronote/eleve.html"))


def test_the_subject_can_be_replaced_by_a_cas_attribute(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    configure(common_id_source="attribute", common_id_attribute="uid")
    arrive(Client(), fake_cas, "eleve.html", "opaque", uid="cmartin", idPronote=pupil.pronote_id)
    pupil.refresh_from_db()
    assert pupil.cas_identifier == "cmartin"


def test_an_unpublished_base_answers_503(pupil: PronoteUser) -> None:
    configure(published=False)
    response = Client().get("/pronote/eleve.html")
    assert response.status_code == 503
    assert "publication de la base est arrêtée" in text_of(response)


def test_an_unknown_page_is_404(pupil: PronoteUser) -> None:
    assert Client().get("/pronote/inconnu.html").status_code == 404


def test_the_espace_is_served_once_then_the_cas_is_asked_again(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    """PRONOTE.net's session lives in the page: after the ENT's logout on a shared computer,
    reloading the espace, « Précédent » or its address typed again never shows it to the next
    person without the CAS."""
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u", idPronote=pupil.pronote_id)
    page = client.get("/pronote/eleve.html")
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(page)
    assert "no-store" in page["Cache-Control"]
    again = client.get("/pronote/eleve.html")
    assert again["Location"] == f"{CAS_URL}/login?service={quote(ELEVE_URL, safe='')}"
    assert client.get("/pronote/")["Location"].startswith(CAS_URL + "/login")
    arrive(client, fake_cas, "eleve.html", "u")  # the CAS answers at once while the ENT lasts
    assert "Dernière connexion : " in text_of(client.get("/pronote/eleve.html"))


def test_the_next_person_on_a_shared_browser_gets_their_own_espace(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    other = make_user(first_name="Jules")
    client = Client()
    arrive(client, fake_cas, "eleve.html", "u1", idPronote=pupil.pronote_id)
    client.get("/pronote/eleve.html")
    # The first person logged out of the ENT; the next one opens PRONOTE from the same browser.
    assert client.get("/pronote/eleve.html").status_code == 302
    arrive(client, fake_cas, "eleve.html", "u2", idPronote=other.pronote_id)
    assert "Espace Élèves — MARTIN JULES" in text_of(client.get("/pronote/eleve.html"))
