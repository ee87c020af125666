"""In Chromium: « Parcourir » on a step page says what it did next to the search field (an
aria-live region), never in an alert(): a query without letter or digit, no result, a failed
request, the accounts found."""

from __future__ import annotations

from typing import Any

import pytest

from socle.directory.models import Person
from socle.pronote.importer.steps import validate_step
from socle.pronote.models import ImportRow
from tests.portal.browser import chromium, session_cookie_for
from tests.pronote.browser import page_as
from tests.pronote.helpers import School, record, start

pytestmark = pytest.mark.browser

# A function, not an expression: Playwright evaluates an expression with eval(), which the
# pages' Content-Security-Policy refuses.
SAYS = "([id, text]) => document.getElementById(id).textContent.includes(text)"

NEED_LETTER = (
    "Saisissez un nom, un prénom, une classe ou une date de naissance : au moins une lettre ou "
    "un chiffre."
)


def test_parcourir_says_what_it_found_in_the_page(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    school = School()
    admin = school.make_admin()
    session = start(school.est, "partiel", record("eleve", "INCONNU", "Jules"))
    validate_step(session, 1)
    row = ImportRow.objects.get(session=session, category="eleve")
    dialogs: list[str] = []
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(admin, live_server.url)])
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{live_server.url}/gestion/pronote/import/{session.pk}/etape/2/")
        field = page.locator(f"input[name='search-{row.pk}']")
        button = page.locator(f"button.browse[data-row='{row.pk}']")
        status = page.locator(f"#search-status-{row.pk}")
        select = page.locator(f"#row-{row.pk}")
        assert status.get_attribute("aria-live") == "polite"

        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/recherche/" in r.url else None)
        for query in ("-", "%", " ' . "):
            field.fill(query)
            button.click()
            said = f"() => document.getElementById('search-status-{row.pk}').textContent"
            page.wait_for_function(said)
            assert status.inner_text() == NEED_LETTER
            assert "error" in (status.get_attribute("class") or "")
        assert not asked  # refused before asking the server
        assert select.locator("option").count() == 1

        field.fill("Zyxwvut")
        button.click()
        page.wait_for_function(SAYS, arg=[f"search-status-{row.pk}", "Aucun"])
        assert status.inner_text() == "Aucun compte trouvé."

        page.route("**/gestion/pronote/recherche/**", lambda route: route.fulfill(status=500))
        field.fill("roux")
        button.click()
        page.wait_for_function(SAYS, arg=[f"search-status-{row.pk}", "abouti"])
        assert status.inner_text() == (
            "La recherche n’a pas abouti : réessayez, ou rechargez la page si votre session a "
            "expiré."
        )
        page.unroute("**/gestion/pronote/recherche/**")

        button.click()
        page.wait_for_function(SAYS, arg=[f"search-status-{row.pk}", "trouvés"])
        assert status.inner_text() == "3 comptes trouvés, placés en tête de la liste."
        assert "error" not in (status.get_attribute("class") or "")
        labels = select.locator("option").all_inner_texts()
        assert len(labels) == 4 and labels[0] == "— non identifié —"
        assert "ROUX Claire — Parent / responsable — claire.roux — recherche « Parcourir »" in (
            labels
        )
        assert select.input_value() == ""  # nothing chosen for the administrator
    assert dialogs == []


def test_parcourir_moves_an_account_already_proposed_to_the_top_once(
    live_server: Any, school_in_browser: tuple[School, Person]
) -> None:
    school, admin = school_in_browser
    # A typo: Emma ROUX is proposed (fuzzy) before any search.
    session = start(school.est, "partiel", record("eleve", "ROUXX", "Emma"))
    validate_step(session, 1)
    row = ImportRow.objects.get(session=session, category="eleve")
    with page_as(admin, live_server) as page:
        page.goto(f"{live_server.url}/gestion/pronote/import/{session.pk}/etape/2/")
        select = page.locator(f"#row-{row.pk}")
        before = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        assert str(school.emma.pk) in before
        page.locator(f"input[name='search-{row.pk}']").fill("roux")
        with page.expect_response(lambda r: "/recherche/" in r.url) as answer:
            page.locator(f"button.browse[data-row='{row.pk}']").click()
        results = [str(result["id"]) for result in answer.value.json()["results"]]
        page.wait_for_function(SAYS, arg=[f"search-status-{row.pk}", "trouvé"])
        status = page.locator(f"#search-status-{row.pk}").inner_text()
        found = int(status.split()[0])
        assert status.endswith("placés en tête de la liste.")
        values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        assert len(values) == len(set(values))  # Emma once, with her ranking
        assert values[1 : 1 + found] == results  # in the search's order
        assert str(school.emma.pk) in results and str(school.tom.pk) in results
        assert set(before) <= set(values)
        assert select.input_value() == ""
