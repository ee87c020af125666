"""System checks of the PRONOTE connector."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils.translation import override

from socle.portal.models import Service
from socle.pronote.checks import check_partner, check_private_key, check_pronote_services
from socle.pronote.files.crypto import EnvelopeError, KeyFileUnreadable
from tests.factories import make_establishment, make_service, make_service_by_command


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_no_key_configured_is_fine(settings):
    settings.SOCLE_PRONOTE_PRIVATE_KEY = ""
    assert check_private_key() == []


def test_an_unreadable_key_is_an_error(settings, tmp_path):
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(tmp_path / "absent.pem")
    assert ids(check_private_key()) == ["socle.E060"]


def test_a_file_that_is_not_a_key_is_an_error(settings, tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(path)
    assert ids(check_private_key()) == ["socle.E061"]


def test_a_directory_instead_of_a_key_file_is_unreadable(settings, tmp_path):
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(tmp_path)
    assert ids(check_private_key()) == ["socle.E060"]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (KeyFileUnreadable("clé", "cannot read the file"), "socle.E060"),  # no French word
        (EnvelopeError("clé", "lecture faite : une clé RSA est attendue."), "socle.E061"),
    ],
)
def test_the_check_code_follows_the_kind_of_error_not_its_words(settings, monkeypatch, error, code):
    """E060 (unreadable file) or E061 (not a usable key) is decided by the exception's class,
    whatever its message says (it may be reworded or translated)."""

    def failing(path: str, **kwargs: object) -> None:
        raise error

    settings.SOCLE_PRONOTE_PRIVATE_KEY = "/etc/socle/pronote.pem"
    monkeypatch.setattr("socle.pronote.checks.load_private_key_file", failing)
    assert ids(check_private_key()) == [code]


def test_a_pkcs1_key_is_accepted_and_a_short_one_warned(settings, tmp_path, ent_key_file):
    assert check_private_key() == []
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    path = tmp_path / "short.pem"
    path.write_bytes(
        short.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    settings.SOCLE_PRONOTE_PRIVATE_KEY = str(path)
    assert ids(check_private_key()) == ["socle.W062"]


def test_a_key_file_other_users_can_read_is_warned(ent_key_file):
    ent_key_file.chmod(0o644)
    (message,) = check_private_key()
    assert message.id == "socle.W066"
    assert "-rw-r--r--" in message.msg


def test_a_bad_partner_name_is_an_error(settings):
    settings.SOCLE_PRONOTE_PARTNER = "a<b"
    assert ids(check_partner()) == ["socle.E063"]


def test_check_messages_speak_the_active_language(settings):
    settings.SOCLE_PRONOTE_PARTNER = "a<b"
    assert "nom de partenaire invalide" in check_partner()[0].msg
    with override("en"):
        (message,) = check_partner()
    assert message.msg == "SOCLE_PRONOTE_PARTNER='a<b': invalid partner name."
    assert message.hint.startswith("The name under which PRONOTE encrypts")


def test_a_pronote_service_needs_an_establishment_and_a_sane_attribute():
    make_service("pronote-a", sso_type="pronote")
    make_service(
        "pronote-b",
        sso_type="pronote",
        establishment=make_establishment(),
        pronote_id_attribute="id pronote",
    )
    assert ids(check_pronote_services(databases=["default"])) == ["socle.E064", "socle.W065"]


def test_a_registry_mistake_does_not_stop_the_other_commands():
    make_service("pronote-a", sso_type="pronote")
    assert check_pronote_services() == []  # no database named: as plain commands run the checks
    establishment = make_establishment(uai="0312609T")
    make_service_by_command(
        "--sso",
        "pronote",
        "--uai",
        "0312609T",
        code="pronote-a",
        label="PRONOTE",
        url="https://p.example.org/pronote/",
    )
    assert check_pronote_services(databases=["default"]) == []
    assert Service.objects.get(code="pronote-a").establishment == establishment


def test_a_pronote_service_sending_the_login_is_warned_when_a_database_is_named():
    service = make_service(
        "pronote-login",
        sso_type="pronote",
        establishment=make_establishment(),
        username_mode="login",
    )
    make_service("appli-login", patterns=("https://a.example.org/**",), username_mode="login")
    assert check_pronote_services() == []  # plain commands: the repair must still run
    (message,) = check_pronote_services(databases=["default"])
    assert message.id == "socle.W067" and message.level < 40  # a warning, not an error
    assert message.msg.startswith(
        "Service PRONOTE pronote-login : l'identifiant CAS transmis est l'identifiant de "
        "connexion. Il peut changer"
    )
    assert "pronote-login … --username-mode uid --change-username-mode" in message.hint
    service.username_mode = "uid"
    service.save()
    assert check_pronote_services(databases=["default"]) == []


def test_the_login_warning_speaks_english_too():
    make_service(
        "pronote-login",
        sso_type="pronote",
        establishment=make_establishment(),
        username_mode="login",
    )
    with override("en"):
        (message,) = check_pronote_services(databases=["default"])
    assert message.msg.startswith("PRONOTE service pronote-login: the CAS user name sent is")


def test_a_pronote_service_without_its_publication_root_is_warned():
    make_service(
        "pronote-root",
        sso_type="pronote",
        establishment=make_establishment(),
        url="https://0312609t.index-education.net/",
    )
    (message,) = check_pronote_services(databases=["default"])
    assert message.id == "socle.W068" and message.level < 40
    assert "https://0312609t.index-education.net/pronote/" in message.hint


def test_each_former_key_is_checked_like_the_current_one(settings, tmp_path, ent_key_file):
    weak = tmp_path / "former.pem"
    weak.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    weak.chmod(0o644)
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = [str(weak), str(tmp_path / "absent.pem")]
    messages = check_private_key()
    assert ids(messages) == ["socle.W066", "socle.W062", "socle.E060"]
    assert all("SOCLE_PRONOTE_FORMER_PRIVATE_KEYS" in m.msg for m in messages)
    assert str(tmp_path / "absent.pem") in messages[2].msg


def test_former_keys_without_a_current_key_are_warned(settings, tmp_path, ent_key_file):
    settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = [str(ent_key_file)]
    settings.SOCLE_PRONOTE_PRIVATE_KEY = ""
    assert ids(check_private_key()) == ["socle.W070"]
