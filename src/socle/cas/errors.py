"""CAS protocol errors: one exception class per error code of CAS Protocol 3.0 §2.5.3 / §2.7.2.

Each carries the code sent in ``<cas:authenticationFailure code="…">`` (or ``proxyFailure``) and a
French description safe to show a service (never a full ticket).
"""

from __future__ import annotations


class CasError(Exception):
    code = "INTERNAL_ERROR"

    def __init__(self, description: str = "") -> None:
        super().__init__(description or self.code)
        self.description = description or self.code


class InvalidRequest(CasError):
    """§2.5.3: not all of the required request parameters were present."""

    code = "INVALID_REQUEST"


class InvalidTicketSpec(CasError):
    """§2.5.3: failure to meet the requirements of the validation specification."""

    code = "INVALID_TICKET_SPEC"


class UnauthorizedServiceProxy(CasError):
    """§2.5.3: the service is not authorised to perform proxy authentication."""

    code = "UNAUTHORIZED_SERVICE_PROXY"


class InvalidProxyCallback(CasError):
    """§2.5.3: the proxy callback specified is invalid."""

    code = "INVALID_PROXY_CALLBACK"


class InvalidTicket(CasError):
    """§2.5.3: the ticket was not valid, or not issued by this server (also expired or replayed)."""

    code = "INVALID_TICKET"


class InvalidService(CasError):
    """§2.5.3: the ticket was issued for another service."""

    code = "INVALID_SERVICE"


class UnauthorizedService(CasError):
    """§2.7.2: the target service of ``/proxy`` is not authorised."""

    code = "UNAUTHORIZED_SERVICE"


class InternalError(CasError):
    """§2.5.3: an internal error occurred during ticket validation."""

    code = "INTERNAL_ERROR"
