"""The English catalog: complete, compiled, in step with the sources, and served to English
browsers (French stays the default)."""

from __future__ import annotations

import gettext
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client, RequestFactory
from django.utils.translation import override

from socle.cas import login_page
from socle.directory.models import Person
from socle.directory.profiles import Profile
from socle.portal.models import Service
from tests.cas.conftest import SERVICE_URL, cas_login
from tests.cas.wsgi import Answer, run
from tests.factories import make_establishment, make_person, make_service

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "socle"
CATALOG = SOURCES / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|</?\w+[^>]*>")
UNKNOWN_SERVICE = "https://unknown.example.com/"


def catalog() -> polib.POFile:
    return polib.pofile(str(CATALOG / "django.po"))


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def makemessages_options() -> list[str]:
    """The options of ``make messages``, read from the Makefile (one source of truth)."""
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^MAKEMESSAGES := (.+)$", makefile, re.MULTILINE)
    assert match, "the Makefile defines MAKEMESSAGES (the options of `make messages`)"
    return shlex.split(match.group(1))


@pytest.fixture
def pupil() -> Person:
    return make_person(establishment=make_establishment("0312609T"), class_name="4A")


@pytest.fixture
def service() -> Service:
    return make_service("appli", patterns=("https://appli.example.org/**",))


def english(client: Client, path: str, **data: str):  # noqa: ANN201
    return client.get(path, data, headers={"Accept-Language": "en"})


# --- the catalog -----------------------------------------------------------------------------


def test_it_translates_every_entry_of_the_catalog():
    po = catalog()
    assert po.metadata["Language"] == "en" and not po.metadata_is_fuzzy
    assert len(po) > 500
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    for entry in po:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        assert all(t.strip() for t in translations), entry.msgid
        if entry.msgid_plural:
            assert len(translations) == 2, entry.msgid


def test_it_keeps_the_placeholders_and_tags_of_each_message():
    for entry in catalog():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        translations = (
            [entry.msgstr_plural[0], entry.msgstr_plural[1]]
            if entry.msgid_plural
            else [entry.msgstr]
        )
        for source, translation in zip(sources, translations, strict=True):
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(
                PLACEHOLDER.findall(source)
            ), f"{source!r} → {translation!r}"
            if "python-format" in entry.flags:
                names = dict.fromkeys(re.findall(r"%\((\w+)\)", source), 1)
                translation % names  # no KeyError or ValueError once rendered


def test_the_committed_mo_is_the_compiled_po():
    """`make messages` was run after the last edit of the .po (gettext reads the .mo only)."""
    with open(CATALOG / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    read = dict(compiled._catalog)  # type: ignore[attr-defined]
    read.pop("", None)  # the header
    expected: dict[object, str] = {}
    for entry in catalog().translated_entries():
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(msgid, int(index))] = text
        else:
            expected[msgid] = entry.msgstr
    assert read == expected, "the .mo is stale: run `make messages`"


