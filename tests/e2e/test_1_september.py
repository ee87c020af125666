"""The September story of docs/demo.md and the field documents, in a real browser, steps 1 to 5.

Real servers (tests/e2e/world.py): the ENT (``socle serve``) and two pronotesim (Jaurès, Fermat).
The steps run in order and build on each other (conftest.py stops the story at the first failure).
"""

from __future__ import annotations

import pytest
from lxml import etree

from tests.e2e.conftest import Story
from tests.e2e.pages import (
    STEP_TITLES,
    SUMMARY,
    body,
    cas_identifier,
    download,
    ent_login,
    espace,
    import_file,
    main_text,
    no_ticket_in,
    pronote_from_ent,
    recognised_ids,
    set_published,
    spr_open,
    squash,
    step_counts,
    submit,
    unrecognised_row,
    validate_step,
)
from tests.e2e.world import (
    FERMAT,
    FERMAT_SERVICE,
    FORMER_ENT_NAME,
    INES_FERMAT_ID,
    JAURES,
    PASSWORDS,
    SERVICE,
    YASMINA_FERMAT_ID,
    pronote_user,
)

pytestmark = pytest.mark.browser


def test_step_1_pronote_delegates_authentication_to_the_ent_cas(story: Story) -> None:
    world, page = story.world, story.person("spr-jaures")
    spr_open(page, world.jaures, "ent")
    assert (
        "Vous devez arrêter la publication de la base pour pouvoir modifier ces paramètres"
        in body(page)
    )
    assert page.locator("#id_cas_enabled").is_disabled()
    set_published(page, False)

    page.check("#id_cas_enabled")
    page.select_option("#id_ent_project", "Mon ENT Occitanie")  # the list fills the CAS URL…
    assert page.locator("#url-cas").inner_text() == "https://cas.mon-ent-occitanie.fr"
    page.select_option("#id_ent_project", "Autre")  # … ours is not in PRONOTE's list: « Autre »
    page.fill("#id_other_cas_url", world.ent.cas_url)
    assert page.locator("#url-cas").inner_text() == world.ent.cas_url
    page.check("#id_direct_login_allowed")
    assert page.is_checked("#id_recognition_0")  # « Avec l'identifiant PRONOTE de l'utilisateur »
    assert page.input_value("#id_id_attribute") == "idPronote"
    submit(page, "#form-ent button[type=submit]")
    assert "Paramètres enregistrés." in body(page)
    set_published(page, True)

    pronote = world.jaures.pronote_url
    encoded = pronote.replace(":", "%3A").replace("/", "%2F")
    assert page.locator("#url-cas").inner_text() == world.ent.cas_url
    assert page.locator("#lien-authentification").inner_text() == (
        f"{world.ent.cas_url}/login?service={encoded}"
    )
    assert page.locator("#lien-validation").inner_text() == (
        f"{world.ent.cas_url}/saml/Validate?TARGET={encoded}"
    )
    assert page.locator("#url-directe").inner_text() == pronote + "?login=true"
    url_for_ent = page.locator("#url-socle-ent").inner_text()
    assert url_for_ent == pronote + "**"
    story.data["url_for_ent"] = url_for_ent
    story.screenshot(page, "1-pronote-integration-ent")

    # From now on PRONOTE sends its visitors to the ENT's CAS, which does not know it yet.
    visitor = story.fresh("visiteur")
    answer = visitor.goto(pronote + "eleve.html")
    assert visitor.url.startswith(world.ent.cas_url + "/login?service=")
    assert answer is not None and answer.status == 403
    assert "Service non autorisé" in main_text(visitor)
    assert visitor.locator("#id_password").count() == 0


