import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from socle.core.hashers import meets_owasp_baseline
from socle.directory.models import Person
from tests.factories import DEFAULT_PASSWORD, make_person

SOCLE = "socle.core.hashers.SocleArgon2PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = [SOCLE, PBKDF2]
    settings.SOCLE_ARGON2_MEMORY_KIB = 19456
    settings.SOCLE_ARGON2_TIME_COST = 2
    settings.SOCLE_ARGON2_PARALLELISM = 1
    return settings


def test_it_hashes_with_argon2id_at_the_owasp_baseline(real_hashers):
    encoded = make_password("un mot de passe assez long")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("un mot de passe assez long", encoded)
    assert not check_password("un autre mot de passe", encoded)


def test_it_follows_the_configured_parameters(real_hashers):
    real_hashers.SOCLE_ARGON2_MEMORY_KIB = 47104
    real_hashers.SOCLE_ARGON2_TIME_COST = 1
    real_hashers.SOCLE_ARGON2_PARALLELISM = 2
    assert "$m=47104,t=1,p=2$" in make_password("un mot de passe assez long")


def test_it_upgrades_a_pbkdf2_hash_at_login(real_hashers):
    person = make_person(password=None)
    person.password = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    person.save(update_fields=["password"])
    assert identify_hasher(person.password).algorithm == "pbkdf2_sha256"

    assert authenticate(username=person.login, password=DEFAULT_PASSWORD) == person

    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert authenticate(username=person.login, password=DEFAULT_PASSWORD) == person


def test_it_upgrades_an_argon2_hash_with_other_parameters_at_login(real_hashers):
    heavy = "django.contrib.auth.hashers.Argon2PasswordHasher"  # Django's 100 MiB × 8 lanes
    person = make_person(password=None)
    real_hashers.PASSWORD_HASHERS = [heavy]
    person.password = make_password(DEFAULT_PASSWORD)
    person.save(update_fields=["password"])
    assert ",p=8$" in person.password
    real_hashers.PASSWORD_HASHERS = [SOCLE, PBKDF2]

    assert authenticate(username=person.login, password=DEFAULT_PASSWORD) == person
    person.refresh_from_db()
    assert "$m=19456,t=2,p=1$" in person.password


def test_it_keeps_the_hash_after_a_wrong_password(real_hashers):
    person = make_person(password=None)
    old = make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    Person.objects.filter(pk=person.pk).update(password=old)

    assert authenticate(username=person.login, password="mauvais mot de passe") is None
    person.refresh_from_db()
    assert person.password == old


@pytest.mark.parametrize(
    ("memory", "passes", "ok"),
    [
        (19456, 2, True),
        (47104, 1, True),
        (7168, 5, True),
        (65536, 3, True),
        (19456, 1, False),
        (8192, 4, False),
        (4096, 10, False),
    ],
)
def test_it_knows_the_owasp_minima(memory, passes, ok):
    assert meets_owasp_baseline(memory, passes) is ok
