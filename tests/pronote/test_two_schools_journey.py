"""People of two schools, end to end in one process: the directory CSV files of a collège and a
lycée, the PRONOTE identifier imports of both, « Mon espace », the CAS tickets each school's
PRONOTE.net validates by SAML 1.1, and what each school's administrator reads in « Traces ».

The cast: Nathalie MARTIN, mother of Camille (collège) and Hugo (lycée); Hélène LE GALL, who
teaches in both; Louis and Léa BERNARD, twins of 4A; two homonym mothers, Marie PETIT, each of
her own child; Jean ROUX, who leaves the collège for the lycée's 3e prépa-métiers in January.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from lxml import etree, html

from socle.directory.models import Establishment, ParentLink, Person
from socle.directory.profiles import Profile
from socle.portal import trace_buffer
from socle.portal.models import SSOType
from socle.pronote.export.rapprochement import build_rapprochement
from socle.pronote.importer.steps import run_automatic
from tests.directory.helpers import run, write_csv
from tests.factories import make_establishment, make_person, make_service
from tests.pronote.helpers import ids_of, page_text, record, start

JAURES, LYCEE = "0312609T", "0310001H"
JAURES_URL = "https://0312609t.index-education.net/pronote/"
LYCEE_URL = "https://0310001h.index-education.net/pronote/"
PASSWORD = "journee-deux-etablissements-2026"
SAML = {
    "samlp": "urn:oasis:names:tc:SAML:1.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:1.0:assertion",
}
HEADER = "profil;nom;prenom;date_naissance;classe;external_id;enfants;mail;login"
JAURES_CSV = f"""{HEADER}
élève;Martin;Camille;2012-02-01;4A;J-E1;;;
élève;Bernard;Louis;2012-05-06;4A;J-E2;;;
élève;Bernard;Léa;2012-05-06;4A;J-E3;;;
élève;Roux;Jean;2011-03-03;3B;J-E4;;;
élève;Petit;Lucas;2012-09-09;4A;J-E5;;;
élève;Petit;Inès;2013-01-10;5B;J-E6;;;
parent;Martin;Nathalie;;;J-R1;J-E1;nathalie.martin@example.org;
parent;Bernard;Sophie;;;J-R2;J-E2|J-E3;;
parent;Petit;Marie;;;J-R4;J-E5;;
parent;Petit;Marie;;;J-R5;J-E6;;
enseignant;Le Gall;Hélène;1985-04-04;;J-T1;;;
"""
# The lycée's software has ids of its own; the people the ENT knows already are named by login,
# with their birth date or, for a parent (no date), her account's e-mail address.
LYCEE_CSV = f"""{HEADER}
élève;Martin;Hugo;2009-06-07;2NDE1;L-E1;;;
parent;Martin;Nathalie;;;;L-E1;Nathalie.Martin@example.org;nathalie.martin
enseignant;Le Gall;Hélène;1985-04-04;;;;;{{helene}}
"""


def jaures_records() -> list:
    marie_lucas = record("responsable", "PETIT", "Marie", pid="JRESPPETITLUCAS1")
    marie_ines = record("responsable", "PETIT", "Marie", pid="JRESPPETITINES01")
    nathalie = record("responsable", "MARTIN", "Nathalie", pid="JRESPNATHALIE001")
    sophie = record("responsable", "BERNARD", "Sophie", pid="JRESPSOPHIE00001")
    return [
        record("enseignant", "LE GALL", "Hélène", pid="JPROFHELENE00001"),
        record("eleve", "MARTIN", "Camille", pid="JELEVECAMILLE001",
               birth=dt.date(2012, 2, 1), responsables=[nathalie.pronote_id]),
        record("eleve", "BERNARD", "Louis", pid="JELEVELOUIS00001",
               birth=dt.date(2012, 5, 6), responsables=[sophie.pronote_id]),
        record("eleve", "BERNARD", "Léa", pid="JELEVELEA0000001",
               birth=dt.date(2012, 5, 6), responsables=[sophie.pronote_id]),
        record("eleve", "ROUX", "Jean", pid="JELEVEJEAN000001", birth=dt.date(2011, 3, 3)),
        record("eleve", "PETIT", "Lucas", pid="JELEVELUCAS00001",
               birth=dt.date(2012, 9, 9), responsables=[marie_lucas.pronote_id]),
        record("eleve", "PETIT", "Inès", pid="JELEVEINES000001",
               birth=dt.date(2013, 1, 10), responsables=[marie_ines.pronote_id]),
        nathalie, sophie, marie_lucas, marie_ines,
    ]  # fmt: skip


def lycee_records() -> list:
    nathalie = record("responsable", "MARTIN", "Nathalie", pid="LRESPNATHALIE001")
    return [
        record("enseignant", "LE GALL", "Hélène", pid="LPROFHELENE00001"),
        record("eleve", "MARTIN", "Hugo", pid="LELEVEHUGO000001",
               birth=dt.date(2009, 6, 7), responsables=[nathalie.pronote_id]),
        nathalie,
    ]  # fmt: skip


class Ent:
    """Both schools, their PRONOTE services and administrators, the directory from the CSV
    files, and each school's first PRONOTE import."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.jaures = make_establishment(JAURES, "Collège Jean Jaurès")
        self.lycee = make_establishment(LYCEE, "Lycée Pierre de Fermat")
        for code, school, url in (
            ("PRONOTE-JAURES", self.jaures, JAURES_URL),
            ("PRONOTE-LYCEE", self.lycee, LYCEE_URL),
        ):
            make_service(
                code, label="Pronote.net", sso_type=SSOType.PRONOTE, url=url,
                establishment=school, patterns=(url + "**",),
            )  # fmt: skip
        self.admin_jaures = make_person(
            "Anne", "Principale", establishment=self.jaures, profile=Profile.DIRECTION,
            is_admin=True,
        )  # fmt: skip
        self.admin_lycee = make_person(
            "Paul", "Proviseur", establishment=self.lycee, profile=Profile.DIRECTION,
            is_admin=True,
        )  # fmt: skip
        self.csv(JAURES_CSV, JAURES)
        self.first = {
            login: (p.uid, p.login) for login, p in self.people().items()
        }  # before the lycée's file
        helene = Person.objects.get(first_name="Hélène").login
        self.csv(LYCEE_CSV.format(helene=helene), LYCEE)
        run_automatic(start(self.jaures, "complet", *jaures_records()))
        run_automatic(start(self.lycee, "complet", *lycee_records()))
        for person in Person.objects.filter(source="csv"):
            person.set_password(PASSWORD)
            person.save(update_fields=["password"])

    def csv(self, text: str, uai: str, *args: str) -> str:
        path = write_csv(self.tmp_path, text, name=f"{uai}.csv")
        return run("directory_import", str(path), *args, uai=uai)[0]

    def people(self) -> dict[str, Person]:
        return {p.login: p for p in Person.objects.filter(source="csv")}

    def person(self, first_name: str) -> Person:
        return Person.objects.get(first_name=first_name)


