"""``socle synth_school`` and ``socle demo_seed``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from socle.demo.seed import DEMO_ACCOUNTS
from socle.directory.blocking import unblock
from socle.directory.models import Establishment, Membership, ParentLink, Person
from socle.portal.access import can_access
from socle.portal.models import PatternKind, Service, ServicePattern, SSOType
from socle.pronote.models import ImportSession, PronoteIdentity, SessionStatus


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    """Files a command writes by default (``<SOCLE_DATA_DIR>/…``) go to the test's folder."""
    settings.SOCLE_DATA_DIR = str(tmp_path / "data")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def table_snapshot() -> tuple[object, ...]:
    return (
        sorted(Establishment.objects.values_list()),
        sorted(Person.objects.values_list()),
        sorted(Membership.objects.values_list()),
        sorted(ParentLink.objects.values_list()),
        sorted(Service.objects.values_list()),
        sorted(ServicePattern.objects.values_list()),
        sorted(PronoteIdentity.objects.values_list()),
        sorted(ImportSession.objects.values_list("pk", "status")),
    )


def test_synth_school_writes_files_only_with_no_db(tmp_path: Path) -> None:
    base, csv = tmp_path / "base.json", tmp_path / "school.csv"
    output = run(
        "synth_school", "--pupils", "40", "--seed", "9", "--no-db",
        "--pronote-out", str(base), "--csv-out", str(csv),
    )  # fmt: skip
    assert Person.objects.count() == 0
    assert json.loads(base.read_text(encoding="utf-8"))["format"] == "pronotesim-base/1"
    assert csv.read_text(encoding="utf-8").startswith("uai;profile;last_name;first_name;")
    assert "écarts avec l'ENT" in output


def test_synth_school_writes_the_directory(tmp_path: Path) -> None:
    output = run("synth_school", "--pupils", "40", "--teachers", "5", "--staff", "5")
    assert "personne(s) créée(s)" in output
    pupils = Membership.objects.filter(profile="National_ELV")
    assert pupils.filter(establishment__uai="0312609T").count() == 40
    # the second school's pupil (Inès BEN SAÏD), in no class of the first one
    assert list(pupils.exclude(establishment__uai="0312609T").values_list("class_name")) == [
        ("5A",)
    ]
    assert Membership.objects.filter(profile="National_ENS").count() == 5 + 1  # two schools
    assert (
        Membership.objects.filter(profile="National_TUT", establishment__uai="0312799Z").count()
        == 2
    )


def test_synth_school_refuses_a_bad_uai() -> None:
    with pytest.raises(CommandError, match="lettre de contrôle"):
        run("synth_school", "--uai", "0312609A", "--no-db")


def test_synth_school_refuses_too_small_a_school() -> None:
    with pytest.raises(CommandError, match="Au moins"):
        run("synth_school", "--pupils", "2", "--no-db")


def test_the_csv_file_imports_into_the_directory(tmp_path: Path) -> None:
    csv = tmp_path / "school.csv"
    run("synth_school", "--pupils", "40", "--no-db", "--csv-out", str(csv))
    Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    Establishment.objects.create(uai="0312799Z", name="Collège Pierre de Fermat")
    run("directory_import", str(csv))
    assert Person.objects.filter(login="camille.martin").exists()
    assert Membership.objects.filter(person__login="helene.le-gall").count() == 2
    nathalie = Person.objects.get(login="nathalie.martin")
    assert nathalie.children_links.count() == 2


def test_demo_seed_creates_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "pronote-base.json"
    run("demo_seed", "--pronote-out", str(out), "--newcomers-out", str(tmp_path / "new.json"))
    jaures = Establishment.objects.get(uai="0312609T")
    assert (jaures.name, jaures.postal_code, jaures.city) == (
        "Collège Jean Jaurès",
        "31000",
        "Toulouse",
    )
    assert Membership.objects.filter(establishment=jaures, profile="National_ELV").count() == 600
    for login, password, _key in DEMO_ACCOUNTS:
        assert Person.objects.get(login=login).check_password(password), login
    assert Person.objects.get(login="admin").is_superuser
    service = Service.objects.get(code="PRONOTE")
    assert (service.sso_type, service.establishment, service.url) == (
        SSOType.PRONOTE,
        jaures,
        "http://127.0.0.1:8001/pronote/",
    )
    assert (service.pronote_recognition, service.pronote_id_attribute) == ("pronote", "idPronote")
    assert list(service.patterns.values_list("kind", "value")) == [
        (PatternKind.ANT, "http://127.0.0.1:8001/pronote/**")
    ]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["uai"] == "0312609T" and len(data["users"]) > 1200


