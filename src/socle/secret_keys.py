"""Reading the secret key and the former ones (``SOCLE_SECRET_KEY``, ``SOCLE_SECRET_KEY_FILE``,
``SOCLE_SECRET_KEY_FALLBACKS``, ``SOCLE_SECRET_KEY_FALLBACKS_FILE``) for ``socle.settings``:
strictly, a value that cannot be used stopping the start with one French line naming the variable
(``socle.env``). Their strength and the files' modes are system checks
(``socle.core.secret_checks``)."""

import errno
from pathlib import Path

from django.utils.translation import gettext_noop

from socle.env import ConfigurationError, Text, env_str


def _secret_file(variable: str, path: str) -> str:
    """The text of the secret file ``path`` named by ``variable``, stripped."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        # Settings are not loaded yet: no translation catalog (socle.core.plain_errors).
        reason = {
            errno.ENOENT: Text(gettext_noop("fichier introuvable")),
            errno.EACCES: Text(gettext_noop("permission refusée")),
            errno.EISDIR: Text(gettext_noop("c'est un dossier")),
        }.get(exc.errno or 0, exc.strerror or str(exc))
        raise ConfigurationError(
            gettext_noop("%(variable)s : lecture de %(path)s impossible (%(reason)s)."),
            variable=variable,
            path=path,
            reason=reason,
        ) from None
    except UnicodeDecodeError:
        raise ConfigurationError(
            gettext_noop("%(variable)s : %(path)s n'est pas un texte UTF-8."),
            variable=variable,
            path=path,
        ) from None


def secret_key(key_file: str) -> str:
    """``SECRET_KEY``: the text of ``SOCLE_SECRET_KEY_FILE`` (``key_file``) if set, else
    ``SOCLE_SECRET_KEY``; missing or empty, a French line naming the variable."""
    if key_file:
        key = _secret_file("SOCLE_SECRET_KEY_FILE", key_file)
        if not key:
            raise ConfigurationError(
                gettext_noop(
                    "SOCLE_SECRET_KEY_FILE : le fichier %(path)s est vide ; il doit contenir "
                    "une chaîne aléatoire d'au moins 50 caractères."
                ),
                path=key_file,
            )
        return key
    key = env_str("SOCLE_SECRET_KEY", "")
    if not key:
        raise ConfigurationError(
            gettext_noop(
                "SOCLE_SECRET_KEY (ou SOCLE_SECRET_KEY_FILE) doit être défini : "
                "une chaîne aléatoire d'au moins 50 caractères."
            )
        )
    return key


def secret_key_fallbacks(fallbacks_file: str) -> list[str]:
    """``SECRET_KEY_FALLBACKS``: the lines of ``SOCLE_SECRET_KEY_FALLBACKS_FILE``
    (``fallbacks_file``) or the comma-separated ``SOCLE_SECRET_KEY_FALLBACKS``, never both."""
    listed = env_str("SOCLE_SECRET_KEY_FALLBACKS", "")
    if listed and fallbacks_file:
        raise ConfigurationError(
            gettext_noop(
                "SOCLE_SECRET_KEY_FALLBACKS et SOCLE_SECRET_KEY_FALLBACKS_FILE sont tous deux "
                "définis : gardez l'un des deux."
            )
        )
    if fallbacks_file:
        text = _secret_file("SOCLE_SECRET_KEY_FALLBACKS_FILE", fallbacks_file)
        return [line.strip() for line in text.splitlines() if line.strip()]
    keys = [key.strip() for key in listed.split(",")] if listed else []
    if any(not key for key in keys):
        raise ConfigurationError(
            gettext_noop(
                "SOCLE_SECRET_KEY_FALLBACKS : clé vide dans la liste (virgule en trop ?) ; "
                "attendu les anciennes clés séparées par des virgules."
            )
        )
    return keys
