"""First-connection activation codes (see issue "Directory feed … activation").

Interface used by the CAS login view: when a login/password pair fails ordinary authentication,
the view calls :func:`activation_redirect`; a non-``None`` URL means the "password" was a valid,
unused activation code and the person must be sent there to choose a password.
"""

from __future__ import annotations


def activation_redirect(login: str, code: str, service: str | None) -> str | None:
    """Returns the URL of the first-connection page for a valid activation code, else None.

    Interim: activation codes are not implemented yet, so no code is ever valid.
    """
    return None
