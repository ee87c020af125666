"""« Se déconnecter » after a CAS connection goes through the ENT's CAS logout, and the CAS's
back-channel single logout (``logoutRequest``) ends the session its ticket opened."""

from urllib.parse import quote

from django.test import Client

from pronotesim.base.models import PronoteUser
from tests.helpers import CAS_URL, PUBLIC_URL, FakeCas, configure, make_establishment, text_of

ELEVE_URL = PUBLIC_URL + "eleve.html"


def logout_request(ticket: str, *, prefix: str = "samlp") -> str:
    """As an Apereo/Socle CAS writes it (CAS protocol 3.0, appendix C)."""
    return (
        f'<{prefix}:LogoutRequest xmlns:{prefix}="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0" '
        'IssueInstant="2026-09-05T08:00:00Z"><saml:NameID>@NOT_USED@</saml:NameID>'
        f"<{prefix}:SessionIndex>{ticket}</{prefix}:SessionIndex></{prefix}:LogoutRequest>"
    )


def ticket_for(fake_cas: FakeCas, pupil: PronoteUser, page: str = "eleve.html") -> str:
    return fake_cas.issue(PUBLIC_URL + page, "u-1", idPronote=pupil.pronote_id)


def test_it_sends_a_cas_user_to_the_ent_logout(pupil: PronoteUser, fake_cas: FakeCas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(f"/pronote/eleve.html?ticket={ticket_for(fake_cas, pupil)}")
    page = client.get("/pronote/eleve.html")
    assert "Se déconnecter" in text_of(page)
    token = client.cookies["pronotesim_csrftoken"].value
    response = client.post("/pronote/deconnexion", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == f"{CAS_URL}/logout"


def test_a_direct_login_logout_stays_in_pronote(pupil: PronoteUser) -> None:
    pupil.set_direct_password("secret-pn-1")
    pupil.direct_login = "camille.martin"
    pupil.save()
    client = Client()
    espace = client.post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "secret-pn-1"}
    )["Location"]
    client.get(espace)
    response = client.post("/pronote/deconnexion")
    assert response.status_code == 200
    assert "Vous êtes déconnecté de PRONOTE.net." in text_of(response)


def test_the_cas_single_logout_ends_the_session_its_ticket_opened(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    ticket = ticket_for(fake_cas, pupil)
    assert client.get(f"/pronote/eleve.html?ticket={ticket}")["Location"] == "/pronote/eleve.html"
    # the CAS server, not the browser: no cookie, no CSRF token
    cas = Client(enforce_csrf_checks=True)
    answer = cas.post("/pronote/eleve.html", {"logoutRequest": logout_request(ticket)})
    assert answer.status_code == 200 and answer.content == b""
    again = client.get("/pronote/eleve.html")  # the espace was not loaded yet: gone now
    assert again["Location"] == f"{CAS_URL}/login?service={quote(ELEVE_URL, safe='')}"


def test_it_ends_a_pending_identification_impossible_form(fake_cas: FakeCas) -> None:
    make_establishment()
    configure()
    client = Client()
    ticket = fake_cas.issue(ELEVE_URL, "u-9", idPronote="INCONNU0000000001")
    client.get(f"/pronote/eleve.html?ticket={ticket}")
    Client().post(
        "/pronote/", {"logoutRequest": logout_request(ticket, prefix="saml2p")}
    )  # any PRONOTE.net address: the page commune too
    assert "Votre session a expiré" in text_of(client.get("/pronote/identification-impossible"))


def test_it_leaves_other_sessions_and_ignores_what_is_not_a_logout_request(
    pupil: PronoteUser, fake_cas: FakeCas
) -> None:
    client = Client()
    client.get(f"/pronote/eleve.html?ticket={ticket_for(fake_cas, pupil)}")
    cas = Client()
    for body in (
        logout_request("ST-999-other"),
        "<LogoutRequest><SessionIndex>ST-1-faketicket</SessionIndex></LogoutRequest>",
        '<!DOCTYPE x [<!ENTITY e "ST-1-faketicket">]><x>&e;</x>',
        # a real LogoutRequest naming the live ticket through an entity: no DTD, ignored
        '<!DOCTYPE r [<!ENTITY e "ST-1-faketicket">]>' + logout_request("&e;"),
        "pas du XML",
    ):
        assert cas.post("/pronote/eleve.html", {"logoutRequest": body}).status_code == 200
    assert "Espace Élèves — MARTIN CAMILLE" in text_of(client.get("/pronote/eleve.html"))


def test_a_post_without_logout_request_still_needs_its_csrf_token(pupil: PronoteUser) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/pronote/eleve.html?login=true", {"login": "camille.martin", "password": "x"}
    )
    assert response.status_code == 403
