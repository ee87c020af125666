"""infoMobileApp.json, loading bases and the random base generator."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from pronotesim.base.categories import CATEGORIES
from pronotesim.base.generator import make_base
from pronotesim.base.identifiers import is_valid_pronote_id
from pronotesim.base.loading import BaseFormatError, parse_base, replace_base
from pronotesim.base.models import Establishment, PronoteUser
from tests.helpers import configure, make_establishment


def test_info_mobile_app_tells_the_cas_and_the_espaces() -> None:
    make_establishment()
    configure()
    response = Client().get("/pronote/infoMobileApp.json?id=0D264427-EEFC-4810-A9E9-346942A862A4")
    data = response.json()
    assert data["CAS"] == {"actif": True, "casURL": "http://cas.test/cas"}
    assert data["nomEtab"] == "Collège Jean Jaurès"
    assert {"nom": "Espace Élèves", "URL": "mobile.eleve.html"} in data["espaces"]
    assert [e["URL"] for e in data["espaces"]] == [
        "mobile.direction.html",
        "mobile.professeur.html",
        "mobile.viescolaire.html",
        "mobile.parent.html",
        "mobile.accompagnant.html",
        "mobile.eleve.html",
    ]
    assert [e["nom"] for e in data["espaces"]] == [
        "Espace Direction",
        "Espace Professeurs",
        "Espace Vie scolaire",
        "Espace Parents",
        "Espace Accompagnant",
        "Espace Élèves",
    ]
    assert isinstance(data["version"], list)


def test_info_mobile_app_says_when_cas_is_off() -> None:
    configure(cas_enabled=False)
    data = Client().get("/pronote/InfoMobileApp.json?id=x").json()
    assert data["CAS"] == {"actif": False, "casURL": ""}


def test_info_mobile_app_needs_the_id() -> None:
    assert Client().get("/pronote/infoMobileApp.json").status_code == 400


def test_the_random_base_covers_every_category_and_loads() -> None:
    document = make_base(seed=3, pupils=12, password="pw")
    assert {user["category"] for user in document["users"]} == set(CATEGORIES)
    assert all(is_valid_pronote_id(user["pronote_id"]) for user in document["users"])
    count = replace_base(parse_base(document))
    assert PronoteUser.objects.count() == count
    pupil = PronoteUser.objects.filter(category="eleve").first()
    assert pupil.responsables.exists()
    assert pupil.check_direct_password("pw")


def test_load_base_replaces_the_base_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(make_base(seed=1, pupils=5)), encoding="utf-8")
    call_command("load_base", str(path))
    first = sorted(PronoteUser.objects.values_list("pronote_id", "last_name"))
    PronoteUser.objects.update(cas_identifier="")
    call_command("load_base", str(path))
    assert sorted(PronoteUser.objects.values_list("pronote_id", "last_name")) == first
    assert Establishment.objects.count() == 1


def test_load_base_accepts_the_interfaces_example(tmp_path: Path) -> None:
    document = {
        "format": "pronotesim-base/1",
        "uai": "0312609T",
        "name": "Collège Jean Jaurès",
        "postal_code": "31000",
        "city": "Toulouse",
        "users": [
            {
                "category": "eleve",
                "pronote_id": "AZKH9C7WSQ2R54DP",
                "last_name": "MARTIN",
                "first_name": "Camille",
                "birth_date": "2012-03-04",
                "postal_code": "31000",
                "class": "4A",
                "responsables": ["8WRBFX9Q73AVJKLM"],
                "direct_login": "camille.martin",
                "direct_password": "demo",
            },
            {
                "category": "responsable",
                "pronote_id": "8WRBFX9Q73AVJKLM",
                "last_name": "MARTIN",
                "first_name": "Sophie",
                "birth_date": None,
                "postal_code": "31000",
            },
        ],
    }
    replace_base(parse_base(document))
    pupil = PronoteUser.objects.get(pronote_id="AZKH9C7WSQ2R54DP")
    assert pupil.class_name == "4A" and pupil.cas_identifier == ""
    assert [p.pronote_id for p in pupil.responsables.all()] == ["8WRBFX9Q73AVJKLM"]


def test_it_loads_the_field_documents_fourteen_character_identifier() -> None:
    """« 8WRBFX9Q73AVJK », an « Identifiant PRONOTE » of the field documents: 14 characters."""
    document = {
        "format": "pronotesim-base/1",
        "uai": "0312609T",
        "name": "Collège Jean Jaurès",
        "users": [
            {
                "category": "enseignant",
                "pronote_id": "8WRBFX9Q73AVJK",
                "last_name": "BERRONE",
                "first_name": "Christian",
                "birth_date": None,
            }
        ],
    }
    replace_base(parse_base(document))
    assert PronoteUser.objects.get(pronote_id="8WRBFX9Q73AVJK").last_name == "BERRONE"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pronote_id": "AZKH9C7WSQ2R54D0"}, "invalide"),
        ({"pronote_id": "AZKH9C7WSQ2R5"}, "14 à 16 caractères"),
        ({"pronote_id": "AZKH9C7WSQ2R54DPQ"}, "14 à 16 caractères"),
        ({"category": "directeur"}, "catégorie"),
        ({"responsables": ["ZZZZZZZZZZZZZZZZ"]}, "absent"),
        ({"birth_date": "2012-13-01"}, "date de naissance"),
        ({"last_name": ""}, "last_name"),
        ({"civility": "Dr"}, "civilité"),
    ],
)
def test_a_bad_user_is_refused_with_its_position(change: dict, message: str) -> None:
    user = {
        "category": "eleve",
        "pronote_id": "AZKH9C7WSQ2R54DP",
        "last_name": "MARTIN",
        "first_name": "Camille",
        "birth_date": "2012-03-04",
    }
    with pytest.raises(BaseFormatError, match=message):
        parse_base(
            {
                "format": "pronotesim-base/1",
                "uai": "0312609T",
                "name": "X",
                "users": [{**user, **change}],
            }
        )


def test_a_bad_file_leaves_the_base_untouched(tmp_path: Path) -> None:
    replace_base(parse_base(make_base(seed=1, pupils=3)))
    before = PronoteUser.objects.count()
    path = tmp_path / "bad.json"
    path.write_text('{"format": "pronotesim-base/1", "uai": "X", "name": "Y", "users": [1]}')
    with pytest.raises(CommandError, match="utilisateur n° 1"):
        call_command("load_base", str(path))
    assert PronoteUser.objects.count() == before


def test_make_base_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    call_command("make_base", "--pupils", "4", "--out", str(out))
    assert json.loads(out.read_text())["format"] == "pronotesim-base/1"


def newcomer_file(parent_ref: str) -> dict:
    return {
        "format": "pronotesim-base/1",
        "uai": "0312609T",
        "name": "Collège Jean Jaurès",
        "users": [
            {
                "category": "eleve",
                "pronote_id": "NEWC2MER22222222",
                "last_name": "NOUVEL",
                "first_name": "Inès",
                "birth_date": "2012-09-01",
                "class": "5B",
                "responsables": [parent_ref],
            },
        ],
    }


def test_adding_newcomers_keeps_everyone_identifiant_cas(tmp_path: Path) -> None:
    replace_base(parse_base(make_base(seed=2, pupils=4)))
    parent = PronoteUser.objects.filter(category="responsable").first()
    PronoteUser.objects.filter(pk=parent.pk).update(cas_identifier="ent-parent")
    path = tmp_path / "newcomers.json"
    path.write_text(json.dumps(newcomer_file(parent.pronote_id)), encoding="utf-8")
    call_command("load_base", str(path), "--add")
    call_command("load_base", str(path), "--add")
    newcomer = PronoteUser.objects.get(pronote_id="NEWC2MER22222222")
    assert [p.pronote_id for p in newcomer.responsables.all()] == [parent.pronote_id]
    parent.refresh_from_db()
    assert parent.cas_identifier == "ent-parent"
    assert PronoteUser.objects.filter(pronote_id="NEWC2MER22222222").count() == 1


def test_adding_users_of_another_school_is_refused(tmp_path: Path) -> None:
    replace_base(parse_base(make_base(seed=2, pupils=4)))
    document = newcomer_file("ZZZZZZZZZZZZZZZZ")
    path = tmp_path / "n.json"
    path.write_text(json.dumps({**document, "uai": "0310047H"}), encoding="utf-8")
    with pytest.raises(CommandError, match="0310047H"):
        call_command("load_base", str(path), "--add")
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="absent de la base"):
        call_command("load_base", str(path), "--add")


def test_newcomers_can_be_added_from_the_users_page(tmp_path: Path) -> None:
    replace_base(parse_base(make_base(seed=2, pupils=4)))
    parent = PronoteUser.objects.filter(category="responsable").first()
    path = tmp_path / "newcomers.json"
    path.write_text(json.dumps(newcomer_file(parent.pronote_id)), encoding="utf-8")
    client = Client()
    client.post("/pronote/administration/connexion", {"password": "spr-test"})
    with path.open("rb") as handle:
        response = client.post(
            "/pronote/administration/utilisateurs/ajouter", {"file": handle}, follow=True
        )
    assert "1 utilisateur(s) ajouté(s), 0 mis à jour." in " ".join(
        response.content.decode().split()
    )
    assert PronoteUser.objects.filter(pronote_id="NEWC2MER22222222").exists()