@pytest.fixture
def ent(tmp_path: Path) -> Ent:
    return Ent(tmp_path)


def sign_in(person: Person) -> Client:
    client = Client()
    response = client.post("/cas/login", {"username": person.login, "password": PASSWORD})
    assert response.status_code == 200 and "TGC-" in str(response.cookies), response.content[:300]
    return client


def ticket(client: Client, url: str) -> str | None:
    response = client.get("/cas/login", {"service": url})
    if response.status_code != 302:
        return None
    return parse_qs(urlsplit(response["Location"]).query).get("ticket", [None])[0]


def saml_validate(url: str, service_ticket: str) -> tuple[str, dict[str, list[str]]]:
    """What PRONOTE.net reads: the CAS user name (NameIdentifier) and the attributes."""
    body = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        '<SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" '
        'MajorVersion="1" MinorVersion="1" RequestID="_r1" IssueInstant="2027-01-05T08:00:00Z">'
        f"<samlp:AssertionArtifact>{service_ticket}</samlp:AssertionArtifact></samlp:Request>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()
    response = Client().post(f"/cas/samlValidate?TARGET={url}", body, content_type="text/xml")
    root = etree.fromstring(response.content)
    code = root.find(".//samlp:Status/samlp:StatusCode", SAML).get("Value")
    assert code == "samlp:Success", response.content[:500]
    attributes = {
        a.get("AttributeName"): [v.text for v in a.findall("saml:AttributeValue", SAML)]
        for a in root.iterfind(".//saml:Attribute", SAML)
    }
    return root.findtext(".//saml:NameIdentifier", namespaces=SAML), attributes