def test_step_2_the_school_declares_the_pronote_service_and_opens_it(story: Story) -> None:
    world, page = story.world, story.person("direction")
    url_for_ent = story.data["url_for_ent"]
    ent_login(
        page, world.ent, "direction.jaures", PASSWORDS["direction.jaures"], "/gestion/services/"
    )
    submit(page, page.get_by_role("link", name="Nouveau service"))
    page.fill("#id_code", SERVICE)
    page.fill("#id_label", "PRONOTE")
    page.select_option("#id_sso_type", label="SSO PRONOTE avec CAS")
    page.select_option("#id_establishment", label="Collège Jean Jaurès (0312609T)")
    page.fill("#id_url", url_for_ent.removesuffix("**"))  # PRONOTE.net's public URL
    page.fill("#id_category", "Scolarité")
    page.fill("#id_patterns_text", url_for_ent)  # « URL à communiquer au socle ENT »
    assert page.input_value("#id_pronote_id_attribute") == "idPronote"
    submit(page, page.get_by_role("button", name="Enregistrer"))
    assert page.url.endswith("/acces-population/"), main_text(page)
    assert "Personne n'a accès à ce service dans cet établissement." in main_text(page)

    # « Accès population » → « Ajouter des accès »: Élève, Parent, Enseignant of the school.
    form = page.locator("form:has(input[value=add_rule])")
    form.get_by_label("Établissement(s) du site courant").check()
    for profile in ("Élève", "Parent / responsable", "Enseignant"):
        form.get_by_label(profile, exact=True).check()
    submit(page, form.get_by_role("button", name="Ajouter"))
    recap = squash(page.locator("section:has(#recap-title) table").inner_text())
    for profile in ("Élève", "Parent / responsable", "Enseignant"):
        # Matière enseignée, Fonction, Discipline de poste, Niveau: no narrowing
        assert f"Collège Jean Jaurès {profile} — — — — Accès au service" in recap, recap
    story.screenshot(page, "2-acces-population")

    page.goto(world.ent.url + "/gestion/services/")
    listed = squash(main_text(page))
    assert f"{SERVICE} PRONOTE SSO PRONOTE avec CAS" in listed, listed

    # The CAS now accepts PRONOTE's espaces: a visitor sent by PRONOTE gets the login form.
    check = world.ent.run("cas_check_service", world.jaures.pronote_url + "professeur.html")
    assert SERVICE in check, check
    visitor = story.fresh("visiteur")
    answer = visitor.goto(world.jaures.pronote_url + "eleve.html")
    assert answer is not None and answer.status == 200
    assert visitor.url.startswith(world.ent.cas_url + "/login?service=")
    assert visitor.locator("#id_password").count() == 1


def test_step_3_pronote_exports_every_identifier_encrypted_for_the_ent(story: Story) -> None:
    world, page = story.world, story.person("spr-jaures")
    # The school comes from another ENT: Camille is still bound to its name.
    camille = str(pronote_user(world.jaures.base, "MARTIN", "Camille", "eleve")["pronote_id"])
    assert cas_identifier(page, world.jaures, camille) == FORMER_ENT_NAME
    spr_open(page, world.jaures, "export")
    # « Les données exportées peuvent être déchiffrées par »: the ENT and its public key.
    page.fill("#id_partner_name", "SOCLE")
    page.set_input_files("#id_public_key", world.notes["ent_public_key"])
    submit(page, page.get_by_role("button", name="Enregistrer"))
    assert "Socle ENT enregistré." in body(page)
    assert not page.is_checked("#id_only_without_cas")  # complete export: start of the year
    exported = download(
        page, lambda: page.get_by_role("button", name="Exporter").click(), world.root / "complet"
    )
    # The change of ENT: the complete export reset her « Identifiant CAS » (the file keeps it).
    assert cas_identifier(page, world.jaures, camille) == ""
    assert exported.name == "IdPN_To_SOCLE.xml"
    root = etree.fromstring(exported.read_bytes(), etree.XMLParser(resolve_entities=False))
    assert root.tag == "EXPORT_INDEX_EDUCATION"
    assert root.findtext("UAI") == JAURES
    assert root.find("CLES/PARTENAIRE").get("NOM") == "SOCLE"
    assert b"MARTIN" not in exported.read_bytes()  # nominative data never travel in clear
    story.data["complete_export"] = exported


