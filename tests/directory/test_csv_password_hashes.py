"""The CSV column ``password_hash``: hashes from another ENT or CAS, logged in with the old
password and re-encoded with Argon2id at that login (``socle.core.legacy_hashers``)."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import html

from socle.cas import authentication
from socle.core.hashers import SocleArgon2PasswordHasher
from socle.core.legacy_hashers import BcryptCryptHasher
from socle.directory.checks import check_imported_hashes
from socle.directory.models import Person
from socle.directory.passwords import reset_password, set_password
from socle.portal.trace_models import Trace
from tests.cas.conftest import SERVICE_URL
from tests.cas.test_lean import _form, call
from tests.core.legacy import ARGON2_PREFIX, PASSWORD, legacy_hashes
from tests.directory.helpers import refused_import, run, write_csv
from tests.factories import make_establishment, make_person, make_service

UAI = "0312609T"
HEADER = "uai;profile;last_name;first_name;login;password_hash\n"
pytestmark = pytest.mark.django_db


@pytest.fixture
def college() -> object:
    make_service("appli", patterns=("https://appli.example.org/**",))
    return make_establishment(UAI, "Collège Jean Jaurès")


def imported(tmp_path: Path, value: str, header: str = HEADER) -> tuple[Person, str]:
    """The person a one-row file with the hash ``value`` creates, and the import's output."""
    out, err = run(
        "directory_import",
        str(write_csv(tmp_path, f"{header}{UAI};élève;Martin;Camille;camille.martin;{value}")),
    )
    return Person.objects.get(login="camille.martin"), out + err


