"""The account pages are usable with a screen reader: every ``aria-describedby`` names an element
of the page, the password rules sit under the new password and describe it, and the show/hide
buttons have distinct names."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from django.contrib.staticfiles import finders
from django.test import Client

from socle.directory.activation import activation_redirect, issue_code
from tests.factories import DEFAULT_PASSWORD, make_person

RULES = "12 caractères au moins."


def dangling_descriptions(tree: lxml.html.HtmlElement) -> list[str]:
    """The ids that an ``aria-describedby`` names but that no element of the page carries."""
    ids = set(tree.xpath("//@id"))
    return [
        ref
        for value in tree.xpath("//@aria-describedby")
        for ref in value.split()
        if ref not in ids
    ]


def _described(tree: lxml.html.HtmlElement, field_id: str) -> str:
    (field,) = tree.xpath(f"//*[@id='{field_id}']")
    refs = field.get("aria-describedby", "").split()
    return " ".join(" ".join(tree.get_element_by_id(ref).text_content().split()) for ref in refs)


def _password_change_page(client: Client, data: dict[str, str] | None = None) -> str:
    client.force_login(make_person("Paul", "Durand"))
    if data is None:
        return client.get("/compte/mot-de-passe").content.decode()
    return client.post("/compte/mot-de-passe", data).content.decode()


def test_it_ties_the_password_rules_to_the_new_password_on_the_change_page(client: Client) -> None:
    tree = lxml.html.fromstring(_password_change_page(client))
    assert dangling_descriptions(tree) == []
    assert RULES in _described(tree, "id_new_password1")
    assert RULES not in _described(tree, "id_old_password")
    # The rules come after the new password's label, not between the two first fields.
    labels = [" ".join(e.text_content().split()) for e in tree.xpath("//form//label | //form//p")]
    rules_at = next(i for i, text in enumerate(labels) if text.startswith(RULES))
    assert labels.index("Nouveau mot de passe") < rules_at


def test_its_descriptions_still_exist_when_the_form_has_errors(client: Client) -> None:
    page = _password_change_page(
        client, {"old_password": "faux", "new_password1": "court", "new_password2": "autre"}
    )
    tree = lxml.html.fromstring(page)
    assert dangling_descriptions(tree) == []
    assert RULES in _described(tree, "id_new_password1")


def test_it_ties_the_password_rules_to_the_new_password_on_the_activation_page(
    client: Client,
) -> None:
    person = make_person("Camille", "Martin")
    person.set_unusable_password()
    person.save()
    issued = issue_code(person)
    url = activation_redirect(person.login, issued.code, None)
    assert url is not None
    tree = lxml.html.fromstring(client.get(url).content.decode())
    assert dangling_descriptions(tree) == []
    assert RULES in _described(tree, "id_new_password1")


def test_each_show_password_button_is_named_after_its_field(client: Client) -> None:
    tree = lxml.html.fromstring(_password_change_page(client))
    names = {
        field.get("id"): (field.get("data-show-label"), field.get("data-hide-label"))
        for field in tree.xpath("//input[@data-password-toggle]")
    }
    assert names == {
        "id_old_password": ("Afficher le mot de passe", "Masquer le mot de passe"),
        "id_new_password1": ("Afficher le nouveau mot de passe", "Masquer le nouveau mot de passe"),
        "id_new_password2": ("Afficher la confirmation", "Masquer la confirmation"),
    }
    (tag,) = tree.xpath("//script[contains(@src, 'directory/password-toggle.js')]")
    assert (tag.get("data-show"), tag.get("data-hide")) == ("Afficher", "Masquer")
    script = Path(finders.find("directory/password-toggle.js")).read_text(encoding="utf-8")
    assert "data-password-toggle" in script and 'setAttribute("aria-label"' in script


def test_the_focus_goes_to_the_field_to_fix(client: Client) -> None:
    """Django's change form focuses the current password; sent back with only the confirmation
    wrong, the confirmation has the focus instead."""
    page = _password_change_page(
        client,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "un cheval mange des pommes",
            "new_password2": "un cheval mange des poires",
        },
    )
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//*[@autofocus]/@id") == ["id_new_password2"]


def _username_fields(page: str) -> list[dict[str, str]]:
    tree = lxml.html.fromstring(page)
    return [dict(field.attrib) for field in tree.xpath("//form//input[@autocomplete='username']")]


def test_it_gives_password_managers_the_login_the_new_password_belongs_to(client: Client) -> None:
    """WCAG 1.3.5 and Chromium's password forms: the change and first-connection forms carry the
    account's login as a hidden ``username`` field, beside new passwords marked as such."""
    page = _password_change_page(client)
    (field,) = _username_fields(page)
    assert field["value"] == "paul.durand" and "hidden" in field and "readonly" in field
    tree = lxml.html.fromstring(page)
    assert tree.get_element_by_id("id_old_password").get("autocomplete") == "current-password"
    assert tree.get_element_by_id("id_new_password1").get("autocomplete") == "new-password"
    newcomer = make_person("Camille", "Martin", password=None)
    url = activation_redirect(newcomer.login, issue_code(newcomer).code, None)
    assert url is not None
    page = Client().get(url).content.decode()
    (field,) = _username_fields(page)
    assert field["value"] == "camille.martin" and "hidden" in field
    assert (
        lxml.html.fromstring(page).get_element_by_id("id_new_password2").get("autocomplete")
        == "new-password"
    )
