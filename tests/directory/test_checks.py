from django.test import override_settings

from socle.directory.checks import check_directory_settings


def _ids() -> set[str]:
    return {message.id for message in check_directory_settings()}


def test_the_default_configuration_passes() -> None:
    assert _ids() == set()


@override_settings(AUTH_PASSWORD_VALIDATORS=[])
def test_it_warns_about_weak_password_rules() -> None:
    assert {"socle.W021", "socle.W022"} <= _ids()


@override_settings(SOCLE_BASE_URL="http://ent.example.org", DEBUG=False)
def test_it_warns_when_letters_would_print_an_http_address() -> None:
    assert "socle.W023" in _ids()


@override_settings(SOCLE_TERMS_URL="charte.pdf")
def test_a_relative_terms_url_is_an_error() -> None:
    assert "socle.E024" in _ids()
