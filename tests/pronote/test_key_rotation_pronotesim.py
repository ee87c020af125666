"""Changing the ENT's PRONOTE key pair as docs/deployment.md ("The PRONOTE key pair") says, with
the administrators' commands: ``openssl`` makes the new pair, Socle switches to it keeping the
former key, then each school's PRONOTE (pronotesim's ``configure_ent --partner-public-key``)
gets the new public half. A school still on the former public key goes on exporting files that
open; the export Socle makes for PRONOTE (sealed for Index Education's key, not the ENT's) is
unaffected."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.pronote.checks import check_private_key
from tests.factories import make_establishment, make_person, make_service
from tests.pronote.helpers import ids_of, run
from tests.pronote.test_export_pronotesim import pronotesim, pronotesim_base, user

pytestmark = pytest.mark.slow  # pronotesim's commands in subprocesses, a few seconds

CAMILLE = "CMLLMRTN4A2B3C4D"


def openssl(*args: str) -> None:
    """``openssl ARGS`` as the administrator types it (docs/deployment.md)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl est nécessaire (apt-get install openssl)", pytrace=False)
    subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: S603, S607


def new_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """The documented commands: a 3072-bit private key, mode 600, and its public half."""
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    bits = "rsa_keygen_bits:3072"
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", bits, "-out", str(private))
    private.chmod(0o600)  # what the documented umask 077 gives
    openssl("pkey", "-in", str(private), "-pubout", "-out", str(public))
    return private, public


def imports(path: Path, uai: str) -> str:
    return run("pronote_import", str(path), "--uai", uai, "--mode", "complet", "--auto-only")


def test_it_rotates_the_ent_key_pair_with_pronotesim_end_to_end(tmp_path: Path, settings) -> None:
    school = make_establishment(name="Collège Jean Jaurès")
    make_person(
        "Camille", "Martin", establishment=school, class_name="4A", birth_date=dt.date(2012, 3, 4)
    )
    make_service("pronote", sso_type="pronote", establishment=school)
    settings.SOCLE_PRONOTE_PARTNER = "SOCLE"
    keys = tmp_path / "etc"
    keys.mkdir()
    former_private, former_public = new_pair(keys, "pronote")
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(former_private)
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = []

    pupil = user(
        "eleve", CAMILLE, "MARTIN", "Camille", "2012-03-04", **{"class": "4A", "responsables": []}
    )
    sim = pronotesim(tmp_path, "jaures", pronotesim_base(school, [pupil]))
    sim.manage("migrate", "--noinput", "-v", "0")
    sim.manage("load_base", str(sim.base))
    index_public = tmp_path / "index-education-public.pem"
    sim.manage("index_key", "--public-out", str(index_public))

    def pronote_exports(name: str, ent_public_key: Path | None = None) -> Path:
        """The school's PRONOTE (given the ENT's public key when named) exports its ids."""
        options = ["--cas", "on", "--cas-url", "https://ent.example.org/cas", "--partner", "SOCLE",
                   "--public-url", "https://0312609t.index-education.net/pronote/"]  # fmt: skip
        if ent_public_key is not None:
            options += ["--partner-public-key", str(ent_public_key)]
        sim.manage("configure_ent", *options)
        out = tmp_path / name
        sim.manage("export_identifiants", "--out", str(out))
        return out

    before = pronote_exports("IdPN_before.xml", former_public)
    imports(before, school.uai)
    assert set(ids_of(school)) == {CAMILLE}

    # The rotation: a new pair; Socle switches first, keeping the former key...
    private, public = new_pair(keys, "pronote-2")
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(private)
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = [str(former_private)]
    assert check_private_key() == []  # both keys checked: readable, RSA, mode 600
    # ...so that a school whose PRONOTE still holds the former public key is still read,
    still_former = pronote_exports("IdPN_still_former.xml")
    imports(still_former, school.uai)
    # and one given the new public key is read too.
    rotated = pronote_exports("IdPN_rotated.xml", public)
    imports(rotated, school.uai)
    assert set(ids_of(school)) == {CAMILLE}

    # Given to PRONOTE before Socle switched, the new public key's files were refused:
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(former_private)
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = []
    with pytest.raises(CommandError, match="déchiffrement RSA de la clé"):
        imports(rotated, school.uai)
    # and once the former key is removed, so are the files still sealed for it.
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(private)
    with pytest.raises(CommandError, match="déchiffrement RSA de la clé"):
        imports(still_former, school.uai)

    # Socle's export for PRONOTE is sealed for Index Education's key: the rotation leaves it be.
    export = tmp_path / "RapprochementSSO.xml"
    call_command(
        "pronote_export", "--uai", school.uai, "--public-key", str(index_public),
        "--partner-id", "SOCLE", "--out", str(export), stdout=io.StringIO(),
    )  # fmt: skip
    printed = sim.manage("import_alimentation", str(export))
    assert "1 / 1 compte(s) de l'ENT rapproché(s)" in printed, printed
