"""pronotesim's SAML 1.1 client, unit by unit."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from pronotesim.espaces import saml
from tests.helpers import PUBLIC_URL, SERVICE, saml_failure, saml_success

US = saml.RelyingParty(SERVICE, PUBLIC_URL)


def test_a_success_gives_the_user_and_the_attributes() -> None:
    body = saml_success(
        user="NAA31616",
        attributes={"idPronote": ["AZKH9C7WSQ2R54DP"], "categories": ["National_1"]},
        in_response_to="_req",
    )
    result = saml.parse_response(body, "_req", US)
    assert result.user == "NAA31616"
    assert result.first("idPronote") == "AZKH9C7WSQ2R54DP"
    assert result.attributes["categories"] == ["National_1"]


def test_attribute_names_are_exact() -> None:
    """PRONOTE reads the attribute named as configured in its console: another case is another
    attribute (strict on purpose, docs/pronotesim.md)."""
    body = saml_success(
        user="u", attributes={"IDPRONOTE": ["AZKH9C7WSQ2R54DP"]}, in_response_to="_r"
    )
    result = saml.parse_response(body, "_r", US)
    assert result.first("idPronote") == ""
    assert result.first("IDPRONOTE") == "AZKH9C7WSQ2R54DP"


def test_the_older_samlp_prefix_is_understood() -> None:
    body = saml_success(user="u", in_response_to="_req", prefix="samlp")
    assert saml.parse_response(body, "_req", US).user == "u"


def test_a_status_code_from_another_namespace_is_not_success() -> None:
    body = saml_success(user="u", in_response_to="_req").replace(
        b'Value="saml1p:Success"', b'xmlns:x="urn:other" Value="x:Success"'
    )
    with pytest.raises(saml.SamlValidationError):
        saml.parse_response(body, "_req", US)


def test_a_denied_ticket_carries_the_cas_message() -> None:
    with pytest.raises(saml.SamlValidationError, match="not recognized"):
        saml.parse_response(
            saml_failure(in_response_to="_r", message="Ticket not recognized"), "_r", US
        )


def test_an_expired_assertion_is_refused() -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    body = saml_success(user="u", in_response_to="_r", not_on_or_after=past)
    with pytest.raises(saml.SamlValidationError, match="expiré"):
        saml.parse_response(body, "_r", US)


def test_a_doctype_in_the_answer_is_refused() -> None:
    body = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(saml.SamlValidationError, match="illisible|SAML"):
        saml.parse_response(body, "_r", US)


def test_an_answer_without_name_identifier_is_refused() -> None:
    body = saml_success(user="", in_response_to="_r")
    with pytest.raises(saml.SamlValidationError, match="NameIdentifier"):
        saml.parse_response(body, "_r", US)


def test_each_request_has_its_own_id() -> None:
    assert saml.build_request("ST-1").request_id != saml.build_request("ST-1").request_id


class FakeResponse:
    def __init__(self, status: int, chunks: list[bytes]) -> None:
        self.status_code, self.chunks = status, chunks

    def __enter__(self) -> "FakeResponse":
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def iter_content(self, size: int):
        yield from self.chunks


def test_the_requests_transport_posts_without_following_redirects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = {}

    def post(url, **kwargs):
        seen.update(kwargs, url=url)
        return FakeResponse(200, [b"<a/>"])

    monkeypatch.setattr(requests, "post", post)
    status, body = saml.requests_transport("http://cas/samlValidate", b"x", {}, 3.0)
    assert (status, body) == (200, b"<a/>")
    assert seen["allow_redirects"] is False and seen["timeout"] == 3.0


def test_the_requests_transport_stops_a_huge_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    big = [b"x" * (600 * 1024)] * 2
    monkeypatch.setattr(requests, "post", lambda url, **kw: FakeResponse(200, big))
    with pytest.raises(saml.SamlValidationError, match="volumineuse"):
        saml.requests_transport("http://cas/samlValidate", b"x", {}, 3.0)


def test_a_timeout_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def post(url, **kwargs):
        raise requests.Timeout()

    monkeypatch.setattr(requests, "post", post)
    with pytest.raises(saml.SamlValidationError, match="Timeout"):
        saml.requests_transport("http://cas/samlValidate", b"x", {}, 3.0)


def test_a_ticket_quoted_by_the_cas_is_never_shown_whole() -> None:
    body = saml_failure(in_response_to="_r", message="Ticket 'ST-12-abcdefSECRET' not recognized")
    with pytest.raises(saml.SamlValidationError) as caught:
        saml.parse_response(body, "_r", US)
    assert "abcdefSECRET" not in caught.value.reason and "ST-…" in caught.value.reason


# --- what a SAML 1.1 relying party checks: for whom, and until when --------------------------


def test_it_accepts_an_audience_naming_the_service_or_an_address_under_its_root() -> None:
    assert saml.parse_response(saml_success(user="u", in_response_to="_r"), "_r", US).user == "u"
    other_espace = saml_success(user="u", in_response_to="_r", recipient=PUBLIC_URL + "parent.html")
    assert saml.parse_response(other_espace, "_r", US).user == "u"


def test_it_refuses_an_assertion_meant_for_another_service() -> None:
    body = saml_success(
        user="u", in_response_to="_r", recipient="", audience="https://moodle.test/login"
    )
    with pytest.raises(saml.SamlValidationError) as caught:
        saml.parse_response(body, "_r", US)
    assert caught.value.reason == (
        "l'assertion SAML est destinée à un autre service (Audience « https://moodle.test/login »"
        f", attendu « {SERVICE} »)"
    )


def test_it_refuses_an_audience_whose_root_differs_in_case() -> None:
    """``/Pronote/`` is not ``/pronote/``: the path of a URL is case-sensitive."""
    body = saml_success(
        user="u", in_response_to="_r", recipient="", audience="http://testserver/Pronote/eleve.html"
    )
    with pytest.raises(saml.SamlValidationError, match="Audience"):
        saml.parse_response(body, "_r", US)


def test_it_refuses_an_assertion_without_audience_restriction() -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    conditions = f'<saml1:Conditions NotBefore="{stamp}" NotOnOrAfter="{stamp}"/>'
    body = saml_success(user="u", in_response_to="_r", conditions=conditions)
    with pytest.raises(saml.SamlValidationError, match="AudienceRestrictionCondition absente"):
        saml.parse_response(body, "_r", US)


def test_it_refuses_a_response_whose_recipient_is_another_service() -> None:
    body = saml_success(
        user="u", in_response_to="_r", recipient="https://evil.test/", audience=SERVICE
    )
    with pytest.raises(saml.SamlValidationError) as caught:
        saml.parse_response(body, "_r", US)
    assert "Recipient « https://evil.test/ »" in caught.value.reason


def test_it_refuses_an_assertion_without_conditions_or_dates() -> None:
    without = saml_success(user="u", in_response_to="_r", conditions="")
    with pytest.raises(saml.SamlValidationError, match="Conditions absentes"):
        saml.parse_response(without, "_r", US)
    no_end = (
        '<saml1:Conditions NotBefore="2026-01-01T00:00:00Z"><saml1:AudienceRestrictionCondition>'
        f"<saml1:Audience>{SERVICE}</saml1:Audience></saml1:AudienceRestrictionCondition>"
        "</saml1:Conditions>"
    )
    body = saml_success(user="u", in_response_to="_r", conditions=no_end)
    with pytest.raises(saml.SamlValidationError, match="NotBefore et NotOnOrAfter"):
        saml.parse_response(body, "_r", US)


def test_it_refuses_an_assertion_not_yet_valid() -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    body = saml_success(
        user="u", in_response_to="_r", not_before=later, not_on_or_after=later + timedelta(1)
    )
    with pytest.raises(saml.SamlValidationError, match="pas encore valide"):
        saml.parse_response(body, "_r", US)


def test_it_accepts_a_clock_a_little_ahead_or_behind() -> None:
    now = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)
    body = saml_success(
        user="u",
        in_response_to="_r",
        not_before=now - timedelta(seconds=30),
        not_on_or_after=now + timedelta(seconds=30),
    )
    for offset in (-saml.CLOCK_SKEW, saml.CLOCK_SKEW):
        # stamps written by the helper use its own clock: only the window is compared
        assert saml.parse_response(body, "_r", US, now=now + offset / 2).user == "u"
