"""The administration pages, through Django's test client."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html

from socle.directory.profiles import Profile
from socle.pronote.models import ImportRow, ImportSession, SessionStatus
from tests.factories import DEFAULT_PASSWORD, make_person, make_pronote_identity
from tests.pronote.helpers import School, ids_of, page_text
from tests.pronote.samples import CSV_ELEVES

PRONOTE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<IDENTIFIANTS_PRONOTE UAI="{uai}">
  <Professeurs><Professeur IDPN="PROFBERRONE00001" Nom="BERRONE" Prenom="Christian"/></Professeurs>
  <Eleves>
    <Eleve IDPN="ELEVEEMMA0000001" Nom="ROUX" Prenom="Emma" DateNaissance="04/03/2012">
      <Responsable IDPN="RESPCLAIRE000001"/></Eleve>
    <Eleve IDPN="ELEVETOM00000001" Nom="ROUX" Prenom="Tom" DateNaissance="01/09/2014">
      <Responsable IDPN="RESPCLAIRE000001"/></Eleve>
    <Eleve IDPN="ELEVEJULES000001" Nom="DUPONT MOREAU" Prenom="Jules" DateNaissance="01/01/2012"/>
  </Eleves>
  <Responsables><Responsable IDPN="RESPCLAIRE000001" Nom="ROUX" Prenom="Claire"/></Responsables>
</IDENTIFIANTS_PRONOTE>
"""


def upload(client, school, mode="complet", content=None, name="IdPN_To_SOCLE.xml"):
    data = content if content is not None else PRONOTE_XML.format(uai=school.est.uai).encode()
    return client.post(
        reverse("pronote:index"),
        {
            "establishment": school.est.pk,
            "mode": mode,
            "upload": SimpleUploadedFile(name, data, content_type="application/xml"),
        },
    )


def page(response):
    return html.fromstring(response.content.decode())