def pronote_visit(client: Client, school_url: str, espace: str) -> tuple[str, list[str]]:
    url = school_url + espace
    service_ticket = ticket(client, url)
    assert service_ticket, f"no ticket for {url}"
    name, attributes = saml_validate(url, service_ticket)
    return name, attributes.get("idPronote", [])


def test_it_keeps_one_account_for_the_parent_and_the_teacher_of_both_schools(ent: Ent) -> None:
    nathalie, helene = ent.person("Nathalie"), ent.person("Hélène")
    assert {p.login: (p.uid, p.login) for p in (nathalie, helene)} == {
        p.login: ent.first[p.login] for p in (nathalie, helene)
    }
    for person in (nathalie, helene):
        assert sorted(person.memberships.values_list("establishment__uai", flat=True)) == [
            LYCEE, JAURES,
        ]  # fmt: skip
    children = nathalie.children_links.values_list("child__first_name", flat=True)
    assert sorted(children) == ["Camille", "Hugo"]
    assert Person.objects.filter(first_name="Nathalie").count() == 1


def test_each_schools_import_gives_its_own_identifier_twins_and_homonyms_included(
    ent: Ent,
) -> None:
    jaures, lycee = ids_of(ent.jaures), ids_of(ent.lycee)
    assert jaures["JELEVELOUIS00001"] == ent.person("Louis").pk
    assert jaures["JELEVELEA0000001"] == ent.person("Léa").pk
    marie_of = {
        link.child.first_name: link.parent.pk
        for link in ent.person("Lucas").parent_links.all() | ent.person("Inès").parent_links.all()
    }
    assert jaures["JRESPPETITLUCAS1"] == marie_of["Lucas"] != marie_of["Inès"]
    assert jaures["JRESPPETITINES01"] == marie_of["Inès"]
    nathalie, helene = ent.person("Nathalie"), ent.person("Hélène")
    assert (jaures["JRESPNATHALIE001"], lycee["LRESPNATHALIE001"]) == (nathalie.pk, nathalie.pk)
    assert (jaures["JPROFHELENE00001"], lycee["LPROFHELENE00001"]) == (helene.pk, helene.pk)
    assert (
        ent.admin_lycee.pk not in jaures.values() and ent.person("Camille").pk not in lycee.values()
    )


@pytest.mark.parametrize(
    ("first_name", "espace", "ids"),
    [
        ("Nathalie", "parent.html", ("JRESPNATHALIE001", "LRESPNATHALIE001")),
        ("Hélène", "professeur.html", ("JPROFHELENE00001", "LPROFHELENE00001")),
    ],
)
def test_each_schools_pronote_gets_that_schools_identifier_and_the_same_cas_name(
    ent: Ent, first_name: str, espace: str, ids: tuple[str, str]
) -> None:
    person = ent.person(first_name)
    client = sign_in(person)
    jaures_name, jaures_id = pronote_visit(client, JAURES_URL, espace)
    lycee_name, lycee_id = pronote_visit(client, LYCEE_URL, espace)  # the SSO hop
    # The « Identifiant CAS » is the uid the account had before the lycée's file named it.
    assert jaures_name == lycee_name == person.uid == ent.first[person.login][0]
    assert (jaures_id, lycee_id) == ([ids[0]], [ids[1]])


