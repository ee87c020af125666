"""An export of another academy may reuse our jointures (ENTStructureJointure, ENTPersonJointure
are only unique within one): an establishment of ours under another UAI stops the import before
anyone is taken over."""

from __future__ import annotations

from pathlib import Path

from socle.directory.aaf.importer import import_aaf
from socle.directory.aaf.synthetic_xml import uai_for
from socle.directory.models import Establishment, Person
from tests.directory.aaf_helpers import UAI_A, etab, pupil, school_files, write

OTHER_UAI = uai_for(331_000)


def test_an_establishment_of_ours_under_another_uai_stops_the_import(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "ours"))
    camille = Person.objects.get(external_id="E1")
    foreign = tmp_path / "foreign"
    stem = "ENT_Complet_20250902"
    write(foreign, f"{stem}_EtabEducNat_0001.xml", [etab("S1", OTHER_UAI, "LYCEE D'AILLEURS")])
    write(foreign, f"{stem}_Eleve_0001.xml", [pupil("E1", "PAYET", "Noah")])

    report = import_aaf(foreign)

    assert Establishment.objects.filter(uai=UAI_A).exists()
    assert not Establishment.objects.filter(uai=OTHER_UAI).exists()
    camille.refresh_from_db()
    assert (camille.last_name, camille.first_name, camille.is_active) == ("MARTIN", "Camille", True)
    assert not Person.objects.filter(is_active=False).exists()
    (error,) = [e for e in report.errors if "ENTStructureJointure S1" in e]
    assert f"c'est {UAI_A} (COLLEGE JEAN JAURES) dans l'annuaire, mais {OTHER_UAI}" in error
    assert "cet export vient-il d'une autre académie ?" in error
    assert f"{stem}_Eleve_0001.xml : non lu (import arrêté)" in report.files_skipped


def test_the_same_establishment_under_its_own_uai_is_imported_as_before(tmp_path: Path) -> None:
    import_aaf(school_files(tmp_path / "day1"))
    report = import_aaf(school_files(tmp_path / "day2", date="20250902"))
    assert not report.errors
