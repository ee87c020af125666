from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pronotesim.base.models import PronoteUser
from tests.helpers import FakeCas, configure, make_establishment, make_user


@pytest.fixture(autouse=True)
def _db_access_for_all(db: None) -> None:
    """Every pronotesim test reads or writes the base."""


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake_cas(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCas]:
    cas = FakeCas()
    monkeypatch.setattr("pronotesim.espaces.saml.requests_transport", cas)
    yield cas


@pytest.fixture
def pupil() -> PronoteUser:
    """Camille MARTIN in a base delegated to the fake CAS (``helpers.configure``); a module may
    define its own."""
    make_establishment()
    configure()
    return make_user(pronote_id="AZKH9C7WSQ2R54DP", last_name="MARTIN", first_name="Camille")
