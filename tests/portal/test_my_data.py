"""« Mes données » (``/mes-donnees/``): what Socle holds about the person logged in, from the
export of ``socle person_data`` (docs/privacy.md, "Right of access")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from lxml import html

from socle.portal.models import Trace
from socle.portal.traces import record
from tests.factories import make_person
from tests.portal.conftest import logged_in
from tests.portal.test_person_data import pupil  # noqa: F401  (the fixture)

URL = "/mes-donnees/"


def page(client: Client, url: str = URL, **headers: str) -> Any:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text_of(tree: Any, section: str) -> str:
    found = tree.xpath(f"//section[@aria-labelledby='{section}']")[0]
    return " ".join(" ".join(part.split()) for part in found.itertext() if part.strip())


def test_it_shows_the_person_what_socle_holds_on_them(pupil: Any) -> None:  # noqa: F811
    tree = page(logged_in(pupil))
    identity = text_of(tree, "identity-title")
    assert "Identifiant de connexion" in identity and pupil.login in identity
    assert "Date de naissance 01/02/2012" in identity and "camille@example.org" in identity
    schools = text_of(tree, "schools-title")
    assert "Collège Jean Jaurès" in schools and "Classe 4A" in schools
    relatives = text_of(tree, "relatives-title")
    assert "Nathalie Martin" in relatives and "nathalie.martin" not in relatives
    services = text_of(tree, "services-title")
    assert "Appli" in services and "nom Martin" in services and "classes 4A" in services
    traces = text_of(tree, "traces-title")
    assert "Connexion" in traces and "192.0.2.7" in traces
    assert not Trace.objects.filter(event="person_data_exported").exists()  # reading is not


def test_it_shows_only_the_recent_traces_of_the_person(pupil: Any) -> None:  # noqa: F811
    old = timezone.now() - dt.timedelta(days=31)
    Trace.objects.create(event="logout", person=pupil, at=old, client_ip="192.0.2.99")
    someone = make_person("Paul", "Durand")
    record("login", person=someone, client_ip="198.51.100.1")
    traces = text_of(page(logged_in(pupil)), "traces-title")
    assert "192.0.2.7" in traces
    assert "192.0.2.99" not in traces and "198.51.100.1" not in traces


def test_it_downloads_the_whole_text_export_and_traces_it(pupil: Any) -> None:  # noqa: F811
    response = logged_in(pupil).post(reverse("portal:my_data_file"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="mes-donnees-{pupil.login}-'
    )
    text = response.content.decode()
    assert text.startswith("Données conservées par l'ENT sur Camille Martin")
    for heading in (
        "Fiche de l'annuaire",
        "Liens familiaux",
        "PRONOTE",
        "Traces (connexions et actions)",
    ):
        assert f"\n{heading}\n" in text
    assert "Identifiant PRONOTE : ELV42" in text  # what the page leaves to the file
    exported = Trace.objects.get(event="person_data_exported")
    assert exported.person == pupil and exported.actor_login == pupil.login
    assert "no-store" in response["Cache-Control"]


def test_it_downloads_by_the_page_s_button_only_a_get_writes_no_trace(pupil: Any) -> None:  # noqa: F811
    """The download writes a trace: a GET (another site's ``<img src=…/mes-donnees/fichier>``,
    a link, a bookmark) is sent to the page and writes nothing; the POST needs the CSRF token
    of the page's form."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(pupil)
    answer = client.get("/mes-donnees/fichier")
    assert answer.status_code == 302 and answer["Location"] == URL
    assert client.post("/mes-donnees/fichier").status_code == 403  # no token: another site's
    assert not Trace.objects.filter(event="person_data_exported").exists()
    tree = page(client)
    (form,) = tree.xpath("//form[@id='my-data-file']")
    assert form.get("method") == "post" and form.get("action") == "/mes-donnees/fichier"
    (token,) = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")
    assert form.xpath(".//button[@type='submit']")
    answer = client.post("/mes-donnees/fichier", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    assert Trace.objects.filter(event="person_data_exported").count() == 1


@pytest.mark.parametrize("url", [URL, "/mes-donnees/fichier"])
def test_it_sends_a_visitor_to_the_login(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/cas/login?next=")


def test_it_is_linked_from_mon_espace_and_the_footer(pupil: Any, settings: Any) -> None:  # noqa: F811
    settings.SOCLE_PRIVACY_URL = "https://ent.example.org/donnees-personnelles"
    tree = page(logged_in(pupil), "/")
    assert tree.xpath(f"//main//a[@href='{URL}']")
    footer = tree.xpath("//footer//p[@class='footer-links']")[0]
    assert [a.get("href") for a in footer.xpath(".//a")] == [
        "https://ent.example.org/donnees-personnelles",
        URL,
    ]
    visitor = html.fromstring(Client().get("/").content.decode())
    assert not visitor.xpath(f"//a[@href='{URL}']")


def test_it_says_whom_to_ask_for_a_correction_or_an_erasure(pupil: Any, settings: Any) -> None:  # noqa: F811
    settings.SOCLE_PRIVACY_URL = "https://ent.example.org/donnees-personnelles"
    tree = page(logged_in(pupil))
    rights = text_of(tree, "rights-title")
    assert "secrétariat ou à l'administrateur de l'ENT de votre établissement" in rights
    links = tree.xpath("//section[@aria-labelledby='rights-title']//a/@href")
    assert links == ["https://ent.example.org/donnees-personnelles"]
    settings.SOCLE_PRIVACY_URL = ""
    tree = page(logged_in(pupil))
    assert not tree.xpath("//section[@aria-labelledby='rights-title']//a")


def test_it_speaks_english_to_an_english_reader(pupil: Any) -> None:  # noqa: F811
    client = logged_in(pupil)
    tree = page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert tree.xpath("//h1")[0].text_content().strip() == "My data"
    assert "Date of birth 01/02/2012" in text_of(tree, "identity-title")
    text = client.post("/mes-donnees/fichier", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Date of birth: 01/02/2012" in text


def test_it_shows_an_act_recorded_in_each_school_of_the_person_once(pupil: Any) -> None:  # noqa: F811
    from socle.directory.models import Person
    from socle.directory.signals import password_reset
    from socle.portal.personal_data import traces_of
    from tests.factories import make_establishment, make_membership

    make_membership(pupil, make_establishment("0310001H"))
    admin = make_person("Marc", "Admin")
    request = RequestFactory().get("/")
    request.user = admin
    password_reset.send(sender=Person, person=pupil, request=request)
    assert Trace.objects.filter(event="password_reset").count() == 2  # each school's « Traces »
    traces = text_of(page(logged_in(pupil)), "traces-title")
    assert traces.count("marc.admin") == 1
    text = logged_in(pupil).post("/mes-donnees/fichier").content.decode()
    assert text.count("Fait par : marc.admin") == 1
    assert "Établissement (UAI) : 0310001H 0312609T" in text
    (reset,) = [row for row in traces_of(pupil) if row["event"] == "password_reset"]
    assert reset["uai"] == "0310001H 0312609T"  # the JSON export keeps both schools
    assert reset["profiles"] == {"0310001H": "National_ELV", "0312609T": "National_ELV"}


def test_it_reads_only_the_shown_recent_traces_in_the_database(
    pupil: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    from socle.portal import my_data

    old = timezone.now() - dt.timedelta(days=40)
    Trace.objects.bulk_create(
        Trace(event="logout", person=pupil, at=old + dt.timedelta(seconds=n)) for n in range(50)
    )
    start = timezone.now() - dt.timedelta(days=2)
    for n in range(5):
        Trace.objects.create(
            event="login", person=pupil, at=start + dt.timedelta(hours=n), client_ip=f"192.0.2.{n}"
        )
    monkeypatch.setattr(my_data, "SHOWN_TRACES", 3)
    with django_assert_num_queries(2):  # the shown traces, their establishments
        shown = my_data.traces_of(pupil, since=start, limit=3)
    assert [row["client_ip"] for row in shown] == ["192.0.2.7", "192.0.2.4", "192.0.2.3"]
    data = my_data.my_data(pupil)
    assert [row.client_ip for row in data.traces] == ["192.0.2.7", "192.0.2.4", "192.0.2.3"]
    assert data.traces_recent == 6  # and the fixture's login