def test_the_pages_need_a_login(client):
    response = client.get(reverse("pronote:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_pages_are_refused_to_non_administrators(client, school):
    client.force_login(school.teacher)
    assert client.get(reverse("pronote:index")).status_code == 403


def test_an_administrator_cannot_open_another_schools_import(admin_client, school):
    other = School()
    from tests.pronote.helpers import start

    session = start(other.est, "partiel", *other.records())
    assert admin_client.get(reverse("pronote:step", args=[session.pk, 1])).status_code == 403


def test_the_upload_form_shows_the_labels_of_pronote(admin_client, school):
    response = admin_client.get(reverse("pronote:index"))
    content = page_text(response)
    for label in (
        "Importer les identifiants PRONOTE",
        "Établissement",
        "Mode d'import",
        "Fichier des identifiants",
        "Complet",
        "Partiel",
    ):
        assert label in content
    assert "0 identifiant(s) PRONOTE importé(s)." in content


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_stored(admin_client, school):
    response = upload(admin_client, school, content=b"<r>\n<Eleve IDPN='A1' Nom='A'></r>")
    assert response.status_code == 200
    assert "Rien n'a été importé." in page_text(response) and "ligne 2" in page_text(response)
    assert not ImportSession.objects.exists()


def test_it_dates_the_last_import_with_a_four_digit_year(admin_client, school):
    from django.utils import timezone

    from socle.pronote.importer.steps import run_automatic
    from tests.pronote.helpers import start

    # an import that wrote identifiers (the one the line names), dated when it ended
    session = run_automatic(start(school.est, "complet", *school.records()))
    assert session.status == SessionStatus.FINISHED and session.finished_at is not None
    when = timezone.localtime(session.finished_at)
    text = page_text(admin_client.get(reverse("pronote:index")))
    assert f"Dernier import fait le : {when:%d/%m/%Y} à {when:%H:%M} en mode Complet." in text
    (cell,) = page(admin_client.get(reverse("pronote:index"))).xpath("//tbody/tr/td[1]")
    assert cell.text_content() == f"{timezone.localtime(session.created_at):%d/%m/%Y %H:%M}"


def test_it_says_a_png_or_a_plain_text_is_neither_xml_nor_csv_naming_the_file(admin_client, school):
    from tests.pronote.test_files import PNG

    for name, content in (("IdPN_To_SOCLE.xml", b"Mes notes\nrien d'autre\n"), ("a.png", PNG)):
        response = upload(admin_client, school, content=content, name=name)
        assert response.status_code == 200
        (error,) = page(response).xpath('//ul[contains(@class, "errorlist")]/li')
        assert error.text_content() == (
            f"Rien n'a été importé. « {name} » n'est ni un export XML de PRONOTE (fichier des "
            "identifiants IdPN_To_….xml, chiffré ou non) ni une extraction CSV de PRONOTE "
            "(colonnes séparées par des points-virgules, dont Identifiant_PRONOTE-ENT, Nom, "
            "Prénom)."
        )
    assert not ImportSession.objects.exists()


def test_it_asks_for_the_file_when_none_is_sent(admin_client, school):
    response = admin_client.post(
        reverse("pronote:index"), {"establishment": school.est.pk, "mode": "complet"}
    )
    assert response.status_code == 200
    tree = page(response)
    (field,) = tree.xpath('//input[@name="upload"]')
    assert "id_upload_error" in field.get("aria-describedby").split()
    (error,) = tree.xpath('//ul[@id="id_upload_error"]/li')
    assert error.text_content() == "Choisissez le fichier exporté de PRONOTE."
    assert not ImportSession.objects.exists()


def test_a_file_of_another_school_is_refused(admin_client, school):
    response = upload(admin_client, school, content=PRONOTE_XML.format(uai="0310001H").encode())
    assert "pas de " + school.est.uai in page_text(response)
    assert not ImportSession.objects.exists()


def test_an_administrator_cannot_import_for_another_school(admin_client, school):
    other = School()
    response = admin_client.post(
        reverse("pronote:index"),
        {
            "establishment": other.est.pk,
            "mode": "complet",
            "upload": SimpleUploadedFile("x.xml", PRONOTE_XML.format(uai=other.est.uai).encode()),
        },
    )
    assert response.status_code == 200 and not ImportSession.objects.exists()


def test_the_wizard_walks_the_six_steps(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    response = upload(admin_client, school)
    session = ImportSession.objects.get()
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 1])

    response = admin_client.get(response["Location"])
    content = page_text(response)
    assert "Étape 1/6 : rapprochement des enseignants" in content
    assert "1 enseignant reconnu, 0 enseignant non reconnu" in content
    for label in ("Interrompre", "Valider et passer à l'étape suivante"):
        assert label in content

    response = admin_client.post(response.request["PATH_INFO"], {"action": "validate"})
    step2 = admin_client.get(response["Location"])
    content = page_text(step2)
    assert "Étape 2/6 : rapprochement des élèves" in content
    assert "2 élèves reconnus, 1 élève non reconnu" in content
    for header in (
        "Nom Prénom",
        "Date de naissance",
        "Identifiant PRONOTE",
        "Identifier",
        "Parcourir",
    ):
        assert header in content
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    options = page(step2).xpath(f'//select[@name="row-{row.pk}"]/option/@value')
    assert str(jules.pk) in options

    response = admin_client.post(
        step2.request["PATH_INFO"], {"action": "validate", f"row-{row.pk}": str(jules.pk)}
    )
    assert ids_of(school.est)["ELEVEJULES000001"] == jules.pk
    for number in (3, 4, 5, 6):
        assert response["Location"] == reverse("pronote:step", args=[session.pk, number])
        response = admin_client.post(response["Location"], {"action": "validate"})
    assert response["Location"] == reverse("pronote:final", args=[session.pk])
    final = page_text(admin_client.get(response["Location"]))
    assert "5 identifiant(s) PRONOTE importé(s). Dernier import fait le : " in final
    assert "en mode Complet." in final
    report = admin_client.get(reverse("pronote:report", args=[session.pk]))
    assert report["Content-Type"].startswith("text/csv")
    assert "ELEVEJULES000001" in report.content.decode("utf-8-sig")


def test_the_import_form_marks_its_three_required_fields_alike(admin_client):
    form = html.fromstring(admin_client.get(reverse("pronote:index")).content).xpath(
        "//main//form"
    )[0]
    marked = [
        " ".join(label.text_content().split())
        for label in form.xpath(".//label[span[@class='req']] | .//legend[span[@class='req']]")
    ]
    assert marked == ["Établissement *", "Mode d'import *", "Fichier des identifiants *"]
    assert form.xpath(".//span[@class='req']/@aria-hidden") == ["true"] * 3
    assert "Les champs marqués d'un astérisque (*) sont obligatoires." in form.text_content()


def test_parcourir_works_without_javascript(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    url = reverse("pronote:step", args=[session.pk, 1])
    admin_client.post(url, {"action": "validate"})
    url = reverse("pronote:step", args=[session.pk, 2])
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    response = admin_client.post(
        url, {"action": f"browse-{row.pk}", f"search-{row.pk}": "dupont jules"}
    )
    assert response.status_code == 200
    options = page(response).xpath(f'//select[@name="row-{row.pk}"]/option/@value')
    assert str(jules.pk) in options
    assert not ids_of(school.est).get("ELEVEJULES000001")


def test_the_search_endpoint_returns_accounts_of_the_school(admin_client, school):
    response = admin_client.get(
        reverse("pronote:search"), {"uai": school.est.uai, "q": "roux emma"}
    )
    results = response.json()["results"]
    assert results[0]["id"] == school.emma.pk
    assert "ROUX Emma" in results[0]["label"]


def test_it_finds_the_steps_pupil_behind_ten_parents_of_the_same_name(admin_client, school):
    """« fournier » on the pupils' step: the school's first ten FOURNIER by first name are
    parents; the pupil the administrator looks for (sorted after them) is still found."""
    for first in ("Abel", "Agnès", "Alain", "Anne", "Bruno", "Carole", "Denis", "Elise", "Fanny"):
        make_person(first, "Fournier", establishment=school.est, profile=Profile.PARENT)
    matheo = make_person("Mathéo", "Fournier", establishment=school.est, class_name="5C")
    make_person("Bertrand", "Fournier", establishment=school.est, profile=Profile.PARENT)
    response = admin_client.get(
        reverse("pronote:search"), {"uai": school.est.uai, "categorie": "eleve", "q": "fournier"}
    )
    results = response.json()["results"]
    assert len(results) == 10
    assert results[0]["id"] == matheo.pk
    assert results[0]["label"].startswith("FOURNIER Mathéo — 5C — ")


MORE_FOURNIER = (
    "Plus de 10 comptes correspondent à « fournier » : les 10 plus proches sont placés en tête "
    "de la liste. Si la personne n'y est pas, précisez la recherche (nom et prénom, classe ou "
    "date de naissance)."
)


def test_it_says_when_parcourir_lists_only_the_first_ten(admin_client, school):
    """Eleven FOURNIER: « 10 comptes trouvés » would hide the eleventh; the answer says there
    are more and to refine the search. Ten: all are listed and nothing more is said."""
    for first in ("Abel", "Agnès", "Alain", "Anne", "Bruno", "Carole", "Denis", "Elise", "Fanny"):
        make_person(first, "Fournier", establishment=school.est, class_name="5C")
    make_person("Gilles", "Fournier", establishment=school.est, class_name="5C")
    query = {"uai": school.est.uai, "categorie": "eleve", "q": "fournier"}
    answer = admin_client.get(reverse("pronote:search"), query).json()
    assert len(answer["results"]) == 10 and answer["more"] == ""
    make_person("Zoé", "Fournier", establishment=school.est, class_name="5C")
    answer = admin_client.get(reverse("pronote:search"), query).json()
    assert len(answer["results"]) == 10
    assert answer["more"] == MORE_FOURNIER


def test_it_says_when_parcourir_without_javascript_lists_only_the_first_ten(admin_client, school):
    for first in ("Abel", "Agnès", "Alain", "Anne", "Bruno", "Carole", "Denis", "Elise", "Fanny"):
        make_person(first, "Fournier", establishment=school.est, class_name="5C")
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    step2 = reverse("pronote:step", args=[session.pk, 2])
    post = {"action": f"browse-{row.pk}", f"search-{row.pk}": "fournier"}
    assert MORE_FOURNIER not in page_text(admin_client.post(step2, post))
    make_person("Gilles", "Fournier", establishment=school.est, class_name="5C")
    make_person("Zoé", "Fournier", establishment=school.est, class_name="5C")
    assert MORE_FOURNIER in page_text(admin_client.post(step2, post))


NEED_LETTER = (
    "Saisissez un nom, un prénom, une classe ou une date de naissance : au moins une lettre ou "
    "un chiffre."
)


def test_the_search_endpoint_refuses_a_query_of_punctuation_only(admin_client, school):
    for query in ("-", ".", "'", "%", " - . ", ""):
        response = admin_client.get(
            reverse("pronote:search"), {"uai": school.est.uai, "categorie": "eleve", "q": query}
        )
        assert response.status_code == 400, query
        assert response.json() == {"results": [], "error": NEED_LETTER}


def test_the_search_endpoint_accepts_a_digit_alone(admin_client, school):
    response = admin_client.get(reverse("pronote:search"), {"uai": school.est.uai, "q": "4"})
    assert response.status_code == 200 and "results" in response.json()


def test_parcourir_without_javascript_refuses_punctuation_only(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    row.candidates = []
    row.save()
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": f"browse-{row.pk}", f"search-{row.pk}": "%"},
    )
    assert NEED_LETTER in page_text(response)
    assert page(response).xpath(f'//select[@name="row-{row.pk}"]/option/@value') == [""]


def test_each_row_has_a_live_region_for_what_parcourir_finds(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    tree = page(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    (status,) = tree.xpath(f'//*[@id="search-status-{row.pk}"]')
    assert (status.get("role"), status.get("aria-live")) == ("status", "polite")
    assert not status.text_content()
    (step_form,) = tree.xpath('//form[@id="step-form"]')
    assert step_form.get("data-need-letter") == NEED_LETTER
    assert step_form.get("data-failed").startswith("La recherche n’a pas abouti")
    assert step_form.get("data-found-many") == "{n} comptes trouvés, placés en tête de la liste."


def test_a_forged_choice_outside_the_school_is_refused(admin_client, school):
    outsider = make_person("Jules", "Ailleurs")
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": "validate", f"row-{row.pk}": str(outsider.pk)},
    )
    assert response.status_code == 200
    assert "n'appartient pas à cet établissement" in page_text(response)
    assert "ELEVEJULES000001" not in ids_of(school.est)


def test_it_names_the_account_chosen_for_two_rows_and_the_rows(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    jules = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    response = admin_client.post(  # Emma's row already holds her account, matched automatically
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": "validate", f"row-{jules.pk}": str(school.emma.pk)},
    )
    assert response.status_code == 200
    assert (
        f"Le compte ROUX Emma ({school.emma.login}) est choisi pour plusieurs lignes : ROUX Emma "
        "(ELEVEEMMA0000001), DUPONT MOREAU Jules (ELEVEJULES000001). Un compte ne peut avoir "
        "qu'un identifiant PRONOTE par établissement : gardez une seule de ces lignes (« retirer » "
        "sur une ligne reconnue, « — non identifié — » sur une autre)."
    ) in page_text(response)
    assert page(response).xpath(f'//select[@name="row-{jules.pk}"]/option[@selected]/@value') == [
        str(school.emma.pk)
    ]
    assert not ids_of(school.est).get("ELEVEEMMA0000001")


def test_interrompre_keeps_what_was_validated(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]), {"action": "interrupt"}
    )
    assert response["Location"] == reverse("pronote:final", args=[session.pk])
    session.refresh_from_db()
    assert session.status == SessionStatus.INTERRUPTED
    assert ids_of(school.est) == {"PROFBERRONE00001": school.teacher.pk}
    summary = page_text(admin_client.get(response["Location"]))
    assert "1 identifiant(s) PRONOTE importé(s)" in summary


def test_it_asks_before_interrupting_and_keeps_the_choices_on_the_page(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    emma = ImportRow.objects.get(session=session, pronote_id="ELEVEEMMA0000001")
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": "interrupt-ask", f"row-{row.pk}": str(jules.pk), f"clear-{emma.pk}": "on"},
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    tree = page(response)
    box = tree.xpath('//form[@id="step-form"]//section[@class="confirm-interrupt"]')[0]
    text = " ".join(box.text_content().split())
    assert "Interrompre l'import ?" in text
    assert "Les choix faits à la main sur cette étape seront perdus." in text
    assert box.xpath(".//button/@value") == ["interrupt", "continue"]
    assert tree.xpath("//title/text()")[0].startswith("Interrompre l'import ? — ")
    assert tree.xpath(f'//select[@name="row-{row.pk}"]/option[@selected]/@value') == [str(jules.pk)]
    assert tree.xpath(f'//input[@name="clear-{emma.pk}"]/@checked') == ["checked"]
    assert ids_of(school.est) == {"PROFBERRONE00001": school.teacher.pk}


def test_it_goes_on_with_the_choices_kept_when_the_interruption_is_not_confirmed(
    admin_client, school
):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": "continue", f"row-{row.pk}": str(jules.pk)},
    )
    assert response.status_code == 200
    tree = page(response)
    assert not tree.xpath('//section[@class="confirm-interrupt"]')
    assert tree.xpath(f'//select[@name="row-{row.pk}"]/option[@selected]/@value') == [str(jules.pk)]
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_it_puts_the_interrupt_button_apart_from_the_main_button(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    tree = page(admin_client.get(reverse("pronote:step", args=[session.pk, 1])))
    assert tree.xpath('//div[@class="actions"]/button/@value') == ["validate"]
    asking = tree.xpath('//div[@class="interrupt"]/button')
    assert [b.get("value") for b in asking] == ["interrupt-ask"]
    assert " ".join(asking[0].text_content().split()) == "Interrompre l'import…"
    assert not tree.xpath('//button[@value="interrupt"]')  # only once asked


def test_the_report_counts_hand_made_matches_in_their_own_column(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    jules_row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    tom_row = ImportRow.objects.get(session=session, pronote_id="ELEVETOM00000001")
    response = admin_client.post(  # Jules picked by hand, Tom's automatic match removed
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": "validate", f"row-{jules_row.pk}": str(jules.pk), f"clear-{tom_row.pk}": "on"},
    )
    response = admin_client.post(response["Location"], {"action": "interrupt"})
    tree = page(admin_client.get(response["Location"]))
    headers = [" ".join(th.text_content().split()) for th in tree.xpath("//thead//th")]
    assert headers[:5] == [
        "Étape",
        "Dans le fichier",
        "Reconnus",
        "Rapprochés à la main",
        "Non identifiés",
    ]
    pupils = tree.xpath("//tr[th[@scope='row'][contains(., 'Élèves')]]/*")
    cells = dict(zip(headers, pupils, strict=True))
    values = {h: c.text_content().strip() for h, c in cells.items()}
    assert values["Dans le fichier"] == "3"
    assert (values["Reconnus"], values["Rapprochés à la main"], values["Non identifiés"]) == (
        "1",
        "1",
        "1",
    )
    assert values["Importés"] == "2"  # = Reconnus + Rapprochés à la main
    for header, cell in cells.items():
        if header not in ("Étape", "État"):
            assert cell.get("class") == "num", header
    assert tree.xpath("//thead//th[.='Importés']/@class") == ["num"]


def test_a_step_not_done_keeps_its_automatic_counts_in_the_report(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    response = admin_client.get(reverse("pronote:step", args=[session.pk, 2]))  # matches
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]), {"action": "interrupt"}
    )
    tree = page(admin_client.get(response["Location"]))
    row = tree.xpath("//tr[th[@scope='row'][contains(., 'Élèves')]]/td/text()")
    assert row[:4] == ["3", "2", "0", "1"]


def test_a_step_cannot_be_skipped_by_url(admin_client, school):
    upload(admin_client, school)
    session = ImportSession.objects.get()
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 4]), {"action": "validate"}
    )
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 1])
    assert not ids_of(school.est)


