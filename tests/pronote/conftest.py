"""Fixtures of the PRONOTE tests: throwaway RSA keys (generated once per session), a school and
its administrator's client."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from socle.directory.models import Person
from tests.pronote.helpers import School

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pronotesim_saml():
    """pronotesim's SAML 1.1 client, the code its espaces validate tickets with."""
    sys.path.insert(0, str(ROOT / "pronotesim"))
    try:
        from pronotesim.console import links
        from pronotesim.espaces import saml
    finally:
        sys.path.remove(str(ROOT / "pronotesim"))
    return saml, links


@pytest.fixture(scope="session")
def ent_key() -> rsa.RSAPrivateKey:
    """The ENT's key pair (PRONOTE encrypts the identifier export for it)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    """Another partner's key: a file sealed for it must be refused."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def ent_key_file(tmp_path: Path, ent_key: rsa.RSAPrivateKey, settings) -> Path:
    path = tmp_path / "ent.pem"
    path.write_bytes(
        ent_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)  # as docs/pronote.md asks (socle.W066 otherwise)
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(path)
    settings.SOCLE_PRONOTE_PARTNER = "SOCLE"
    return path


@pytest.fixture
def school() -> School:
    return School()


@pytest.fixture
def school_in_browser(live_server, transactional_db, monkeypatch) -> tuple[School, Person]:
    """A school and its administrator, written where the live server beside Playwright reads
    them (the browser tests)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    school = School()
    return school, school.make_admin()


@pytest.fixture
def admin_client(client, school):
    admin = school.make_admin()
    client.force_login(admin)
    return client


@pytest.fixture
def fresh_withheld_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CAS notes a service's withheld SAML attributes once per process: each test is a new
    one (for the modules of plain-http PRONOTE services)."""
    from socle.cas import answers

    monkeypatch.setattr(answers, "_withheld_noted", set())
