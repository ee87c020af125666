import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import xmlschema
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


# Index Education's schemas (not shipped with the repository): SOCLE_XSD_DIR, else beside the
# repository's folder, or where the team keeps them (a clone elsewhere, e.g. in /tmp, still finds
# them).
_XSD_CANDIDATES = [
    *([Path(os.environ["SOCLE_XSD_DIR"])] if os.environ.get("SOCLE_XSD_DIR") else []),
    Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "index-education",
    Path("/work/shared/reference/index-education"),
]
XSD_DIR = next((d for d in _XSD_CANDIDATES if d.is_dir()), _XSD_CANDIDATES[0])


@pytest.fixture(scope="module")
def container_schema() -> xmlschema.XMLSchema11:
    return xmlschema.XMLSchema11(str(XSD_DIR / "ConteneurImportChiffre.xsd"))


@pytest.fixture(scope="module")
def sso_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(XSD_DIR / "RapprochementSSO.xsd"))