def test_several_csv_files_make_one_import(admin_client, school):
    profs = "Nom;Prénom;Identifiant_PRONOTE-ENT\nBERRONE;Christian;PROFBERRONE00001\n"
    response = admin_client.post(
        reverse("pronote:index"),
        {
            "establishment": school.est.pk,
            "mode": "partiel",
            "upload": [
                SimpleUploadedFile("EXP_ELEVES.csv", CSV_ELEVES.encode("cp1252")),
                SimpleUploadedFile("EXP_PROFS.csv", profs.encode("cp1252")),
            ],
        },
    )
    assert response.status_code == 302
    session = ImportSession.objects.get()
    assert set(session.rows.values_list("category", flat=True)) == {"eleve", "enseignant"}


def test_a_superuser_sees_every_school(client, school):
    root = make_person("Root", "Admin", is_superuser=True, is_staff=True)
    client.force_login(root)
    other = School()
    content = page_text(client.get(reverse("pronote:index")))
    assert school.est.uai in content and other.est.uai in content


def test_login_with_password_reaches_the_page(client, school):
    make_person(
        "Anne",
        "Admin",
        establishment=school.est,
        profile=Profile.DIRECTION,
        is_admin=True,
        login="anne.admin",
    )
    assert client.login(login="anne.admin", password=DEFAULT_PASSWORD)
    assert client.get(reverse("pronote:index")).status_code == 200


