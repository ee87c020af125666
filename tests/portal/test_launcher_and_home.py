"""« Mon espace » and the launcher page of an SSO service."""

from __future__ import annotations

from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import html

from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal.espaces import espace_url, espaces_for, is_phone
from socle.portal.models import AccessMode, LauncherSkip, ServiceActivation, SSOType, Trace
from tests.factories import (
    DEFAULT_PASSWORD,
    make_establishment,
    make_membership,
    make_person,
    make_pronote_service,
    make_service,
)
from tests.portal.conftest import logged_in

PRONOTE = "https://0312609t.index-education.net/pronote/"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Safari/604.1"
)


def pronote(school: Establishment, **fields: object):  # noqa: ANN201
    return make_pronote_service(school, url=PRONOTE, **fields)


def cas_service_param(location: str) -> str:
    parts = urlsplit(location)
    assert parts.path == "/cas/login"
    return parse_qs(parts.query)["service"][0]


def test_espaces_fit_profiles_and_phones() -> None:
    assert espaces_for({Profile.PUPIL}) == ["eleve"]
    assert espaces_for({Profile.PARENT, Profile.TEACHER}) == ["professeur", "parent"]
    assert espaces_for({Profile.VIE_SCOLAIRE}) == ["viescolaire"]
    assert espaces_for({Profile.DIRECTION}) == ["direction"]
    assert espace_url(PRONOTE, "eleve", phone=True) == PRONOTE + "mobile.eleve.html"
    assert espace_url(PRONOTE + "eleve.html", "parent") == PRONOTE + "parent.html"
    assert is_phone(IPHONE) and not is_phone(IPAD)


def test_it_names_each_pronotes_school_on_the_launcher_of_a_teacher_in_two_schools(
    school: Establishment,
) -> None:
    other = make_establishment("0312799Z", name="Collège Pierre de Fermat")
    teacher = make_person(establishment=school, profile=Profile.TEACHER)
    make_membership(teacher, other, Profile.TEACHER)
    services = [
        pronote(school, code="PRONOTE"),
        make_pronote_service(other, code="PRONOTE-FERMAT", url="http://127.0.0.1:8002/pronote/"),
    ]
    client = logged_in(teacher)
    shown = []
    for service in services:
        page = html.fromstring(client.get(reverse("portal:launcher", args=[service.code])).content)
        shown.append(" ".join(page.xpath("string(//p[@class='muted launcher-service'])").split()))
    assert shown == [
        f"{services[0].label} — {school.name}",
        f"{services[1].label} — Collège Pierre de Fermat",
    ]


def test_the_launcher_explains_then_sends_a_pupil_to_the_pupil_espace(
    school: Establishment,
) -> None:
    service = pronote(school)
    pupil = make_person(establishment=school)
    client = logged_in(pupil)
    url = reverse("portal:launcher", args=[service.code])
    page = client.get(url).content.decode()
    assert "Service PRONOTE avec CAS" in page
    assert (
        "J'ai pris connaissance de ces informations. Je souhaite accéder directement au "
        "service sans afficher cette page."
    ) in page
    assert "Accéder à Pronote.net" in page
    response = client.post(url, {"target": "0"})
    assert response.status_code == 302
    assert cas_service_param(response["Location"]) == PRONOTE + "eleve.html"
    assert not LauncherSkip.objects.exists()


def test_ticking_the_box_skips_the_page_next_time(school: Establishment) -> None:
    service = pronote(school)
    parent = make_person("Paul", "Martin", establishment=school, profile=Profile.PARENT)
    client = logged_in(parent)
    url = reverse("portal:launcher", args=[service.code])
    client.post(url, {"target": "0", "remember": "1"})
    response = client.get(url)
    assert response.status_code == 302
    assert cas_service_param(response["Location"]) == PRONOTE + "parent.html"
    assert client.get(url + "?afficher=1").status_code == 200
    client.post(url, {"target": "0"})  # unticked: the page shows again
    assert client.get(url).status_code == 200


def test_a_phone_gets_the_mobile_espace(school: Establishment) -> None:
    service = pronote(school)
    teacher = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    client = logged_in(teacher)
    response = client.post(
        reverse("portal:launcher", args=[service.code]), {"target": "0"}, HTTP_USER_AGENT=IPHONE
    )
    assert cas_service_param(response["Location"]) == PRONOTE + "mobile.professeur.html"