def test_step_4_the_ent_imports_the_identifiers_in_six_steps(story: Story) -> None:
    world, page = story.world, story.person("direction")
    base = world.jaures.base
    matheo = pronote_user(base, "FOURNEIR", "Matheo", "eleve")["pronote_id"]
    gaelle_a = pronote_user(base, "N'DIAYE", "Gaëlle", "responsable")["pronote_id"]
    gaelle_b = pronote_user(base, "NDIAYE", "Gaelle", "responsable")["pronote_id"]
    import_file(page, world.ent, story.data["complete_export"], "Complet")

    for number, title in enumerate(STEP_TITLES, start=1):
        assert page.locator("h1").inner_text() == title
        recognised, unrecognised = step_counts(page)
        if number == 1:
            assert (recognised, unrecognised) == (40, 0)  # BERRONE, GARCIA Jean-Francois too
        if number == 2:
            # Mathéo FOURNIER, whom PRONOTE spells FOURNEIR Matheo: « Parcourir ».
            row = unrecognised_row(page, matheo)
            select = row.locator("select")
            before = select.locator("option").count()
            row.locator("input[type=search]").fill("fournier")
            with page.expect_response(lambda answer: "/recherche/" in answer.url) as searched:
                row.get_by_role("button", name="Parcourir").click()  # the directory search
            # The search itself finds him, not only his row's ranked proposals.
            found = [result["label"] for result in searched.value.json()["results"]]
            assert any("matheo.fournier" in label for label in found), found
            page.wait_for_function(
                "([s, n]) => document.querySelector(s).options.length > n",
                arg=[f"#{select.get_attribute('id')}", before],
            )
            option = select.locator("option", has_text="matheo.fournier").first
            select.select_option(option.get_attribute("value"))
            story.screenshot(page, "4-import-etape-2-parcourir")
            # Recognised although PRONOTE spells them otherwise (docs/demo.md, « The cast »).
            for last, first in (("MCCARTHY", "Eloise"), ("BEN SAID", "NOËL"),
                                ("DE LA FONTAINE", "Jean Baptiste")):  # fmt: skip
                assert pronote_user(base, last, first, "eleve")["pronote_id"] in recognised_ids(
                    page
                )
        if number == 3:
            isabelle = pronote_user(base, "FAURE", "Isabelle", "responsable")  # her birth name
            assert isabelle["pronote_id"] in recognised_ids(page)
            # Gaëlle N'DIAYE, twice in PRONOTE: the administrator takes the first copy and
            # leaves the second one (« x »).
            for pronote_id in (gaelle_a, gaelle_b):
                assert "doublon dans PRONOTE ?" in unrecognised_row(page, pronote_id).inner_text()
            row = unrecognised_row(page, gaelle_a)
            row.locator("select").select_option(
                row.locator("select option", has_text="gaelle.n-diaye").first.get_attribute("value")
            )
            unrecognised_row(page, gaelle_b).get_by_role("button", name="Ne pas identifier").click()
            assert unrecognised_row(page, gaelle_b).locator("select").input_value() == ""
        validate_step(page, number)

    summary = squash(page.locator("p.summary").inner_text())
    found = SUMMARY.fullmatch(summary)
    assert found and found[2] == "Complet", summary
    table = page.locator("table.table tr")
    # The step is each row's header (th); its cells: in file, recognised, matched by hand,
    # unrecognised, state, imported…
    imported = [int(squash(table.nth(i).locator("td").nth(5).inner_text())) for i in range(1, 7)]
    states = {squash(table.nth(i).locator("td").nth(4).inner_text()) for i in range(1, 7)}
    assert states == {"validée"}
    assert int(found[1]) == sum(imported) > 1300
    # Camille's record carried the former ENT's name: a note, not a predicted refusal.
    camille = pronote_user(base, "MARTIN", "Camille", "eleve")["pronote_id"]
    assert squash(page.locator("#cas-mismatch").inner_text()).startswith(
        "1 personne avait dans PRONOTE un autre identifiant CAS que celui que l'ENT enverra"
    )
    assert squash(page.locator("#cas-mismatch-list").inner_text()) == (
        f"MARTIN Camille ({camille}) — fiche liée dans PRONOTE à l'identifiant CAS "
        f"{FORMER_ENT_NAME} (un autre ENT, ou un autre réglage du service) ; l'export de tous les "
        "utilisateurs dont vient ce fichier l'a réinitialisé : PRONOTE enregistrera "
        f"{world.uid('camille.martin')} à la prochaine connexion depuis l'ENT"
    )
    assert "refusée" not in main_text(page)
    story.screenshot(page, "4-import-rapport")
    story.data["imported"] = int(found[1])