def lean_login(login: str, password: str, address: str = "198.51.100.7") -> Any:
    """A newcomer's login POST through ``socle.wsgi`` and its login chain."""
    cookie, token = _form()
    return call(
        "POST",
        f"/cas/login?service={SERVICE_URL}",
        cookie=cookie,
        data={
            "username": login,
            "password": password,
            "service": SERVICE_URL,
            "csrfmiddlewaretoken": token,
        },
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize("kind", sorted(legacy_hashes()))
def test_it_imports_each_format_and_re_encodes_it_with_argon2id_at_the_first_login(
    tmp_path, college, socle_hashers, kind
):
    person, _ = imported(tmp_path, legacy_hashes()[kind])
    before = person.password
    assert not before.startswith("argon2$")
    assert person.has_usable_password()

    answer = lean_login(person.login, PASSWORD)

    assert answer.status_code == 302 and "ticket=ST-" in answer.headers["location"]
    person.refresh_from_db()
    assert person.password.startswith(ARGON2_PREFIX)
    assert lean_login(person.login, PASSWORD).status_code == 302  # and again, with Argon2id


def test_the_french_column_name_is_accepted(tmp_path, college, socle_hashers):
    header = HEADER.replace("password_hash", "empreinte_mot_de_passe")
    person, _ = imported(tmp_path, legacy_hashes()["ssha"], header)
    assert identify_hasher(person.password).algorithm == "ldap_ssha"


def test_it_logs_in_through_the_full_chain_too(tmp_path, college, socle_hashers):
    person, _ = imported(tmp_path, legacy_hashes()["sha512_crypt"])
    answer = Client().post(
        "/cas/login", {"username": person.login, "password": PASSWORD, "service": SERVICE_URL}
    )
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.password.startswith(ARGON2_PREFIX)


def test_it_verifies_and_re_encodes_inside_the_admission_slot(
    tmp_path, college, socle_hashers, monkeypatch
):
    person, _ = imported(tmp_path, legacy_hashes()["bcrypt_2b"])
    held: list[bool] = [False]
    seen: list[tuple[str, bool]] = []
    slot = authentication.password_hash_slot

    @contextmanager
    def watched(*args: Any, **kwargs: Any) -> Any:
        with slot(*args, **kwargs):
            held[0] = True
            try:
                yield
            finally:
                held[0] = False

    def spy(name: str, method: Any) -> Any:
        def wrapper(self: Any, *args: Any) -> Any:
            seen.append((name, held[0]))
            return method(self, *args)

        return wrapper

    monkeypatch.setattr(authentication, "password_hash_slot", watched)
    monkeypatch.setattr(BcryptCryptHasher, "verify", spy("verify", BcryptCryptHasher.verify))
    monkeypatch.setattr(
        SocleArgon2PasswordHasher, "encode", spy("encode", SocleArgon2PasswordHasher.encode)
    )

    assert lean_login(person.login, PASSWORD).status_code == 302
    assert seen == [("verify", True), ("encode", True)]


@pytest.mark.parametrize("kind", ["ssha", "pbkdf2_sha256"])
def test_a_wrong_password_for_an_imported_fast_hash_costs_an_argon2id_hash_as_an_unknown_login(
    tmp_path, college, socle_hashers, monkeypatch, kind
):
    person, _ = imported(tmp_path, legacy_hashes()[kind])
    encoded: list[str] = []
    encode = SocleArgon2PasswordHasher.encode

    def counted(self: Any, *args: Any) -> Any:
        encoded.append("argon2")
        return encode(self, *args)

    monkeypatch.setattr(SocleArgon2PasswordHasher, "encode", counted)
    assert lean_login(person.login, "pas le bon mot de passe").status_code == 200
    assert lean_login("personne.inconnue", "pas le bon mot de passe").status_code == 200
    assert encoded == ["argon2", "argon2"]  # the timing does not tell the existing login


def test_a_wrong_password_is_refused_throttled_and_keeps_the_imported_hash(
    tmp_path, college, socle_hashers
):
    person, _ = imported(tmp_path, legacy_hashes()["ssha"])
    before = person.password
    for _ in range(5):
        refused = lean_login(person.login, "pas le bon mot de passe")
        assert refused.status_code == 200
    locked = lean_login(person.login, PASSWORD)
    assert locked.status_code != 302
    assert "Trop de tentatives de connexion" in locked.body.decode()
    person.refresh_from_db()
    assert person.password == before  # neither upgraded nor changed by the failures


@pytest.mark.parametrize(
    "value",
    ["{MD5}X03MO1qnZdYdgyfeuILPmQ==", "$6$sel$court", "motdepasseenclair", "{SSHA}@@@"],
)
def test_a_malformed_or_unknown_hash_refuses_the_file_naming_the_line_and_the_formats(
    tmp_path, college, value
):
    err = refused_import(
        tmp_path, f"{HEADER}{UAI};élève;Martin;Camille;camille.martin;{value}", uai=UAI
    )
    assert "ligne 2 : empreinte de mot de passe (password_hash) mal formée ou dans un " in err
    assert (
        "{SSHA}, {SSHA256}, {SSHA512}, {SHA}, bcrypt ($2a$, $2b$, $2y$), sha512-crypt ($6$)" in err
    )
    assert value not in err
    assert not Person.objects.filter(login="camille.martin").exists()


def test_a_hash_too_costly_to_verify_at_each_login_is_refused(tmp_path, college):
    value = "$2b$16$" + "a" * 53
    err = refused_import(
        tmp_path, f"{HEADER}{UAI};élève;Martin;Camille;camille.martin;{value}", uai=UAI
    )
    assert "ligne 2 : empreinte de mot de passe (password_hash) trop coûteuse" in err
    assert value not in err


def test_a_row_with_a_password_and_a_hash_is_refused(tmp_path, college):
    value = legacy_hashes()["ssha"]
    row = f"{UAI};élève;Martin;Camille;camille.martin;{value};un mot de passe tres long"
    text = f"{HEADER.strip()};password\n{row}"
    err = refused_import(tmp_path, text, uai=UAI)
    assert "ligne 2 : password et password_hash (empreinte_mot_de_passe) remplis tous deux" in err
    assert value not in err and "tres long" not in err


def test_it_refuses_a_persons_password_on_one_row_and_hash_on_another_naming_the_rows(
    tmp_path, college
):
    """Which one to set cannot be guessed (the password won silently until 2026-12)."""
    value = legacy_hashes()["ssha"]
    header = "uai;profile;last_name;first_name;external_id;password;password_hash\n"
    for rows in (
        f"{UAI};enseignant;Durand;Paul;T1;un mot de passe tres long;\n"
        f"{UAI};parent;Durand;Paul;T1;;{value}",
        f"{UAI};enseignant;Durand;Paul;T1;;{value}\n"
        f"{UAI};parent;Durand;Paul;T1;un mot de passe tres long;",
    ):
        err = refused_import(tmp_path, header + rows, uai=UAI)
        assert (
            "ligne 3 : password et password_hash (empreinte_mot_de_passe) donnés pour la même "
            "personne (external_id « T1 ») aux lignes 2 et 3 : un seul des deux par personne."
        ) in err
        assert value not in err and "tres long" not in err
    assert not Person.objects.filter(external_id="T1").exists()


def test_it_refuses_two_different_passwords_or_hashes_for_one_person(tmp_path, college):
    """The first row won silently until 2026-12; the same value on both rows is no conflict."""
    hashes = legacy_hashes()
    header = "uai;profile;last_name;first_name;external_id;password;password_hash\n"
    for rows, column in (
        (
            f"{UAI};enseignant;Durand;Paul;T1;un mot de passe tres long;\n"
            f"{UAI};parent;Durand;Paul;T1;un autre mot de passe long;",
            "deux password (mot_de_passe) différents",
        ),
        (
            f"{UAI};enseignant;Durand;Paul;T1;;{hashes['ssha']}\n"
            f"{UAI};parent;Durand;Paul;T1;;{hashes['bcrypt_2b']}",
            "deux password_hash (empreinte_mot_de_passe) différents",
        ),
    ):
        err = refused_import(tmp_path, header + rows, uai=UAI)
        assert (
            f"ligne 3 : {column} donnés pour la même personne (external_id « T1 ») aux lignes 2 "
            "et 3 : un seul par personne."
        ) in err
        assert "tres long" not in err and "autre mot" not in err
        assert hashes["ssha"] not in err and hashes["bcrypt_2b"] not in err
    assert not Person.objects.filter(external_id="T1").exists()
    same = (
        f"{UAI};enseignant;Durand;Paul;T1;;{hashes['ssha']}\n"
        f"{UAI};parent;Durand;Paul;T1;;{hashes['ssha']}"
    )
    run("directory_import", str(write_csv(tmp_path, header + same)), uai=UAI)
    assert Person.objects.get(external_id="T1").is_active  # one value twice: imported


def test_the_hash_is_never_printed_logged_exported_or_traced(
    tmp_path, college, socle_hashers, caplog
):
    value = legacy_hashes()["bcrypt_2b"]
    secret = value[7:]  # the salt and digest, without the common "$2b$04$"
    caplog.set_level(logging.DEBUG)
    person, output = imported(tmp_path, value)
    assert lean_login(person.login, "pas le bon mot de passe").status_code == 200
    assert lean_login(person.login, PASSWORD).status_code == 302
    exported = io.StringIO()
    call_command("person_data", person.login, stdout=exported)
    traces = json.dumps(list(Trace.objects.values()), default=str)
    for text in (output, caplog.text, exported.getvalue(), traces):
        assert secret not in text


def test_an_account_with_a_usable_password_keeps_it(tmp_path, college, socle_hashers):
    person, _ = imported(tmp_path, legacy_hashes()["ssha"])
    assert lean_login(person.login, PASSWORD).status_code == 302
    person.refresh_from_db()
    chosen = person.password
    imported(tmp_path, legacy_hashes("un autre mot de passe")["ssha"])
    person.refresh_from_db()
    assert person.password == chosen


def test_the_admin_s_reset_and_a_new_password_leave_no_imported_hash(
    tmp_path, college, socle_hashers
):
    person, _ = imported(tmp_path, legacy_hashes()["sha512_crypt"])
    issued = reset_password(person)  # the old password stops working at once
    assert lean_login(person.login, PASSWORD).status_code == 200
    person.refresh_from_db()
    assert not person.has_usable_password() and issued.code

    set_password(person, "un nouveau mot de passe assez long")
    person.refresh_from_db()
    assert person.password.startswith(ARGON2_PREFIX)


def test_it_tells_the_operator_of_the_accounts_still_on_an_imported_hash_and_lists_them(
    tmp_path, college, socle_hashers, client
):
    assert check_imported_hashes(databases=["default"]) == []
    person, _ = imported(tmp_path, legacy_hashes()["ssha"])
    bcrypt = make_person("Paul", "Durand", password=None)
    bcrypt.password = f"bcrypt_crypt${legacy_hashes()['bcrypt_2b']}"
    bcrypt.save(update_fields=["password"])
    make_person("Léa", "Roux", password=None).save()  # no password: an activation letter's
    chosen = make_person("Marc", "Petit", password=None)
    chosen.password = make_password("un mot de passe choisi assez long")  # Argon2id
    chosen.save(update_fields=["password"])
    (warning,) = check_imported_hashes(databases=["default"])
    assert warning.id == "socle.W025"
    assert warning.msg.startswith(
        "2 compte(s) ont encore une empreinte de mot de passe importée d'un autre système "
        "(bcrypt_crypt : 1, ldap_ssha : 1) : elle seule les protège"
    )
    assert "« Par mot de passe » : « empreinte importée (pas encore Argon2id) »" in warning.hint
    assert check_imported_hashes() == []  # a plain « socle check » does not read the database

    client.force_login(make_person("Ada", "Admin", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:directory_person_changelist"), {"mot_de_passe": "importe"})
    logins = html.fromstring(page.content.decode()).xpath("//th[@class='field-login']//text()")
    assert sorted(logins) == sorted([person.login, bcrypt.login])

    assert lean_login(person.login, PASSWORD).status_code == 302  # re-encoded with Argon2id
    (warning,) = check_imported_hashes(databases=["default"])
    assert warning.msg.startswith("1 compte(s) ont encore une empreinte de mot de passe importée")
