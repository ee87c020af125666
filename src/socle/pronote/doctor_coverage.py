"""The share of each population of one establishment that PRONOTE identifiers reach
(:func:`socle.pronote.doctor.diagnose`, « Couverture »): pupils, parents, teachers, staff, and
who lacks one."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership
from socle.directory.profiles import Profile
from socle.pronote.models import PronoteIdentity

COVERAGE = (
    (gettext_noop("Élèves"), frozenset({Profile.PUPIL})),
    (gettext_noop("Parents"), frozenset({Profile.PARENT})),
    (gettext_noop("Enseignants"), frozenset({Profile.TEACHER, Profile.DOCUMENTALIST})),
    (
        gettext_noop("Personnels"),
        frozenset(
            {Profile.DIRECTION, Profile.VIE_SCOLAIRE, Profile.ADMIN_STAFF, Profile.COLLECTIVITY}
        ),
    ),
)
MISSING_SHOWN = 500


@dataclass
class Coverage:
    label: str
    total: int
    with_id: int
    missing: list[tuple[str, str]]  # (name, login), at most MISSING_SHOWN

    @property
    def percent(self) -> int:
        """Rounded, but never 100 while someone is missing (597 of 600 is 99 %, not 100 %)
        nor 0 once someone has one."""
        if not self.total:
            return 100
        share = round(100 * self.with_id / self.total)
        if self.with_id < self.total:
            share = min(share, 99)
        return max(share, 1) if self.with_id else share


def coverage(establishment: Establishment) -> list[Coverage]:
    holders = set(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "person_id", flat=True
        )
    )
    result = []
    for label, profiles in COVERAGE:
        people = list(
            # a blocked account the imports still list counts (socle.directory.blocking)
            Membership.objects.filter(establishment=establishment, profile__in=profiles)
            .filter(present("person__"))
            .values_list("person_id", "person__last_name", "person__first_name", "person__login")
            .distinct()
            .order_by("person__last_name", "person__first_name")
        )
        seen: dict[int, tuple[str, str]] = {}
        for pid, last, first, login in people:
            seen.setdefault(pid, (f"{last.upper()} {first}", login))
        missing = [seen[pid] for pid in seen if pid not in holders]
        result.append(
            Coverage(gettext(label), len(seen), len(seen) - len(missing), missing[:MISSING_SHOWN])
        )
    return result
