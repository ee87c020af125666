"""The PRONOTE pages in English and French: Socle's own words follow the visitor's language,
the French contract of the summary line stays byte-identical, and PRONOTE's own messages
(quoted from Index Education) stay French in every language."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone, translation
from lxml import html

from socle.pronote.doctor_account import IDENTIFICATION_IMPOSSIBLE, missing_attribute_message
from socle.pronote.importer.report import summary_line
from socle.pronote.importer.steps import run_automatic
from socle.pronote.school_year import last_writing_import
from socle.pronote.search import browse_more
from tests.factories import make_service
from tests.pronote.helpers import School, page_text, run, start
from tests.pronote.test_views import PRONOTE_XML


def imported(school: School, mode: str = "complet") -> tuple[str, str]:
    """Imports the school; returns the date and time of the import as the line shows them."""
    run_automatic(start(school.est, mode, *school.records()))
    last = last_writing_import(school.est)
    assert last is not None
    when = timezone.localtime(last[1])
    return f"{when:%d/%m/%Y}", f"{when:%H:%M}"


# --- the summary line ------------------------------------------------------------------------


def test_the_summary_line_keeps_pronotes_french_wording_byte_for_byte(school):
    date, time = imported(school)
    with translation.override("fr"):
        french = summary_line(school.est)
    assert french == (
        f"5 identifiant(s) PRONOTE importé(s). Dernier import fait le : {date} à {time} en mode "
        "Complet."
    )
    with translation.override(None):  # the source text itself
        assert summary_line(school.est) == french


def test_the_summary_line_is_a_whole_english_sentence_in_english(school):
    with translation.override("en"):
        assert summary_line(school.est) == "0 PRONOTE identifiers imported."
    date, time = imported(school, "partiel")
    with translation.override("en"):
        assert summary_line(school.est) == (
            f"5 PRONOTE identifiers imported. Last import done on {date} at {time} in Partial mode."
        )


def test_the_summary_line_says_one_identifier_in_english_and_keeps_the_s_in_french(school):
    run_automatic(start(school.est, "partiel", school.records()[0]))
    with translation.override("en"):
        assert summary_line(school.est).startswith("1 PRONOTE identifier imported. Last import")
    with translation.override("fr"):
        assert summary_line(school.est).startswith("1 identifiant(s) PRONOTE importé(s). Dernier")


def test_the_wizard_shows_the_summary_line_in_the_visitors_language(admin_client, school):
    date, time = imported(school)
    url = reverse("pronote:index")
    english = page_text(admin_client.get(url, headers={"Accept-Language": "en"}))
    assert (
        f"5 PRONOTE identifiers imported. Last import done on {date} at {time} in Full mode."
        in (english)
    )
    assert "identifiant(s)" not in english and "en mode" not in english
    french = page_text(admin_client.get(url, headers={"Accept-Language": "fr"}))
    assert (
        f"5 identifiant(s) PRONOTE importé(s). Dernier import fait le : {date} à {time} en mode "
        "Complet."
    ) in french


def test_the_import_command_prints_the_french_line_whatever_the_active_language(school, tmp_path):
    path = tmp_path / "IdPN_To_SOCLE.xml"
    path.write_text(PRONOTE_XML.format(uai=school.est.uai), encoding="utf-8")
    with translation.override("en"):
        out = run(
            "pronote_import", str(path), "--uai", school.est.uai, "--mode", "partiel", "--auto-only"
        )
    assert re.search(
        r"^4 identifiant\(s\) PRONOTE importé\(s\)\. Dernier import fait le : \d\d/\d\d/\d{4} à "
        r"\d\d:\d\d en mode Partiel\.$",
        out,
        re.MULTILINE,
    ), out


# --- « Parcourir » ---------------------------------------------------------------------------


def test_the_browse_results_say_why_in_the_active_language(school):
    with translation.override("en"):
        (found,) = browse_more("Emma", school.est, None)[0]
    assert found["why"] == "“Browse” search"
    with translation.override("fr"):
        (found,) = browse_more("Emma", school.est, None)[0]
    assert found["why"] == "recherche « Parcourir »"


def test_the_browse_results_name_the_profile_in_the_active_language(school):
    with translation.override("fr"):
        labels = {r["id"]: r["label"] for r in browse_more("Roux", school.est, None)[0]}
    assert labels[school.mother.pk] == "ROUX Claire — Parent / responsable — claire.roux"
    assert labels[school.emma.pk].startswith("ROUX Emma — 4A — ")  # a pupil: her class
    with translation.override("en"):
        (found,) = browse_more("Durand", school.est, None)[0]
    assert found["label"] == f"DURAND Sophie — Pupil welfare (vie scolaire) — {school.cpe.login}"
    assert "EVS" not in found["label"] and "TUT" not in str(labels)


# --- the diagnostics page --------------------------------------------------------------------


def pronote_service(school: School, **fields):
    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    return make_service(
        "pronote",
        sso_type="pronote",
        establishment=school.est,
        url=url,
        patterns=(url + "**",),
        **fields,
    )


def diagnose(client, school: School, login: str, language: str) -> str:
    response = client.get(
        reverse("pronote:doctor"),
        {"establishment": school.est.pk, "login": login},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 200
    return page_text(response)


def test_the_diagnostics_explain_in_english_and_quote_pronote_in_french(admin_client, school):
    pronote_service(school)
    page = diagnose(admin_client, school, school.emma.login, "en")
    quote = missing_attribute_message("http://testserver/cas", "idPronote")
    assert quote.startswith("« Échec de l'authentification par le serveur CAS")
    assert f"PRONOTE will display: {quote}" in page
    assert (
        f"This account has no PRONOTE identifier for {school.est.uai}: import the identifiers "
        "file (“Import the PRONOTE identifiers”, Partial mode is enough)"
    ) in page
    assert "It appears in no imported file: in PRONOTE, check the person's record" in page
    assert "PRONOTE identifier: none" in page  # the identifier the account does not have
    assert "Pupils" in page and "Élèves" not in page
    for french in ("PRONOTE affichera", "importez le fichier", "Il n'apparaît", ": aucun"):
        assert french not in page
    french_page = diagnose(admin_client, school, school.emma.login, "fr")
    assert f"PRONOTE affichera : {quote}" in french_page
    assert "identifiant PRONOTE : aucun" in french_page


def test_the_identity_messages_of_pronote_stay_french_in_english(admin_client, school):
    pronote_service(school, pronote_recognition="both")
    page = diagnose(admin_client, school, school.cpe.login, "en")  # no birth date, no identifier
    assert IDENTIFICATION_IMPOSSIBLE.startswith("« Identification impossible — Nous n'avons pas")
    assert (
        f"Identity attributes missing (dateNaissance): PRONOTE will display "
        f"{IDENTIFICATION_IMPOSSIBLE}"
    ) in page
    assert "The attribute idPronote is missing: PRONOTE will try to recognise" in page
    assert "Attributs d'identité absents" not in page


def test_the_diagnostics_of_a_service_and_an_unknown_account_in_english(admin_client, school):
    pronote_service(school, enabled=False)
    page = diagnose(admin_client, school, "nobody", "en")
    assert "service disabled: the CAS will refuse to issue tickets." in page
    assert "No account “nobody” among the people of this school." in page
    french = diagnose(admin_client, school, "nobody", "fr")
    assert "service désactivé : le CAS refusera de délivrer des tickets." in french
    assert "Aucun compte « nobody » parmi les personnes de cet établissement." in french


def test_it_marks_pronotes_french_messages_lang_fr_on_the_english_diagnostics(admin_client, school):
    pronote_service(school, pronote_recognition="both")
    response = admin_client.get(
        reverse("pronote:doctor"),
        {"establishment": school.est.pk, "login": school.cpe.login},
        headers={"Accept-Language": "en"},
    )
    tree = html.fromstring(response.content.decode())
    quotes = [" ".join(q.text_content().split()) for q in tree.xpath('//*[@lang="fr"]')]
    assert quotes and set(quotes) == {" ".join(IDENTIFICATION_IMPOSSIBLE.split())}
    verdict = tree.xpath('//section[@id="compte"]//p[strong/span[@lang="fr"]]')[0]
    assert " ".join(verdict.text_content().split()).startswith(
        "Identity attributes missing (dateNaissance): PRONOTE will display « Identification"
    )


def test_it_writes_percentages_and_the_import_mode_the_english_way(admin_client, school):
    pronote_service(school)
    for language, pupils, percent in (("en", "Pupils", "0%"), ("fr", "Élèves", "0 %")):
        response = admin_client.get(
            reverse("pronote:doctor"),
            {"establishment": school.est.pk},
            headers={"Accept-Language": language},
        )
        cells = html.fromstring(response.content.decode()).xpath(
            f"//tr[th[@scope='row']='{pupils}']/*/text()"
        )
        assert [c.strip() for c in cells] == [pupils, "0", "2", percent]
    session = start(school.est, "partiel", *school.records())
    response = admin_client.get(
        reverse("pronote:step", args=[session.pk, 1]), headers={"Accept-Language": "en"}
    )
    assert f"({school.est.uai}) — Partial mode — test.xml" in page_text(response)
    french = page_text(admin_client.get(reverse("pronote:step", args=[session.pk, 1])))
    assert f"({school.est.uai}) — mode Partiel — test.xml" in french


def test_it_writes_a_candidates_score_with_the_percent_sign_of_the_language(admin_client, school):
    session = start(school.est, "partiel", *school.records())
    admin_client.get(reverse("pronote:step", args=[session.pk, 1]))  # the step is matched
    row = session.rows.filter(category="enseignant").first()
    row.status = "unrecognised"
    row.candidates = [
        {"id": school.teacher.pk, "label": "BERRONE Christian", "score": 66, "why": "x"}
    ]
    row.save()
    pages = {
        language: html.fromstring(
            admin_client.get(
                reverse("pronote:step", args=[session.pk, 1]),
                headers={"Accept-Language": language},
            ).content.decode()
        )
        for language in ("en", "fr")
    }
    options = {
        language: tree.xpath(
            f'//select[@name="row-{row.pk}"]/option[@value="{school.teacher.pk}"]'
        )[0].text_content()
        for language, tree in pages.items()
    }
    assert "BERRONE Christian (66%) — " in options["en"]
    assert "BERRONE Christian (66 %) — " in options["fr"]