def test_it_blocks_a_pupil_for_a_week_shown_by_comptes(tmp_path: Path) -> None:
    output = run("demo_seed", "--pronote-out", str(tmp_path / "pronote-base.json"))
    pupil = Person.objects.get(last_name="MC CARTHY", first_name="Éloïse")
    assert not pupil.is_active and pupil.active_when_unblocked
    assert pupil.blocked_until == timezone.localdate() + dt.timedelta(days=7)
    assert pupil.blocked_by == Person.objects.get(login="direction.jaures")
    assert "camarade" in pupil.block_reason
    assert f"Compte bloqué pour la démonstration (« Comptes ») : {pupil.login}" in output
    unblock(pupil, by=None)  # lifted in the demo: the next seed blocks her again
    assert "Compte bloqué pour la démonstration" in run(
        "demo_seed", "--pronote-out", str(tmp_path / "b.json")
    )
    assert Person.objects.get(pk=pupil.pk).blocked_at is not None


def test_it_gives_the_second_school_its_pronote_service_base_and_identifiers(
    tmp_path: Path,
) -> None:
    jaures_base, fermat_base = tmp_path / "jaures.json", tmp_path / "fermat.json"
    output = run(
        "demo_seed", "--pronote-out", str(jaures_base), "--newcomers-out",
        str(tmp_path / "new.json"), "--pronote2-out", str(fermat_base),
        "--pronote2-url", "http://127.0.0.1:18002/pronote/",
    )  # fmt: skip
    fermat = Establishment.objects.get(uai="0312799Z")
    service = Service.objects.get(code="PRONOTE-FERMAT")
    assert (service.sso_type, service.establishment, service.url) == (
        SSOType.PRONOTE,
        fermat,
        "http://127.0.0.1:18002/pronote/",
    )
    assert (service.pronote_recognition, service.pronote_id_attribute) == ("pronote", "idPronote")
    assert list(service.patterns.values_list("kind", "value")) == [
        (PatternKind.ANT, "http://127.0.0.1:18002/pronote/**")
    ]
    helene = Person.objects.get(login="helene.le-gall")
    assert can_access(helene, service) and can_access(helene, Service.objects.get(code="PRONOTE"))
    assert not can_access(Person.objects.get(login="camille.martin"), service)
    # The teacher of two schools has a PRONOTE id in each base, not the same one.
    users = json.loads(fermat_base.read_text(encoding="utf-8"))["users"]
    assert [(u["category"], u["last_name"], u["first_name"]) for u in users] == [
        ("enseignant", "LE GALL", "Hélène"),
        ("eleve", "BEN SAÏD", "Inès"),
        ("eleve", "MAZET", "Léa"),
        ("eleve", "ROQUES", "Arthur"),
        ("responsable", "BEN SAÏD", "Karim"),
        ("responsable", "BEN SAÏD", "Yasmina"),
    ]
    at_fermat = users[0]["pronote_id"]
    at_jaures = next(
        u["pronote_id"]
        for u in json.loads(jaures_base.read_text(encoding="utf-8"))["users"]
        if (u["last_name"], u["first_name"]) == ("LE GALL", "Hélène")
    )
    assert at_fermat != at_jaures
    # Fermat's identifiers are imported (the real importer, its session completed); Jaurès's
    # are the guided tour's to import (step 4).
    assert list(helene.pronote_identities.values_list("establishment__uai", "pronote_id")) == [
        ("0312799Z", at_fermat)
    ]
    # The parent of a pupil in each school: one PRONOTE id per school, each from its own base.
    yasmina = Person.objects.get(login="yasmina.ben-said")
    ines = Person.objects.get(login="ines.ben-said")
    jaures_users = json.loads(jaures_base.read_text(encoding="utf-8"))["users"]
    ben_said = {u["first_name"]: u for u in jaures_users if u["last_name"] == "BEN SAÏD"}
    assert sorted(ben_said) == ["Karim", "Yasmina"]  # Noël's spelling differs; no Inès
    yasmina_at_jaures = ben_said["Yasmina"]["pronote_id"]
    yasmina_at_fermat, karim_at_fermat = users[5]["pronote_id"], users[4]["pronote_id"]
    assert yasmina_at_fermat != yasmina_at_jaures
    assert users[1]["responsables"] == [yasmina_at_fermat, karim_at_fermat]
    assert list(yasmina.pronote_identities.values_list("establishment__uai", "pronote_id")) == [
        ("0312799Z", yasmina_at_fermat)
    ]
    assert list(ines.pronote_identities.values_list("pronote_id", flat=True)) == [
        users[1]["pronote_id"]
    ]
    assert can_access(yasmina, service) and can_access(yasmina, Service.objects.get(code="PRONOTE"))
    assert can_access(ines, service) and not can_access(ines, Service.objects.get(code="PRONOTE"))
    session = ImportSession.objects.get()
    assert (session.establishment, session.status) == (fermat, SessionStatus.FINISHED)
    assert "4 identifiants PRONOTE importés pour Collège Pierre de Fermat." in output


