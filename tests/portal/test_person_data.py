"""``socle person_data``: what Socle holds about one person, as JSON (the right of access)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from socle.directory.activation import issue_code
from socle.directory.models import Profile
from socle.portal import personal_data
from socle.portal.models import Trace, UsernameMode
from socle.portal.traces import record
from socle.pronote.models import MissingIdentifierEvent, PronoteIdentity
from tests.factories import (
    make_establishment,
    make_membership,
    make_parent_link,
    make_person,
    make_pronote_identity,
    make_service,
)


def export(key: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("person_data", key, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture
def pupil() -> Any:
    school = make_establishment("0312609T")
    pupil = make_person(
        "Camille",
        "Martin",
        establishment=school,
        class_name="4A",
        birth_date=dt.date(2012, 2, 1),
        email="camille@example.org",
    )
    mother = make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    make_parent_link(mother, pupil)
    issue_code(pupil)
    record("login", person=pupil, client_ip="192.0.2.7")
    make_service(
        "appli", released_attributes=["nom", "classes"], username_mode=UsernameMode.PAIRWISE
    )
    make_service(
        "pronote",
        sso_type="pronote",
        establishment=school,
        patterns=("https://0312609t.index-education.net/pronote/**",),
    )
    make_pronote_identity(pupil, school, "ELV42")
    return pupil


def test_it_exports_the_directory_record_without_secrets(pupil: Any) -> None:
    data = export(pupil.login)
    assert data["person"]["uid"] == pupil.uid and data["person"]["birth_date"] == "2012-02-01"
    assert data["person"]["email"] == "camille@example.org"
    assert data["person"]["has_usable_password"] is True
    assert "password" not in data["person"]
    assert data["memberships"] == [
        {
            "uai": "0312609T",
            "establishment": "Collège Jean Jaurès",
            "profile": Profile.PUPIL,
            "class_name": "4A",
            "is_admin": False,
            "groups": [],
        }
    ]
    assert [p["name"] for p in data["relatives"]["parents"]] == ["Nathalie Martin"]
    assert set(data["activation_code"]) == {"created_at", "expires_at", "used_at"}
    text = json.dumps(data)
    assert pupil.password not in text


def test_it_gives_relatives_by_name_and_link_without_their_account(pupil: Any) -> None:
    (mother,) = export(pupil.login)["relatives"]["parents"]
    assert mother == {
        "name": "Nathalie Martin",
        "relation": "mere",
        "legal": True,
        "financial": False,
        "contact": False,
    }


def test_it_finds_the_person_by_uid_too(pupil: Any) -> None:
    assert export(pupil.uid)["person"]["login"] == pupil.login


def test_it_exports_the_traces_and_records_the_export(pupil: Any) -> None:
    data = export(pupil.login)
    assert [(t["event"], t["client_ip"]) for t in data["traces"]] == [("login", "192.0.2.7")]
    exported = Trace.objects.get(event="person_data_exported")
    assert (exported.person, exported.actor_login) == (pupil, "person_data")


def test_it_exports_the_establishments_each_trace_without_uai_kept(pupil: Any) -> None:
    traces = export(pupil.login)["traces"]
    assert [(t["event"], t["uai"], t["member_uais"]) for t in traces] == [("login", "", "0312609T")]


def test_it_exports_the_profile_each_trace_kept_in_each_establishment(
    pupil: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(personal_data, "CHUNK", 1)  # one query per chunk of traces
    pupil.memberships.update(profile=Profile.PARENT)  # a change after the login
    record("ticket_issued", person=pupil, uai="0312609T", client_ip="192.0.2.8")
    traces = export(pupil.login)["traces"]
    assert [(t["client_ip"], t["profiles"]) for t in traces] == [
        ("192.0.2.7", {"0312609T": Profile.PUPIL}),
        ("192.0.2.8", {"0312609T": Profile.PARENT}),
    ]


def test_it_says_what_each_cas_service_receives_without_counting_a_connection(
    pupil: Any,
) -> None:
    PronoteIdentity.objects.all().delete()  # PRONOTE would then get no idPronote
    services = {s["service_code"]: s for s in export(pupil.login)["cas_services"]}
    appli = services["appli"]
    assert appli["may_open"] is True and appli["username_mode"] == UsernameMode.PAIRWISE
    assert appli["user_name"] not in (pupil.uid, pupil.login)
    assert appli["attributes"] == {"nom": ["Martin"], "classes": ["4A"]}
    assert services["pronote"]["user_name"] == pupil.uid
    assert not MissingIdentifierEvent.objects.exists()  # a preview, not a validation


def test_it_exports_the_pronote_identifiers(pupil: Any) -> None:
    identifiers = export(pupil.login)["pronote"]["identifiers"]
    assert [(i["uai"], i["pronote_id"]) for i in identifiers] == [("0312609T", "ELV42")]


def test_it_refuses_an_unknown_person() -> None:
    with pytest.raises(CommandError, match="Aucune personne"):
        call_command("person_data", "personne.inconnue", stdout=io.StringIO())


def test_it_exports_no_profile_of_the_other_person_of_a_trace_they_made(pupil: Any) -> None:
    """A trace made by the person about someone else (an administrator's password reset): its
    « Profil » rows are the other person's, not theirs to receive."""
    school = pupil.memberships.get().establishment
    admin = make_person("Alice", "Durand", establishment=school, profile=Profile.DIRECTION)
    record("password_reset", person=pupil, actor_login=admin.login, uai=school.uai)
    record("login", person=admin)
    traces = export(admin.login)["traces"]
    assert [(t["event"], t["profiles"]) for t in traces] == [
        ("password_reset", {}),
        ("login", {"0312609T": Profile.DIRECTION}),
    ]
    about_the_pupil = export(pupil.login)["traces"]
    assert about_the_pupil[-1]["event"] == "password_reset"
    assert about_the_pupil[-1]["profiles"] == {"0312609T": Profile.PUPIL}


def test_it_writes_the_export_to_a_file_whole_for_its_owner_only(
    pupil: Any, tmp_path, monkeypatch
) -> None:
    """``--out``: the JSON whole, mode 600, or nothing (a full disk left half an export,
    looking like one, when standard output was redirected to a file)."""
    import errno
    import stat

    from socle.portal.management.commands import person_data

    target = tmp_path / "export.json"
    call_command("person_data", pupil.login, out=str(target), stdout=io.StringIO())
    assert json.loads(target.read_text())["person"]["login"] == pupil.login
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert Trace.objects.filter(event="person_data_exported").count() == 1

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(person_data, "write_file", disk_full)
    with pytest.raises(CommandError) as refused:
        call_command("person_data", pupil.login, out=str(tmp_path / "other.json"))
    assert str(refused.value) == (
        f"Écriture de {tmp_path / 'other.json'} impossible : plus de place sur le disque. "
        "Aucun fichier n'a été écrit."
    )
    assert not (tmp_path / "other.json").exists()
    assert Trace.objects.filter(event="person_data_exported").count() == 1  # not traced


def test_it_says_when_standard_output_cannot_take_the_export(pupil: Any) -> None:
    import errno

    class FullDisk(io.StringIO):
        def write(self, _text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(CommandError) as refused:
        call_command("person_data", pupil.login, stdout=FullDisk())
    assert str(refused.value) == (
        "Écriture de la sortie impossible : plus de place sur le disque. Ce qui a pu en être "
        "écrit est incomplet : supprimez-le, puis relancez la commande avec --out FICHIER."
    )
    assert not Trace.objects.filter(event="person_data_exported").exists()


def test_it_says_before_writing_in_place_a_file_it_cannot_replace_whole(
    pupil, tmp_path, monkeypatch
) -> None:
    from tests.core.disk import no_temporary_file

    target = tmp_path / "export.json"
    target.write_text("{}")
    no_temporary_file(monkeypatch)
    err = io.StringIO()
    call_command("person_data", pupil.login, out=str(target), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith(
        f"Attention : impossible de créer un fichier dans le dossier {tmp_path} "
    )
    assert "export.json y sera donc réécrit directement" in err.getvalue()
    assert json.loads(target.read_text())["person"]["login"] == pupil.login


def test_it_names_no_other_account_in_the_export_of_the_administrator_who_acted(
    pupil: Any,
) -> None:
    """The right of access gives the administrator their own data, not the people they acted
    on: a reset or an individual access they made says « un autre compte », without that
    person's profile or establishments; the pupil's own export still names them."""
    from socle.directory.signals import password_reset
    from socle.portal.detail_forms import INDIVIDUAL_ACCESS

    school = pupil.memberships.get().establishment
    admin = make_person("Alice", "Durand", establishment=school, profile=Profile.DIRECTION)
    request = type("Request", (), {"user": admin, "META": {"REMOTE_ADDR": "192.0.2.9"}})()
    password_reset.send(sender=None, person=pupil, request=request)
    record(
        "access_rule_added",
        person=admin,
        uai=school.uai,
        service_code="appli",
        detail=INDIVIDUAL_ACCESS % {"login": pupil.login},
    )
    record(
        "access_rule_added",
        person=admin,
        uai=school.uai,
        detail=INDIVIDUAL_ACCESS % {"login": admin.login},  # their own: kept
    )
    record("password_reset", person=pupil, actor_login=admin.login, detail="texte libre")
    data = export(admin.login)
    text = json.dumps(data, ensure_ascii=False)
    assert pupil.login not in text and "MARTIN" not in text and "Camille" not in text
    details = [(t["event"], t["detail"], t["profile"], t["member_uais"]) for t in data["traces"]]
    assert details == [
        (
            "password_reset",
            "Mot de passe d'un autre compte réinitialisé (nouveau code d'activation)",
            "",
            "",
        ),
        ("access_rule_added", "accès individuel : un autre compte", "", ""),
        ("access_rule_added", f"accès individuel : {admin.login}", "", ""),
        ("password_reset", "un autre compte", "", ""),
    ]
    about_the_pupil = [t["detail"] for t in export(pupil.login)["traces"]]
    reset = "Mot de passe de MARTIN Camille réinitialisé (nouveau code d'activation)"
    assert reset in about_the_pupil


def test_it_shows_the_detail_for_another_account_in_the_readers_language() -> None:
    from django.utils import translation

    from socle.portal.trace_details import detail_text

    with translation.override("en"):
        shown = detail_text("access_rule_added", "accès individuel : un autre compte")
    assert "un autre compte" not in shown


def test_it_decides_every_service_in_a_constant_number_of_queries(db: Any) -> None:
    """A region registers a PRONOTE per school, and « Mes données » reads this on every visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socle.cas.personal_data import released

    person = make_person("Camille", "Martin")
    counts = []
    for first, last in ((0, 2), (2, 40)):
        for i in range(first, last):
            make_service(f"ecole{i}", patterns=(f"https://ecole{i}.example.org/**",))
        with CaptureQueriesContext(connection) as queries:
            assert len(released(person)) == last
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_it_keeps_only_the_administrator_s_establishments_of_a_trace_about_someone_else(
    pupil: Any,
) -> None:
    """A reset of a pupil of two schools is traced in both: the administrator of one reads,
    in their own export, the act in their school, not the other school the pupil belongs to."""
    from socle.directory.signals import password_reset

    school = pupil.memberships.get().establishment
    other = make_establishment(name="Collège Montaigne")
    make_membership(pupil, other)
    admin = make_person("Alice", "Durand", establishment=school, profile=Profile.DIRECTION)
    request = type("Request", (), {"user": admin, "META": {"REMOTE_ADDR": "192.0.2.9"}})()
    password_reset.send(sender=None, person=pupil, request=request)
    [reset] = [t for t in export(admin.login)["traces"] if t["event"] == "password_reset"]
    assert reset["uai"] == school.uai
    [theirs] = [t for t in export(pupil.login)["traces"] if t["event"] == "password_reset"]
    assert set(theirs["uai"].split()) == {school.uai, other.uai}
