"""The directory's imports name a PRONOTE CSV extraction given to them by any spelling of the
identifier's column the PRONOTE import accepts: one list (``socle.core.pronote_names``) for
both, where the directory knew only ``Identifiant_PRONOTE-ENT`` and took « IDPN » for a
directory file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.core.pronote_names import PRONOTE_ID_NAMES, fold
from socle.directory.file_kinds import is_pronote_extraction
from socle.pronote.files.csv_extraction import parse_identifier_csv
from socle.pronote.files.mapping import FIELDS


def _accepted_by_the_importer() -> list[str]:
    """The identifier's spellings the PRONOTE import reads, as its table lists them."""
    return [name for name in PRONOTE_ID_NAMES if FIELDS.get(fold(name)) == "pronote_id"]


def test_it_lists_every_spelling_the_importer_reads() -> None:
    importer = {folded for folded, field in FIELDS.items() if field == "pronote_id"}
    assert importer == {fold(name) for name in _accepted_by_the_importer()}
    assert len(_accepted_by_the_importer()) == len(PRONOTE_ID_NAMES) > 1


@pytest.mark.parametrize("column", _accepted_by_the_importer())
@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_it_recognises_every_spelling_the_importer_accepts(column: str, delimiter: str) -> None:
    for spelling in (column, column.upper(), column.lower(), column.replace("_", " ")):
        header = delimiter.join(["Nom", "Prénom", f'"{spelling}"', "Classe"])
        text = f"{header}\r\nDUPONT{delimiter}Jean{delimiter}ABC123{delimiter}3A\r\n"
        parsed = parse_identifier_csv(text, "EXP_ELEVES.csv")  # the importer reads it
        assert [record.pronote_id for record in parsed.records] == ["ABC123"]
        for encoding in ("utf-8-sig", "utf-8", "cp1252"):
            assert is_pronote_extraction(text.encode(encoding)), (spelling, encoding)


def test_it_takes_no_other_column_for_the_identifier() -> None:
    assert not is_pronote_extraction(b"profile;last_name;first_name;login\n")
    assert not is_pronote_extraction(b"Nom;Prenom;IdentifiantCAS\n")
    assert not is_pronote_extraction(b"Nom;Prenom\nDUPONT;IDPN\n")  # the header line only


def test_the_aaf_import_names_a_pronote_extraction_headed_idpn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "EXP_PROFS.csv"
    path.write_text("IDPN;Nom;Prénom\nABC123;DUPONT;Jean\n", encoding="cp1252")
    with pytest.raises(CommandError) as refused:
        call_command("directory_import", str(path), "--format", "aaf", stdout=io.StringIO())
    assert str(refused.value) == (
        f"{path} est un fichier d'identifiants de PRONOTE, pas un annuaire : il s'importe avec "
        "« socle pronote_import » (ou la page « Importer les identifiants PRONOTE »)."
    )
