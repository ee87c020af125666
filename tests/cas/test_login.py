from urllib.parse import urlsplit

import pytest
from django.test import Client
from lxml import etree

from socle.cas.views.common import TGC_COOKIE
from socle.portal.models import Trace
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from

NS = {"cas": "http://www.yale.edu/tp/cas"}


def test_it_shows_the_login_form_with_csrf(client: Client, service) -> None:
    response = client.get("/cas/login", {"service": SERVICE_URL})
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_it_logs_in_and_redirects_to_the_service_with_a_ticket(client: Client, pupil, service):
    response = cas_login(client, pupil, SERVICE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(SERVICE_URL + "?ticket=ST-")
    assert len(ticket_from(response)) >= 3 + 32
    cookie = response.cookies[TGC_COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/cas/" and cookie["samesite"] == "Lax"


def test_it_validates_the_ticket_through_service_validate(client: Client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    root = etree.fromstring(response.content)
    assert root.findtext("cas:authenticationSuccess/cas:user", namespaces=NS) == pupil.uid


def test_it_rejects_a_replayed_ticket(client: Client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    response = Client().get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE_URL})
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert failure is not None and failure.get("code") == "INVALID_TICKET"


def test_it_never_redirects_to_an_unknown_service(client: Client, pupil, service) -> None:
    response = client.get("/cas/login", {"service": "https://evil.example.com/"})
    assert response.status_code == 403
    assert "Service non autorisé" in response.content.decode()


@pytest.mark.parametrize(
    ("service_url", "named"),
    [
        (
            "https://user:pw@apps.example.org:8443/x?ticket=ST-1&eleve=camille",
            "https://apps.example.org:8443",
        ),
        ("http://[::1", "adresse illisible"),
        ("not-an-address", "?"),
    ],
)
def test_it_names_the_host_of_a_refused_service_never_its_path_or_query(
    client: Client, service, service_url: str, named: str
) -> None:
    assert client.get("/cas/login", {"service": service_url}).status_code == 403
    trace = Trace.objects.get(event="ticket_refused")
    assert trace.detail == f"service non autorisé : {named}"


def test_it_reuses_the_sso_session_without_asking_again(client: Client, pupil, service) -> None:
    cas_login(client, pupil, SERVICE_URL)
    response = client.get("/cas/login", {"service": SERVICE_URL})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).query.startswith("ticket=ST-")


def test_a_head_request_issues_no_ticket(client: Client, pupil, service) -> None:
    from socle.portal.models import Trace

    cas_login(client, pupil, SERVICE_URL)
    issued = Trace.objects.filter(event="ticket_issued").count()
    head = client.head("/cas/login", {"service": SERVICE_URL})
    assert head.status_code == 200 and "Location" not in head  # the form's headers, no ticket
    assert Trace.objects.filter(event="ticket_issued").count() == issued
    hop = client.get("/cas/login", {"service": SERVICE_URL})  # a GET still hops
    assert hop.status_code == 302 and "ticket=ST-" in hop["Location"]