def test_step_5_a_pupil_lands_in_the_espace_eleves_without_a_second_login(story: Story) -> None:
    world = story.world
    camille = pronote_user(world.jaures.base, "MARTIN", "Camille", "eleve")
    spr = story.person("spr-jaures")
    assert cas_identifier(spr, world.jaures, str(camille["pronote_id"])) == ""

    page = story.fresh("camille")
    ent_login(page, world.ent, "camille.martin", PASSWORDS["camille.martin"])
    assert "PRONOTE" in main_text(page)
    page.goto(world.ent.url + f"/services/{SERVICE}/")
    story.screenshot(page, "5-service-pronote-avec-cas")
    seen = pronote_from_ent(page, world.ent, world.jaures, SERVICE, remember=True)
    assert seen.login_forms_shown(world.ent) == []  # no second login
    assert seen.tickets_issued(world.ent) == 1
    shown = espace(page)
    assert page.url == world.jaures.pronote_url + "eleve.html" and no_ticket_in(page.url)
    assert shown["titre"] == "Espace Élèves — MARTIN CAMILLE"
    assert (shown["espace"], shown["pronote_id"]) == ("eleve", camille["pronote_id"])
    assert shown["connexion"] == "Première connexion"
    assert shown["identifiant_cas"] == world.uid("camille.martin")
    story.screenshot(page, "5-espace-eleves")

    # PRONOTE stored the CAS user name as « Identifiant CAS ».
    assert cas_identifier(spr, world.jaures, str(camille["pronote_id"])) == world.uid(
        "camille.martin"
    )

    # She ticked « J'ai pris connaissance… »: next time the tile leads straight to PRONOTE.
    page.goto(world.ent.url + "/")
    submit(page, page.locator(f"main a[href='/services/{SERVICE}/']").last,
           url=world.jaures.pronote_url + "eleve.html")  # fmt: skip
    assert espace(page)["connexion"].startswith("Dernière connexion : ")


def test_step_5_a_parent_of_two_children_lands_in_the_espace_parents(story: Story) -> None:
    world, page = story.world, story.fresh("nathalie")
    ent_login(page, world.ent, "nathalie.martin", PASSWORDS["nathalie.martin"])
    seen = pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    assert seen.login_forms_shown(world.ent) == []
    shown = espace(page)
    assert page.url == world.jaures.pronote_url + "parent.html"
    assert shown["titre"] == "Espace Parents — Mme MARTIN NATHALIE"
    assert "MARTIN Camille" in shown["enfants"] and "MARTIN Hugo" in shown["enfants"]
    assert shown["identifiant_cas"] == world.uid("nathalie.martin")
    story.screenshot(page, "5-espace-parents")

    # Gaëlle N'DIAYE too: the copy chosen in step 3 is her daughter Marie-Ange's responsable.
    page = story.fresh("gaelle")
    ent_login(page, world.ent, "gaelle.n-diaye", PASSWORDS["gaelle.n-diaye"])
    pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    shown = espace(page)
    assert shown["titre"] == "Espace Parents — Mme N'DIAYE GAËLLE", body(page)
    assert "Marie-Ange" in shown["enfants"] and "Moussa" not in shown["enfants"]


def test_step_5_and_alimentation_a_teacher_of_two_schools_reaches_both(story: Story) -> None:
    """Jaurès imported PRONOTE's identifiers; Fermat uses the « mode avec alimentation »: the ENT
    exports its users for Index Education's key, PRONOTE imports them, and the teacher (and the
    BEN SAÏD family) is known to PRONOTE before her first connection."""
    world = story.world
    spr = story.person("spr-fermat")
    # The ENT operator declares Fermat's PRONOTE from the command line, for its teachers,
    # parents and pupils.
    world.ent.run(
        "service_add", FERMAT_SERVICE, "PRONOTE", "--uai", FERMAT, "--sso", "pronote",
        "--url", world.fermat.pronote_url,
        "--profiles", "National_ENS,National_TUT,National_ELV",
    )  # fmt: skip
    # Index Education's public key, as PRONOTE gives it; the ENT's export; PRONOTE's import.
    spr_open(spr, world.fermat, "alimentation")
    key = download(
        spr,
        lambda: spr.get_by_role("link", name="index-education-public.pem").click(),
        world.root / "fermat",
    )
    assert key.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    exported = world.root / "fermat" / "RapprochementSSO_0312799Z.xml"
    printed = world.ent.run(
        "pronote_export", "--uai", FERMAT, "--public-key", str(key), "--partner-id", "SOCLE",
        "--out", str(exported),
    )  # fmt: skip
    assert "Exporté : 1 Professeurs, 2 Responsables, 1 Eleves." in printed, printed
    assert b"LE GALL" not in exported.read_bytes() and b"BEN SA" not in exported.read_bytes()
    spr.set_input_files("#id_file", str(exported))
    submit(spr, spr.get_by_role("button", name="Importer"))
    assert squash(spr.locator("#resultat-import").inner_text()) == (
        "4 utilisateur(s) rapproché(s), 4 identifiant(s) CAS renseigné(s) ou modifié(s)."
    )
    assert "4 / 4 compte(s) de l'ENT rapproché(s)." in body(spr)
    # PRONOTE's own pupils the ENT does not know stay without « Identifiant CAS ».
    assert "MAZET Léa" in spr.locator("#pronote-sans-cas").inner_text()
    story.screenshot(spr, "8-alimentation-supervision")
    helene_fermat = "FRMT7KQ2HLNE9GAL"
    assert cas_identifier(spr, world.fermat, helene_fermat) == world.uid("helene.le-gall")
    assert cas_identifier(spr, world.fermat, YASMINA_FERMAT_ID) == world.uid("yasmina.ben-said")

    page = story.fresh("helene")
    ent_login(page, world.ent, "helene.le-gall", PASSWORDS["helene.le-gall"])
    home = main_text(page)
    assert "Collège Jean Jaurès" in home and "Collège Pierre de Fermat" in home
    for code, sim in ((SERVICE, world.jaures), (FERMAT_SERVICE, world.fermat)):
        seen = pronote_from_ent(page, world.ent, sim, code)
        assert seen.login_forms_shown(world.ent) == []
        shown = espace(page)
        assert page.url == sim.pronote_url + "professeur.html"
        assert shown["titre"] == "Espace Professeurs — Mme LE GALL HÉLÈNE"
        assert shown["connexion"] == "Première connexion"
        assert shown["identifiant_cas"] == world.uid("helene.le-gall")
    story.screenshot(page, "5-espace-professeurs-fermat")
    helene_jaures = pronote_user(world.jaures.base, "LE GALL", "Hélène", "enseignant")
    spr_jaures = story.person("spr-jaures")
    assert cas_identifier(spr_jaures, world.jaures, str(helene_jaures["pronote_id"])) == (
        world.uid("helene.le-gall")
    )