def test_a_person_with_two_granted_profiles_chooses_the_espace(school: Establishment) -> None:
    service = pronote(school, access_mode=AccessMode.RULES)
    ServiceActivation.objects.create(
        service=service, establishment=school, populations=["enseignant", "parent"]
    )
    person = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    make_membership(person, school, profile=Profile.PARENT)
    client = logged_in(person)
    url = reverse("portal:launcher", args=[service.code])
    page = client.get(url).content.decode()
    assert "Accéder à Pronote.net (Espace Professeurs)" in page
    assert "Accéder à Pronote.net (Espace Parents)" in page
    response = client.post(url, {"target": "1"})
    assert cas_service_param(response["Location"]) == PRONOTE + "parent.html"


def test_a_person_without_access_gets_a_clear_refusal_and_a_trace(
    school: Establishment,
) -> None:
    service = pronote(school, access_mode=AccessMode.RULES)
    pupil = make_person(establishment=school)
    response = logged_in(pupil).get(reverse("portal:launcher", args=[service.code]))
    assert response.status_code == 403
    assert "Vous n&#x27;avez pas accès à ce service" in response.content.decode() or (
        "Vous n'avez pas accès à ce service" in response.content.decode()
    )
    trace = Trace.objects.get(event="access_denied")
    assert trace.service_code == "PRONOTECAS" and trace.actor_login == pupil.login


def test_a_visitor_is_sent_to_the_login_first(school: Establishment) -> None:
    service = pronote(school)
    response = Client().get(reverse("portal:launcher", args=[service.code]))
    assert response.status_code == 302 and response["Location"].startswith("/cas/login")


def test_mon_espace_lists_granted_services_in_order_by_category(school: Establishment) -> None:
    make_service(
        "cdt",
        label="Cahier de textes",
        category="Vie scolaire",
        order=20,
        sso_type=SSOType.NONE,
        url="https://cdt.example.org/",
    )
    pronote(school, category="Vie scolaire", order=10)
    make_service("secret", label="Réservé", access_mode=AccessMode.RULES)
    make_service("off", label="Éteint", enabled=False)
    pupil = make_person(establishment=school)
    page = logged_in(pupil).get("/").content.decode()
    assert "Mon espace" in page and "Vie scolaire" in page
    assert page.index("Pronote.net") < page.index("Cahier de textes")
    assert "Réservé" not in page and "Éteint" not in page


def test_mon_espace_groups_by_establishment_when_the_person_has_several(
    school: Establishment, other_school: Establishment
) -> None:
    pronote(school)
    make_service("aide", label="Aide en ligne", url="https://aide.example.org/")
    parent = make_person("Paul", "Martin", establishment=school, profile=Profile.PARENT)
    make_membership(parent, other_school, profile=Profile.PARENT)
    page = logged_in(parent).get("/").content.decode()
    assert "Collège Jean Jaurès" in page and "Services de l&#x27;ENT" in page
    assert "?etab=" not in page.split("Pronote.net")[0].rsplit("<a", 1)[-1]


def test_the_services_bar_names_the_school_of_each_pronote_of_a_teacher_in_two(
    school: Establishment, other_school: Establishment
) -> None:
    pronote(school)
    other_url = "https://0310001h.index-education.net/pronote/"
    make_service(
        "PRONOTE2",
        label="Pronote.net",
        sso_type=SSOType.PRONOTE,
        url=other_url,
        establishment=other_school,
        patterns=(other_url + "**",),
    )
    make_service("aide", label="Aide en ligne", url="https://aide.example.org/")
    teacher = make_person("Alice", "Durand", establishment=school, profile=Profile.TEACHER)
    make_membership(teacher, other_school, profile=Profile.TEACHER)
    page = html.fromstring(logged_in(teacher).get("/").content)
    chips = [
        " ".join(a.text_content().split()) for a in page.xpath("//ul[@class='services-bar']//a")
    ]
    assert len(chips) == 3
    assert any(c.endswith("Pronote.net — Collège Jean Jaurès") for c in chips)
    assert any(c.endswith("Pronote.net — Collège Pierre de Fermat") for c in chips)
    assert any(c.endswith("Aide en ligne") for c in chips)  # a unique name stays plain


def test_visitors_see_anonymous_services_and_a_login_button() -> None:
    make_service(
        "help",
        label="Aide en ligne",
        anonymous=True,
        sso_type=SSOType.NONE,
        url="https://aide.example.org/",
    )
    make_service("private", label="Privé")
    response = Client().get("/")
    page = response.content.decode()
    assert "Aide en ligne" in page and "Privé" not in page
    assert "/cas/login?next=%2F" in page
    launcher = Client().get(reverse("portal:launcher", args=["help"]))
    assert launcher["Location"] == "https://aide.example.org/"


