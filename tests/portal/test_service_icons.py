"""Service icons in the database: uploaded on one node, served by any other with the same
bytes, a content-hash ETag and a versioned address; moved from the former files by migration
0007, which tolerates a file that is not on the node that migrates."""

from __future__ import annotations

import hashlib
import importlib
import logging
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Person
from socle.portal.icon_store import set_icon
from socle.portal.models import Service, ServiceIcon
from tests.factories import make_person, make_service
from tests.portal.conftest import logged_in
from tests.portal.test_service_pages import png_bytes, post_new, service_data

MIGRATION = importlib.import_module("socle.portal.migrations.0007_service_icon_files")
PLAIN_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="33"><rect/></svg>'
ACTIVE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def icon_sources(client: Client, path: str) -> list[str]:
    return html.fromstring(client.get(path).content).xpath("//img/@src")


def test_it_stores_an_uploaded_icon_in_the_database_and_another_node_serves_it(
    superuser: Person, settings: Any, tmp_path: Path
) -> None:
    settings.SOCLE_DATA_DIR = tmp_path / "node-a"
    (tmp_path / "node-a").mkdir()
    post_new(logged_in(superuser), icon_file=SimpleUploadedFile("p.png", png_bytes()))
    service = Service.objects.get()
    assert service.icon_hash == sha(png_bytes())
    assert bytes(ServiceIcon.objects.get(service=service).data) == png_bytes()
    assert list((tmp_path / "node-a").iterdir()) == []  # no file on the node that received it

    settings.SOCLE_DATA_DIR = tmp_path / "node-b"  # another node: nothing of node A's disk
    response = Client().get(service.icon_url)
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response["ETag"] == f'"{sha(png_bytes())}"'


def test_every_page_links_the_icon_with_its_version(
    school: Establishment, superuser: Person
) -> None:
    service = make_service("appli", establishment=school, label="Appli")
    set_icon(service, png_bytes(), "image/png")
    url = f"/services/appli/icone?v={sha(png_bytes())[:16]}"
    assert service.icon_url == url
    person = logged_in(make_person("Camille", "Martin", establishment=school))
    assert icon_sources(person, "/") == [url, url]  # the services bar and « Mon espace »
    assert icon_sources(person, "/services/appli/") == [url, url]  # the bar and the launcher
    edit = reverse("portal:service_edit", args=[service.pk])
    assert url in icon_sources(logged_in(superuser), edit)  # « Icône actuelle »


def test_a_page_shows_the_letter_of_a_service_without_icon(school: Establishment) -> None:
    make_service("appli", establishment=school, label="Appli")
    person = logged_in(make_person("Camille", "Martin", establishment=school))
    page = html.fromstring(person.get("/").content)
    assert page.xpath("//img") == []
    assert [s.text for s in page.xpath("//span[contains(@class, 'icon-fallback')]")] == ["A", "A"]
    assert Client().get("/services/appli/icone").status_code == 404
    assert Client().get("/services/inconnu/icone").status_code == 404


