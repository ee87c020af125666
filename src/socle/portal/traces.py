"""Recording audit traces. Callers pass facts; this module never receives secrets."""

from __future__ import annotations

import logging
from typing import Any

from socle.portal.models import Trace

logger = logging.getLogger("socle.traces")


def record(event: str, *, outcome: str = "ok", person: Any = None, detail: str = "",
           service_code: str = "", uai: str = "", profile: str = "",
           client_ip: str | None = None, actor_login: str = "") -> None:
    """Stores one trace. ``detail`` must not contain a password or a full ticket."""
    Trace.objects.create(
        event=event[:40], outcome=outcome[:16], person=person if getattr(person, "pk", None) else None,
        actor_login=(actor_login or getattr(person, "login", "") or "")[:64],
        service_code=service_code[:50], uai=uai[:8], profile=profile[:16],
        client_ip=client_ip or None, detail=detail[:500],
    )
    logger.info("%s %s service=%s uai=%s %s", event, outcome, service_code, uai, detail[:200])
