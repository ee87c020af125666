"""The 500 handler (``handler500`` in ``socle.urls``): a database that cannot answer is an outage,
not a bug.

When PostgreSQL restarts, fails over or is unreachable, when the SQLite disk is full or the
file read-only, every page that reads the database (the portal, the account pages, the
administrators' pages, the Django admin) raised, and Django answered its 500 page « Une erreur
s'est produite » with a traceback in the log for each request. Such an error now gets a 503
« Service momentanément indisponible » with ``Retry-After`` and the reason in a few words, and
the log says it once a minute with its count (:class:`socle.core.logfilters.Tally`) instead of
a traceback per request. The kinds are those of ``socle.core.db_errors``: the server's state
(disk full, read-only, locked) and an operation cut short (connection lost or refused, timeout,
deadlock), and the server's disk full or read-only while Django spools an upload to its
temporary folder (an ``OSError`` raised before the view could say it). Redis too, when it
cannot be reached: every portal page of a logged-in person reads the SSO session there
(``socle.cas.middleware``). A Django session that
cannot be saved after the view reaches it too (``socle.core.db_sessions`` raises the database's
error where Django's store said « session deleted meanwhile »). Any other exception,
an integrity error included, is still a bug: the 500 page and its traceback. The CAS's own
paths already answer a store failure with their 503 page (``socle.cas.views.common.unavailable``);
this covers everything else.

The page is rendered without the request's context processors, as Django's own 500 handler
does: they may need the very database that failed.
"""

from __future__ import annotations

import errno
import logging
import sys

from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error
from redis.exceptions import RedisError

from socle.core import metrics
from socle.core.db_errors import interrupted_reason, write_refused_reason
from socle.core.logfilters import Tally, said
from socle.core.plain_errors import os_error

logger = logging.getLogger("socle.outage")
RETRY_AFTER = 30  # seconds
_tally = Tally(
    logger,
    "database or Redis unavailable: %d page(s) answered 503 since the previous line (its cause: "
    "/healthz)",
)


# The server's disk, when a request's own files cannot be written (an upload Django spools to
# its temporary folder, above 5 MB): full, over quota, read-only.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def outage_reason(exc: BaseException | None) -> str | None:
    """Why the database, Redis (or the server's disk) could not take the request, in the active
    language, when it is an outage rather than a bug; ``None`` otherwise."""
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return os_error(exc)
    if isinstance(exc, RedisError):  # the SSO sessions read by every portal page of a session
        return _("serveur des sessions (Redis) injoignable ou en échec")
    if not isinstance(exc, DatabaseError) or isinstance(exc, IntegrityError):
        return None
    return write_refused_reason(exc) or interrupted_reason(exc)


@requires_csrf_token
def handle_server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``, called while the exception is being handled."""
    exc = sys.exc_info()[1]
    reason = outage_reason(exc)
    if reason is None:
        response: HttpResponse = server_error(request)
        return response
    metrics.store_unavailable()
    said(request)  # Django's « Service Unavailable » line with its traceback: the tally instead
    _tally.add()
    try:
        body = loader.get_template("503.html").render({"reason": reason, "path": request.path})
    except Exception:  # noqa: BLE001 - a template error must not hide the outage
        body = _("Service momentanément indisponible. Réessayez dans quelques instants.")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response
