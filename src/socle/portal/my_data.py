"""« Mes données » (``/mes-donnees/``): what Socle holds about the person logged in, for them
(or the parent beside them) to read, without asking anyone — the right of access (GDPR art. 15)
at hand. No text of its own: the sections are those of ``socle person_data``
(``socle.core.personal_data``, each app its own), labelled and formatted as its text export
(``socle.portal.person_text``), and the file the page offers is that export, whole.

The page shows the main parts: the directory's record, establishments and classes, relatives
(by name and link), what each service the person may open receives about them, and their
traces of the last :data:`RECENT_DAYS` days (at most :data:`SHOWN_TRACES`, newest first); the
file holds everything else too (older traces, PRONOTE, the Django admin's journal…).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from socle.core.personal_data import export_person
from socle.portal.person_text import Field, fields_of, section_fields, value
from socle.portal.personal_data import traces_count, traces_of
from socle.portal.trace_details import shown_detail
from socle.portal.traces import OUTCOME_LABELS, event_label

RECENT_DAYS = 30
SHOWN_TRACES = 200
SECTIONS = ("person", "memberships", "relatives", "cas_services")  # and the recent traces


@dataclass(frozen=True)
class TraceRow:
    at: str
    event: str
    actor: str  # who acted, when not the person (an administrator's reset): "" otherwise
    service_code: str
    outcome: str
    client_ip: str
    detail: str
    detail_french: bool  # shown as stored: French whatever the page's language


@dataclass
class MyData:
    identity: list[Field]
    memberships: list[tuple[Field, ...]]
    relatives: list[Field]
    services: list[Field]
    traces: list[TraceRow] = field(default_factory=list)
    traces_recent: int = 0  # traces of the last RECENT_DAYS days (all, the shown ones and more)


def my_data(person: Any) -> MyData:
    """The page's content for ``person``, from the export's sections; the traces as the
    export's (:func:`~socle.portal.personal_data.traces_of`), only the shown ones read."""
    data = export_person(person, only=SECTIONS)
    memberships = section_fields("memberships", data.get("memberships", []))
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    recent = traces_of(person, since=since, limit=SHOWN_TRACES)
    return MyData(
        identity=section_fields("person", data.get("person", {})),
        memberships=list(memberships[0].items) if memberships else [],
        relatives=section_fields("relatives", data.get("relatives", {})),
        services=[_service(s) for s in data.get("cas_services", []) if s["may_open"]],
        traces=[_trace(t, person.login) for t in recent],
        traces_recent=traces_count(person, since) if len(recent) == SHOWN_TRACES else len(recent),
    )


def _service(row: dict[str, Any]) -> Field:
    """A service the person may open: its name, the CAS user name it receives, and the
    attributes (« nom : MARTIN »)."""
    return Field(
        str(row["service"]),
        fields=(
            fields_of("user_name", row["user_name"]),
            fields_of("attributes", row["attributes"]),
        ),
    )


def _trace(row: dict[str, Any], login: str) -> TraceRow:
    detail = shown_detail(row["event"], row["detail"])
    outcome = row["outcome"]
    return TraceRow(
        at=value("at", row["at"]),
        event=event_label(row["event"]),
        actor="" if row["actor_login"] in ("", login) else row["actor_login"],
        service_code=row["service_code"],
        outcome=str(OUTCOME_LABELS.get(outcome, outcome)),
        client_ip=row["client_ip"] or "",
        detail=detail.text,
        detail_french=detail.french,
    )
