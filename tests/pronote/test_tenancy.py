"""Between schools: an administrator of school A tries the PRONOTE pages of school B by its
import's id (every page of the wizard, GET and POST), its UAI in a query string, or its id in
a select that does not offer it."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from socle.portal.models import Trace
from socle.pronote.models import ImportSession, PronoteIdentity, SessionStatus
from tests.pronote.helpers import School, start


def test_it_refuses_every_page_of_an_import_of_another_school(admin_client, school) -> None:
    other = School()
    session = start(other.est, "complet", *other.records())
    traced = list(Trace.objects.filter(event__startswith="pronote_"))  # its start, by school B
    for name, args in (
        ("resume", [session.pk]),
        ("step", [session.pk, 1]),
        ("final", [session.pk]),
        ("report", [session.pk]),
    ):
        assert admin_client.get(reverse(f"pronote:{name}", args=args)).status_code == 403, name
    step = reverse("pronote:step", args=[session.pk, 1])
    for action in ("validate", "interrupt", "browse-1", "interrupt-ask"):
        assert admin_client.post(step, {"action": action, "search-1": "roux"}).status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS and session.current_step == 1
    assert not PronoteIdentity.objects.exists()
    assert list(Trace.objects.filter(event__startswith="pronote_")) == traced  # none added


def test_it_refuses_the_search_of_accounts_of_another_school(admin_client, school) -> None:
    other = School()
    response = admin_client.get(reverse("pronote:search"), {"uai": other.est.uai, "q": "roux"})
    assert response.status_code == 403 and other.emma.login.encode() not in response.content
    found = admin_client.get(reverse("pronote:search"), {"uai": school.est.uai, "q": "roux"})
    logins = {result["label"].rsplit(" — ", 1)[-1] for result in found.json()["results"]}
    assert school.emma.login in logins and other.emma.login not in logins


def test_it_refuses_the_export_for_another_school(
    admin_client, school, ent_key: rsa.RSAPrivateKey
) -> None:
    other = School()
    public_pem = ent_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    response = admin_client.post(
        reverse("pronote:export"),
        {
            "establishment": other.est.pk,
            "partner_id": "PARTENAIRE",
            "public_key": SimpleUploadedFile("index.pem", public_pem),
        },
    )
    assert response.status_code == 200 and "establishment" in response.context["form"].errors
    assert not Trace.objects.filter(event="pronote_export").exists()
    other.est.refresh_from_db()
    assert other.est.pronote_uids_exported_at is None


def test_it_lists_only_the_imports_of_the_administered_schools(admin_client, school) -> None:
    other = School()
    theirs = start(other.est, "complet", *other.records())
    ours = start(school.est, "complet", *school.records())
    response = admin_client.get(reverse("pronote:index"), {"uai": other.est.uai})
    assert response.status_code == 200
    assert list(response.context["recent"]) == [ours] and response.context["selected"] is None
    assert theirs in ImportSession.objects.all()
