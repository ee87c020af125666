"""The traces' « Détail », stored in French, is shown in the reader's language on « Traces »
(and in its CSV) when the template it was written from is known; a text no template wrote (a
service's label) stays as stored, marked French on an English page."""

from __future__ import annotations

from django.test import Client
from django.utils import translation
from lxml import etree

from socle.directory.models import Establishment
from socle.directory.profiles import Profile
from socle.portal.access_admin import rule_detail
from socle.portal.detail_forms import TRACES_PURGED
from socle.portal.models import AccessRule, Trace
from socle.portal.release import release_detail
from socle.portal.trace_details import DetailForm, Known, shown_detail
from tests.factories import make_person, make_service


def _admin_client(school: Establishment, language: str) -> Client:
    admin = make_person(
        "Florence", "Delmas", establishment=school, profile=Profile.DIRECTION, is_admin=True
    )
    client = Client(headers={"Accept-Language": language})
    client.force_login(admin)
    return client


def _details(body: bytes) -> dict[str, str | None]:
    """Each « Détail » cell's text, with its ``lang``."""
    cells = etree.HTML(body).xpath("//tbody/tr/td[8]")
    return {"".join(cell.itertext()): cell.get("lang") for cell in cells}


def _teachers_rule(**narrowing: list[str]) -> tuple[AccessRule, Establishment]:
    """A rule of Jaurès's service for its teachers, on the site's two schools; and Jaurès."""
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    other = Establishment.objects.create(uai="0310001H", name="Lycée Victor Hugo")
    service = make_service("PRONOTE", label="Pronote", establishment=school)
    rule = AccessRule.objects.create(
        service=service, target="site", profile=Profile.TEACHER, **narrowing
    )
    rule.establishments.add(school, other)
    return rule, school


def test_it_shows_the_details_it_knows_in_english_and_the_others_as_stored() -> None:
    rule, school = _teachers_rule(subjects=["Mathématiques"])
    service = rule.service
    with translation.override("en"):  # written in French whatever the language
        rule_text = rule_detail(rule, {school.pk})
        release = release_detail(service)
    assert rule_text == (
        "Établissement(s) du site courant : Collège Jean Jaurès + 1 autre établissement × "
        "Enseignant ; matières enseignées : Mathématiques"
    )
    for event, detail in [
        ("access_rule_added", rule_text),
        ("service_updated", f"{release} — champs modifiés : label"),
        ("traces_purged", TRACES_PURGED % {"count": 3, "days": 90}),
        ("service_deleted", "désactivé"),  # a service's label: no template
    ]:
        Trace.objects.create(event=event, uai=school.uai, detail=detail)
    english = _details(_admin_client(school, "en").get("/gestion/traces/").content)
    assert english == {
        "School(s) of the current site: Collège Jean Jaurès + 1 other school × Teacher; "
        "subjects taught: Mathématiques": None,
        "CAS user name: uid; attributes: none — fields changed: label": None,
        "3 audit log entry(ies) older than 90 days": None,
        "désactivé": "fr",
    }
    Trace.objects.create(event="traces_purged", detail="3 trace(s) de plus de 90 jours")
    french = _details(_admin_client(school, "fr").get("/gestion/traces/").content)
    assert set(french) == {rule_text, f"{release} — champs modifiés : label", "désactivé"} | {
        "3 trace(s) de plus de 90 jours"
    }
    assert set(french.values()) == {None}


def test_the_csv_gives_the_details_in_the_readers_language() -> None:
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    detail = "activé : Élève, Parent"
    Trace.objects.create(event="activation_changed", uai=school.uai, detail=detail)
    body = b"".join(
        _admin_client(school, "en").get("/gestion/traces/", {"format": "csv"}).streaming_content
    ).decode()
    assert ";enabled: Pupil, Parent" in body and "activé" not in body