def test_the_admin_menu_appears_for_administrators_only(
    school: Establishment, school_admin: Person
) -> None:
    pupil = make_person(establishment=school)
    assert 'aria-label="Administration"' not in logged_in(pupil).get("/").content.decode()
    page = logged_in(school_admin).get("/").content.decode()
    assert 'aria-label="Administration"' in page
    for label in ("Services", "Accès", "Traces", "Indicateurs"):
        assert f">{label}</a>" in page


def _bar_labels(content: bytes) -> list[str]:
    page = html.fromstring(content)
    return [
        " ".join(a.text_content().split()) for a in page.xpath("//ul[@class='services-bar']//a")
    ]


def test_the_services_bar_follows_the_person_on_every_portal_page_but_not_the_cas(
    school: Establishment, django_assert_max_num_queries: Any
) -> None:
    pronote(school)
    pupil = make_person(establishment=school)
    client = logged_in(pupil)
    assert any(label.endswith("Pronote.net") for label in _bar_labels(client.get("/").content))
    with django_assert_max_num_queries(12):  # the bar costs a bounded number of queries
        page = client.get(reverse("directory:change_password"))
    assert any(label.endswith("Pronote.net") for label in _bar_labels(page.content))
    with django_assert_max_num_queries(3):  # the CAS pages never build it
        login_page = client.get("/cas/login")
    assert _bar_labels(login_page.content) == []


def test_mon_espace_shows_one_services_bar(school: Establishment) -> None:
    pronote(school)
    page = logged_in(make_person(establishment=school)).get("/").content.decode()
    assert page.count('class="services-bar"') == 1


def test_the_services_bar_stands_before_main_so_that_the_skip_link_passes_it(
    school: Establishment,
) -> None:
    pronote(school)
    page = html.fromstring(logged_in(make_person(establishment=school)).get("/").content)
    (bar,) = page.xpath("//nav[ul[@class='services-bar']]")
    (main,) = page.xpath("//main")
    assert main.get("id") == "contenu"  # the target of « Aller au contenu »
    assert not bar.xpath("ancestor::main")
    assert bar.xpath("following::main") == [main]


def _empty_message(person: Person) -> html.HtmlElement:
    (paragraph,) = html.fromstring(logged_in(person).get("/").content).xpath("//p[@class='empty']")
    return paragraph


def test_it_tells_an_establishment_administrator_with_no_service_where_to_open_them(
    school: Establishment, school_admin: Person
) -> None:
    make_service("secret", label="Réservé", access_mode=AccessMode.RULES)
    paragraph = _empty_message(school_admin)
    text = " ".join(paragraph.text_content().split())
    assert text == (
        "Aucun service n'est encore ouvert pour vous. C'est vous qui administrez votre "
        "établissement : choisissez les services ouverts à chaque profil, le vôtre compris, dans "
        "Gestion portail › Accès."
    )
    assert "contactez l'administrateur" not in text
    ((label, href),) = [(a.text_content(), a.get("href")) for a in paragraph.xpath(".//a")]
    assert (label, href) == ("Gestion portail › Accès", reverse("portal:activations"))
    assert logged_in(school_admin).get(href).status_code == 200


def test_it_tells_a_global_administrator_with_no_service_to_declare_them(
    superuser: Person,
) -> None:
    paragraph = _empty_message(superuser)
    assert " ".join(paragraph.text_content().split()).startswith(
        "Aucun service n'est encore ouvert : déclarez-les dans Gestion portail › Services"
    )
    assert [a.get("href") for a in paragraph.xpath(".//a")] == [
        reverse("portal:service_list"),
        reverse("portal:activations"),
    ]


def test_it_still_asks_other_people_to_wait_for_their_establishment(
    school: Establishment,
) -> None:
    pupil = make_person(establishment=school)
    paragraph = _empty_message(pupil)
    assert (
        "revenez bientôt, ou contactez l'administrateur de l'ENT de votre établissement"
    ) in paragraph.text_content()
    assert not paragraph.xpath(".//a")


def test_it_tells_someone_attached_to_no_establishment_that_nothing_will_come(
    school: Establishment,
) -> None:
    """A pupil who left, whose account is still open: « revenez bientôt » would be untrue."""
    former = make_person(establishment=school)
    Membership.objects.filter(person=former).delete()
    text = " ".join(_empty_message(former).text_content().split())
    assert text == (
        "Votre compte n'est rattaché à aucun établissement : aucun service de l'ENT ne vous "
        "est ouvert. Si vous pensez que c'est une erreur, contactez l'administrateur de l'ENT "
        "de votre établissement."
    )


def test_it_tells_an_administrator_in_english_too(
    school: Establishment, school_admin: Person
) -> None:
    response = logged_in(school_admin).get("/", headers={"Accept-Language": "en"})
    (paragraph,) = html.fromstring(response.content).xpath("//p[@class='empty']")
    assert " ".join(paragraph.text_content().split()) == (
        "No service is open to you yet. You administer your school: choose the services open "
        "to each profile, yours included, in Portal management › Access."
    )


