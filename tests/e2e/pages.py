"""What the people of the story do in their browser, one helper per gesture.

Every helper that submits a form waits for the page it leads to (``expect_navigation``), so that
the next assertion reads the new page and never the old one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.e2e.servers import SPR_PASSWORD, Ent, Pronotesim
from tests.e2e.world import JAURES
from tests.portal.browser import CHROMIUM_ARGS as BROWSER_ARGS
from tests.portal.browser import OFFLINE

Page = Any  # playwright.sync_api.Page (imported lazily: collection must not need Playwright)
Locator = Any

# Every host but the loopback fails to resolve: the story never reaches the network.
CHROMIUM_ARGS = [*BROWSER_ARGS, OFFLINE]
TIMEOUT_MS = 30_000


def submit(page: Page, target: str | Locator, url: Any = None) -> None:
    """Click ``target`` (a selector or a locator) and wait for the page it loads (``url``: a
    glob, regular expression or predicate the new URL must match)."""
    locator = page.locator(target) if isinstance(target, str) else target
    kwargs = {"url": url} if url is not None else {}
    with page.expect_navigation(**kwargs):
        locator.click()


def main_text(page: Page) -> str:
    return str(page.locator("main").inner_text()) if page.locator("main").count() else body(page)


def body(page: Page) -> str:
    return str(page.locator("body").inner_text())


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the ENT -------------------------------------------------------------------------------------


def ent_login(page: Page, ent: Ent, login: str, password: str, next_path: str = "/") -> None:
    """The CAS credential form, reached as a visitor does (« Se connecter » → /cas/login)."""
    page.goto(f"{ent.url}/cas/login?next={next_path}")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    submit(page, "main button[type=submit]")
    assert urlsplit(page.url).path == next_path, (page.url, main_text(page))


@dataclass
class Launch:
    """What happened between the click on « Accéder à … » and the PRONOTE page."""

    responses: list[tuple[str, int]] = field(default_factory=list)

    def login_forms_shown(self, ent: Ent) -> list[str]:
        """ENT pages with the credential form (a /cas/login answered 200) during the launch."""
        return [
            url
            for url, status in self.responses
            if url.startswith(ent.url + "/cas/login") and status == 200
        ]

    def tickets_issued(self, ent: Ent) -> int:
        return sum(
            1
            for url, status in self.responses
            if url.startswith(ent.url + "/cas/login") and status == 302
        )


def open_launcher(page: Page, ent: Ent, code: str) -> None:
    """From « Mon espace », the tile of the service ``code``."""
    page.goto(ent.url + "/")
    tile = page.locator(f"main a[href='/services/{code}/']").last
    submit(page, tile)


def launch(
    page: Page, sim: Pronotesim, *, remember: bool = False, button: str = "Accéder à"
) -> Launch:
    """On the launcher page, « Accéder à … »; returns the responses seen until PRONOTE's page."""
    seen = Launch()

    def record(response: Any) -> None:
        seen.responses.append((response.url, response.status))

    page.on("response", record)
    try:
        if remember:
            page.check("#remember")
        submit(page, page.get_by_role("button", name=re.compile("^" + re.escape(button))).first,
               url=lambda u: u.startswith(sim.url + "/"))  # fmt: skip
        page.wait_for_load_state()
    finally:
        page.remove_listener("response", record)
    return seen


def pronote_from_ent(
    page: Page, ent: Ent, sim: Pronotesim, code: str, *, remember: bool = False
) -> Launch:
    """Mon espace → PRONOTE's tile → launcher → « Accéder à … » → PRONOTE."""
    open_launcher(page, ent, code)
    assert "Service PRONOTE avec CAS" in main_text(page), main_text(page)
    return launch(page, sim, remember=remember)


def espace(page: Page) -> dict[str, str]:
    """What pronotesim's espace page shows: its name, title, identifiers, connection line."""
    fields = {
        "page": urlsplit(page.url).path.rsplit("/", 1)[-1],
        "espace": page.locator("body").get_attribute("data-espace") or "",
        "pronote_id": page.locator("body").get_attribute("data-pronote-id") or "",
    }
    for key, selector in (
        ("titre", "#espace-titre"),
        ("connexion", "#derniere-connexion"),
        ("identifiant_cas", "#identifiant-cas"),
        ("enfants", "#enfants"),
    ):
        found = page.locator(selector)
        fields[key] = squash(found.inner_text()) if found.count() else ""
    return fields