def test_the_diagnostics_page_explains_a_missing_identifier(admin_client, school):
    from tests.factories import make_service

    url = f"https://{school.est.uai.lower()}.index-education.net/pronote/"
    make_service(
        "pronote", sso_type="pronote", establishment=school.est, url=url, patterns=(url + "**",)
    )
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    content = page_text(response)
    cells = page(response).xpath("//tr[th[@scope='row']='Élèves']/*/text()")
    assert [c.strip() for c in cells] == ["Élèves", "0", "2", "0 %"]
    assert (
        'Le serveur CAS doit être configuré pour renvoyer un attribut "idPronote". Or aucun '
        "attribut n'a été renvoyé."
    ) in content
    saml = page(response).xpath("//pre/text()")[0]
    assert "samlp:Success" in saml and school.emma.uid in saml


def test_the_diagnostics_page_is_scoped_to_administered_schools(admin_client, school):
    other = School()
    response = admin_client.get(reverse("pronote:doctor"), {"establishment": other.est.pk})
    assert other.est.uai not in page_text(response).split("Examiner", 1)[1]


def test_a_step_with_hundreds_of_unrecognised_rows_can_be_validated(admin_client, school):
    from tests.pronote.helpers import record, start

    session = start(
        school.est,
        "partiel",
        *[record("eleve", f"INCONNU{n}", "Jules", birth=dt.date(2012, 1, 1)) for n in range(600)],
    )
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    rows = ImportRow.objects.filter(session=session, category="eleve")
    data = {"action": "validate"}
    for row in rows:
        data[f"row-{row.pk}"] = ""
        data[f"search-{row.pk}"] = f"{row.last_name} {row.first_name}"
    response = admin_client.post(reverse("pronote:step", args=[session.pk, 2]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("pronote:step", args=[session.pk, 3])


def test_a_choice_made_with_parcourir_survives_another_search(admin_client, school):
    jules = make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    row.candidates = []
    row.save()
    response = admin_client.post(
        reverse("pronote:step", args=[session.pk, 2]),
        {"action": f"browse-{row.pk}", f"search-{row.pk}": "roux", f"row-{row.pk}": str(jules.pk)},
    )
    selected = page(response).xpath(f'//select[@name="row-{row.pk}"]/option[@selected]/@value')
    assert selected == [str(jules.pk)]


def test_it_walks_the_wizard_in_english_with_the_progress_of_each_step(admin_client, school):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(admin_client, school)
    step1 = admin_client.get(response["Location"])
    content = page_text(step1)
    assert "Step 1/6: matching teachers" in content
    assert "1 teacher recognised, 0 teachers not recognised" in content
    assert page(step1).xpath('//form[@id="step-form"]/@data-no-result') == ["No account found."]
    step2 = admin_client.get(
        admin_client.post(step1.request["PATH_INFO"], {"action": "validate"})["Location"]
    )
    content = page_text(step2)
    assert "Step 2/6: matching pupils" in content
    # The progress list: the validated step shows its counts (it compared a French label).
    assert "Teachers: validated — 1 imported, 0 unchanged, 0 replaced, 0 conflicts" in content
    assert "Pupils: matching computed" in content
    assert "Étape" not in content and "rapprochement" not in content


def validate_steps(client, session, last: int) -> dict[int, str]:
    """The text of steps 1…``last``, each read then validated as it stands."""
    seen = {}
    for number in range(1, last + 1):
        seen[number] = page_text(client.get(reverse("pronote:step", args=[session.pk, number])))
        client.post(reverse("pronote:step", args=[session.pk, number]), {"action": "validate"})
    return seen


def test_it_counts_each_category_in_singular_or_plural_in_lower_case(admin_client, school):
    """« 1 responsable reconnu », « 1 importé, 0 inchangé », « Aucun inspecteur pédagogique
    dans le fichier »: no « Maîtres de stage » nor « Aucun(e) » mid-sentence. (Without a French
    catalog gettext gives zero the plural, which French usage accepts: « 0 conflit ».)"""
    upload(admin_client, school)
    session = ImportSession.objects.get()
    seen = validate_steps(admin_client, session, 6)
    assert "Étape 2/6 : rapprochement des élèves" in seen[2]
    assert "2 élèves reconnus, 1 élève non reconnu" in seen[2]
    assert "1 responsable reconnu, 0 responsable non reconnu" in seen[3]
    assert "Étape 4/6 : rapprochement des maîtres de stage" in seen[4]
    assert "0 maître de stage reconnu, 0 maître de stage non reconnu" in seen[4]
    assert "Aucun maître de stage dans le fichier" in seen[4]
    assert "Aucun inspecteur pédagogique dans le fichier" in seen[5]
    assert "Aucun personnel dans le fichier" in seen[6]
    assert (
        "Enseignants : validée — 1 importé, 0 inchangé, 0 remplacé, 0 conflit, 0 supprimé"
        in (seen[2])
    )
    for text in seen.values():
        assert "Aucun(e)" not in text and "des Élèves" not in text
        assert "Élèves reconnus" not in text and "1 élèves non reconnus" not in text


def test_it_sets_the_counts_line_in_bold_comma_included(admin_client, school):
    """« 2 élèves reconnus, 1 élève non reconnu »: the comma between the two bold counts is bold
    too (a regular comma between them looked detached)."""
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    tree = page(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    (counts,) = tree.xpath('//p[@class="counts"]')
    bold = [" ".join(strong.text_content().split()) for strong in counts.xpath("strong")]
    assert bold == ["2 élèves reconnus,", "1 élève non reconnu"]


def test_it_words_the_counts_in_english_with_plurals(admin_client, school):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload(admin_client, school)
    session = ImportSession.objects.get()
    seen = validate_steps(admin_client, session, 5)
    assert "2 pupils recognised, 1 pupil not recognised" in seen[2]
    assert "1 parent or guardian recognised" in seen[3]
    assert "Step 4/6: matching work placement supervisors" in seen[4]
    assert "No work placement supervisor in the file" in seen[4]
    assert "No school inspector in the file" in seen[5]
    assert (
        "Teachers: validated — 1 imported, 0 unchanged, 0 replaced, 0 conflicts, 0 removed"
        in (seen[2])
    )


def test_each_row_of_a_step_names_its_person_for_a_screen_reader(admin_client, school):
    make_person("Jules", "Dupont", establishment=school.est, birth_date=dt.date(2012, 1, 1))
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    tree = page(admin_client.get(reverse("pronote:step", args=[session.pk, 2])))
    row = ImportRow.objects.get(session=session, pronote_id="ELEVEJULES000001")
    (select,) = tree.xpath(f'//select[@name="row-{row.pk}"]')
    assert select.get("aria-label") == "Compte ENT pour DUPONT MOREAU Jules"
    (clear,) = tree.xpath(f'//button[@data-row="{row.pk}"][contains(@class, "clear")]')
    assert clear.get("aria-label") == "Ne pas identifier DUPONT MOREAU Jules"
    for table in tree.xpath("//table"):
        headers = table.xpath("./thead/tr/th")
        assert headers and all(th.get("scope") == "col" for th in headers)
        assert all(th.text_content().strip() not in {"", "x"} for th in headers)
        assert table.xpath("./tbody/tr/th[@scope='row']")
    described = {ref for value in tree.xpath("//@aria-describedby") for ref in value.split()}
    assert described <= set(tree.xpath("//@id"))


def test_the_upload_help_text_carries_the_id_its_field_points_to(admin_client, school):
    tree = page(admin_client.get(reverse("pronote:index")))
    (field,) = tree.xpath('//input[@name="upload"]')
    assert field.get("aria-describedby") == "id_upload_helptext"
    (help_text,) = tree.xpath('//*[@id="id_upload_helptext"]')
    assert help_text.text_content().strip()


def test_the_diagnostics_page_lists_only_people_still_without_an_identifier(admin_client, school):
    from socle.pronote.models import MissingIdentifierEvent

    for person in (school.emma, school.tom):
        MissingIdentifierEvent.objects.create(
            person=person, establishment=school.est, service_code="pronote", count=2
        )
    make_pronote_identity(school.emma, school.est, "ELEVEEMMA0000001")
    tree = page(admin_client.get(reverse("pronote:doctor"), {"establishment": school.est.pk}))
    (heading,) = tree.xpath("//h3[.='Connexions à PRONOTE sans identifiant']")
    listed = " ".join(heading.getnext().text_content().split())
    assert school.tom.login in listed and school.emma.login not in listed


def test_the_diagnostics_page_shows_the_examined_account_first(admin_client, school):
    response = admin_client.get(
        reverse("pronote:doctor"), {"establishment": school.est.pk, "login": school.emma.login}
    )
    headings = [" ".join(h.text_content().split()) for h in page(response).xpath("//h3")]
    assert headings[0] == f"Compte {school.emma.login}"
    assert headings.index("Service PRONOTE") > 0


def checked_mode(response) -> list[str]:
    return page(response).xpath('//input[@name="mode"][@checked]/@value')


def test_the_form_starts_on_complet_for_a_school_without_identifiers(admin_client, school):
    assert checked_mode(admin_client.get(reverse("pronote:index"))) == ["complet"]
    upload(admin_client, school)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "validate"})
    # Once the school holds identifiers, the newcomers' mode comes first.
    assert checked_mode(admin_client.get(reverse("pronote:index"))) == ["partiel"]


def test_the_upload_warns_of_people_of_an_unknown_category(admin_client, school):
    content = PRONOTE_XML.format(uai=school.est.uai).replace(
        "</IDENTIFIANTS_PRONOTE>",
        '<Accompagnant IDPN="ACCOMP0000000001" Nom="PETIT" Prenom="Léa"/></IDENTIFIANTS_PRONOTE>',
    )
    response = upload(admin_client, school, content=content.encode())
    page_after = admin_client.get(response["Location"])
    assert "Personnes ignorées, de catégorie inconnue : &lt;Accompagnant&gt; × 1." in (
        page_after.content.decode()
    )


def test_it_warns_of_a_file_pronote_wrote_before_the_school_year(
    admin_client, school, ent_key, ent_key_file
):
    """Last year's IdPN_To_SOCLE.xml taken for this September's: the envelope's date says so on
    the first step's page (the import goes on: the administrator decides)."""
    from socle.pronote.files.envelope import build_envelope

    def sealed(when: dt.datetime) -> bytes:
        payload = PRONOTE_XML.format(uai=school.est.uai).encode()
        return build_envelope(
            payload, {"SOCLE": ent_key.public_key()}, uai=school.est.uai, when=when
        )

    old = sealed(dt.datetime.now() - dt.timedelta(days=400))
    step1 = admin_client.get(upload(admin_client, school, content=old)["Location"])
    assert "Ce fichier a été exporté par PRONOTE le " in page_text(step1)
    session = ImportSession.objects.get()
    admin_client.post(reverse("pronote:step", args=[session.pk, 1]), {"action": "interrupt"})
    fresh = admin_client.get(
        upload(admin_client, school, content=sealed(dt.datetime.now()))["Location"]
    )
    assert "Ce fichier a été exporté par PRONOTE" not in page_text(fresh)


def test_it_says_an_empty_file_in_the_words_of_every_other_refusal(admin_client, school):
    response = upload(admin_client, school, content=b"")
    assert response.status_code == 200
    text = page_text(response)
    assert (
        "Rien n'a été importé. Le fichier envoyé est vide (0 octet) : une copie ou un export "
        "interrompus ? Refaites l'export des identifiants depuis PRONOTE."
    ) in text
    assert not ImportSession.objects.exists()
