from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import FakeCas


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