def test_a_versioned_address_is_cached_a_year_and_revalidated_by_its_etag() -> None:
    set_icon(make_service("appli"), png_bytes(), "image/png")
    url = Service.objects.get().icon_url
    client = Client()
    first = client.get(url)
    etag = f'"{sha(png_bytes())}"'
    assert first.status_code == 200 and first["ETag"] == etag
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(url, headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "public, max-age=31536000, immutable"
        assert again["X-Content-Type-Options"] == "nosniff"
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    unversioned = client.get("/services/appli/icone")
    assert unversioned["Cache-Control"] == "public, max-age=3600"
    assert client.post(url).status_code == 405


def test_a_new_icon_changes_the_address_and_the_etag() -> None:
    service = make_service("appli")
    set_icon(service, png_bytes(), "image/png")
    before = service.icon_url
    set_icon(service, png_bytes(16, 16), "image/png")
    assert service.icon_url != before
    client = Client()
    stale = client.get(before, headers={"If-None-Match": f'"{sha(png_bytes())}"'})
    assert stale.status_code == 200  # the former ETag no longer matches: the new bytes
    assert stale.content == png_bytes(16, 16)
    assert stale["Cache-Control"] == "public, max-age=3600"  # a former version: an hour only


def test_an_icon_is_served_as_a_passive_image() -> None:
    set_icon(make_service("appli"), PLAIN_SVG, "image/svg+xml")
    response = Client().get(Service.objects.get().icon_url)
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Disposition" not in response
    ServiceIcon.objects.update(content_type="text/html")  # whatever the row says
    odd = Client().get("/services/appli/icone")
    assert odd["Content-Type"] == "application/octet-stream"
    assert odd["Content-Disposition"] == "attachment"
    assert "sandbox" in odd["Content-Security-Policy"]


def test_removing_the_icon_in_the_form_deletes_its_bytes(superuser: Person) -> None:
    client = logged_in(superuser)
    post_new(client, icon_file=SimpleUploadedFile("p.png", png_bytes()))
    service = Service.objects.get()
    edit = reverse("portal:service_edit", args=[service.pk])
    client.post(edit, service_data(remove_icon="on"))
    service.refresh_from_db()
    assert service.icon_hash == "" and service.icon_url == ""
    assert not ServiceIcon.objects.exists()
    assert Client().get("/services/PRONOTECAS/icone").status_code == 404


def _legacy(code: str, name: str, data: bytes | None, root: Path) -> Service:
    service = make_service(code)
    Service.objects.filter(pk=service.pk).update(legacy_icon_path=f"service-icons/{name}")
    if data is not None:
        (root / "media" / "service-icons").mkdir(parents=True, exist_ok=True)
        (root / "media" / "service-icons" / name).write_bytes(data)
    return service


def test_the_migration_moves_the_icon_files_into_the_database(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SOCLE_DATA_DIR = tmp_path
    _legacy("appli", "appli-1a2b3c4d.png", png_bytes(), tmp_path)
    _legacy("dessin", "dessin-5e6f7a8b.svg", PLAIN_SVG, tmp_path)
    with caplog.at_level(logging.WARNING):
        MIGRATION.move_icon_files(apps, None)
    assert caplog.records == []
    settings.SOCLE_DATA_DIR = tmp_path / "elsewhere"  # served from the database only
    for code, data, kind in (("appli", png_bytes(), "image/png"), ("dessin", PLAIN_SVG, "")):
        service = Service.objects.get(code=code)
        assert service.icon_hash == sha(data)
        response = Client().get(service.icon_url)
        assert response.content == data
        assert response["Content-Type"] == (kind or "image/svg+xml")


def test_the_migration_reports_a_missing_or_refused_file_once_and_goes_on(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SOCLE_DATA_DIR = tmp_path
    _legacy("perdu", "perdu-00000000.png", None, tmp_path)  # uploaded on another node
    _legacy("actif", "actif-11111111.svg", ACTIVE_SVG, tmp_path)
    _legacy("appli", "appli-22222222.png", png_bytes(), tmp_path)
    with caplog.at_level(logging.WARNING):
        MIGRATION.move_icon_files(apps, None)
    refused, missing = sorted(r.getMessage() for r in caplog.records)  # once each
    path = tmp_path / "media" / "service-icons" / "perdu-00000000.png"
    assert missing == (
        f"The icon of the service perdu is not moved into the database ({path} not found); the "
        "service shows none until an icon is uploaded again in its form."
    )
    assert refused.startswith("The icon of the service actif") and "(onload)" in refused
    assert Service.objects.get(code="appli").icon_hash == sha(png_bytes())
    for code in ("perdu", "actif"):
        assert Service.objects.get(code=code).icon_hash == ""
        assert Client().get(f"/services/{code}/icone").status_code == 404
    assert ServiceIcon.objects.count() == 1


def test_undoing_the_migration_writes_the_icons_back_as_files(
    settings: Any, tmp_path: Path
) -> None:
    settings.SOCLE_DATA_DIR = tmp_path
    service = make_service("appli")
    set_icon(service, png_bytes(), "image/png")
    MIGRATION.restore_icon_files(apps, None)
    service.refresh_from_db()
    name = f"service-icons/appli-{sha(png_bytes())[:8]}.png"
    assert service.legacy_icon_path == name
    assert (tmp_path / "media" / name).read_bytes() == png_bytes()
