"""Fuzzy directory search ("Parcourir" of the PRONOTE matching, portal pages).

``search_people("martin camile 04/03/2012", establishment=college)`` returns the best-matching
people, best first: each name is normalised (:func:`socle.directory.names.normalize_name`) and
scored with rapidfuzz's ``WRatio`` (typos, word order and partial words tolerated); a birth date
or a class written in the query, an exact last name, add to the score. Keyword filters
(establishment, profile, class, birth date) restrict the candidates in the database first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from socle.directory.dates import InvalidDate, parse_birth_date
from socle.directory.models import Establishment, Person
from socle.directory.names import normalize_name

# Above this many candidates, names are first pre-filtered in the database on word prefixes
# (the stored ``search_key``), so a region-wide search never scores a million names in Python.
FULL_SCAN_LIMIT = 20_000
MIN_SCORE = 60.0


@dataclass
class _Candidate:
    pk: int
    name: str
    last_name: str
    birth_date: dt.date | None
    classes: set[str] = field(default_factory=set)


def search_people(
    query: str,
    *,
    establishment: Establishment | str | None = None,
    profile: str | None = None,
    class_name: str | None = None,
    birth_date: dt.date | str | None = None,
    limit: int = 20,
    include_inactive: bool = False,
) -> list[Person]:
    """People matching ``query``, best first, each with a ``search_score`` (0–100+) attribute.

    ``establishment`` is an :class:`Establishment` or a UAI; ``profile`` a national code
    (``National_ELV``…); ``class_name`` is compared case-insensitively; ``birth_date`` a date or
    text (``JJ/MM/AAAA``/``AAAA-MM-JJ``). An empty query lists the people the filters select, by
    name. Malformed filters or query never raise: they simply match nobody.
    """
    limit = max(1, min(int(limit), 500))
    if isinstance(birth_date, str):
        try:
            birth_date = parse_birth_date(birth_date)
        except InvalidDate:
            return []
    words, query_dates = _split_query(query)
    queryset = _filtered(establishment, profile, class_name, birth_date, include_inactive)
    if not words and not query_dates:
        people = list(queryset.order_by("last_name", "first_name", "pk")[:limit])
        for person in people:
            person.search_score = 100.0  # type: ignore[attr-defined]
        return people
    if words and queryset.count() > FULL_SCAN_LIMIT:
        queryset = queryset.filter(_prefix_filter(words))
    candidates = _candidates(queryset, establishment)
    scored: list[tuple[float, str, int]] = []
    for candidate in candidates.values():
        score = _score(words, query_dates, candidate)
        if score >= MIN_SCORE:
            scored.append((score, candidate.name, candidate.pk))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    best = scored[:limit]
    by_pk = Person.objects.in_bulk([pk for _, _, pk in best])
    result = []
    for score, _, pk in best:
        person = by_pk[pk]
        person.search_score = round(score, 1)  # type: ignore[attr-defined]
        result.append(person)
    return result


def _split_query(query: str) -> tuple[list[str], list[dt.date]]:
    words: list[str] = []
    dates: list[dt.date] = []
    for token in (query or "")[:200].split():
        if any(ch.isdigit() for ch in token) and ("/" in token or "-" in token):
            try:
                date = parse_birth_date(token)
            except InvalidDate:
                date = None
            if date:
                dates.append(date)
                continue
        words.extend(normalize_name(token).split())
    return words, dates


def _filtered(
    establishment: Establishment | str | None,
    profile: str | None,
    class_name: str | None,
    birth_date: dt.date | None,
    include_inactive: bool,
) -> QuerySet[Person]:
    queryset = Person.objects.all()
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    membership = Q()
    if isinstance(establishment, Establishment):
        membership &= Q(memberships__establishment=establishment)
    elif establishment:
        membership &= Q(memberships__establishment__uai=str(establishment).strip().upper())
    if profile:
        membership &= Q(memberships__profile=profile)
    if class_name:
        membership &= Q(memberships__class_name__iexact=class_name.strip())
    if membership:
        queryset = queryset.filter(membership).distinct()
    if birth_date:
        queryset = queryset.filter(birth_date=birth_date)
    return queryset


def _prefix_filter(words: Iterable[str]) -> Q:
    condition = Q()
    for word in words:
        if len(word) >= 2:
            condition |= Q(search_key__startswith=word[:3]) | Q(search_key__contains=" " + word[:3])
    # People inserted without their search key (raw bulk inserts by other tools) stay findable.
    return (condition | Q(search_key="")) if condition else Q(pk__in=[])


def _candidates(
    queryset: QuerySet[Person], establishment: Establishment | str | None
) -> dict[int, _Candidate]:
    rows = queryset.values_list(
        "pk", "last_name", "birth_last_name", "first_name", "birth_date", "memberships__class_name"
    )
    candidates: dict[int, _Candidate] = {}
    for pk, last, birth_last, first, birth, class_name in rows.iterator():
        candidate = candidates.get(pk)
        if candidate is None:
            names = (
                f"{last} {birth_last} {first}"
                if birth_last and birth_last != last
                else (f"{last} {first}")
            )
            candidate = candidates[pk] = _Candidate(
                pk, normalize_name(names), normalize_name(last), birth
            )
        if class_name:
            candidate.classes.add(normalize_name(class_name))
    return candidates


def _score(words: list[str], dates: list[dt.date], candidate: _Candidate) -> float:
    class_words = [word for word in words if word in candidate.classes]
    name_words = [word for word in words if word not in candidate.classes]
    if name_words:
        score = fuzz.WRatio(" ".join(name_words), candidate.name)
        if candidate.last_name and candidate.last_name in " ".join(name_words):
            score += 5
    else:
        score = 80.0 if (class_words or dates) else 0.0
    if class_words:
        score += 10
    if dates:
        score += 15 if candidate.birth_date in dates else -25
    return float(score)


def name_or_login(typed: str) -> Q:
    """People whose names hold every word typed, or whose login holds it: « Élodie », « elodie
    DURAND », « camille.martin » (accents, case, hyphens and apostrophes ignored, as
    :func:`socle.directory.names.normalize_name` folds them, on the stored ``search_key``). An
    empty text selects everyone. For the pages that list accounts by pages, in the database,
    rather than score them (:func:`search_people`)."""
    typed = (typed or "")[:200].strip()
    words = normalize_name(typed).split()
    if not words:
        return Q()
    by_name = Q()
    for word in words:
        by_name &= Q(search_key__contains=word) | Q(login__icontains=word)
    return by_name | Q(login__iexact=typed)
