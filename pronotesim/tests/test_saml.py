"""pronotesim's SAML 1.1 client, unit by unit."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from pronotesim.espaces import saml
from tests.helpers import saml_failure, saml_success


def test_a_success_gives_the_user_and_the_attributes() -> None:
    body = saml_success(
        user="NAA31616",
        attributes={"idPronote": ["AZKH9C7WSQ2R54DP"], "categories": ["National_1"]},
        in_response_to="_req",
    )
    result = saml.parse_response(body, "_req")
    assert result.user == "NAA31616"
    assert result.first("idPronote") == "AZKH9C7WSQ2R54DP"
    assert result.attributes["categories"] == ["National_1"]


def test_attribute_names_are_exact() -> None:
    """PRONOTE reads the attribute named as configured in its console: another case is another
    attribute (strict on purpose, docs/pronotesim.md)."""
    body = saml_success(
        user="u", attributes={"IDPRONOTE": ["AZKH9C7WSQ2R54DP"]}, in_response_to="_r"
    )
    result = saml.parse_response(body, "_r")
    assert result.first("idPronote") == ""
    assert result.first("IDPRONOTE") == "AZKH9C7WSQ2R54DP"


def test_the_older_samlp_prefix_is_understood() -> None:
    body = saml_success(user="u", in_response_to="_req", prefix="samlp")
    assert saml.parse_response(body, "_req").user == "u"


def test_a_status_code_from_another_namespace_is_not_success() -> None:
    body = saml_success(user="u", in_response_to="_req").replace(
        b'Value="saml1p:Success"', b'xmlns:x="urn:other" Value="x:Success"'
    )
    with pytest.raises(saml.SamlValidationError):
        saml.parse_response(body, "_req")


def test_a_denied_ticket_carries_the_cas_message() -> None:
    with pytest.raises(saml.SamlValidationError, match="not recognized"):
        saml.parse_response(
            saml_failure(in_response_to="_r", message="Ticket not recognized"), "_r"
        )


def test_an_expired_assertion_is_refused() -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    body = saml_success(user="u", in_response_to="_r", not_on_or_after=past)
    with pytest.raises(saml.SamlValidationError, match="expiré"):
        saml.parse_response(body, "_r")


def test_a_doctype_in_the_answer_is_refused() -> None:
    body = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(saml.SamlValidationError, match="illisible|SAML"):
        saml.parse_response(body, "_r")


def test_an_answer_without_name_identifier_is_refused() -> None:
    body = saml_success(user="", in_response_to="_r")
    with pytest.raises(saml.SamlValidationError, match="NameIdentifier"):
        saml.parse_response(body, "_r")


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
        saml.parse_response(body, "_r")
    assert "abcdefSECRET" not in caught.value.reason and "ST-…" in caught.value.reason
