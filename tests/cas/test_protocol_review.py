"""Points of the CAS 3.0 specification (and SAML 1.1) found by the second protocol review,
of 2026-12-04: one test each, the answers parsed before anything is asserted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client, RequestFactory
from lxml import etree

from socle.cas.fasthop import FastHop
from socle.cas.lean import HOP
from tests.cas.conftest import SERVICE_URL, cas_login, ticket_from
from tests.cas.test_saml import NS as SAML
from tests.cas.test_saml import saml_request
from tests.cas.wsgi import Spy, run
from tests.factories import make_membership

CAS = {"cas": "http://www.yale.edu/tp/cas"}


def _validate(path: str, **query: str) -> etree._Element:
    return etree.fromstring(Client().get(path, query).content)


def test_it_asks_the_password_on_renew_despite_the_session_and_the_ticket_passes_renew(
    client, pupil, service
) -> None:
    # §2.1.1 renew: credentials are required "regardless of the existence of a single sign-on
    # session"; the ticket of that login then passes a validation with renew=true (§2.5.1).
    cas_login(client, pupil)
    page = etree.HTML(client.get("/cas/login", {"service": SERVICE_URL, "renew": "true"}).content)
    form = page.find(".//form")
    assert form.find(".//input[@name='password']") is not None
    assert form.find(".//input[@name='renew']").get("value") == "true"
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL, renew="true"))
    root = _validate("/cas/p3/serviceValidate", ticket=ticket, service=SERVICE_URL, renew="true")
    assert root.find("cas:authenticationSuccess", CAS) is not None
    assert root.findtext(".//cas:isFromNewLogin", namespaces=CAS) == "true"


def test_it_answers_no_and_one_line_feed_to_a_failed_cas1_validation(pupil, service) -> None:
    # §2.4.2: "On ticket validation failure: no<LF>".
    response = Client().get("/cas/validate", {"ticket": "ST-unknown", "service": SERVICE_URL})
    assert response.content.decode().split("\n") == ["no", ""]


def test_it_answers_yes_and_the_user_to_a_cas1_validation(client, pupil, service) -> None:
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    response = Client().get("/cas/validate", {"ticket": ticket, "service": SERVICE_URL})
    assert response.content.decode().split("\n") == ["yes", pupil.uid, ""]


def test_it_nests_request_denied_under_the_top_level_requester_status(pupil, service) -> None:
    # SAML 1.1 core §3.4.3.1: the topmost StatusCode is Success, VersionMismatch, Requester or
    # Responder; RequestDenied is a second-level code inside it.
    response = Client().post(
        f"/cas/samlValidate?TARGET={SERVICE_URL}",
        saml_request("ST-unknown"),
        content_type="text/xml",
    )
    top = etree.fromstring(response.content).find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:Requester"
    assert [code.get("Value") for code in top] == ["samlp:RequestDenied"]
    message = etree.fromstring(response.content).findtext(".//samlp:StatusMessage", None, SAML)
    assert message.startswith("INVALID_TICKET: ")


def test_it_replaces_a_ticket_the_service_url_already_holds(client, pupil, service) -> None:
    # The service comes back with the stale ticket it was given before: the redirect carries
    # the new ticket alone, and the service validates it with its address without ticket (what
    # CAS clients send) or with the address it gave /login.
    cas_login(client, pupil)
    stale = f"{SERVICE_URL}?ticket=ST-stale&page=2#notes"
    for validated_with in (f"{SERVICE_URL}?page=2", stale):
        location = client.get("/cas/login", {"service": stale})["Location"]
        parts = urlsplit(location)
        query = parse_qs(parts.query)
        assert sorted(query) == ["page", "ticket"] and query["page"] == ["2"]
        assert parts.fragment == "notes"
        (ticket,) = query["ticket"]
        assert ticket != "ST-stale"
        root = _validate("/cas/serviceValidate", ticket=ticket, service=validated_with)
        assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid


def test_it_keeps_the_query_fragment_and_encoded_characters_of_the_service(
    client, pupil, service
) -> None:
    cas_login(client, pupil)
    url = f"{SERVICE_URL}/caf%C3%A9?q=a%2Fb&x=%26#top"
    location = client.get("/cas/login", {"service": url})["Location"]
    assert location.startswith(f"{SERVICE_URL}/caf%C3%A9?q=a%2Fb&x=%26&ticket=ST-")
    assert location.endswith("#top")
    (ticket,) = parse_qs(urlsplit(location).query)["ticket"]
    root = _validate("/cas/serviceValidate", ticket=ticket, service=url)
    assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid


def _warn_login(client: Client, pupil) -> None:
    """A login through the form of ``/cas/login?service=…&warn=true``, its hidden fields sent
    back as a browser would."""
    page = etree.HTML(client.get("/cas/login", {"service": SERVICE_URL, "warn": "true"}).content)
    hidden = {
        field.get("name"): field.get("value")
        for field in page.findall(".//form//input[@type='hidden']")
    }
    assert hidden["warn"] == "true"
    response = cas_login(client, pupil, **hidden)
    # The login just typed opens the service at once: the person authenticated for it.
    assert "ticket=ST-" in response["Location"]
    assert client.cookies["socle_warn"].value == "1"


def test_it_asks_before_opening_another_service_after_a_login_with_warn(
    client, pupil, service
) -> None:
    # §2.2.1 warn: "single sign-on MUST NOT be transparent. The client MUST be prompted before
    # being authenticated to another service."
    _warn_login(client, pupil)
    for query in ({"service": SERVICE_URL}, {"service": SERVICE_URL, "gateway": "true"}):
        response = client.get("/cas/login", query)
        assert response.status_code == 200 and "Location" not in response
        form = etree.HTML(response.content).find(".//form")
        fields = {field.get("name"): field.get("value") for field in form.findall(".//input")}
        assert form.get("method") == "post" and form.get("action") == "/cas/login"
        assert fields["service"] == SERVICE_URL and fields["warn_confirmed"] == "1"
        assert "ticket" not in fields and "csrfmiddlewaretoken" in fields
    confirmed = client.post("/cas/login", fields)
    (ticket,) = parse_qs(urlsplit(confirmed["Location"]).query)["ticket"]
    root = _validate("/cas/p3/serviceValidate", ticket=ticket, service=SERVICE_URL)
    assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid
    assert root.findtext(".//cas:isFromNewLogin", namespaces=CAS) == "false"


def test_the_warn_question_needs_the_csrf_token(client, pupil, service) -> None:
    _warn_login(client, pupil)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post("/cas/login", {"service": SERVICE_URL, "warn_confirmed": "1"})
    assert response.status_code == 403 and "Location" not in response
    form = etree.HTML(strict.get("/cas/login", {"service": SERVICE_URL}).content).find(".//form")
    fields = {field.get("name"): field.get("value") for field in form.findall(".//input")}
    assert "ticket=ST-" in strict.post("/cas/login", fields)["Location"]


def test_it_keeps_the_post_method_through_the_warn_question(client, pupil, service) -> None:
    _warn_login(client, pupil)
    page = client.get("/cas/login", {"service": SERVICE_URL, "method": "POST"})
    form = etree.HTML(page.content).find(".//form")
    fields = {field.get("name"): field.get("value") for field in form.findall(".//input")}
    assert fields["method"] == "POST"
    answer = etree.HTML(client.post("/cas/login", fields).content).find(".//form")
    assert answer.get("action") == SERVICE_URL
    assert answer.find(".//input[@name='ticket']").get("value").startswith("ST-")


def test_a_login_without_warn_and_a_logout_forget_it(client, pupil, service) -> None:
    _warn_login(client, pupil)
    cas_login(client, pupil, SERVICE_URL)  # a new login, without warn
    assert not client.cookies["socle_warn"].value
    assert "ticket=ST-" in client.get("/cas/login", {"service": SERVICE_URL})["Location"]
    client.get("/cas/logout")
    _warn_login(client, pupil)
    client.get("/cas/logout")
    assert not client.cookies["socle_warn"].value


def test_the_fast_hop_leaves_the_warn_question_to_the_view(client, pupil, service) -> None:
    _warn_login(client, pupil)
    cookies = f"socle_tgc={client.cookies['socle_tgc'].value}; socle_warn=1"
    request = RequestFactory().get(
        f"/cas/login?{urlencode({'service': SERVICE_URL})}", HTTP_COOKIE=cookies
    )
    spy = Spy(HOP)
    answer = run(FastHop(spy), dict(request.environ))
    assert spy.calls == 1
    assert answer.status_code == 200 and "location" not in answer.headers
    form = etree.HTML(answer.body).find(".//form")
    assert form.find(".//input[@name='warn_confirmed']").get("value") == "1"


def test_it_delivers_the_pgt_in_the_query_of_a_callback_that_has_a_fragment(monkeypatch) -> None:
    # §2.5.4: the callback's own parameters are preserved; pgtId and pgtIou written after a
    # fragment were never sent (the HTTP client drops the fragment and all that follows).
    from socle.cas import outbound

    class Answered:
        status = 200

        def __enter__(self) -> Answered:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    requested: list[str] = []
    monkeypatch.setattr(
        outbound._opener, "open", lambda url, timeout: requested.append(url) or Answered()
    )
    assert outbound.deliver_pgt("https://appli.example.org/pgt?x=1#cb", "PGT-a", "PGTIOU-b")
    (url,) = requested
    parts = urlsplit(url)
    assert parts.fragment == "" and parts.path == "/pgt"
    assert parse_qs(parts.query) == {"x": ["1"], "pgtId": ["PGT-a"], "pgtIou": ["PGTIOU-b"]}


def test_it_refuses_a_saml_request_of_another_major_version_and_spends_its_ticket(
    client, pupil, service
) -> None:
    # SAML 1.1 core §4.2.1 (request versions): another major version is refused with the
    # top-level samlp:VersionMismatch; the ticket it names is spent (one attempt, §3.1.1).
    ticket = ticket_from(cas_login(client, pupil, SERVICE_URL))
    body = saml_request(ticket).replace(b'MajorVersion="1"', b'MajorVersion="2"')
    path = f"/cas/samlValidate?TARGET={SERVICE_URL}"
    root = etree.fromstring(Client().post(path, body, content_type="text/xml").content)
    top = root.find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:VersionMismatch"
    assert [code.get("Value") for code in top] == ["samlp:RequestVersionTooHigh"]
    assert root.find(".//saml:Assertion", SAML) is None
    again = Client().post(path, saml_request(ticket), content_type="text/xml")
    top = etree.fromstring(again.content).find(".//samlp:Status/samlp:StatusCode", SAML)
    assert top.get("Value") == "samlp:Requester"


def test_the_single_logout_request_has_every_field_of_appendix_c() -> None:
    import datetime as dt

    from socle.cas.saml import render_logout_request

    moment = dt.datetime(2026, 12, 4, 8, 30, 1, 234000, tzinfo=dt.UTC)
    root = etree.fromstring(render_logout_request("ST-abc", issue_instant=moment).encode())
    protocol, assertion = (
        "urn:oasis:names:tc:SAML:2.0:protocol",
        "urn:oasis:names:tc:SAML:2.0:assertion",
    )
    assert root.tag == f"{{{protocol}}}LogoutRequest"
    assert root.get("Version") == "2.0" and root.get("IssueInstant") == "2026-12-04T08:30:01.234Z"
    assert root.get("ID", "").startswith("_") and len(root.get("ID")) > 16
    assert root.findtext(f"{{{assertion}}}NameID") == "@NOT_USED@"
    assert root.findtext(f"{{{protocol}}}SessionIndex") == "ST-abc"


def test_it_sends_each_value_and_escapes_special_characters_in_xml_json_and_saml(
    client, school, service
) -> None:
    from socle.directory.models import Profile
    from tests.factories import make_establishment, make_person

    person = make_person("Zoé & <Léa>", 'O\'Brien "Fils"', establishment=school)
    other = make_establishment(uai="0312799Z")
    make_membership(person, other, profile=Profile.PUPIL)
    service.released_attributes = ["nom", "prenom", "uai"]
    service.save()
    expected = {
        "nom": ['O\'Brien "Fils"'],
        "prenom": ["Zoé & <Léa>"],
        "uai": sorted([school.uai, other.uai]),
    }

    root = _validate(
        "/cas/p3/serviceValidate",
        ticket=ticket_from(cas_login(client, person, SERVICE_URL)),
        service=SERVICE_URL,
    )
    for name, values in expected.items():
        found = [e.text for e in root.iterfind(f".//cas:attributes/cas:{name}", CAS)]
        assert sorted(found) == values

    ticket = ticket_from(cas_login(client, person, SERVICE_URL))
    query = {"ticket": ticket, "service": SERVICE_URL, "format": "JSON"}
    body = Client().get("/cas/p3/serviceValidate", query).json()
    attributes = body["serviceResponse"]["authenticationSuccess"]["attributes"]
    assert {name: sorted(attributes[name]) for name in expected} == expected

    ticket = ticket_from(cas_login(client, person, SERVICE_URL))
    path = f"/cas/samlValidate?TARGET={SERVICE_URL}"
    saml = etree.fromstring(
        Client().post(path, saml_request(ticket), content_type="text/xml").content
    )
    for name, values in expected.items():
        attribute = saml.find(f".//saml:Attribute[@AttributeName='{name}']", SAML)
        assert attribute.get("AttributeNamespace") == "http://www.ja-sig.org/products/cas/"
        assert sorted(v.text for v in attribute.iterfind("saml:AttributeValue", SAML)) == values


def test_gateway_without_a_session_goes_back_to_the_service_without_ticket(service) -> None:
    # §2.1.1 gateway: "CAS MUST redirect the client to the URL specified by the service
    # parameter with no ticket parameter"; without service, the credentials are asked.
    response = Client().get("/cas/login", {"service": SERVICE_URL, "gateway": "true"})
    assert response.status_code == 302 and response["Location"] == SERVICE_URL
    page = etree.HTML(Client().get("/cas/login", {"gateway": "true"}).content)
    assert page.find(".//form//input[@name='password']") is not None


def test_a_post_response_carries_the_new_ticket_alone(client, pupil, service) -> None:
    cas_login(client, pupil)
    stale = f"{SERVICE_URL}?ticket=ST-stale&page=2"
    page = client.get("/cas/login", {"service": stale, "method": "POST"})
    form = etree.HTML(page.content).find(".//form")
    assert form.get("action") == f"{SERVICE_URL}?page=2"
    (ticket,) = [field.get("value") for field in form.iterfind(".//input[@name='ticket']")]
    root = _validate("/cas/serviceValidate", ticket=ticket, service=stale)
    assert root.findtext(".//cas:user", namespaces=CAS) == pupil.uid
