"""Passwords that French users commonly pick are refused, and so are passwords close to the
person's own names; passphrases are not (``socle.directory.password_rules``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from socle.directory.password_rules import common_core
from tests.factories import make_person


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("motdepasse123", "motdepasse"),
        ("Marseille13013", "marseille"),
        ("Soleil2026!!", "soleil"),
        ("2026-Jetaime-!", "jetaime"),
        ("mot de passe 123", "motdepasse"),
        ("azertyazerty", "azerty"),
        ("Pokémon123456", "pokemon"),
    ],
)
def test_it_finds_the_common_word_a_password_is_built_on(password: str, word: str) -> None:
    assert common_core(password) == word


@pytest.mark.parametrize(
    "password",
    ["camille rose jardin bleu", "le chat mange des crepes", "Xq7!vB9#pL2m", "soleil de marseille"],
)
def test_it_leaves_passphrases_and_random_passwords_alone(password: str) -> None:
    assert common_core(password) is None


@pytest.mark.django_db
def test_django_refuses_a_common_french_password_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("motdepasse123")
    message = " ".join(caught.value.messages)
    assert "trop courant" in message
    assert "motdepasse" not in message  # never echoed: the message may reach a log


@pytest.mark.django_db
def test_django_refuses_a_password_close_to_the_person_s_login() -> None:
    person = make_person(login="camille.martin", first_name="Camille", last_name="Martin")
    with pytest.raises(ValidationError):
        validate_password("camille.martin1", person)
    validate_password("quatre mots au hasard", person)


@pytest.mark.django_db
def test_it_leaves_a_password_on_django_s_list_to_django_s_message() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("password1234")
    assert caught.value.messages == ["Ce mot de passe est trop courant."]
