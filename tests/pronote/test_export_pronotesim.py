"""Mode avec alimentation for two schools, through PRONOTE's side: ``socle pronote_export`` with
two UAIs, then each file imported by pronotesim (``manage.py import_alimentation``, the same code
as its « Import ENT » page) into the PRONOTE base of its own establishment.

Index Education has one key pair for every PRONOTE, so the second base starts from a copy of the
first one's database (the "Index Education" private key included), then loads its own users.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from socle.cas.usernames import cas_username
from socle.directory.profiles import Profile
from tests.e2e.servers import Pronotesim
from tests.factories import make_establishment, make_parent_link, make_person, make_service

pytestmark = pytest.mark.slow  # four pronotesim commands in subprocesses, a few seconds

HELENE_A, HELENE_B = "HLNEJRS2GALL3A7K", "HLNEFRM2GALL3B7K"


def pronotesim_base(establishment, users: list[dict[str, object]]) -> dict[str, object]:
    return {
        "format": "pronotesim-base/1",
        "uai": establishment.uai,
        "name": establishment.name,
        "postal_code": "31000",
        "city": "Toulouse",
        "users": users,
    }


def user(category: str, pronote_id: str, last: str, first: str, birth: str | None, **more):
    return {
        "category": category,
        "pronote_id": pronote_id,
        "last_name": last,
        "first_name": first,
        "birth_date": birth,
        "postal_code": "31000",
        **more,
    }


def pronotesim(tmp_path: Path, name: str, base: dict[str, object]) -> Pronotesim:
    base_file = tmp_path / f"base-{name}.json"
    base_file.write_text(json.dumps(base, ensure_ascii=False), encoding="utf-8")
    return Pronotesim(name=name, data_dir=tmp_path / name, port=0, base=base_file, settings={})


def cas_identifiers(sim: Pronotesim) -> dict[str, str]:
    output = sim.manage(
        "shell",
        "-c",
        "import json; from pronotesim.base.models import PronoteUser; "
        "print(json.dumps(dict(PronoteUser.objects.values_list('pronote_id', 'cas_identifier'))))",
    )
    return dict(json.loads(output.strip().splitlines()[-1]))


def test_two_schools_two_files_each_imported_by_its_own_pronote(tmp_path: Path) -> None:
    jaures = make_establishment(name="Collège Jean Jaurès")
    fermat = make_establishment(name="Collège Pierre de Fermat")
    helene = make_person(
        "Hélène", "Le Gall", establishment=jaures, profile=Profile.TEACHER,
        birth_date=dt.date(1980, 5, 6),
    )  # fmt: skip
    helene.memberships.create(establishment=fermat, profile=Profile.TEACHER)
    camille = make_person(
        "Camille", "Martin", establishment=jaures, class_name="4A", birth_date=dt.date(2012, 3, 4)
    )
    nathalie = make_person("Nathalie", "Martin", establishment=jaures, profile=Profile.PARENT)
    make_parent_link(nathalie, camille)
    arthur = make_person(
        "Arthur", "Roques", establishment=fermat, class_name="4B", birth_date=dt.date(2012, 9, 14)
    )
    # Each school's PRONOTE service gives its own CAS user name: Fermat's the login.
    service_a = make_service("pronote-a", sso_type="pronote", establishment=jaures)
    service_b = make_service(
        "pronote-b", sso_type="pronote", establishment=fermat, username_mode="login"
    )

    a = pronotesim(
        tmp_path,
        "jaures",
        pronotesim_base(
            jaures,
            [
                user("enseignant", HELENE_A, "LE GALL", "Hélène", None),
                user(
                    "eleve",
                    "CMLLMRTN4A2B3C4D",
                    "MARTIN",
                    "Camille",
                    "2012-03-04",
                    **{"class": "4A", "responsables": ["NTHLMRTN5E6F7G8H"]},
                ),  # fmt: skip
                user("responsable", "NTHLMRTN5E6F7G8H", "MARTIN", "Nathalie", None),
            ],
        ),
    )
    b = pronotesim(
        tmp_path,
        "fermat",
        pronotesim_base(
            fermat,
            [
                user("enseignant", HELENE_B, "LE GALL", "Hélène", "1980-05-06"),
                user(
                    "eleve",
                    "RTHRRQS24B3C4D5E",
                    "ROQUES",
                    "Arthur",
                    "2012-09-14",
                    **{"class": "4B", "responsables": []},
                ),  # fmt: skip
                user(
                    "eleve",
                    "LMZT5A6B7C8D9E2F",
                    "MAZET",
                    "Léa",
                    "2013-01-22",
                    **{"class": "5A", "responsables": []},
                ),  # fmt: skip
            ],
        ),
    )
    a.manage("migrate", "--noinput", "-v", "0")
    index_public = tmp_path / "index-education-public.pem"
    a.manage("index_key", "--public-out", str(index_public))
    shutil.copyfile(a.data_dir / "pronotesim.sqlite3", b.data_dir / "pronotesim.sqlite3")
    a.manage("load_base", str(a.base))
    b.manage("load_base", str(b.base))

    out = tmp_path / "exports"
    stdout = io.StringIO()
    call_command(
        "pronote_export", "--uai", f"{jaures.uai},{fermat.uai}", "--public-key", str(index_public),
        "--partner-id", "SOCLE", "--out", str(out), stdout=stdout,
    )  # fmt: skip
    file_a = out / f"RapprochementSSO_{jaures.uai}.xml"
    file_b = out / f"RapprochementSSO_{fermat.uai}.xml"
    assert sorted(out.iterdir()) == sorted([file_a, file_b])

    # A file is PRONOTE's only for its own establishment's base.
    with pytest.raises(RuntimeError) as refused:
        b.manage("import_alimentation", str(file_a))
    assert (
        f"Ce fichier concerne l'établissement {jaures.uai}, la base est celle de {fermat.uai}."
        in str(refused.value)
    )

    printed_a = a.manage("import_alimentation", str(file_a))
    assert "3 / 3 compte(s) de l'ENT rapproché(s), 3 identifiant(s) CAS" in printed_a, printed_a
    printed_b = b.manage("import_alimentation", str(file_b))
    assert "2 / 2 compte(s) de l'ENT rapproché(s), 2 identifiant(s) CAS" in printed_b, printed_b
    assert "1 utilisateur(s) PRONOTE sans identifiant CAS." in printed_b  # Léa, unknown to the ENT

    # Each PRONOTE holds the CAS user name its own service will send.
    assert cas_identifiers(a) == {
        HELENE_A: cas_username(helene, service_a),
        "CMLLMRTN4A2B3C4D": cas_username(camille, service_a),
        "NTHLMRTN5E6F7G8H": cas_username(nathalie, service_a),
    }
    assert cas_username(helene, service_b) == helene.login
    assert cas_identifiers(b) == {
        HELENE_B: helene.login,
        "RTHRRQS24B3C4D5E": arthur.login,
        "LMZT5A6B7C8D9E2F": "",
    }
    assert cas_username(helene, service_a) != helene.login