def test_twins_and_homonym_mothers_each_reach_their_own_pronote_account(ent: Ent) -> None:
    mothers = {
        link.child.first_name: link.parent
        for link in ParentLink.objects.filter(parent__first_name="Marie").select_related(
            "parent", "child"
        )
    }
    cast = [
        (ent.person("Louis"), "eleve.html", "JELEVELOUIS00001"),
        (ent.person("Léa"), "eleve.html", "JELEVELEA0000001"),
        (mothers["Lucas"], "parent.html", "JRESPPETITLUCAS1"),
        (mothers["Inès"], "parent.html", "JRESPPETITINES01"),
    ]
    assert mothers["Lucas"].login != mothers["Inès"].login  # marie.petit, marie.petit2
    for person, espace, pronote_id in cast:
        assert pronote_visit(sign_in(person), JAURES_URL, espace) == (person.uid, [pronote_id])


def services_bar(person: Person) -> list[str]:
    """The services bar of « Mon espace », without each chip's icon letter."""
    client = Client()
    client.force_login(person)
    page = html.fromstring(client.get("/").content)
    bar = page.xpath("//ul[@class='services-bar']//a")
    return sorted(" ".join(a.text_content().split()).split(" ", 1)[1] for a in bar)


def test_mon_espace_shows_the_parent_each_schools_pronote(ent: Ent) -> None:
    chips = services_bar(ent.person("Nathalie"))
    assert len(chips) == 2
    assert chips[0].endswith("Pronote.net — Collège Jean Jaurès")
    assert chips[1].endswith("Pronote.net — Lycée Pierre de Fermat")


def test_a_pupil_who_moves_school_mid_year_keeps_his_cas_name_and_gets_the_new_schools(
    ent: Ent,
) -> None:
    jean = ent.person("Jean")
    before, ids = pronote_visit(sign_in(jean), JAURES_URL, "eleve.html")
    assert (before, ids) == (jean.uid, ["JELEVEJEAN000001"])
    # January: the lycée's file names him by login and birth date; the collège's full file
    # no longer lists him; the lycée's PRONOTE exports its newcomers (mode Partiel).
    moved = f"{HEADER}\nélève;ROUX;Jean;2011-03-03;3PM;;;;{jean.login}"
    ent.csv(moved, LYCEE)
    stays = "\n".join(line for line in JAURES_CSV.splitlines() if ";Jean;" not in line)
    out = ent.csv(stays, JAURES, "--complet")
    assert "1 rattachement(s) retiré(s)" in out
    newcomer = record("eleve", "ROUX", "Jean", pid="LELEVEJEAN000001", birth=dt.date(2011, 3, 3))
    run_automatic(start(ent.lycee, "partiel", newcomer))
    again = Person.objects.get(pk=jean.pk)
    assert (again.uid, again.login, again.password, again.is_active) == (
        jean.uid, jean.login, jean.password, True,
    )  # fmt: skip
    client = sign_in(again)
    assert pronote_visit(client, LYCEE_URL, "eleve.html") == (jean.uid, ["LELEVEJEAN000001"])
    assert ticket(client, JAURES_URL + "eleve.html") is None  # no longer the collège's pupil
    assert services_bar(again) == ["Pronote.net"]  # « Mon espace »: the lycée's only
    # The lycée's administrator reads his lycée tickets, not those of his collège days.
    trace_buffer.flush()
    lycee = trace_page(ent.admin_lycee)
    assert "PRONOTE-LYCEE" in lycee and "PRONOTE-JAURES" not in lycee


def trace_page(admin: Person) -> str:
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("portal:traces"))
    assert response.status_code == 200
    return page_text(response)


