"""Switching ENT, as the field documents tell it: users already carry the former ENT's
« Identifiant CAS »; exporting everyone (« Uniquement les utilisateurs sans identifiants CAS »
unticked) lets PRONOTE reset them, so that the new ENT's names are bound at the next connection."""

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.test import Client
from lxml import etree

from pronotesim.base.models import PronoteUser
from pronotesim.console.models import ServerSettings
from pronotesim.files.export import build_export, reset_cas_identifiers
from tests.crypto_side import open_envelope, public_pem
from tests.helpers import PUBLIC_URL, FakeCas, configure, make_establishment, make_user, text_of

FORMER = "ENTLR-000123"


@pytest.fixture
def bound(rsa_key: rsa.RSAPrivateKey) -> PronoteUser:
    """Camille MARTIN, bound to the former ENT; the export is set up for the new one."""
    make_establishment()
    configure(partner_name="SOCLE", partner_public_key=public_pem(rsa_key))
    return make_user(pronote_id="AZKH9C7WSQ2R54DP", cas_identifier=FORMER)


def arrive(fake_cas: FakeCas, user: str, **attributes: str) -> str:
    ticket = fake_cas.issue(PUBLIC_URL + "eleve.html", user, **attributes)
    return text_of(Client().get(f"/pronote/eleve.html?ticket={ticket}", follow=True))


def cas_identifier(user: PronoteUser) -> str:
    user.refresh_from_db()
    return user.cas_identifier


def test_it_binds_the_new_ents_name_after_a_complete_export(
    bound: PronoteUser, fake_cas: FakeCas, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    # Before the export, the record is bound to the former ENT's name: refused.
    assert "Identification impossible" in arrive(
        fake_cas, "camille.martin", idPronote=bound.pronote_id
    )
    assert cas_identifier(bound) == FORMER

    call_command("export_identifiants", "--out", str(tmp_path))
    exported = (tmp_path / "IdPN_To_SOCLE.xml").read_bytes()
    inner = etree.fromstring(open_envelope(exported, rsa_key, "SOCLE").inner)
    pupil = inner.find("Eleves/Eleve")
    assert pupil is not None and pupil.get("IdentifiantCAS") == FORMER  # as PRONOTE held it
    assert cas_identifier(bound) == ""  # reset by the complete export

    page = arrive(fake_cas, "camille.martin", idPronote=bound.pronote_id)
    assert "Espace Élèves — MARTIN CAMILLE" in page, page
    assert cas_identifier(bound) == "camille.martin"
    # and from then on, as before, never changed by a later connection
    assert "Identification impossible" in arrive(fake_cas, FORMER, idPronote=bound.pronote_id)
    assert cas_identifier(bound) == "camille.martin"


def test_it_resets_nobody_with_the_option_ticked(
    bound: PronoteUser, fake_cas: FakeCas, tmp_path: Path
) -> None:
    call_command("export_identifiants", "--out", str(tmp_path), "--sans-identifiant-cas")
    assert cas_identifier(bound) == FORMER
    assert "Identification impossible" in arrive(
        fake_cas, "camille.martin", idPronote=bound.pronote_id
    )


def test_it_resets_them_from_the_export_page_which_says_so(bound: PronoteUser) -> None:
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    page = text_of(client.get("/pronote/administration/export"))
    assert "leurs identifiants CAS réinitialisés" in page
    response = client.post("/pronote/administration/export", {"action": "exporter"})
    assert response["Content-Disposition"] == 'attachment; filename="IdPN_To_SOCLE.xml"'
    assert cas_identifier(bound) == ""


def test_it_keeps_a_binding_made_after_the_export_was_built(bound: PronoteUser) -> None:
    result = build_export(ServerSettings.load(), only_without_cas=False)
    PronoteUser.objects.filter(pk=bound.pk).update(cas_identifier="camille.martin")
    assert reset_cas_identifiers(result) == 0
    assert cas_identifier(bound) == "camille.martin"