def test_a_text_that_only_looks_like_a_template_stays_as_stored() -> None:
    with translation.override("en"):
        # a population no longer known, another event's template, a cut text
        assert shown_detail("activation_changed", "activé : Élève, Voisin") == (
            "activé : Élève, Voisin",
            True,
        )
        assert shown_detail("login", "désactivé") == ("désactivé", True)
        assert shown_detail("traces_purged", "3 trace(s) de plus de 9") == (
            "3 trace(s) de plus de 9",
            True,
        )
        assert shown_detail("login", "") == ("", False)


def test_it_shows_a_throttled_login_in_the_readers_language_also_as_stored_before() -> None:
    from socle.cas.detail_forms import THROTTLED

    for stored in (THROTTLED, "throttled"):  # the English word stored until 2026-12
        with translation.override("en"):
            assert shown_detail("login_failed", stored) == (
                "too many attempts: refused without reading the password",
                False,
            )
        with translation.override("fr"):
            assert shown_detail("login_failed", stored).text == THROTTLED


def test_it_shows_a_tickets_details_as_words_of_no_language() -> None:
    with translation.override("en"):
        assert shown_detail("ticket_refused", "INVALID_TICKET ST-AbCdEf…") == (
            "INVALID_TICKET ST-AbCdEf…",
            False,
        )
        assert shown_detail("ticket_validated", "ST-AbCdEf…") == ("ST-AbCdEf…", False)
        assert shown_detail("ticket_refused", "service non autorisé") == (
            "service not authorised",
            False,
        )


def test_it_shows_a_refused_service_in_the_readers_language_even_an_unreadable_one() -> None:
    with translation.override("en"):
        shown = shown_detail("ticket_refused", "service non autorisé : adresse illisible")
        assert shown == ("service not authorised: unreadable address", False)
        shown = shown_detail("ticket_refused", "service non autorisé : https://evil.example")
        assert shown == ("service not authorised: https://evil.example", False)


def test_it_names_the_person_an_administrator_acted_on_beside_the_administrator() -> None:
    """An administrator's reset of a parent's password: « Personne » names the parent, and who
    acted; the parent's « Profil » beside it no longer reads as the administrator's."""
    school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
    parent = make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    client = _admin_client(school, "fr")
    Trace.objects.create(
        event="password_reset", uai=school.uai, person=parent, actor_login="florence.delmas"
    )
    Trace.objects.create(event="login", uai=school.uai, person=parent, actor_login=parent.login)
    cells = etree.HTML(client.get("/gestion/traces/").content).xpath("//tbody/tr/td[4]")
    shown = ["".join(cell.itertext()) for cell in cells]
    assert shown == [parent.login, f"{parent.login} (par florence.delmas)"]


def test_it_reads_a_known_placeholders_labels_once_per_language() -> None:
    """A journal's CSV export reads the labels once per language, not for each row, and each
    language keeps its own."""
    reads: list[str | None] = []
    labels = {"fr": ["Complet", "Partiel"], "en": ["Full", "Partial"]}

    def values() -> list[str]:
        reads.append(translation.get_language())
        return labels[translation.get_language() or "fr"]

    form = DetailForm("régime %(mode)s", {"mode": Known(values)})
    form.regex()
    reads.clear()
    for language, expected in [("en", "Partial"), ("fr", "Partiel"), ("en", "Partial")]:
        with translation.override(language):
            assert [form("régime Partiel") for _row in range(3)] == [f"régime {expected}"] * 3
    assert reads == ["fr", "en", "fr", "fr"]  # the French labels, then each language's


def test_it_shows_a_rules_detail_in_each_language_in_turn() -> None:
    rule, school = _teachers_rule(functions=["Documentation"])
    stored = rule_detail(rule, {school.pk})
    english = (
        "School(s) of the current site: Collège Jean Jaurès + 1 other school × Teacher; "
        "functions: Documentation"
    )
    for language, expected in [("en", english), ("fr", stored), ("en", english)]:
        with translation.override(language):
            assert shown_detail("access_rule_added", stored) == (expected, False)
    with translation.override("en"):  # a count French would not write: as stored
        wrong = stored.replace("+ 1 autre établissement", "+ 1 autres établissements")
        assert shown_detail("access_rule_added", wrong).text.startswith("School(s)")
        assert "1 autres établissements" in shown_detail("access_rule_added", wrong).text
