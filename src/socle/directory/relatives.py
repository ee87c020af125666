"""Who is a parent of a school: the relatives of its active pupils."""

from __future__ import annotations

from django.db.models import QuerySet

from socle.directory.blocking import present
from socle.directory.models import ParentLink
from socle.directory.profiles import Profile


def links_to_active_pupils(establishment_id: int) -> QuerySet[ParentLink]:
    """The links of the establishment's active pupils to their relatives. The parent of a
    former pupil only (deactivated, whose membership the AAF keeps) is no parent of the school:
    not for the PRONOTE matching, its diagnostics and hand-picked accounts, nor for a CSV full
    file, which keeps a relative's membership while one of these links stands. A pupil blocked
    by hand is still one of them (socle.directory.blocking.present)."""
    return ParentLink.objects.filter(
        child__memberships__establishment_id=establishment_id,
        child__memberships__profile=Profile.PUPIL,
    ).filter(present("child__"))
