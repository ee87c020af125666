"""``socle person_data --format texte``: the export as plain text a parent can read, in the
reader's language — every section and every value of the JSON export, labelled, dates as
« 01/02/2012 », events named as « Traces » names them (docs/privacy.md, "Right of access")."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import translation

from socle.portal.person_text import LABELS, render
from tests.portal.test_person_data import pupil  # noqa: F401  (the fixture)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("person_data", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_export_as_text_a_parent_can_read(pupil: Any) -> None:  # noqa: F811
    text = run(pupil.login, "--format", "texte")
    assert text.startswith("Données conservées par l'ENT sur Camille Martin (camille.martin), le ")
    assert "{" not in text and '"' not in text
    for line in (
        "Fiche de l'annuaire",
        "Date de naissance : 01/02/2012",
        "Adresse électronique : camille@example.org",
        "Mot de passe choisi : oui",
        "  Classe : 4A",
        "    Profil : Élève (National_ELV)",
        "      0312609T : Élève (National_ELV)",
        "  Nom : Nathalie Martin",
        "  Lien : Mère (mere)",
        "  Événement : Connexion (login)",
        "  Adresse IP : 192.0.2.7",
        "  Identifiant PRONOTE : ELV42",
    ):
        assert line in text, line


def test_it_labels_every_key_of_the_json_export(pupil: Any) -> None:  # noqa: F811
    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    data = json.loads(run(pupil.login))
    attributes = {k for s in data["cas_services"] for k in s["attributes"]}  # the services' own
    profiles = {k for t in data["traces"] for k in t["profiles"]}  # UAIs
    assert keys(data) - attributes - profiles <= set(LABELS)


def test_it_writes_the_text_in_the_readers_language_to_a_private_file(
    pupil: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "camille.txt"
    with translation.override("en"):
        run(pupil.login, "--format", "texte", "--out", str(path))
    text = path.read_text(encoding="utf-8")
    assert "\nDate of birth: 01/02/2012\n" in text and "Yes" not in text
    assert "Password chosen: yes" in text
    assert path.stat().st_mode & 0o777 == 0o600


def test_it_writes_every_kind_of_section_under_its_heading() -> None:
    text = render({"person": {"login": "camille.martin"}, "extra": ["a", "b"], "none": []}, "T")
    assert "\nIdentifiant de connexion : camille.martin\n" in text
    assert "\nextra\n-----\na, b\n" in text  # a list of values: never left out
    assert text.endswith("\nnone\n----\n—\n")
