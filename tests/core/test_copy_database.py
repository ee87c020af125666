"""``socle copy_database``: the school's rows to a new database (SQLite to PostgreSQL), without
the content types, permissions, sessions and CAS tables that collide or expire, ids and password
hashes kept; a used or the same database refused. Tried for real on the demo's data, SQLite to
PostgreSQL (docs/deployment.md, "Moving from SQLite to PostgreSQL")."""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import Client

from socle.core import copy_database as copy_module
from socle.directory.models import Person
from socle.portal.models import Trace
from tests.cas.conftest import cas_login
from tests.factories import make_establishment, make_person, make_pronote_identity, make_service

pytestmark = pytest.mark.slow


@pytest.fixture
def spare_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(sql))
    finally:
        connection.close()


def test_it_copies_the_school_with_its_ids_and_password_hashes(tmp_path: Path, spare_tempdir: Path):
    school = make_establishment(uai="0312609T")
    make_person("Léa", "Durand")  # a gap in the ids: the next person is not 1, 2…
    Person.objects.filter(last_name="Durand").delete()
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    pupil.user_permissions.add(Permission.objects.get(codename="view_person"))
    make_pronote_identity(pupil, school, "4XRLYGXKXPU9FNB7")
    make_service("appli", patterns=("https://appli.example.org/**",))
    Trace.objects.create(event="login", person=pupil)
    target = tmp_path / "target.sqlite3"
    out = StringIO()

    call_command("copy_database", f"sqlite:///{target}", stdout=out)

    assert rows(target, "SELECT id, login, password FROM directory_person") == [
        (pupil.pk, pupil.login, pupil.password)
    ]
    assert rows(target, "SELECT pronote_id FROM pronote_pronoteidentity") == [("4XRLYGXKXPU9FNB7",)]
    (codename,) = rows(
        target,
        "SELECT p.codename FROM directory_person_user_permissions u "
        "JOIN auth_permission p ON p.id = u.permission_id",
    )
    assert codename == ("view_person",)  # by its natural key: the ids may differ there
    assert rows(target, "SELECT COUNT(*) FROM portal_trace") == [(1,)]
    assert "directory.Person : 1" in out.getvalue()
    assert "Données copiées dans" in out.getvalue()
    assert list(spare_tempdir.iterdir()) == []  # the dump, with the hashes, is gone


def test_it_leaves_the_sessions_and_tickets_behind(tmp_path: Path, spare_tempdir: Path):
    pupil = make_person()
    browser = Client()
    assert cas_login(browser, pupil).status_code in (200, 302)  # an SSO and a Django session
    target = tmp_path / "target.sqlite3"
    call_command("copy_database", f"sqlite:///{target}", stdout=StringIO())
    assert rows(target, "SELECT COUNT(*) FROM cas_ssosession") == [(0,)]
    assert rows(target, "SELECT COUNT(*) FROM django_session") == [(0,)]


def test_it_refuses_a_database_that_is_not_empty(tmp_path: Path, spare_tempdir: Path):
    make_person()
    target = tmp_path / "target.sqlite3"
    call_command("copy_database", f"sqlite:///{target}", stdout=StringIO())
    with pytest.raises(CommandError, match=r"n'est pas vide \(directory\.Person : 1\)"):
        call_command("copy_database", f"sqlite:///{target}", stdout=StringIO())


def test_it_refuses_the_current_database_and_a_foreign_one():
    current = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        url = f"sqlite:///{current['NAME']}"
    else:
        url = (
            f"postgres://{current['USER']}:{current['PASSWORD']}@{current['HOST']}:"
            f"{current['PORT']}/{current['NAME']}"
        )
    with pytest.raises(CommandError, match="la base actuelle"):
        call_command("copy_database", url)
    with pytest.raises(CommandError, match="non prise en charge"):
        call_command("copy_database", "mysql://socle:x@db/socle")
    with pytest.raises(AttributeError):
        connections._connections.socle_copy_target  # noqa: B018 - removed after the copy


