import time

import pytest

from socle.core import checks, secret_checks
from tests.core.cli import run_socle


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_debug_with_public_hosts_is_an_error(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "ent.example.org"]
    assert ids(checks.check_debug()) == ["socle.E080"]


def test_debug_on_loopback_only_is_fine(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    assert checks.check_debug() == []


@pytest.mark.parametrize("key", ["short", "a" * 60, "ab" * 30])
def test_a_weak_secret_key_is_an_error(settings, key):
    settings.SECRET_KEY = key
    assert ids(secret_checks.check_secret_key()) == ["socle.E081"]


def test_the_weak_secret_key_message_counts_plainly(settings):
    settings.SECRET_KEY = "a" * 60
    (message,) = secret_checks.check_secret_key()
    assert message.msg == (
        "SOCLE_SECRET_KEY est trop faible : 60 caractère(s), dont 1 différent(s)."
    )


def test_a_long_random_secret_key_is_fine(settings):
    settings.SECRET_KEY = "Vq3x9-Lk2PzR8mWc7TnB4yHs1JdF6gXa0eUo5iKr2QwZ8vNb3Mt"
    assert secret_checks.check_secret_key() == []


def test_argon2_below_the_owasp_baseline_is_an_error(settings):
    settings.SOCLE_ARGON2_MEMORY_KIB = 19456
    settings.SOCLE_ARGON2_TIME_COST = 1
    assert ids(checks.check_argon2()) == ["socle.E082"]
    settings.SOCLE_ARGON2_TIME_COST = 2
    assert checks.check_argon2() == []


def test_sqlite_with_many_workers_is_a_warning(settings, monkeypatch):
    monkeypatch.setattr(checks, "database_engine", lambda: "django.db.backends.sqlite3")
    settings.SOCLE_SERVE_WORKERS = 8
    assert ids(checks.check_sqlite_workers()) == ["socle.W083"]
    settings.SOCLE_SERVE_WORKERS = 2
    assert checks.check_sqlite_workers() == []


def test_postgresql_with_many_workers_is_fine(settings, monkeypatch):
    monkeypatch.setattr(checks, "database_engine", lambda: "django.db.backends.postgresql")
    settings.SOCLE_SERVE_WORKERS = 32
    assert checks.check_sqlite_workers() == []


def test_a_malformed_redis_url_is_an_error(settings):
    settings.SOCLE_REDIS_URL = "http://127.0.0.1:6379"
    settings.SOCLE_REDIS_CLUSTER = False
    assert ids(checks.check_redis()) == ["socle.E084"]


def test_cluster_mode_needs_a_plain_redis_url(settings):
    settings.SOCLE_REDIS_URL = "redis+sentinel://s1:26379/m"
    settings.SOCLE_REDIS_CLUSTER = True
    assert ids(checks.check_redis()) == ["socle.E085"]
    settings.SOCLE_REDIS_URL = "redis://node1:7000/0"
    assert checks.check_redis() == []


def test_an_admission_wait_near_the_worker_timeout_is_an_error(settings):
    settings.SOCLE_SERVE_TIMEOUT = 30
    settings.SOCLE_ADMISSION_MAX_WAIT_MS = 20000
    assert "socle.E086" in ids(checks.check_admission())
    settings.SOCLE_ADMISSION_MAX_WAIT_MS = 3000
    assert "socle.E086" not in ids(checks.check_admission())


def test_it_warns_of_a_graceful_timeout_a_waiting_login_would_outlast(settings):
    settings.SOCLE_ADMISSION_MAX_WAIT_MS = 3000
    settings.SOCLE_SERVE_GRACEFUL_TIMEOUT = 3
    (warning,) = [m for m in checks.check_admission() if m.id == "socle.W084"]
    assert warning.msg.startswith("SOCLE_SERVE_GRACEFUL_TIMEOUT (3 s) ne dépasse pas ")
    settings.SOCLE_SERVE_GRACEFUL_TIMEOUT = 20
    assert "socle.W084" not in ids(checks.check_admission())


def test_unreadable_school_hours_are_an_error(settings):
    settings.SOCLE_ADMISSION_DEFERRED_HOURS = "lundi 8h"
    assert "socle.E087" in ids(checks.check_admission())


def test_it_reports_unreadable_school_hours_through_every_check_without_a_traceback(tmp_path):
    result = run_socle(tmp_path, "check", SOCLE_ADMISSION_DEFERRED_HOURS="lundi")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "socle.E087" in result.stderr and "SOCLE_ADMISSION_DEFERRED_HOURS" in result.stderr


def test_unknown_deferred_profiles_are_a_warning(settings):
    settings.SOCLE_ADMISSION_DEFERRED_PROFILES = ["National_TUT", "parents"]
    messages = checks.check_admission()
    assert ids(messages) == ["socle.W088"]
    assert "parents" in messages[0].msg


def test_a_tls_proxy_with_an_http_base_url_is_a_warning(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SOCLE_HTTPS = False
    assert ids(checks.check_proxy()) == ["socle.W089"]
    settings.SOCLE_HTTPS = True
    assert checks.check_proxy() == []


def test_the_default_test_settings_pass_every_check():
    from django.core.management import call_command

    call_command("check", "--fail-level", "WARNING")


def test_it_creates_a_missing_admission_directory(settings, tmp_path):
    settings.SOCLE_ADMISSION_DIR = str(tmp_path / "a" / "admission")
    assert checks.check_admission_directory() == []
    assert (tmp_path / "a" / "admission").is_dir()
    assert list((tmp_path / "a" / "admission").iterdir()) == []  # its probe file is gone


def test_an_admission_directory_that_cannot_be_created_is_an_error(settings):
    settings.SOCLE_ADMISSION_DIR = "/proc/socle-adm"
    [message] = checks.check_admission_directory()
    assert message.id == "socle.E091"
    assert "/proc/socle-adm" in message.msg and "SOCLE_ADMISSION_DIR" in message.msg


def test_an_admission_directory_under_a_file_is_an_error(settings, tmp_path):
    (tmp_path / "file").write_text("")
    settings.SOCLE_ADMISSION_DIR = str(tmp_path / "file" / "admission")
    [message] = checks.check_admission_directory()
    assert message.id == "socle.E091"
    assert "un élément du chemin n'est pas un dossier" in message.msg


def test_serve_refuses_to_start_on_an_unusable_admission_directory(tmp_path):
    result = run_socle(
        tmp_path, "serve", "--no-prepare", "--port", "1", SOCLE_ADMISSION_DIR="/proc/socle-adm"
    )
    assert result.returncode == 1
    assert "socle.E091" in result.stderr and "Socle sur" not in result.stdout


def test_it_warns_about_a_secret_key_file_others_can_read(settings, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60)
    settings.SOCLE_SECRET_KEY_FILE = str(key_file)
    key_file.chmod(0o644)
    [message] = secret_checks.check_secret_key_file()
    assert message.id == "socle.W093"
    assert str(key_file) in message.msg and "-rw-r--r--" in message.msg
    key_file.chmod(0o600)
    assert secret_checks.check_secret_key_file() == []


def test_it_says_nothing_of_a_secret_key_given_in_the_environment(settings):
    settings.SOCLE_SECRET_KEY_FILE = ""
    assert secret_checks.check_secret_key_file() == []


def test_it_warns_about_former_keys_kept_longer_than_the_activation_codes(
    settings, tmp_path, monkeypatch
):
    """The docs say to remove the former key after SOCLE_ACTIVATION_CODE_DAYS; nothing ended
    it, and a former key forgotten in its file (leaked since, maybe) opened for ever what was
    signed with it."""
    former = tmp_path / "secret_key.former"
    former.write_text("f" * 30 + "g" * 30 + "\n")
    former.chmod(0o600)
    settings.SOCLE_SECRET_KEY_FALLBACKS_FILE = str(former)
    settings.SECRET_KEY_FALLBACKS = ["f" * 30 + "g" * 30]
    settings.SOCLE_ACTIVATION_CODE_DAYS = 30
    assert secret_checks.check_secret_key_fallbacks_age() == []
    now = time.time()
    monkeypatch.setattr(secret_checks.time, "time", lambda: now + 31 * 24 * 3600)
    [message] = secret_checks.check_secret_key_fallbacks_age()
    assert message.id == "socle.W099"
    assert str(former) in message.msg and "31 jours" in message.msg
    assert "une rotation de la clé secrète est restée en cours" in message.msg
    assert f": > {former}" in message.hint
    settings.SECRET_KEY_FALLBACKS = []  # the file emptied: nothing to say
    assert secret_checks.check_secret_key_fallbacks_age() == []
    settings.SECRET_KEY_FALLBACKS = ["f" * 30 + "g" * 30]
    settings.SOCLE_SECRET_KEY_FALLBACKS_FILE = ""  # given in the environment: no date
    assert secret_checks.check_secret_key_fallbacks_age() == []


def test_it_does_not_call_the_new_key_of_a_first_round_left_so_a_former_key(
    settings, tmp_path, monkeypatch
):
    """Round 1 of the two-round rotation (docs/deployment.md, "Rotating secrets") puts the NEW
    key in the file while Socle still signs with the former one: left so for a month, W099
    said « les anciennes clés … ouvrent encore ce qu'elles ont signé » of a key that signed
    nothing, and its only advice, emptying the file, undid round 1. A key does not say which
    it is: the warning says a rotation was left under way, the hint what to do in each round."""
    current, new = "c" * 60, "n" * 60
    fallbacks = tmp_path / "secret_key.former"
    fallbacks.write_text(new + "\n")  # round 1: install -m 600 secret_key.new secret_key.former
    fallbacks.chmod(0o600)
    settings.SECRET_KEY = current
    settings.SECRET_KEY_FALLBACKS = [new]
    settings.SOCLE_SECRET_KEY_FALLBACKS_FILE = str(fallbacks)
    settings.SOCLE_ACTIVATION_CODE_DAYS = 30
    now = time.time()
    monkeypatch.setattr(secret_checks.time, "time", lambda: now + 40 * 24 * 3600)
    [message] = secret_checks.check_secret_key_fallbacks_age()
    assert message.id == "socle.W099"
    assert "anciennes" not in message.msg and "ont signé" not in message.msg
    assert "tient des clés de repli depuis 40 jours" in message.msg
    assert "Au premier tour d'une rotation en deux tours" in message.hint
    assert "faites le second tour sur chaque nœud" in message.hint
    assert message.hint.index("second tour") < message.hint.index(f": > {fallbacks}")


def test_it_warns_of_a_misspelt_variable_and_names_the_closest_one(monkeypatch):
    monkeypatch.setenv("SOCLE_DATABSE_URL", "postgres://socle@db.internal:5432/socle")
    monkeypatch.setenv("SOCLE_FROBNICATE", "1")
    monkeypatch.setenv("SOCLE_TEST_SOMETHING", "1")  # the test suite's own variables: not named
    messages = checks.check_unknown_variables()
    assert ids(messages) == ["socle.W085", "socle.W085"]
    misspelt, unknown = messages
    assert misspelt.msg.startswith("SOCLE_DATABSE_URL est défini, mais Socle ne lit pas")
    assert "SOCLE_DATABASE_URL" in misspelt.hint
    assert unknown.msg.startswith("SOCLE_FROBNICATE ")
    assert "docs/configuration.md" in unknown.hint


def test_it_names_a_misspelt_variable_at_every_command(tmp_path):
    result = run_socle(tmp_path, "check", SOCLE_REDIS_ULR="redis://127.0.0.1:6379/0")
    assert result.returncode == 0  # a warning: the command runs
    assert "socle.W085" in result.stderr and "SOCLE_REDIS_URL" in result.stderr


def test_it_warns_when_the_allowed_hosts_refuse_the_base_url_s_host(settings):
    settings.SOCLE_BASE_URL = "https://ent.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "ent.example.com"]
    (warning,) = checks.check_base_url_host()
    assert warning.id == "socle.W086"
    assert warning.msg.startswith(
        "SOCLE_ALLOWED_HOSTS (127.0.0.1,ent.example.com) n'accepte pas ent.example.org"
    )
    settings.ALLOWED_HOSTS = ["127.0.0.1", ".example.org"]  # a domain and its subdomains
    assert checks.check_base_url_host() == []
