"""gunicorn's access log (``SOCLE_SERVE_ACCESS_LOG``) without secrets in paths: the token of a
first-connection link (``/compte/activation/<token>/``) is replaced by « … »
(``socle.core.logfilters.redact_path``). Query strings, where tickets travel, are never logged
(``socle.core.server.ACCESS_LOG_FORMAT``)."""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from socle.core.logfilters import redact_path


class Logger(glogging.Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        return atoms
