"""The page « Export pour PRONOTE » records an export when it sends the file, whether the browser
gets it or not (a server cannot know), and says so: it lists each establishment's last file,
when and by whom, and a second download (the first one lost) changes nothing for the accounts
and is traced as another download."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from socle.directory.models import Establishment
from socle.portal.models import Service, Trace, UsernameMode
from socle.portal.username_lock import exported_names_refusal
from socle.pronote.export import open_container
from tests.factories import make_establishment
from tests.pronote.helpers import School, page_text
from tests.pronote.test_export import _download
from tests.pronote.test_export_files import _key

NOTICE = (
    "Un export est enregistré (et l'« identifiant CAS transmis » de ses services PRONOTE ne peut "
    "plus être modifié) dès que le fichier est envoyé au navigateur, qu'il l'ait reçu ou non."
)


def _partner_ids(content: bytes, ent_key) -> list[str]:  # type: ignore[no-untyped-def]
    _fields, payload = open_container(content, ent_key)
    root = etree.fromstring(payload, parser=etree.XMLParser(resolve_entities=False))
    return sorted(node.text or "" for node in root.iter("{*}ID_Partenaire"))


def test_it_says_when_the_file_was_already_downloaded_and_by_whom(
    client, ent_key, django_capture_on_commit_callbacks
) -> None:
    school = School()
    with django_capture_on_commit_callbacks(execute=True):
        _download(client, school, ent_key)
    at = timezone.localtime(Trace.objects.get(event="pronote_export").at)
    text = page_text(client.get("/gestion/pronote/export/"))
    admin = school.est.memberships.get(is_admin=True).person
    assert (
        f"{school.est.uai} — {school.est.name} : déjà téléchargé le {at:%d/%m/%Y} à {at:%H:%M} "
        f"par {admin.login} (RapprochementSSO_{school.est.uai}.xml : "
    ) in text
    assert NOTICE in text


def test_a_second_download_changes_nothing_for_the_accounts_and_is_traced(
    client, ent_key, django_capture_on_commit_callbacks
) -> None:
    """The first response lost on its way: the administrator downloads again and gets a file
    with the same names, the modes already fixed stay fixed, and each download is traced."""
    school = School()
    with django_capture_on_commit_callbacks(execute=True):
        first = _download(client, school, ent_key)
    sent = set(Service.objects.filter(usernames_sent=True).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        second = _download(client, school, ent_key)
    assert second.status_code == 200
    assert _partner_ids(second.content, ent_key) == _partner_ids(first.content, ent_key)
    assert set(Service.objects.filter(usernames_sent=True).values_list("pk", flat=True)) == sent
    assert Trace.objects.filter(event="pronote_export", uai=school.est.uai).count() == 2


def test_it_names_the_command_for_a_file_it_wrote_and_only_the_visitors_schools(
    client, ent_key, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    school = School()
    other = make_establishment(name="Lycée Victor Hugo")
    key = _key(tmp_path, ent_key)
    with django_capture_on_commit_callbacks(execute=True):
        for establishment in (school.est, other):
            call_command(
                "pronote_export", "--uai", establishment.uai, "--public-key",
                key, "--partner-id", "P",
                "--out", str(tmp_path / f"{establishment.uai}.xml"), stdout=io.StringIO(),
            )  # fmt: skip
    client.force_login(school.make_admin())
    text = page_text(client.get("/gestion/pronote/export/"))
    assert f"{school.est.uai} — {school.est.name} : fichier écrit le " in text
    assert "par la commande pronote_export" in text
    assert other.uai not in text  # another school's export is not shown


def test_it_shows_nothing_before_the_first_export(client) -> None:
    school = School()
    client.force_login(school.make_admin())
    response = client.get("/gestion/pronote/export/")
    assert response.context["last_exports"] == []
    assert NOTICE not in page_text(response)
    assert Establishment.objects.filter(pronote_uids_exported_at__isnull=False).count() == 0


def test_it_keeps_the_date_pronote_first_received_the_uids_on_a_download_made_again(
    client, ent_key, django_capture_on_commit_callbacks
) -> None:
    """« L'export pour PRONOTE du … a transmis à PRONOTE l'identifiant opaque (uid) … » dates the
    first export that gave PRONOTE the uids: a download made again (the history's advice) hands
    over the same uids and leaves the date as it is; the traces date each download."""
    school = School()
    Service.objects.filter(establishment=school.est).delete()  # the uids go to PRONOTE
    with django_capture_on_commit_callbacks(execute=True):
        _download(client, school, ent_key)
    assert Establishment.objects.get(pk=school.est.pk).pronote_uids_exported_at is not None
    first = timezone.now() - dt.timedelta(days=30)
    Establishment.objects.filter(pk=school.est.pk).update(pronote_uids_exported_at=first)
    with django_capture_on_commit_callbacks(execute=True):
        assert _download(client, school, ent_key).status_code == 200
    school.est.refresh_from_db()
    assert school.est.pronote_uids_exported_at == first
    assert Trace.objects.filter(event="pronote_export", uai=school.est.uai).count() == 2
    refusal = exported_names_refusal("pronote", UsernameMode.PAIRWISE, school.est)
    assert refusal is not None
    assert refusal.startswith(f"L'export pour PRONOTE du {timezone.localtime(first):%d/%m/%Y} ")


def test_it_gives_the_files_detail_in_the_readers_language(
    client, ent_key, django_capture_on_commit_callbacks
) -> None:
    school = School()
    with django_capture_on_commit_callbacks(execute=True):
        _download(client, school, ent_key)
    english = page_text(client.get("/gestion/pronote/export/", headers={"Accept-Language": "en"}))
    assert f"(RapprochementSSO_{school.est.uai}.xml: " in english
    assert " record(s))" in english and "fiche(s)" not in english