def test_it_creates_a_sqlite_target_for_its_owner_only(tmp_path: Path, spare_tempdir: Path):
    """The copy holds every password and activation code hash, as the live database does."""
    make_person()
    target = tmp_path / "target.sqlite3"
    previous = os.umask(0o022)
    try:
        call_command("copy_database", f"sqlite:///{target}", stdout=StringIO())
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_it_warns_of_a_password_in_the_address_and_never_repeats_it(spare_tempdir: Path):
    """``ps`` and the shell's history show the command line to others: the password goes in
    ~/.pgpass or PGPASSWORD (libpq reads them); nothing printed repeats it."""
    err = StringIO()
    with pytest.raises(CommandError) as refused:  # nothing listens on port 1
        call_command("copy_database", "postgres://socle:s3cr3t-pw@127.0.0.1:1/socle", stderr=err)
    assert "PGPASSWORD" in err.getvalue()
    assert "s3cr3t-pw" not in err.getvalue() + str(refused.value)
    quiet = StringIO()
    with pytest.raises(CommandError):
        call_command("copy_database", "postgres://socle@127.0.0.1:1/socle", stderr=quiet)
    assert quiet.getvalue() == ""


def test_it_says_in_one_line_that_the_target_cannot_be_reached():
    """Not a traceback of the migration's first query (the current database is reachable, so
    the commands' general handler had nothing to say)."""
    with pytest.raises(CommandError) as refused:
        call_command("copy_database", "postgres://socle@127.0.0.1:1/socle")
    assert str(refused.value) == (
        "Base de données postgres://socle@127.0.0.1:1/socle injoignable : connexion refusée "
        "(serveur arrêté, ou mauvais hôte ou port ?)."
    )


def test_it_keeps_the_dump_in_a_private_folder_of_the_temporary_folder(
    tmp_path: Path, spare_tempdir: Path, monkeypatch: pytest.MonkeyPatch
):
    """A temporary folder others may write in, without the sticky bit: the dump (password
    hashes) was a mode-600 file there, read again by name, which they could swap for rows of
    their own between dumpdata and loaddata. It is in a folder of its own, mode 700."""
    spare_tempdir.chmod(0o777)
    make_person("Camille", "Martin")
    real = copy_module.call_command
    seen = []

    def spy(name: str, *args: object, **options: object) -> object:
        if name == "loaddata":
            dump = Path(str(args[0]))
            seen.append((stat.S_IMODE(dump.parent.stat().st_mode), dump.read_bytes()[:1]))
            assert [p.name for p in spare_tempdir.iterdir()][0].endswith(".partial")
        return real(name, *args, **options)

    monkeypatch.setattr(copy_module, "call_command", spy)
    call_command("copy_database", f"sqlite:///{tmp_path / 'target.sqlite3'}", stdout=StringIO())
    assert seen == [(0o700, b"{")]
    assert list(spare_tempdir.iterdir()) == []


def test_it_says_the_target_disk_is_full_and_completes_when_run_again(
    tmp_path: Path, spare_tempdir: Path, monkeypatch: pytest.MonkeyPatch
):
    """SQLite's « database or disk is full » (PostgreSQL's « could not extend file ») came as a
    Python traceback; now one French sentence, and the same command run again once there is
    room finds the target migrated and empty, and copies."""
    from django.db import OperationalError

    make_person("Camille", "Martin")
    target = tmp_path / "target.sqlite3"
    real_call_command = copy_module.call_command

    def disk_full_on_load(name: str, *args: object, **options: object) -> object:
        if name == "loaddata":
            raise OperationalError("database or disk is full")
        return real_call_command(name, *args, **options)

    monkeypatch.setattr(copy_module, "call_command", disk_full_on_load)
    with pytest.raises(CommandError) as refused:
        call_command("copy_database", f"sqlite:///{target}", stdout=StringIO())
    assert str(refused.value) == (
        f"Écriture dans la base cible {target} impossible : plus de place sur le disque. Aucune "
        "ligne n'y a été copiée : corrigez la cause, puis relancez la même commande."
    )
    assert list(spare_tempdir.iterdir()) == []  # the dump is gone
    monkeypatch.setattr(copy_module, "call_command", real_call_command)
    out = StringIO()
    call_command("copy_database", f"sqlite:///{target}", stdout=out)
    assert "directory.Person : 1" in out.getvalue()
    assert rows(target, "SELECT last_name FROM directory_person") == [("Martin",)]
