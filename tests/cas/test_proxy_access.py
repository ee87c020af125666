"""Proxy tickets obey the portal's access rules as ``/cas/login`` does: no PT for a target
service the person may not open (CAS 3.0 §2.7.3 ``UNAUTHORIZED_SERVICE``), and a PT's
validation asks again."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import etree

from socle.cas.tickets import get_store
from socle.portal.models import AccessMode, AccessRule, AccessTarget, Trace
from tests.cas.conftest import SERVICE_URL, cas_login, issue_ticket, ticket_from
from tests.factories import make_service

NS = {"cas": "http://www.yale.edu/tp/cas"}
BACKEND_URL = "https://backend.example.org/api"


@pytest.fixture
def backend(school):
    """A « rules only » service: nobody may open it until a rule says who."""
    return make_service(
        "backend", patterns=("https://backend.example.org/**",), access_mode=AccessMode.RULES
    )


@pytest.fixture
def pgt(pupil, service) -> str:
    """A PGT the (proxying) portal service got from the pupil's login."""
    service.proxy_callback_allowed = True
    service.save()
    session = get_store().create_session(pupil.pk)
    return (
        get_store()
        .create_pgt(
            person_id=pupil.pk,
            session_id=session.id,
            service_id=service.pk,
            callback_url="https://appli.example.org/pgt",
            proxies=["https://appli.example.org/pgt"],
        )
        .id
    )


def proxy(pgt: str, target: str = BACKEND_URL, **extra: str) -> etree._Element:
    response = Client().get("/cas/proxy", {"pgt": pgt, "targetService": target, **extra})
    return etree.fromstring(response.content)


def open_to_pupils(backend, school) -> None:
    rule = AccessRule.objects.create(service=backend, target=AccessTarget.ESTABLISHMENTS)
    rule.establishments.add(school)


def test_it_refuses_a_proxy_ticket_for_a_service_the_person_may_not_open(pgt, backend, pupil):
    answer = proxy(pgt)
    failure = answer.find("cas:proxyFailure", NS)
    assert failure is not None and failure.get("code") == "UNAUTHORIZED_SERVICE"
    assert answer.find(".//cas:proxyTicket", NS) is None
    refusal = Trace.objects.get(event="access_denied")
    assert (refusal.person_id, refusal.service_code, refusal.detail) == (
        pupil.pk,
        "backend",
        "proxy",
    )


def test_it_refuses_in_json_too(pgt, backend):
    response = Client().get(
        "/cas/proxy", {"pgt": pgt, "targetService": BACKEND_URL, "format": "JSON"}
    )
    assert response.json()["serviceResponse"]["proxyFailure"]["code"] == "UNAUTHORIZED_SERVICE"


def test_it_issues_the_proxy_ticket_once_a_rule_opens_the_service(pgt, backend, school, pupil):
    open_to_pupils(backend, school)
    pt = proxy(pgt).findtext(".//cas:proxyTicket", namespaces=NS)
    assert pt.startswith("PT-")
    validated = Client().get("/cas/proxyValidate", {"ticket": pt, "service": BACKEND_URL})
    root = etree.fromstring(validated.content)
    assert root.findtext(".//cas:user", namespaces=NS) == pupil.uid


@pytest.mark.parametrize("path", ["/cas/proxyValidate", "/cas/p3/proxyValidate"])
def test_a_proxy_ticket_is_refused_at_validation_once_access_is_withdrawn(
    pgt, backend, school, path
):
    open_to_pupils(backend, school)
    pt = proxy(pgt).findtext(".//cas:proxyTicket", namespaces=NS)
    AccessRule.objects.filter(service=backend).delete()  # the school withdraws the access
    response = Client().get(path, {"ticket": pt, "service": BACKEND_URL})
    failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
    assert failure is not None and failure.get("code") == "UNAUTHORIZED_SERVICE"


def test_a_proxy_ticket_issued_before_the_check_is_refused_at_validation(pupil, backend):
    # As a proxy ticket issued by an earlier release, or through a path that skipped the check.
    session = get_store().create_session(pupil.pk)
    pt = issue_ticket(
        get_store(),
        pupil,
        backend,
        prefix="PT",
        service_url=BACKEND_URL,
        session_id=session.id,
        from_new_login=False,
        proxies=["https://appli.example.org/pgt"],
    )
    codes = []
    for _attempt in range(2):
        response = Client().get("/cas/proxyValidate", {"ticket": pt, "service": BACKEND_URL})
        failure = etree.fromstring(response.content).find("cas:authenticationFailure", NS)
        codes.append(failure.get("code"))
    assert codes == ["UNAUTHORIZED_SERVICE", "INVALID_TICKET"]  # spent by the refused attempt


def test_the_login_refuses_the_same_person_the_same_service(client, pupil, service, backend):
    """The rule the proxy now applies is the login's (``portal.access.can_access``)."""
    cas_login(client, pupil)
    assert client.get("/cas/login", {"service": BACKEND_URL}).status_code == 403
    assert ticket_from(client.get("/cas/login", {"service": SERVICE_URL})).startswith("ST-")
