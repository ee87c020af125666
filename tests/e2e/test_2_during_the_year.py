"""The rest of the year, after test_1_september.py: a newcomer (partial export and import), the
three failure stories of the field documents, and the « identité de l'utilisateur » mode."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Story
from tests.e2e.pages import (
    SUMMARY,
    body,
    cas_identifier,
    download,
    ent_login,
    espace,
    import_file,
    launch,
    main_text,
    open_launcher,
    pronote_from_ent,
    set_published,
    spr_open,
    squash,
    submit,
    validate_step,
)
from tests.e2e.world import PASSWORDS, SERVICE, pronote_user

pytestmark = pytest.mark.browser

NO_ATTRIBUTE = (
    "Échec de l'authentification par le serveur CAS {cas} : Le serveur CAS doit être configuré "
    'pour renvoyer un attribut "idPronote". Or aucun attribut n\'a été renvoyé.'
)


def test_failure_1_no_idpronote_attribute_gives_pronotes_own_message(story: Story) -> None:
    """Yanis HADDAD is new: PRONOTE does not know him yet, so the ENT has no identifier — and
    its launcher page says so before the click."""
    world, page = story.world, story.fresh("yanis")
    ent_login(page, world.ent, "yanis.haddad", PASSWORDS["yanis.haddad"])
    open_launcher(page, world.ent, SERVICE)
    assert (
        "L'ENT n'a pas encore reçu votre identifiant PRONOTE pour Collège Jean Jaurès : PRONOTE "
        "risque de ne pas vous reconnaître (« Échec de l'authentification par le serveur CAS »)."
    ) in squash(main_text(page))
    seen = launch(page, world.jaures)
    assert seen.login_forms_shown(world.ent) == []
    assert page.url.startswith(world.jaures.url + "/pronote/")
    assert NO_ATTRIBUTE.format(cas=world.ent.cas_url) in squash(body(page))
    assert page.locator("#espace-titre").count() == 0
    story.screenshot(page, "7-echec-attribut-idpronote")


def test_step_6_a_newcomer_partial_export_and_import_then_he_gets_in(story: Story) -> None:
    world, spr = story.world, story.person("spr-jaures")
    yanis = pronote_user(world.root / "pronote-newcomers.json", "HADDAD", "Yanis", "eleve")
    gaelle_b = pronote_user(world.jaures.base, "NDIAYE", "Gaelle", "responsable")["pronote_id"]

    # The school enters the newcomers in PRONOTE (pronotesim: « Ajouter des utilisateurs »).
    spr_open(spr, world.jaures, "utilisateurs")
    spr.set_input_files("#id_file", world.notes["newcomers"])
    submit(spr, spr.get_by_role("button", name="Ajouter"))
    assert (
        squash(spr.locator("#message").inner_text()) == "2 utilisateur(s) ajouté(s), 0 mis à jour."
    )
    assert cas_identifier(spr, world.jaures, str(yanis["pronote_id"])) == ""

    # « Uniquement les utilisateurs sans identifiants CAS »: ticked this time.
    spr_open(spr, world.jaures, "export")
    spr.check("#id_only_without_cas")
    partial = download(
        spr, lambda: spr.get_by_role("button", name="Exporter").click(), world.root / "partiel"
    )
    assert partial.name == "IdPN_To_SOCLE.xml"

    # The ENT imports it « Partiel ».
    page = story.person("direction")
    import_file(page, world.ent, partial, "Partiel")
    for number in range(1, 7):
        if number == 2:
            details = page.locator("details:has(summary:has-text('reconnu'))").text_content()
            assert "(yanis.haddad)" in details
            # Camille, who connected, has an « Identifiant CAS »: not in this file.
            assert "(camille.martin)" not in details and "(jade.dubois)" in details
        if number == 3:
            # Gaëlle's second PRONOTE record: now alone in the file, it is recognised as hers,
            # and she already has the first one: a conflict the administrator confirms.
            conflict = page.locator(f"tr.conflict:has(code:text-is('{gaelle_b}'))")
            assert conflict.count() == 1, main_text(page)
            conflict.get_by_label("Confirmer").check()
        validate_step(page, number)
    summary = squash(page.locator("p.summary").inner_text())
    found = SUMMARY.fullmatch(summary)
    assert found and found[2] == "Partiel", summary
    table = squash(page.locator("table.table").inner_text())
    assert "2/6 Élèves" in table

    page = story.person("yanis")
    seen = pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    assert seen.login_forms_shown(world.ent) == []
    shown = espace(page)
    assert page.url == world.jaures.pronote_url + "eleve.html"
    assert shown["titre"] == "Espace Élèves — HADDAD YANIS"
    assert shown["pronote_id"] == yanis["pronote_id"]
    assert cas_identifier(spr, world.jaures, str(yanis["pronote_id"])) == world.uid("yanis.haddad")


def test_failure_2_duplicate_account_already_bound_then_the_fix(story: Story) -> None:
    """Gaëlle N'DIAYE's first PRONOTE record is bound to her ENT account; the ENT now designates
    the second one: « Identification impossible » until the first one's « Identifiant CAS » is
    removed."""
    world = story.world
    gaelle_a = pronote_user(world.jaures.base, "N'DIAYE", "Gaëlle", "responsable")["pronote_id"]
    gaelle_b = pronote_user(world.jaures.base, "NDIAYE", "Gaelle", "responsable")["pronote_id"]
    uid = world.uid("gaelle.n-diaye")
    page = story.person("gaelle")
    pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    text = squash(body(page))
    assert page.locator("h1").inner_text() == "Identification impossible", text
    assert "Nous n'avons pas réussi à vous identifier sur votre Espace PRONOTE." in text
    for label in ("Nom", "Prénom", "Date de naissance", "Code postal"):
        assert page.get_by_label(label, exact=True).count() == 1, label
    assert "Données connues Corrections éventuelles" in text
    assert "Seul le renvoi d'informations permet à l'établissement d'être informé" in text
    story.screenshot(page, "7-identification-impossible")
    page.get_by_label("Des informations complémentaires").fill("J'ai deux enfants au collège.")
    page.get_by_label("E-mail").fill("gaelle.ndiaye@example.org")
    submit(page, page.get_by_role("button", name="Envoyer"))

    spr = story.person("spr-jaures")
    spr_open(spr, world.jaures, "echecs")
    requests = squash(spr.locator("#demandes").inner_text())
    assert uid in requests and "gaelle.ndiaye@example.org" in requests

    # The fix of the guides: remove the « Identifiant CAS » of the first copy…
    assert cas_identifier(spr, world.jaures, str(gaelle_a)) == uid
    row = spr.locator(f"#utilisateurs tr[data-pronote-id='{gaelle_a}']")
    submit(spr, row.get_by_role("button", name="Supprimer l'identifiant CAS"))
    assert cas_identifier(spr, world.jaures, str(gaelle_a)) == ""

    # … then connect again from the ENT.
    pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    shown = espace(page)
    assert shown["titre"] == "Espace Parents — Mme NDIAYE GAELLE", body(page)  # PRONOTE's spelling
    assert shown["pronote_id"] == gaelle_b and "Moussa" in shown["enfants"]
    assert cas_identifier(spr, world.jaures, str(gaelle_b)) == uid


def test_failure_3_direct_access_needs_login_true(story: Story) -> None:
    world, page = story.world, story.fresh("camille-direct")
    page.goto(world.jaures.pronote_url)  # the old direct URL: the ENT's CAS now
    assert page.url.startswith(world.ent.cas_url + "/login?service=")
    answer = page.goto(world.jaures.pronote_url + "?login=true")
    assert answer is not None and answer.status == 200
    assert page.url == world.jaures.pronote_url + "?login=true"
    assert "Connexion avec vos identifiants PRONOTE" in body(page)
    story.screenshot(page, "7-pronote-login-true")
    page.fill("#id_login", "camille.martin")
    page.fill("#id_password", "pronote-eleve-2026")
    submit(page, page.get_by_role("button", name="Se connecter"))
    shown = espace(page)
    assert shown["titre"] == "Espace Élèves — MARTIN CAMILLE", body(page)
    assert "Identifiants PRONOTE" in body(page)


def test_failure_4_shared_computer_logout_back_button_and_the_next_person(story: Story) -> None:
    """The collège's CDI computer: Camille leaves the ENT; « Précédent » and PRONOTE's address
    ask the ENT for a password instead of showing her espace; Nathalie logs in there and gets
    her own espace."""
    world, page = story.world, story.fresh("cdi")
    ent_login(page, world.ent, "camille.martin", PASSWORDS["camille.martin"])
    # She ticked « J'ai pris connaissance… » in step 5: the tile leads straight to PRONOTE.
    submit(page, page.locator(f"main a[href='/services/{SERVICE}/']").last,
           url=world.jaures.pronote_url + "eleve.html")  # fmt: skip
    assert espace(page)["titre"] == "Espace Élèves — MARTIN CAMILLE", body(page)
    page.goto(world.ent.url + "/")
    submit(page, page.get_by_role("link", name="Se déconnecter"))
    assert "Vous êtes déconnecté" in main_text(page)
    page.go_back()  # « Mon espace »: the ENT answers as to a visitor
    page.go_back()  # PRONOTE's espace: authenticated again, by the ENT's CAS
    page.wait_for_load_state()
    assert page.url.startswith(world.ent.cas_url + "/login?service="), page.url
    assert "MARTIN CAMILLE" not in body(page) and page.locator("#id_password").count() == 1
    page.goto(world.jaures.pronote_url)  # the address typed by the next person
    assert page.url.startswith(world.ent.cas_url + "/login?service="), page.url
    page.fill("#id_username", "nathalie.martin")
    page.fill("#id_password", PASSWORDS["nathalie.martin"])
    submit(page, "main button[type=submit]", url=lambda u: u.startswith(world.jaures.url))
    page.wait_for_load_state()
    assert espace(page)["titre"] == "Espace Parents — Mme MARTIN NATHALIE", body(page)


def test_identity_recognition_mode_end_to_end(story: Story) -> None:
    """« Avec l'identité de l'utilisateur »: PRONOTE recognises people by name, birth date and
    postal code at their first connection."""
    world, spr = story.world, story.person("spr-jaures")
    spr_open(spr, world.jaures, "ent")
    set_published(spr, False)
    visitor = story.fresh("visiteur")
    stopped = visitor.goto(world.jaures.pronote_url + "eleve.html")
    assert stopped is not None and stopped.status == 503  # publication stopped
    spr.get_by_label("Avec l'identité de l'utilisateur").check()
    submit(spr, "#form-ent button[type=submit]")
    assert "Paramètres enregistrés." in body(spr)
    set_published(spr, True)

    page = story.person("direction")
    page.goto(world.ent.url + "/gestion/services/")
    row = page.locator("tr", has_text=SERVICE)
    submit(page, row.get_by_role("link", name=re.compile("^Modifier")))
    page.select_option("#id_pronote_recognition", label="Avec l'identité de l'utilisateur")
    submit(page, page.get_by_role("button", name="Enregistrer"))
    assert "pronote_recognition" not in page.url  # saved, no form error
    assert page.locator("#id_pronote_recognition").input_value() == "identity", main_text(page)

    # Jade DUBOIS never connected: recognised by her identity, « Identifiant CAS » stored.
    jade = pronote_user(world.jaures.base, "DUBOIS", "Jade", "eleve")
    page = story.fresh("jade")
    ent_login(page, world.ent, "jade.dubois", PASSWORDS["jade.dubois"])
    seen = pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    assert seen.login_forms_shown(world.ent) == []
    shown = espace(page)
    assert shown["titre"] == "Espace Élèves — DUBOIS JADE", body(page)
    assert (shown["pronote_id"], shown["identifiant_cas"]) == (
        jade["pronote_id"],
        world.uid("jade.dubois"),
    )

    # Mathéo FOURNIER, whom PRONOTE spells FOURNEIR Matheo: not recognised by identity.
    page = story.fresh("matheo")
    ent_login(page, world.ent, "matheo.fournier", PASSWORDS["matheo.fournier"])
    pronote_from_ent(page, world.ent, world.jaures, SERVICE)
    assert page.locator("h1").inner_text() == "Identification impossible", body(page)
    assert "FOURNIER" in body(page) and "Mathéo" in body(page)  # « Données connues »