def test_the_catalog_holds_what_makemessages_extracts_today(tmp_path):
    """The sources are copied (without their catalog) and extracted as `make messages` does;
    the committed .po must list the same messages, in the same order, at the same places."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("xgettext/msgmerge missing: install Debian's gettext (scripts/system-deps)")
    copy = tmp_path / "socle"
    shutil.copytree(
        SOURCES, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "*.pyc")
    )
    (copy / "locale").mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "django", *makemessages_options()],
        cwd=copy,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    extracted = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    committed = catalog()
    missing = {key(e) for e in extracted} - {key(e) for e in committed}
    assert not missing, f"not in the catalog (run `make messages` and translate): {missing}"
    stale = {key(e) for e in committed} - {key(e) for e in extracted}
    assert not stale, f"no longer in the sources (run `make messages`): {stale}"
    assert [(key(e), e.occurrences) for e in committed] == [
        (key(e), e.occurrences) for e in extracted
    ], "the catalog's order or locations are out of date: run `make messages`"


def test_pronotesim_keeps_its_french_pages_without_a_catalog():
    assert not list((ROOT / "pronotesim").rglob("*.po"))
    assert not any("pronotesim" in path for e in catalog() for path, _line in e.occurrences)


# --- what visitors get -----------------------------------------------------------------------


def login_labels(html: str) -> tuple[list[str], list[str]]:
    return re.findall(r"<label for=\"id_\w+\">([^<]*)<", html), re.findall(
        r"<button type=\"submit\"[^>]*>([^<]*)<", html
    )


def test_an_english_visitor_gets_the_login_page_in_english():
    response = english(Client(), "/cas/login")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert login_labels(response.content.decode()) == (["Username", "Password"], ["Sign in"])
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.parametrize("headers", [{"Accept-Language": "fr-FR,fr;q=0.9"}, {}])
def test_a_french_visitor_or_one_without_a_preference_gets_french(headers):
    response = Client().get("/cas/login", headers=headers)
    assert response["Content-Language"] == "fr"
    labels = login_labels(response.content.decode())
    assert labels == (["Identifiant", "Mot de passe"], ["Se connecter"])


def test_each_language_gets_its_own_reused_login_page(service, monkeypatch):
    english(Client(), "/cas/login", service=SERVICE_URL)
    Client().get("/cas/login", {"service": SERVICE_URL}, headers={"Accept-Language": "fr"})
    assert len(login_page._pages) == 2  # one stored page per language
    renders: list[int] = []
    monkeypatch.setattr("socle.cas.views.login.render", lambda *a, **k: renders.append(1))
    again_en = english(Client(), "/cas/login", service=SERVICE_URL).content.decode()
    again_fr = Client().get("/cas/login", {"service": SERVICE_URL}).content.decode()
    assert renders == []  # both served from the stored pages
    assert login_labels(again_en)[1] == ["Sign in"] and "You are about to open" in again_en
    assert login_labels(again_fr)[1] == ["Se connecter"] and "Vous allez accéder" in again_fr


def test_a_failed_login_is_explained_in_english(pupil):
    client = Client(headers={"Accept-Language": "en"})
    answer = cas_login(client, pupil, password="wrong")
    assert "Incorrect username or password." in answer.content.decode()


def test_an_unknown_service_is_refused_in_the_visitors_language():
    refused = english(Client(), "/cas/login", service=UNKNOWN_SERVICE)
    assert refused.status_code == 403
    assert "Service not authorised" in refused.content.decode()
    french = Client().get("/cas/login", {"service": UNKNOWN_SERVICE})
    assert "Service non autorisé" in french.content.decode()


def test_the_lean_hop_chain_negotiates_the_language_of_its_pages(pupil, service):
    """An SSO hop goes through ``socle.cas.lean`` (no LocaleMiddleware): a page it ends on is
    still in the visitor's language (``negotiate_language``)."""
    from socle.wsgi import application

    client = Client()
    cas_login(client, pupil)
    tgc = client.cookies["socle_tgc"].value
    answers: dict[str, Answer] = {}
    for language in ("en", "fr"):
        request = RequestFactory().get(
            "/cas/login",
            {"service": UNKNOWN_SERVICE},
            HTTP_COOKIE=f"socle_tgc={tgc}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        answers[language] = run(application, request.environ)
    assert answers["en"].status_code == 403
    assert "Service not authorised" in answers["en"].body.decode()
    assert answers["en"].headers["content-language"] == "en"
    assert "Service non autorisé" in answers["fr"].body.decode()
    assert answers["fr"].headers["content-language"] == "fr"


def test_an_english_administrator_gets_the_portal_in_english():
    school = make_establishment("0312609T", name="Collège Jean Jaurès")
    make_service("appli", label="Appli", patterns=("https://appli.example.org/**",))
    admin = make_person(
        "Claire", "Dupuis", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    client = Client()
    client.force_login(admin)
    home = english(client, "/").content.decode()
    assert "My space" in home and "Sign out" in home and "Mon espace" not in home
    management = english(client, "/gestion/").content.decode()
    assert "Portal management" in management and "Gestion portail" not in management
    services = english(client, "/gestion/services/").content.decode()
    assert "List of services" in services and "New service" in services
    french = client.get("/gestion/services/").content.decode()
    assert "Liste des services" in french
    form = english(client, "/gestion/services/nouveau/").content.decode()
    assert "Active service" in form and "PNG or SVG image of" in form  # labels and help texts
    assert "Image PNG ou SVG" in client.get("/gestion/services/nouveau/").content.decode()
    traces = english(client, "/gestion/traces/").content.decode()
    assert ">From</label>" in traces and "Export as CSV" in traces


# --- the 500 page ----------------------------------------------------------------------------


def test_the_500_page_is_in_the_active_language():
    """Django renders 500.html without a request or context processors (``server_error``)."""
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with override("en"):
        english = server_error(request).content.decode()
    assert '<html lang="en">' in english
    assert "<h1>An error occurred</h1>" in english
    assert "<title>Error — Socle</title>" in english
    assert "Back to the home page" in english and "Une erreur" not in english
    with override("fr"):
        french = server_error(request).content.decode()
    assert '<html lang="fr">' in french
    assert "<h1>Une erreur s'est produite</h1>" in french
    assert (
        "Le serveur n'a pas pu traiter votre demande. Réessayez dans quelques instants ; si le "
        "problème continue, prévenez l'administrateur de l'ENT de votre établissement."
    ) in french


def test_it_answers_a_refused_request_with_the_400_page_in_the_active_language(client):
    """Django renders 400.html without a request (``bad_request``): a Host not in
    ``SOCLE_ALLOWED_HOSTS``, a form too large. Its own page said « Bad Request (400) »."""
    french = client.get("/", HTTP_HOST="10.0.0.12", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 400
    page = french.content.decode()
    assert '<html lang="fr">' in page and "<h1>Demande refusée</h1>" in page
    assert "Bad Request" not in page
    english = client.get("/", HTTP_HOST="10.0.0.12", HTTP_ACCEPT_LANGUAGE="en")
    page = english.content.decode()
    assert '<html lang="en">' in page and "<h1>Request refused</h1>" in page
    assert "refusée" not in page


@pytest.mark.parametrize("use_i18n", [True, False])
def test_the_500_page_renders_with_translations_off(settings, use_i18n):
    """Deactivated (``override(None)``) or disabled (``USE_I18N = False``): the French page."""
    from django.template import loader

    settings.USE_I18N = use_i18n
    with override(None):
        page = loader.get_template("500.html").render()
    assert page.startswith("<!doctype html>\n")
    assert '<html lang="fr">' in page and "<h1>Une erreur s'est produite</h1>" in page


# --- French plurals ----------------------------------------------------------------------------


def test_the_french_catalog_of_plurals_is_generated_from_the_english_one():
    """`make messages` ran `scripts/french_plurals.py` after the last change of a plural."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from french_plurals import FRENCH, french_plurals
    finally:
        sys.path.pop(0)
    expected = french_plurals(catalog())
    committed = polib.pofile(str(FRENCH))
    assert [(key(e), e.msgstr_plural) for e in committed] == [
        (key(e), e.msgstr_plural) for e in expected
    ], "the French catalog of plurals is stale: run `make messages`"
    with open(FRENCH.with_suffix(".mo"), "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.ngettext("%(n)s service", "%(n)s services", 0) == "%(n)s service"


def test_it_writes_a_count_of_zero_in_the_singular_in_french_only():
    from django.utils.translation import ngettext

    counts = {}
    for language in ("fr", "en"):
        with override(language):
            counts[language] = [
                ngettext("%(n)s service", "%(n)s services", n) % {"n": n} for n in (0, 1, 2)
            ]
    assert counts["fr"] == ["0 service", "1 service", "2 services"]
    assert counts["en"] == ["0 services", "1 service", "2 services"]