def no_ticket_in(url: str) -> bool:
    return "ticket" not in parse_qs(urlsplit(url).query)


# --- pronotesim's administration (the SPR) -------------------------------------------------------


def spr_open(page: Page, sim: Pronotesim, path: str) -> None:
    """An administration page, logging in as the SPR if asked."""
    page.goto(f"{sim.url}/pronote/administration/{path}")
    if "/administration/connexion" in page.url:
        page.fill("#id_password", SPR_PASSWORD)
        submit(page, "button[type=submit]")
    assert "/administration/connexion" not in page.url, body(page)


def set_published(page: Page, published: bool) -> None:
    """On « Intégration dans un ENT »: stop or restart the publication."""
    name = "Mettre en publication" if published else "Arrêter la publication"
    button = page.get_by_role("button", name=name)
    if button.count():
        submit(page, button)


def cas_identifier(page: Page, sim: Pronotesim, pronote_id: str) -> str:
    """« Identifiant CAS » of a PRONOTE user, as the resource list shows it."""
    spr_open(page, sim, f"utilisateurs?q={pronote_id}")
    row = page.locator(f"#utilisateurs tr[data-pronote-id='{pronote_id}']")
    assert row.count() == 1, body(page)
    return squash(row.locator("td.identifiant-cas").inner_text())


def download(page: Page, click: Callable[[], None], folder: Path) -> Path:
    """Run ``click`` and save what it downloads into ``folder`` under its suggested name."""
    with page.expect_download() as info:
        click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


# --- the ENT's « Importer les identifiants PRONOTE » ------------------------------------------

STEP_TITLES = [
    "Étape 1/6 : rapprochement des enseignants",
    "Étape 2/6 : rapprochement des élèves",
    "Étape 3/6 : rapprochement des responsables",
    "Étape 4/6 : rapprochement des maîtres de stage",
    "Étape 5/6 : rapprochement des inspecteurs pédagogiques",
    "Étape 6/6 : rapprochement des personnels",
]
SUMMARY = re.compile(
    r"(\d+) identifiant\(s\) PRONOTE importé\(s\)\. "
    r"Dernier import fait le : \d\d/\d\d/\d{4} à \d\d:\d\d en mode (Complet|Partiel)\."
)


def import_file(page: Page, ent: Ent, path: Path, mode: str) -> None:
    """« Importer les identifiants PRONOTE »: Établissement, Mode d'import, Fichier → step 1."""
    page.goto(ent.url + "/gestion/pronote/")
    assert page.locator("h1").inner_text() == "Importer les identifiants PRONOTE"
    page.select_option("#id_establishment", label=f"{JAURES} — Collège Jean Jaurès")
    page.get_by_label(mode, exact=True).check()
    page.set_input_files("#id_upload", str(path))
    submit(page, page.get_by_role("button", name="Importer"))
    assert page.locator("h1").inner_text() == STEP_TITLES[0], main_text(page)


def unrecognised_row(page: Page, pronote_id: str) -> Locator:
    row = page.locator(f"tr:has(code:text-is('{pronote_id}')):has(select)")
    assert row.count() == 1, f"{pronote_id} absent des non reconnus"
    return row


def validate_step(page: Page, number: int) -> None:
    label = "Valider et terminer" if number == 6 else "Valider et passer à l'étape suivante"
    submit(page, page.get_by_role("button", name=label))


def step_counts(page: Page) -> tuple[int, int]:
    text = squash(page.locator("p.counts").inner_text())
    found = re.fullmatch(r"(\d+) .+ reconnus?, (\d+) .+ non reconnus?", text)
    assert found, text
    return int(found[1]), int(found[2])


def recognised_ids(page: Page) -> set[str]:
    """PRONOTE identifiers of the rows a step recognised (« N … reconnus — voir… »)."""
    codes = page.locator("details:has(summary:has-text('reconnu')) table code")
    return {squash(text) for text in codes.all_text_contents()}
