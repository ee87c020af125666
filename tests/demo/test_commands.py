"""``socle synth_school`` and ``socle demo_seed``."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from socle.demo.seed import DEMO_ACCOUNTS
from socle.directory.models import Establishment, Membership, ParentLink, Person
from socle.portal.access import can_access
from socle.portal.models import PatternKind, Service, ServicePattern, SSOType


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
    assert Membership.objects.filter(profile="National_ELV").count() == 40
    assert Membership.objects.filter(profile="National_ENS").count() == 5 + 1  # two schools


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


def test_demo_seed_twice_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "pronote-base.json"
    run("demo_seed", "--pronote-out", str(out), "--newcomers-out", str(tmp_path / "new.json"))
    before, mtime = table_snapshot(), out.stat().st_mtime_ns
    output = run(
        "demo_seed", "--pronote-out", str(out), "--newcomers-out", str(tmp_path / "new.json")
    )
    assert "rien à changer" in output
    assert table_snapshot() == before
    assert out.stat().st_mtime_ns == mtime


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
    assert Person.objects.get(login="admin").is_superuser


def test_demo_seed_uses_the_pronote_url_it_is_given(tmp_path: Path) -> None:
    run("demo_seed", "--pronote-out", str(tmp_path / "b.json"), "--newcomers-out",
        str(tmp_path / "n.json"), "--pronote-url", "http://127.0.0.1:18001/pronote/")  # fmt: skip
    service = Service.objects.get(code="PRONOTE")
    assert service.url == "http://127.0.0.1:18001/pronote/"
    assert list(service.patterns.values_list("value", flat=True)) == [
        "http://127.0.0.1:18001/pronote/**"
    ]