def test_my_space_links_back_to_a_skipped_information_page(school: Establishment) -> None:
    service = pronote(school)
    parent = make_person("Paul", "Martin", establishment=school, profile=Profile.PARENT)
    client = logged_in(parent)
    url = reverse("portal:launcher", args=[service.code])
    assert not html.fromstring(client.get("/").content).xpath('//p[@id="skipped-launchers"]')
    client.post(url, {"target": "0", "remember": "1"})
    (note,) = html.fromstring(client.get("/").content).xpath('//p[@id="skipped-launchers"]')
    assert " ".join("".join(note.itertext()).split()) == (
        f"Pages d'information que vous avez choisi de ne plus afficher : {service.label}."
    )
    (link,) = note.xpath(".//a/@href")
    assert link == url + "?afficher=1"
    assert client.get(link).status_code == 200


def test_it_links_back_to_no_skipped_information_page_of_a_service_no_longer_open(
    school: Establishment,
) -> None:
    service = pronote(school)
    make_service("notes", label="Notes", establishment=school)
    parent = make_person("Paul", "Martin", establishment=school, profile=Profile.PARENT)
    client = logged_in(parent)
    client.post(reverse("portal:launcher", args=[service.code]), {"target": "0", "remember": "1"})
    assert html.fromstring(client.get("/").content).xpath('//p[@id="skipped-launchers"]')
    service.establishment = make_establishment(name="Lycée Fermat")
    service.save()  # now another school's PRONOTE: its page answers 403
    assert client.get(reverse("portal:launcher", args=[service.code])).status_code == 403
    page = html.fromstring(client.get("/").content)
    assert page.xpath("//main//a[contains(., 'Notes')]")
    assert not page.xpath('//p[@id="skipped-launchers"]')


def test_it_goes_on_to_the_chosen_service_after_logging_in_again_when_the_session_expired(
    school: Establishment,
) -> None:
    service = pronote(school, access_mode=AccessMode.RULES)
    ServiceActivation.objects.create(
        service=service, establishment=school, populations=["enseignant", "parent"]
    )
    person = make_person("Jean", "Prof", establishment=school, profile=Profile.TEACHER)
    make_membership(person, school, profile=Profile.PARENT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    url = reverse("portal:launcher", args=[service.code]) + "?etab=0312609T"
    page = html.fromstring(client.get(url).content)
    token = page.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    # The session expires while the page is open.
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    response = client.post(url, {"target": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == "/cas/login"
    back = parse_qs(login.query)["next"][0]
    assert urlsplit(back).path == reverse("portal:launcher", args=[service.code])
    assert parse_qs(urlsplit(back).query) == {"etab": ["0312609T"], "cible": ["1"]}
    form = html.fromstring(client.get(response["Location"]).content)
    token = form.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    answer = client.post(
        response["Location"],
        {"username": person.login, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302 and answer["Location"] == back
    onward = client.get(back, headers={"Sec-Fetch-Site": "same-origin"})
    assert onward.status_code == 302
    assert cas_service_param(onward["Location"]) == PRONOTE + "parent.html"
    assert not LauncherSkip.objects.exists()


def test_it_shows_the_page_for_a_target_it_does_not_have_and_keeps_the_skip_choice(
    school: Establishment,
) -> None:
    service = pronote(school)
    pupil = make_person(establishment=school)
    client = logged_in(pupil)
    url = reverse("portal:launcher", args=[service.code])
    ours = {"Sec-Fetch-Site": "same-origin"}
    assert client.get(url + "?cible=1", headers=ours).status_code == 200
    assert client.get(url + "?cible=https://evil.example/", headers=ours).status_code == 200
    response = client.get(url + "?cible=0", headers=ours)
    assert cas_service_param(response["Location"]) == PRONOTE + "eleve.html"
    assert not LauncherSkip.objects.exists()
    # A link on another site (or a browser that does not say) gets the information page.
    assert client.get(url + "?cible=0", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200
    assert client.get(url + "?cible=0").status_code == 200
    client.post(url, {"target": "0", "remember": "1"})
    client.get(url + "?cible=0", headers=ours)
    assert LauncherSkip.objects.filter(person=pupil, service=service).exists()


def test_an_anonymous_post_with_a_strange_target_comes_back_to_the_first_one(
    school: Establishment,
) -> None:
    service = pronote(school)
    url = reverse("portal:launcher", args=[service.code])
    response = Client().post(url, {"target": "https://evil.example/"})
    back = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert back == url + "?cible=0"