def test_each_school_administrator_reads_the_traces_of_their_own_pronote_only(ent: Ent) -> None:
    client = sign_in(ent.person("Nathalie"))
    pronote_visit(client, JAURES_URL, "parent.html")
    pronote_visit(client, LYCEE_URL, "parent.html")
    trace_buffer.flush()
    jaures, lycee = trace_page(ent.admin_jaures), trace_page(ent.admin_lycee)
    assert "PRONOTE-JAURES" in jaures and "PRONOTE-LYCEE" not in jaures
    assert "PRONOTE-LYCEE" in lycee and "PRONOTE-JAURES" not in lycee
    assert LYCEE not in jaures and JAURES not in lycee


def test_each_school_administrator_finds_only_their_own_pupils_and_identifiers(ent: Ent) -> None:
    client = Client()
    client.force_login(ent.admin_lycee)
    found = client.get(reverse("pronote:search"), {"q": "Martin", "uai": LYCEE}).json()
    assert sorted(r["label"].split(" — ")[0] for r in found["results"]) == [
        "MARTIN Hugo", "MARTIN Nathalie",
    ]  # fmt: skip
    assert client.get(reverse("pronote:search"), {"q": "Martin", "uai": JAURES}).status_code == 403

    def doctor(establishment: Establishment, login: str) -> str:
        query = {"establishment": establishment.pk, "login": login}
        return page_text(client.get(reverse("pronote:doctor"), query))

    nathalie = doctor(ent.lycee, "nathalie.martin")
    assert "identifiant PRONOTE : LRESPNATHALIE001" in nathalie
    camille = doctor(ent.lycee, "camille.martin")
    assert "Aucun compte « camille.martin » parmi les personnes de cet établissement." in camille
    for text in (nathalie, camille, doctor(ent.jaures, "nathalie.martin")):
        assert "JRESPNATHALIE001" not in text and "JELEVECAMILLE001" not in text
        assert JAURES not in text and "Jaurès" not in text


def test_the_other_schools_file_cannot_take_a_parent_by_her_names(ent: Ent) -> None:
    # Marie PETIT (no birth date, no e-mail) belongs to the collège only: the lycée's file
    # naming her by login and names is refused (docs/directory.md); with --rattacher, the
    # operator's word, she becomes a parent of the lycée too and keeps her account.
    marie = Person.objects.get(login="marie.petit")
    claim = f"{HEADER}\nparent;Petit;Marie;;;;;;marie.petit"
    with pytest.raises(CommandError, match="corrigez les lignes signalées"):
        ent.csv(claim, LYCEE)
    assert list(marie.memberships.values_list("establishment__uai", flat=True)) == [JAURES]
    ent.csv(claim, LYCEE, "--rattacher", "marie.petit")
    assert sorted(marie.memberships.values_list("establishment__uai", flat=True)) == [LYCEE, JAURES]
    assert Person.objects.get(pk=marie.pk).uid == marie.uid


def test_the_lycees_export_for_pronote_holds_its_own_people_only(ent: Ent) -> None:
    # « Mode avec alimentation »: the file the lycée gives its PRONOTE names its principal,
    # Nathalie, Hugo and Hélène with the uid PRONOTE will receive, and nobody of the collège
    # (not Camille, though she is Nathalie's daughter).
    root = etree.fromstring(build_rapprochement([ent.lycee], "PARTENAIRE").xml)
    exported = {
        (el.get("Nom"), el.get("Prenom")): el.get("ID_Partenaire")
        for el in root.iter()
        if el.get("ID_Partenaire")
    }
    nathalie, hugo, helene = (ent.person(n) for n in ("Nathalie", "Hugo", "Hélène"))
    assert exported == {
        ("Martin", "Nathalie"): nathalie.uid,
        ("Martin", "Hugo"): hugo.uid,
        ("Le Gall", "Hélène"): helene.uid,
        ("Proviseur", "Paul"): ent.admin_lycee.uid,
    }
    numbers = root.xpath("//*[local-name()='Etablissement']/@Numero")
    assert numbers == [LYCEE]