def test_step_5_a_parent_of_a_pupil_in_each_school_opens_each_pronote_as_herself(
    story: Story,
) -> None:
    """Yasmina BEN SAÏD: Noël at Jaurès, Inès at Fermat. Each PRONOTE has its own record of her
    (« one PRONOTE id per establishment »): Jaurès's, imported in step 4, with Noël; Fermat's,
    bound by the alimentation import, with Inès. The CAS names her the same to both."""
    world = story.world
    noel = pronote_user(world.jaures.base, "BEN SAID", "NOËL", "eleve")
    yasmina_jaures = pronote_user(world.jaures.base, "BEN SAÏD", "Yasmina", "responsable")
    page = story.fresh("yasmina")
    ent_login(page, world.ent, "yasmina.ben-said", PASSWORDS["yasmina.ben-said"])
    home = main_text(page)
    assert "Collège Jean Jaurès" in home and "Collège Pierre de Fermat" in home
    expected = {
        SERVICE: (world.jaures, yasmina_jaures["pronote_id"], "BEN SAID NOËL", "Inès"),
        FERMAT_SERVICE: (world.fermat, YASMINA_FERMAT_ID, "BEN SAÏD Inès", "NOËL"),
    }
    for code, (sim, pronote_id, child, other_child) in expected.items():
        seen = pronote_from_ent(page, world.ent, sim, code)
        assert seen.login_forms_shown(world.ent) == []
        shown = espace(page)
        assert page.url == sim.pronote_url + "parent.html"
        assert shown["titre"] == "Espace Parents — Mme BEN SAÏD YASMINA", body(page)
        assert (shown["espace"], shown["pronote_id"]) == ("parent", pronote_id)
        assert child in shown["enfants"] and other_child not in shown["enfants"]
        assert shown["identifiant_cas"] == world.uid("yasmina.ben-said")
    story.screenshot(page, "5-espace-parents-fermat")
    assert noel["responsables"] and yasmina_jaures["pronote_id"] in noel["responsables"]
    assert yasmina_jaures["pronote_id"] != YASMINA_FERMAT_ID

    # Her daughter, a pupil of Fermat only: Fermat's PRONOTE, not Jaurès's.
    page = story.fresh("ines")
    ent_login(page, world.ent, "ines.ben-said", PASSWORDS["ines.ben-said"])
    assert "Collège Jean Jaurès" not in main_text(page)
    pronote_from_ent(page, world.ent, world.fermat, FERMAT_SERVICE)
    shown = espace(page)
    assert page.url == world.fermat.pronote_url + "eleve.html"
    assert shown["titre"] == "Espace Élèves — BEN SAÏD INÈS"
    assert (shown["pronote_id"], shown["identifiant_cas"]) == (
        INES_FERMAT_ID,
        world.uid("ines.ben-said"),
    )