def test_demo_seed_twice_changes_nothing(tmp_path: Path) -> None:
    out, fermat = tmp_path / "pronote-base.json", tmp_path / "fermat.json"
    args = ("--newcomers-out", str(tmp_path / "new.json"), "--pronote2-out", str(fermat))
    run("demo_seed", "--pronote-out", str(out), *args)
    before = table_snapshot()
    mtimes = out.stat().st_mtime_ns, fermat.stat().st_mtime_ns
    output = run("demo_seed", "--pronote-out", str(out), *args)
    assert "rien à changer" in output
    assert table_snapshot() == before
    assert (out.stat().st_mtime_ns, fermat.stat().st_mtime_ns) == mtimes


def test_demo_seed_keeps_a_service_the_administrator_changed(tmp_path: Path) -> None:
    args = ("demo_seed", "--pronote-out", str(tmp_path / "b.json"), "--newcomers-out",
            str(tmp_path / "n.json"))  # fmt: skip
    run(*args)
    Service.objects.filter(code="PRONOTE").update(label="Pronote (vie scolaire)")
    run(*args)
    assert Service.objects.get(code="PRONOTE").label == "Pronote (vie scolaire)"


def test_the_demo_pronote_service_is_open_to_pupils_parents_and_teachers(tmp_path: Path) -> None:
    run("demo_seed", "--pronote-out", str(tmp_path / "b.json"), "--newcomers-out",
        str(tmp_path / "n.json"))  # fmt: skip
    service = Service.objects.get(code="PRONOTE")
    for login in ("camille.martin", "nathalie.martin", "helene.le-gall", "yanis.haddad"):
        assert can_access(Person.objects.get(login=login), service), login
    agent = Person.objects.filter(memberships__profile="National_ETA").first()
    assert agent is not None and not can_access(agent, service)


def test_demo_seed_can_leave_the_pronote_service_to_the_administrator(tmp_path: Path) -> None:
    run("demo_seed", "--pronote-out", str(tmp_path / "b.json"), "--newcomers-out",
        str(tmp_path / "n.json"), "--no-pronote-service")  # fmt: skip
    assert not Service.objects.exists()
    assert not PronoteIdentity.objects.exists()
    assert Person.objects.get(login="admin").is_superuser


def test_demo_seed_uses_the_pronote_url_it_is_given(tmp_path: Path) -> None:
    run("demo_seed", "--pronote-out", str(tmp_path / "b.json"), "--newcomers-out",
        str(tmp_path / "n.json"), "--pronote-url", "http://127.0.0.1:18001/pronote/")  # fmt: skip
    service = Service.objects.get(code="PRONOTE")
    assert service.url == "http://127.0.0.1:18001/pronote/"
    assert list(service.patterns.values_list("value", flat=True)) == [
        "http://127.0.0.1:18001/pronote/**"
    ]
