"""One CAS pattern line of the service form, checked in the order that says best why it is
refused (``ServiceForm._check_patterns`` gathers the lines' messages)."""

from __future__ import annotations

from collections.abc import Collection

from socle.portal.foreign_patterns import covered_service, foreign_overlap
from socle.portal.hosted_pronote import foreign_uai_refusal, pattern_reach
from socle.portal.internal_hosts import internal_address_refused, pattern_host
from socle.portal.models import PatternKind
from socle.portal.patterns import PatternLine, check_pattern


def pattern_line_problem(
    line: PatternLine,
    own: list[str],
    others: list[tuple[str, str]],
    administered: set[int] | None,
    own_uais: Collection[str],
    service_pk: int | None,
) -> str | None:
    """Why ``line`` is refused, or ``None``. ``own`` are the service's own addresses (its URL),
    ``others`` the other services' (``other_service_urls``); ``administered`` the
    establishments of a school administrator (``None`` for an administrator of the whole ENT,
    whom the rules between schools do not bind), ``own_uais`` the UAIs of the service's
    schools."""
    if administered is not None:  # first: it says why better than a mismatch
        message = internal_address_refused(pattern_host(line.kind, line.value))
        if message is not None:
            return message
    message = check_pattern(line.kind, line.value, own)
    if message is None and administered is not None:
        # first: it names the other school, which the generic message below does not
        message = foreign_overlap(line.kind, line.value, administered, service_pk)
    if message is None and administered is not None:
        reach = pattern_reach(line.kind, line.value)
        regex = line.kind == PatternKind.REGEX
        message = foreign_uai_refusal(reach, own_uais, regex=regex)
    if message is None:
        message = covered_service(line.kind, line.value, others)
    return message
